/*
 * Bounded random fuzzing of the WFS image parser: a small valid image
 * (files, a directory, a symlink, a committed transaction left in the
 * journal) is mutated -- random bytes and bit flips in the metadata
 * blocks, boundary values in the superblock and inode fields, often with
 * the checksums recomputed so the mutation gets past them -- under a
 * fixed seed. Each image goes through fsck -n, fsck -y, a second fsck,
 * mount and a few operations. None may crash or trip an ASSERT, and after
 * a repair that did not give up, the second fsck must find nothing left.
 * WFS_FUZZ_ITERS in the environment changes the count (default 1000),
 * WFS_FUZZ_SEED the seed.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c tests/host/fuzz_mutate.c
#include "fs/wfs_testlib.h"
#include "tests/host/fuzz_mutate.h"

#define NBLK WFS_MIN_BLOCKS

static uint8_t seed_img[NBLK * WFS_BLOCK];
static struct wfs_super sb;
static struct fuzz_rng rng = { 0x2545f4914f6cdd1dull };

static uint64_t
next(void)
{
    return fuzz_next(&rng);
}

static void
build_seed(void)
{
    struct memdev md;
    struct wfs *fs = md_mkfs_mount(&md, NBLK);
    uint32_t d, f, l;
    char buf[6000];
    memset(buf, 'q', sizeof(buf));
    EXPECT_EQ(wfs_mkdir(fs, WFS_ROOT_INO, "dir", 0755, 0, 0, &d), 0);
    EXPECT_EQ(wfs_create(fs, d, "file", 0644, 0, 0, &f), 0);
    EXPECT_EQ(wfs_write(fs, f, 0, buf, sizeof(buf)), sizeof(buf));
    EXPECT_EQ(wfs_write(fs, f, 70000, buf, 10), 10);       /* through the indirect block */
    EXPECT_EQ(wfs_symlink(fs, WFS_ROOT_INO, "link", "dir/file", 0, 0, &l), 0);
    EXPECT_EQ(wfs_link(fs, f, WFS_ROOT_INO, "hard"), 0);
    EXPECT_EQ(wfs_unmount(fs), 0);
    /* leave one committed transaction in the journal: crash before home */
    struct wfs_dev dev = md_dev(&md);
    EXPECT_EQ(wfs_mount(fs, &dev), 0);
    EXPECT_EQ(wfs_create(fs, d, "new", 0644, 0, 0, &f), 0);
    md.writes_left = fs->ndirty + 2;
    EXPECT_EQ(wfs_fsync(fs), -EIO);
    memcpy(seed_img, md.img, sizeof(seed_img));
    memcpy(&sb, md.img, sizeof(sb));
    free(fs);
    md_free(&md);
}

/* A metadata block: superblock, journal head, bitmaps, inode table, or
 * one of the first data blocks (directories, indirect, symlink). */
static uint32_t
pick_block(void)
{
    switch (next() % 6) {
    case 0: return 0;
    case 1: return sb.journal_start + (uint32_t)(next() % 4);
    case 2: return sb.ibitmap_start + (uint32_t)(next() % 2);
    case 3: return sb.itable_start;
    case 4: return sb.itable_start + (uint32_t)(next() % sb.itable_blocks);
    default: return sb.data_start + (uint32_t)(next() % 12);
    }
}

static const uint64_t special[] = { 0, 1, 2, 0x7f, 0xff, 0x100, 0xfff, 0x1000, 0xffff, 0x10000,
                                    0x7fffffff, 0xffffffff, 0x100000000ull, ~0ull };

static void
mutate(uint8_t *img)
{
    int n = 1 + (int)(next() % 4);
    for (int i = 0; i < n; i++)
        fuzz_edit(&rng, img + (size_t)pick_block() * WFS_BLOCK, WFS_BLOCK, special,
                  ARRAY_SIZE(special));
}

/* Recompute checksums so mutations reach the code behind them. */
static void
reseal(uint8_t *img)
{
    struct wfs_super *s = (struct wfs_super *)img;
    wfs_super_seal(s);
    struct wfs_super *orig = &sb;
    for (uint32_t ino = 0; ino <= orig->ninodes; ino++) {
        struct wfs_dinode *di = (struct wfs_dinode *)(img + (size_t)orig->itable_start * WFS_BLOCK +
                                                      (size_t)ino * WFS_INODE_SIZE);
        if (di->crc != 0 || ino == 0)
            wfs_dinode_seal(di, ino);
    }
    for (uint32_t b = 0; b < 12; b++) {   /* directory blocks: seal with each dir inode */
        uint8_t *blk = img + (size_t)(orig->data_start + b) * WFS_BLOCK;
        uint32_t magic;
        memcpy(&magic, blk + WFS_DIR_USED, 4);
        for (uint32_t ino = 1; ino <= 8 && magic == WFS_DIRTAIL_MAGIC; ino++) {
            struct wfs_dinode *di = (struct wfs_dinode *)(img + (size_t)orig->itable_start * WFS_BLOCK +
                                                          (size_t)ino * WFS_INODE_SIZE);
            if (di->direct[0] == orig->data_start + b)
                wfs_dirblock_seal(blk, ino);
        }
    }
}

static int
count_entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type, uint64_t next)
{
    (*(int *)arg)++;
    return 0;
}

static void
poke(struct memdev *md, struct wfs *fs)
{
    struct wfs_dev d = md_dev(md);
    char buf[256];
    uint32_t ino;
    int n = 0;
    if (wfs_mount(fs, &d) != 0)
        return;
    wfs_readdir(fs, WFS_ROOT_INO, 0, count_entry, &n);
    if (wfs_lookup(fs, WFS_ROOT_INO, "dir", &ino) == 0) {
        uint32_t f;
        wfs_readdir(fs, ino, 0, count_entry, &n);
        if (wfs_lookup(fs, ino, "file", &f) == 0) {
            wfs_read(fs, f, 0, buf, sizeof(buf));
            wfs_write(fs, f, 65000, buf, sizeof(buf));
        }
        wfs_create(fs, ino, "fuzz", 0644, 0, 0, &f);
        wfs_rename(fs, ino, "fuzz", WFS_ROOT_INO, "fuzz2");
        wfs_unlink(fs, WFS_ROOT_INO, "hard");
    }
    if (wfs_lookup(fs, WFS_ROOT_INO, "link", &ino) == 0)
        wfs_readlink(fs, ino, buf, sizeof(buf));
    wfs_rmdir(fs, WFS_ROOT_INO, "dir");
    wfs_unmount(fs);
}

static void
test_fuzz_image(void)
{
    long iters = 1000;
    const char *env = getenv("WFS_FUZZ_ITERS");
    if (env)
        iters = atol(env);
    env = getenv("WFS_FUZZ_SEED");
    if (env && strtoull(env, NULL, 0))
        rng.s = strtoull(env, NULL, 0);
    build_seed();
    struct memdev md;
    md_init(&md, NBLK);
    struct wfs *fs = malloc(wfs_size());
    long repaired = 0, refused = 0, unclean = 0;
    for (long i = 0; i < iters; i++) {
        memcpy(md.img, seed_img, sizeof(seed_img));
        mutate(md.img);
        if (next() % 4)
            reseal(md.img);
        md_fsck(&md, 0, false);
        int r = md_fsck(&md, WFS_FSCK_FIX, false);
        refused += (r & WFS_FSCK_OPER) != 0;
        repaired += r == WFS_FSCK_FIXED;
        if (r == WFS_FSCK_FIXED || r == WFS_FSCK_CLEAN) {
            int again = md_fsck(&md, 0, false);
            if (again != WFS_FSCK_CLEAN) {
                unclean++;
                if (unclean <= 3) {
                    fprintf(stderr, "iteration %ld: after repair:\n", i);
                    md_fsck(&md, 0, true);
                }
            }
        }
        poke(&md, fs);
        md_fsck(&md, WFS_FSCK_FIX, false);
    }
    EXPECT_EQ(unclean, 0);
    fprintf(stderr, "%ld images: %ld repaired, %ld refused, %ld not clean after repair\n", iters,
            repaired, refused, unclean);
    free(fs);
    md_free(&md);
}

void
tests_run(void)
{
    RUN(test_fuzz_image);
}
