/*
 * Host tests of pipes through the system calls: data in order, end of file,
 * EPIPE with SIGPIPE, O_NONBLOCK, wrap-around of the ring, PIPE_BUF
 * atomicity, pipe2 flags, ESPIPE, FIONREAD, and blocking reads/writes woken
 * through the fake wait hook.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_testlib.h"
#include "tests/host/fake_sync.h"

static int fds[2];
static char big[2 * FS_PIPE_SIZE];

static void
test_pipe_basic_and_eof(void)
{
    tsetup();
    char buf[16];
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    EXPECT_EQ(fds[0], 3);
    EXPECT_EQ(fds[1], 4);
    EXPECT_EQ(sys_write(fds[1], U("hello"), 5), 5);
    EXPECT_EQ(sys_write(fds[1], U(" you"), 4), 4);
    EXPECT_EQ(sys_read(fds[0], U(buf), 3), 3);
    EXPECT_EQ(sys_read(fds[0], U(buf + 3), sizeof(buf)), 6);
    EXPECT_TRUE(memcmp(buf, "hello you", 9) == 0);
    EXPECT_EQ(sys_read(fds[1], U(buf), 1), -EBADF);       /* write end */
    EXPECT_EQ(sys_write(fds[0], U(buf), 1), -EBADF);
    EXPECT_EQ(sys_write(fds[1], U("x"), 1), 1);
    EXPECT_EQ(sys_close(fds[1]), 0);
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), 1);  /* data before EOF */
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), 0);
    tteardown();
}

static void
test_pipe_epipe_sends_sigpipe(void)
{
    tsetup();
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    EXPECT_EQ(sys_close(fds[0]), 0);
    EXPECT_EQ(sys_write(fds[1], U("x"), 1), -EPIPE);
    EXPECT_EQ(fake_nsigs, 1);
    EXPECT_EQ(fake_sigs[0].sig, SIGPIPE);
    EXPECT_EQ(fake_sigs[0].target, 10);
    EXPECT_TRUE(!fake_sigs[0].pgrp);
    tteardown();
}

static void
test_pipe_nonblock(void)
{
    tsetup();
    char buf[8];
    EXPECT_EQ(sys_pipe2(U(fds), O_NONBLOCK), 0);
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), -EAGAIN);
    EXPECT_EQ(sys_write(fds[1], U(big), FS_PIPE_SIZE + 100), FS_PIPE_SIZE);
    EXPECT_EQ(sys_write(fds[1], U("x"), 1), -EAGAIN);
    EXPECT_EQ(sys_read(fds[0], U(buf), 8), 8);
    /* 8 bytes free: an atomic (<= PIPE_BUF) 100-byte write may not split... */
    EXPECT_EQ(sys_write(fds[1], U(big), 100), -EAGAIN);
    /* ... but a bigger one takes what fits. */
    EXPECT_EQ(sys_write(fds[1], U(big), 5000), 8);
    tteardown();
}

static void
test_pipe_wraps_around(void)
{
    tsetup();
    static char out[FS_PIPE_SIZE];
    for (size_t i = 0; i < sizeof(big); i++)
        big[i] = (char)(i * 7 + i / 256);
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    EXPECT_EQ(sys_write(fds[1], U(big), 60000), 60000);
    EXPECT_EQ(sys_read(fds[0], U(out), 50000), 50000);
    EXPECT_TRUE(memcmp(out, big, 50000) == 0);
    EXPECT_EQ(sys_write(fds[1], U(big + 60000), 40000), 40000);  /* wraps */
    long got = 0;
    while (got < 50000) {
        long r = sys_read(fds[0], U(out + got), sizeof(out) - (size_t)got);
        EXPECT_TRUE(r > 0);
        if (r <= 0)
            break;
        got += r;
    }
    EXPECT_EQ(got, 50000);
    EXPECT_TRUE(memcmp(out, big + 50000, 50000) == 0);
    tteardown();
}

static void
test_pipe2_flags_and_errors(void)
{
    tsetup();
    EXPECT_EQ(sys_pipe2(U(fds), O_CLOEXEC), 0);
    EXPECT_EQ(sys_fcntl(fds[0], 1 /* F_GETFD */, 0), 1);
    EXPECT_EQ(sys_fcntl(fds[1], 3 /* F_GETFL */, 0) & O_ACCMODE, O_WRONLY);
    EXPECT_EQ(sys_pipe2(U(fds), 0x1), -EINVAL);
    EXPECT_EQ(sys_pipe(0x20), -EFAULT);
    EXPECT_EQ(sys_read(5, U(fds), 1), -EBADF);     /* the failed pipe left nothing */
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    EXPECT_EQ(sys_lseek(fds[0], 0, SEEK_SET), -ESPIPE);
    EXPECT_EQ(sys_pread64(fds[0], U(big), 1, 0), -ESPIPE);
    struct lstat_like { uint64_t dev, ino, nlink; uint32_t mode; } st;
    char stbuf[144];
    EXPECT_EQ(sys_fstat(fds[0], U(stbuf)), 0);
    memcpy(&st, stbuf, sizeof(st));
    EXPECT_EQ(st.mode & S_IFMT, S_IFIFO);
    int n = -1;
    EXPECT_EQ(sys_write(fds[1], U("abc"), 3), 3);
    EXPECT_EQ(sys_ioctl(fds[0], 0x541B /* FIONREAD */, U(&n)), 0);
    EXPECT_EQ(n, 3);
    EXPECT_EQ(sys_ioctl(fds[0], 0x5401 /* TCGETS */, U(big)), -ENOTTY);
    tteardown();
}

static struct file *hook_file;
static int hook_calls;

static void
hook_write(struct waitq *q)
{
    hook_calls++;
    EXPECT_EQ(fs_file_write(hook_file, "zz", 2, 0, 0), 2);
}

static void
hook_close(struct waitq *q)
{
    hook_calls++;
    fs_file_unref(hook_file);
    hook_file = NULL;
}

static void
test_pipe_blocking_read_woken(void)
{
    tsetup();
    char buf[8];
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    hook_file = fs_fd_get(tproc->fs, fds[1]);
    hook_calls = 0;
    fake_sync_wait_hook = hook_write;
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), 2);
    EXPECT_EQ(hook_calls, 1);
    /* The last writer goes away while the reader sleeps: end of file. */
    EXPECT_EQ(sys_close(fds[1]), 0);
    fake_sync_wait_hook = hook_close;
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), 0);
    EXPECT_EQ(hook_calls, 2);
    fake_sync_wait_hook = NULL;
    tteardown();
}

static void
hook_drain(struct waitq *q)
{
    static char sink[FS_PIPE_SIZE];
    hook_calls++;
    EXPECT_TRUE(fs_file_read(hook_file, sink, sizeof(sink), 0, 0) > 0);
}

static void
test_pipe_blocking_write_all_of_it(void)
{
    tsetup();
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    hook_file = fs_fd_get(tproc->fs, fds[0]);
    hook_calls = 0;
    fake_sync_wait_hook = hook_drain;
    EXPECT_EQ(sys_write(fds[1], U(big), sizeof(big)), (long)sizeof(big));
    EXPECT_TRUE(hook_calls >= 1);
    fake_sync_wait_hook = NULL;
    fs_file_unref(hook_file);
    tteardown();
}

static void
test_pipe_shared_by_fork(void)
{
    tsetup();
    char buf[4];
    EXPECT_EQ(sys_pipe(U(fds)), 0);
    struct fs_ctx *child = fs_ctx_fork(tproc->fs);
    EXPECT_EQ(sys_close(fds[1]), 0);
    EXPECT_EQ(sys_write(fds[0], U("x"), 1), -EBADF);
    struct fs_ctx *parent = tproc->fs;
    tproc->fs = child;
    EXPECT_EQ(sys_write(fds[1], U("ok"), 2), 2);    /* the child's end is still open */
    EXPECT_EQ(sys_close(fds[1]), 0);
    tproc->fs = parent;
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), 2);
    EXPECT_EQ(sys_read(fds[0], U(buf), sizeof(buf)), 0);
    fs_ctx_free(child);
    tteardown();
}

static void
test_pipe_efault_keeps_data(void)
{
    tsetup();
    char buf[4] = {0};
    EXPECT_EQ(sys_pipe2(U(fds), O_NONBLOCK), 0);
    EXPECT_EQ(sys_write(fds[1], 0x1, 10), -EFAULT);
    EXPECT_EQ(sys_write(fds[1], 0xffff800000000000ull, 10), -EFAULT);
    EXPECT_EQ(sys_write(fds[1], U("abc"), 3), 3);
    EXPECT_EQ(sys_read(fds[0], 0x1, 3), -EFAULT);
    EXPECT_EQ(sys_read(fds[0], 0xffff800000000000ull, 3), -EFAULT);
    EXPECT_EQ(sys_read(fds[0], U(buf) , 3), 3);     /* nothing was lost */
    EXPECT_STREQ(buf, "abc");
    tteardown();
}

void
tests_run(void)
{
    RUN(test_pipe_efault_keeps_data);
    RUN(test_pipe_basic_and_eof);
    RUN(test_pipe_epipe_sends_sigpipe);
    RUN(test_pipe_nonblock);
    RUN(test_pipe_wraps_around);
    RUN(test_pipe2_flags_and_errors);
    RUN(test_pipe_blocking_read_woken);
    RUN(test_pipe_blocking_write_all_of_it);
    RUN(test_pipe_shared_by_fork);
}
