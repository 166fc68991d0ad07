/*
 * Host tests of WFS's orphan list (docs/wfs.md "The orphan list"): a
 * regular file that loses its last name while the keep hook says it is
 * open stays readable and writable with nlink 0, fsck accepts it, and it
 * is freed by wfs_orphan_release, by the next mount after a crash, or by
 * fsck -y; rename over an open file keeps it too; it cannot be linked
 * back; a corrupt list is cut and reported.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c
#include "fs/wfs_testlib.h"

static uint32_t open_ino[4];

static bool
keep(void *ctx, uint32_t ino)
{
    for (int i = 0; i < 4; i++)
        if (open_ino[i] == ino)
            return true;
    return false;
}

static uint32_t
mkfile(struct wfs *fs, const char *name, const char *data)
{
    uint32_t ino = 0;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, name, WFS_S_IFREG | 0644, 0, 0, &ino), 0);
    EXPECT_EQ(wfs_write(fs, ino, 0, data, strlen(data)), (long)strlen(data));
    return ino;
}

static uint32_t
free_inodes(struct wfs *fs)
{
    struct wfs_statfs st;
    EXPECT_EQ(wfs_statfs(fs, &st), 0);
    return (uint32_t)st.ffree;
}

static void
test_wfs_orphan_kept_until_release(void)
{
    struct memdev md;
    struct wfs *fs = md_mkfs_mount(&md, 1024);
    wfs_set_keep(fs, keep, NULL);
    uint32_t before = free_inodes(fs);
    uint32_t a = mkfile(fs, "a", "still here"), b = mkfile(fs, "b", "closed");
    open_ino[0] = a;
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "a"), 0);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "b"), 0);     /* not open: freed at once */
    struct wfs_attr at;
    EXPECT_EQ(wfs_getattr(fs, b, &at), -ENOENT);
    EXPECT_EQ(wfs_getattr(fs, a, &at), 0);
    EXPECT_EQ(at.nlink, 0);
    char buf[32] = { 0 };
    EXPECT_EQ(wfs_read(fs, a, 0, buf, sizeof(buf)), 10);
    EXPECT_STREQ(buf, "still here");
    EXPECT_EQ(wfs_write(fs, a, 10, "!", 1), 1);        /* writable too */
    EXPECT_EQ(wfs_link(fs, a, WFS_ROOT_INO, "back"), -ENOENT);
    EXPECT_EQ(wfs_fsync(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);  /* accepted */
    EXPECT_EQ(wfs_orphan_release(fs, b), -ENOENT);
    EXPECT_EQ(wfs_orphan_release(fs, a), 0);
    EXPECT_EQ(wfs_getattr(fs, a, &at), -ENOENT);
    EXPECT_EQ(free_inodes(fs), before);
    open_ino[0] = 0;
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

static void
test_wfs_orphan_freed_by_mount_after_crash(void)
{
    struct memdev md;
    struct wfs *fs = md_mkfs_mount(&md, 1024);
    wfs_set_keep(fs, keep, NULL);
    uint32_t before = free_inodes(fs);
    uint32_t ino[3];
    ino[0] = mkfile(fs, "x", "one");
    ino[1] = mkfile(fs, "y", "two");
    ino[2] = mkfile(fs, "z", "three");
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "z", WFS_ROOT_INO, "new"), 0);
    uint32_t over = mkfile(fs, "w", "over");
    for (int i = 0; i < 3; i++)
        open_ino[i] = ino[i];
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "x"), 0);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "y"), 0);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "w", WFS_ROOT_INO, "new"), 0);   /* over z */
    struct wfs_attr at;
    EXPECT_EQ(wfs_getattr(fs, ino[2], &at), 0);
    EXPECT_EQ(at.nlink, 0);
    EXPECT_EQ(wfs_orphan_release(fs, ino[1]), 0);     /* the middle of the list */
    EXPECT_EQ(wfs_fsync(fs), 0);
    free(fs);                   /* the crash: no unmount */
    memset(open_ino, 0, sizeof(open_ino));
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    struct wfs_dev d = md_dev(&md);
    fs = malloc(wfs_size());
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    EXPECT_EQ(wfs_getattr(fs, ino[0], &at), -ENOENT);
    EXPECT_EQ(wfs_getattr(fs, ino[2], &at), -ENOENT);
    EXPECT_EQ(wfs_getattr(fs, over, &at), 0);
    EXPECT_EQ(free_inodes(fs), before - 1);           /* only "new" (was w) is left */
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

static void
test_wfs_orphan_fsck_frees_and_cuts(void)
{
    struct memdev md;
    struct wfs *fs = md_mkfs_mount(&md, 1024);
    wfs_set_keep(fs, keep, NULL);
    uint32_t a = mkfile(fs, "a", "data");
    uint32_t keepme = mkfile(fs, "k", "linked");
    open_ino[0] = a;
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "a"), 0);
    EXPECT_EQ(wfs_fsync(fs), 0);
    free(fs);
    open_ino[0] = 0;
    /* fsck -y frees it; then all is clean and mount has nothing to do */
    int r = md_fsck(&md, WFS_FSCK_FIX, true);
    EXPECT_TRUE(r == WFS_FSCK_CLEAN || r == WFS_FSCK_FIXED);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    /* a list that names a linked file is cut, and the file kept */
    struct wfs_dinode slot;
    struct wfs_super sb;
    memcpy(&sb, md.img, sizeof(sb));
    uint8_t *itab = md.img + (size_t)sb.itable_start * WFS_BLOCK;
    memcpy(&slot, itab, sizeof(slot));
    EXPECT_EQ(slot.direct[1], 0);
    slot.direct[1] = keepme;
    wfs_dinode_seal(&slot, WFS_ORPHAN_SLOT);
    memcpy(itab, &slot, sizeof(slot));
    EXPECT_TRUE(md_fsck(&md, 0, true) & WFS_FSCK_ERRORS);
    r = md_fsck(&md, WFS_FSCK_FIX, true);
    EXPECT_EQ(r, WFS_FSCK_FIXED);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    struct wfs_dev d = md_dev(&md);
    fs = malloc(wfs_size());
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    struct wfs_attr at;
    EXPECT_EQ(wfs_getattr(fs, keepme, &at), 0);
    EXPECT_EQ(at.nlink, 1);
    EXPECT_EQ(wfs_unmount(fs), 0);
    free(fs);
    md_free(&md);
}

void
tests_run(void)
{
    RUN(test_wfs_orphan_kept_until_release);
    RUN(test_wfs_orphan_freed_by_mount_after_crash);
    RUN(test_wfs_orphan_fsck_frees_and_cuts);
}
