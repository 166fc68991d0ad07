/*
 * Host tests of the WFS checker: a clean image checks clean; injected
 * corruption -- bitmap bits flipped both ways, a wrong link count, a
 * directory block with a broken entry chain, an entry naming a free
 * inode, a block used by two files, a file and a directory no directory
 * names, a '..' naming the wrong parent, a corrupt journal header -- is
 * found without -y (4, nothing written), repaired with -y (1), and the
 * image then checks clean (0) and mounts with the data in place.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c
#include "fs/wfs_testlib.h"

static struct memdev md;
static struct wfs *fs;
static struct wfs_super sb;
static uint32_t fa, fb, dd, fc;     /* /a, /b, /d, /d/c */

/* An image with a few files, unmounted. */
static void
setup(void)
{
    char buf[9000];
    memset(buf, 'a', sizeof(buf));
    fs = md_mkfs_mount(&md, 1024);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "a", 0644, 0, 0, &fa), 0);
    EXPECT_EQ(wfs_write(fs, fa, 0, buf, sizeof(buf)), sizeof(buf));
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "b", 0644, 0, 0, &fb), 0);
    EXPECT_EQ(wfs_write(fs, fb, 0, "bbbb", 4), 4);
    EXPECT_EQ(wfs_mkdir(fs, WFS_ROOT_INO, "d", 0755, 0, 0, &dd), 0);
    EXPECT_EQ(wfs_create(fs, dd, "c", 0644, 0, 0, &fc), 0);
    EXPECT_EQ(wfs_write(fs, fc, 0, "cc", 2), 2);
    EXPECT_EQ(wfs_unmount(fs), 0);
    memcpy(&sb, md.img, sizeof(sb));
}

static struct wfs_dinode *
slot(uint32_t ino)
{
    return (struct wfs_dinode *)(md.img + (size_t)(sb.itable_start + ino / WFS_IPB) * WFS_BLOCK +
                                 (ino % WFS_IPB) * WFS_INODE_SIZE);
}

static uint8_t *
block(uint32_t b)
{
    return md.img + (size_t)b * WFS_BLOCK;
}

static void
flip(uint32_t start, uint32_t bit)
{
    block(start + bit / WFS_BPB)[(bit % WFS_BPB) / 8] ^= (uint8_t)(1u << (bit % 8));
}

/* -n finds it and writes nothing; -y fixes; then clean and mountable. */
static void
expect_repair(void)
{
    size_t size = md.nblocks * WFS_BLOCK;
    uint8_t *before = malloc(size);
    memcpy(before, md.img, size);
    EXPECT_EQ(md_fsck(&md, 0, false) & WFS_FSCK_ERRORS, WFS_FSCK_ERRORS);
    long w = md.writes;
    EXPECT_EQ(md_fsck(&md, 0, false) & WFS_FSCK_ERRORS, WFS_FSCK_ERRORS);
    EXPECT_EQ(md.writes, w);
    EXPECT_TRUE(memcmp(before, md.img, size) == 0);
    free(before);
    EXPECT_EQ(md_fsck(&md, WFS_FSCK_FIX, true), WFS_FSCK_FIXED);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    struct wfs_dev d = md_dev(&md);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
}

static void
done(void)
{
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, false), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

static void
test_clean_image_is_clean(void)
{
    setup();
    EXPECT_EQ(md_fsck(&md, 0, false), WFS_FSCK_CLEAN);
    EXPECT_EQ(md_fsck(&md, WFS_FSCK_FIX, false), WFS_FSCK_CLEAN);
    struct wfs_dev d = md_dev(&md);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    done();
}

static void
test_bitmap_bits_flipped(void)
{
    setup();
    flip(sb.bbitmap_start, slot(fa)->direct[1]);  /* used, marked free */
    flip(sb.bbitmap_start, (uint32_t)sb.nblocks - 5);  /* free, marked used */
    flip(sb.ibitmap_start, 200);                  /* free inode marked used: bad slot */
    flip(sb.ibitmap_start, fb);                   /* live file marked free */
    expect_repair();
    char buf[8];
    uint32_t ino;
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "b", &ino), 0);
    EXPECT_EQ(wfs_read(fs, ino, 0, buf, 8), 4);
    done();
}

static void
test_wrong_link_count(void)
{
    setup();
    slot(fa)->nlink = 5;
    wfs_dinode_seal(slot(fa), fa);
    slot(dd)->nlink = 7;
    wfs_dinode_seal(slot(dd), dd);
    expect_repair();
    struct wfs_attr a;
    EXPECT_EQ(wfs_getattr(fs, fa, &a), 0);
    EXPECT_EQ(a.nlink, 1);
    EXPECT_EQ(wfs_getattr(fs, dd, &a), 0);
    EXPECT_EQ(a.nlink, 2);
    done();
}

static void
test_bad_directory_entry(void)
{
    setup();
    uint8_t *root = block(slot(WFS_ROOT_INO)->direct[0]);
    /* entries: . .. lost+found a b d; break b's rec_len */
    uint32_t off = 0;
    for (int i = 0; i < 4; i++)
        off += ((struct wfs_dirent *)(root + off))->rec_len;
    ((struct wfs_dirent *)(root + off))->rec_len = 3;
    expect_repair();
    uint32_t ino;
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "a", &ino), 0);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "b", &ino), -ENOENT);    /* lost with the chain */
    EXPECT_EQ(wfs_lookup(fs, WFS_LOSTFOUND_INO, "#4", &ino), 0);     /* ... found again */
    EXPECT_EQ(ino, fb);
    done();
}

static void
test_entry_names_free_inode(void)
{
    setup();
    uint8_t *dblk = block(slot(dd)->direct[0]);
    struct wfs_dirent *e = (struct wfs_dirent *)(dblk + 32);   /* 'c' after . and .. */
    EXPECT_EQ(e->ino, fc);
    e->ino = 250;
    wfs_dirblock_seal(dblk, dd);
    expect_repair();
    uint32_t ino;
    EXPECT_EQ(wfs_lookup(fs, dd, "c", &ino), -ENOENT);
    EXPECT_EQ(wfs_lookup(fs, WFS_LOSTFOUND_INO, "#6", &ino), 0);  /* c, now nameless */
    done();
}

static void
test_doubly_used_block(void)
{
    setup();
    slot(fb)->direct[0] = slot(fa)->direct[1];
    wfs_dinode_seal(slot(fb), fb);
    expect_repair();
    char buf[4];
    EXPECT_EQ(wfs_read(fs, fa, 4096, buf, 4), 4);
    EXPECT_EQ(buf[0], 'a');
    EXPECT_EQ(wfs_read(fs, fb, 0, buf, 4), 4);  /* the second claimant lost it: a hole */
    EXPECT_EQ(buf[0], 0);
    done();
}

static void
test_orphans_to_lost_found(void)
{
    setup();
    uint8_t *root = block(slot(WFS_ROOT_INO)->direct[0]);
    /* drop 'a' (file) and 'd' (directory) from the root */
    uint32_t off = 0, prev = 0;
    for (int i = 0; i < 6; i++) {
        struct wfs_dirent *e = (struct wfs_dirent *)(root + off);
        if (e->ino == fa || e->ino == dd) {
            wfs_dirblock_del(root, off, (int32_t)prev);
            off = prev;
        }
        prev = off;
        off += ((struct wfs_dirent *)(root + off))->rec_len;
    }
    wfs_dirblock_seal(root, WFS_ROOT_INO);
    expect_repair();
    char name[16];
    uint32_t ino;
    snprintf(name, sizeof(name), "#%u", fa);
    EXPECT_EQ(wfs_lookup(fs, WFS_LOSTFOUND_INO, name, &ino), 0);
    snprintf(name, sizeof(name), "#%u", dd);
    EXPECT_EQ(wfs_lookup(fs, WFS_LOSTFOUND_INO, name, &ino), 0);
    EXPECT_EQ(wfs_lookup(fs, dd, "..", &ino), 0);
    EXPECT_EQ(ino, WFS_LOSTFOUND_INO);
    EXPECT_EQ(wfs_lookup(fs, dd, "c", &ino), 0);
    done();
}

static void
test_dotdot_and_journal_header(void)
{
    setup();
    uint8_t *dblk = block(slot(dd)->direct[0]);
    ((struct wfs_dirent *)(dblk + 16))->ino = WFS_LOSTFOUND_INO;
    wfs_dirblock_seal(dblk, dd);
    block(sb.journal_start)[3] ^= 0x10;
    struct wfs_dev d = md_dev(&md);
    EXPECT_EQ(wfs_mount(fs, &d), -EINVAL);    /* the journal header is checked */
    expect_repair();
    uint32_t ino;
    EXPECT_EQ(wfs_lookup(fs, dd, "..", &ino), 0);
    EXPECT_EQ(ino, WFS_ROOT_INO);
    done();
}

static void
test_foreign_image_refused(void)
{
    md_init(&md, 1024);
    memcpy(md.img, "not a file system", 17);
    EXPECT_EQ(md_fsck(&md, WFS_FSCK_FIX, false), WFS_FSCK_OPER);
    EXPECT_EQ(md.writes, 0);
    md_free(&md);
}

void
tests_run(void)
{
    RUN(test_clean_image_is_clean);
    RUN(test_bitmap_bits_flipped);
    RUN(test_wrong_link_count);
    RUN(test_bad_directory_entry);
    RUN(test_entry_names_free_inode);
    RUN(test_doubly_used_block);
    RUN(test_orphans_to_lost_found);
    RUN(test_dotdot_and_journal_header);
    RUN(test_foreign_image_refused);
}
