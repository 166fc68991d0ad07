/*
 * Host tests of the calls that make or size files without writing them,
 * on a tmpfs on /tmp: mknod (regular files only; EPERM for FIFOs and
 * devices, EEXIST first), fallocate (grows, KEEP_SIZE, EOPNOTSUPP, EBADF,
 * ESPIPE, EINVAL), sync and syncfs, faccessat2 on tmpfs.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_sys_name.c fs/fs_sys_attr.c fs/fs_tmp.c fs/fs_tmp_dir.c fs/fs_tmp_data.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_mem.c tests/host/fake_rand.c
#include "fs/fs_tmp_testlib.h"

static void
test_mknod_regular_only(void)
{
    tmp_setup();
    struct tstat st;
    EXPECT_EQ(sys_mknod(U("/tmp/reg"), S_IFREG | 0600, 0), 0);
    EXPECT_EQ(sys_stat(U("/tmp/reg"), U(&st)), 0);
    EXPECT_EQ(st.mode, S_IFREG | 0600);
    EXPECT_EQ(sys_mknodat(FS_AT_FDCWD, U("/tmp/zero"), 0644, 0), 0);   /* type 0: regular */
    EXPECT_EQ(sys_mknod(U("/tmp/reg"), S_IFIFO | 0600, 0), -EEXIST);
    EXPECT_EQ(sys_mknod(U("/tmp/fifo"), S_IFIFO | 0600, 0), -EPERM);
    EXPECT_EQ(sys_mknod(U("/tmp/chr"), S_IFCHR | 0600, 0x103), -EPERM);
    EXPECT_EQ(sys_mknod(U("/tmp/dir"), S_IFDIR | 0700, 0), -EPERM);
    EXPECT_EQ(sys_mknod(U("/tmp/bad"), 0170000, 0), -EINVAL);
    EXPECT_EQ(sys_mknod(U("/etc/new"), S_IFREG | 0600, 0), -EROFS);
    EXPECT_EQ(sys_stat(U("/tmp/fifo"), U(&st)), -ENOENT);
    tteardown();
}

static void
test_fallocate(void)
{
    tmp_setup();
    struct tstat st;
    long fd = sys_open(U("/tmp/fa"), O_RDWR | O_CREAT | O_TRUNC, 0644);
    EXPECT_EQ(sys_fallocate((int)fd, 0, 0, 4096), 0);
    EXPECT_EQ(sys_fstat((int)fd, U(&st)), 0);
    EXPECT_EQ(st.size, 4096);
    EXPECT_EQ(sys_fallocate((int)fd, 0, 0, 100), 0);          /* never shrinks */
    EXPECT_EQ(sys_fallocate((int)fd, 1, 0, 100000), 0);       /* KEEP_SIZE */
    EXPECT_EQ(sys_fstat((int)fd, U(&st)), 0);
    EXPECT_EQ(st.size, 4096);
    EXPECT_EQ(sys_fallocate((int)fd, 2 | 1, 0, 10), -EOPNOTSUPP);   /* punch hole */
    EXPECT_EQ(sys_fallocate((int)fd, 0, -1, 10), -EINVAL);
    EXPECT_EQ(sys_fallocate((int)fd, 0, 0, 0), -EINVAL);
    long ro = topen("/tmp/fa", O_RDONLY);
    EXPECT_EQ(sys_fallocate((int)ro, 0, 0, 10), -EBADF);
    int p[2];
    EXPECT_EQ(sys_pipe2(U(p), 0), 0);
    EXPECT_EQ(sys_fallocate(p[1], 0, 0, 10), -ESPIPE);
    EXPECT_EQ(sys_syncfs((int)fd), 0);
    EXPECT_EQ(sys_syncfs(40), -EBADF);
    EXPECT_EQ(sys_sync(), 0);
    EXPECT_EQ(sys_faccessat2(FS_AT_FDCWD, U("/tmp/fa"), FS_W_OK, FS_AT_EACCESS), 0);
    sys_close(p[0]);
    sys_close(p[1]);
    sys_close((int)ro);
    sys_close((int)fd);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_mknod_regular_only);
    RUN(test_fallocate);
}
