/*
 * Host tests of the WFS block cache (fs/wfs_cache.c) at the file server's
 * size: a cache of thousands of blocks (wfs_size_n / wfs_mount_n) keeps a
 * file that fits and re-reads it without the device; a read of a file's
 * contiguous blocks comes in one read_blocks call per run instead of one
 * call per block; a cache smaller than the data still reads everything
 * right (eviction), and data survives a remount either way; writes of
 * many blocks go out in write_blocks runs, and a failed run fails the
 * write without growing the file over data that is not on the disk.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c
#include "fs/wfs_testlib.h"

static long reads, run_calls, run_blocks, wruns, wrun_blocks, wfail;

static int
count_read(void *ctx, uint32_t blk, void *buf)
{
    reads++;
    return md_read(ctx, blk, buf);
}

static int
count_run(void *ctx, uint32_t blk, unsigned n, void *const *bufs)
{
    run_calls++;
    run_blocks += n;
    for (unsigned i = 0; i < n; i++)
        if (md_read(ctx, blk + i, bufs[i]))
            return -EIO;
    return 0;
}

static int
count_wrun(void *ctx, uint32_t blk, unsigned n, const void *const *bufs)
{
    if (wfail)
        return -EIO;
    wruns++;
    wrun_blocks += n;
    for (unsigned i = 0; i < n; i++)
        if (md_write(ctx, blk + i, bufs[i]))
            return -EIO;
    return 0;
}

/* A file of nblk blocks whose byte i is (i * 7 + seed) & 0xff. */
static void
fill(uint8_t *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 7 + (size_t)seed);
}

/* Image with one file /f of `blocks` blocks, written and unmounted. */
static uint32_t
make_file(struct memdev *m, unsigned blocks)
{
    struct wfs *fs = md_mkfs_mount(m, 4096);
    size_t len = (size_t)blocks * WFS_BLOCK;
    uint8_t *buf = malloc(len);
    uint32_t ino;
    fill(buf, len, 3);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "f", 0644, 0, 0, &ino), 0);
    EXPECT_EQ(wfs_write(fs, ino, 0, buf, len), (long)len);
    EXPECT_EQ(wfs_unmount(fs), 0);
    free(buf);
    free(fs);
    return ino;
}

/* Mount m with a cache of nbuf blocks and the counting device. */
static struct wfs *
mount_counting(struct memdev *m, unsigned nbuf, bool runs)
{
    struct wfs_dev d = md_dev(m);
    d.read_block = count_read;
    d.read_blocks = runs ? count_run : NULL;
    struct wfs *fs = malloc(wfs_size_n(nbuf));
    EXPECT_EQ(wfs_mount_n(fs, nbuf, &d), 0);
    reads = run_calls = run_blocks = 0;
    return fs;
}

/* Read the whole file in 60 KiB pieces (the server's READ size) and
 * check every byte. */
static void
read_all(struct wfs *fs, uint32_t ino, unsigned blocks)
{
    size_t len = (size_t)blocks * WFS_BLOCK, piece = 15 * WFS_BLOCK;
    uint8_t *want = malloc(len), *got = malloc(piece);
    fill(want, len, 3);
    for (size_t off = 0; off < len; off += piece) {
        size_t n = len - off < piece ? len - off : piece;
        EXPECT_EQ(wfs_read(fs, ino, off, got, n), (long)n);
        EXPECT_TRUE(memcmp(got, want + off, n) == 0);
    }
    free(want);
    free(got);
}

static void
test_runs_in_one_call(void)
{
    struct memdev m;
    uint32_t ino = make_file(&m, 300);
    struct wfs *fs = mount_counting(&m, 4096, true);
    read_all(fs, ino, 300);
    /* the data came in runs; single reads are only metadata (inode,
     * indirect blocks) and a run's edges */
    EXPECT_TRUE(run_blocks >= 280);
    EXPECT_TRUE(run_calls <= 300 / 15 + 4);
    EXPECT_TRUE(reads < 30);
    long before = reads + run_calls;
    read_all(fs, ino, 300);                    /* all cached now */
    EXPECT_EQ(reads + run_calls, before);
    EXPECT_EQ(wfs_cache_blocks(fs), 4096u);
    EXPECT_EQ(wfs_unmount(fs), 0);
    free(fs);
    md_free(&m);
}

static void
test_block_by_block_without_runs(void)
{
    struct memdev m;
    uint32_t ino = make_file(&m, 100);
    struct wfs *fs = mount_counting(&m, 4096, false);
    read_all(fs, ino, 100);
    EXPECT_EQ(run_calls, 0);
    EXPECT_TRUE(reads >= 100);
    EXPECT_EQ(wfs_unmount(fs), 0);
    free(fs);
    md_free(&m);
}

static void
test_small_cache_evicts(void)
{
    struct memdev m;
    uint32_t ino = make_file(&m, 600);          /* three times the default cache */
    for (int runs = 0; runs < 2; runs++) {
        struct wfs *fs = mount_counting(&m, 192, runs);
        read_all(fs, ino, 600);
        read_all(fs, ino, 600);                /* evicted meanwhile: read again */
        EXPECT_TRUE(reads + run_blocks >= 1200);
        EXPECT_EQ(wfs_cache_blocks(fs), 192u);
        EXPECT_EQ(wfs_unmount(fs), 0);
        free(fs);
    }
    EXPECT_EQ(md_fsck(&m, 0, true), 0);
    md_free(&m);
}

/* Writes of many blocks go out in runs; the data reads back after a
 * remount; a failed run fails the call and leaves the size where it was. */
static void
test_write_runs(void)
{
    struct memdev m;
    struct wfs *fs = md_mkfs_mount(&m, 4096);
    struct wfs_dev d = md_dev(&m);
    d.write_blocks = count_wrun;
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    size_t len = 200 * WFS_BLOCK;
    uint8_t *buf = malloc(len);
    uint32_t ino;
    fill(buf, len, 3);
    wruns = wrun_blocks = wfail = 0;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "f", 0644, 0, 0, &ino), 0);
    for (size_t off = 0; off < len; off += 15 * WFS_BLOCK) {
        size_t n = len - off < 15 * WFS_BLOCK ? len - off : 15 * WFS_BLOCK;
        EXPECT_EQ(wfs_write(fs, ino, off, buf + off, n), (long)n);
    }
    EXPECT_TRUE(wrun_blocks >= 180);
    EXPECT_TRUE(wruns <= 200 / 15 + 8);
    wfail = 1;
    EXPECT_EQ(wfs_write(fs, ino, len, buf, 8 * WFS_BLOCK), -EIO);
    struct wfs_attr a;
    EXPECT_EQ(wfs_getattr(fs, ino, &a), 0);
    EXPECT_EQ(a.size, (uint64_t)len);
    wfail = 0;
    EXPECT_EQ(wfs_unmount(fs), 0);
    free(fs);
    fs = mount_counting(&m, 4096, true);
    read_all(fs, ino, 200);
    EXPECT_EQ(wfs_unmount(fs), 0);
    free(fs);
    free(buf);
    EXPECT_EQ(md_fsck(&m, 0, true), 0);
    md_free(&m);
}

void
tests_run(void)
{
    RUN(test_write_runs);
    RUN(test_runs_in_one_call);
    RUN(test_block_by_block_without_runs);
    RUN(test_small_cache_evicts);
}
