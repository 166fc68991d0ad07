/*
 * Host tests of the descriptor table's RLIMIT_NOFILE bound: new fds stay
 * below the soft limit (EMFILE), dup2 past it is EBADF and F_DUPFD past it
 * EINVAL, as Linux; fork inherits the limit; raising it again works.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c
#include "fs/fs_testlib.h"

#define F_DUPFD 0

static void
test_nofile_bounds_new_fds(void)
{
    tsetup();
    fs_ctx_set_nofile(tproc->fs, 6);
    EXPECT_EQ(topen("/etc/motd", O_RDONLY), 3);
    EXPECT_EQ(sys_dup(0), 4);
    EXPECT_EQ(sys_dup(0), 5);
    EXPECT_EQ(sys_dup(0), -EMFILE);
    EXPECT_EQ(topen("/etc/motd", O_RDONLY), -EMFILE);
    EXPECT_EQ(sys_dup2(0, 6), -EBADF);
    EXPECT_EQ(sys_dup2(0, 5), 5);
    EXPECT_EQ(sys_fcntl(0, F_DUPFD, 6), -EINVAL);
    EXPECT_EQ(sys_close(4), 0);
    EXPECT_EQ(sys_fcntl(0, F_DUPFD, 2), 4);
    struct fs_ctx *child = fs_ctx_fork(tproc->fs);
    EXPECT_TRUE(child != NULL);
    EXPECT_EQ(child->nofile, 6);
    fs_ctx_free(child);
    fs_ctx_set_nofile(tproc->fs, 0);        /* no new fd at all: open is EMFILE */
    EXPECT_EQ(topen("/etc/motd", O_RDONLY), -EMFILE);
    EXPECT_EQ(sys_dup(0), -EMFILE);
    fs_ctx_set_nofile(tproc->fs, 1000);     /* capped at the table */
    EXPECT_EQ(tproc->fs->nofile, FS_NFD);
    EXPECT_EQ(sys_dup2(0, FS_NFD - 1), FS_NFD - 1);
    EXPECT_EQ(sys_dup2(0, FS_NFD), -EBADF);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_nofile_bounds_new_fds);
}
