/*
 * Host tests of the console for callers on other nodes (the exporter's
 * side, fs/fs_remote_srv.c): with no current process and a remote caller
 * (fs_remote_caller), a background group of the tty's session gets
 * SIGTTIN (the read answers -EINTR), or -EIO when it blocks or ignores
 * SIGTTIN or its group is orphaned; a caller in front, or of another
 * session, reads; kioctl's TCSETS from the background gets SIGTTOU, and
 * its TIOCGPGRP/TIOCGWINSZ/FIONREAD work on kernel memory.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_testlib.h"

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TIOCGPGRP  0x540F
#define TIOCGWINSZ 0x5413
#define FIONREAD   0x541B

static struct fs_caller caller;
static bool have_caller;

const struct fs_caller *
fs_remote_caller(void)
{
    return have_caller ? &caller : NULL;
}

static void
feed(const char *s)
{
    while (*s)
        fs_console_input((unsigned char)*s++);
}

/* The console's description, read as an RPC server thread would. */
static long
remote_read(struct file *f, char *buf, size_t n)
{
    memset(buf, 0, n);
    return fs_file_read(f, buf, n - 1, 0, O_NONBLOCK);
}

static void
test_remote_background_read(void)
{
    tsetup();
    struct file *f = fs_fd_get(tproc->fs, 0);
    fs_console_acquire(1, 20);              /* session 1, group 20 in front */
    fake_proc_cur = NULL;                   /* an RPC server thread */
    have_caller = true;
    caller = (struct fs_caller){ .pgid = 30, .sid = 1, .flags = 0 };
    char buf[32];
    feed("x\n");
    EXPECT_EQ(remote_read(f, buf, sizeof(buf)), -EINTR);
    EXPECT_EQ(fake_nsigs, 1);
    EXPECT_TRUE(fake_sigs[0].sig == SIGTTIN && fake_sigs[0].pgrp && fake_sigs[0].target == 30);
    caller.flags = FS_CALLER_TTIN_OFF;
    EXPECT_EQ(remote_read(f, buf, sizeof(buf)), -EIO);
    caller.flags = 0;
    fake_pgrp_orphaned = true;
    EXPECT_EQ(remote_read(f, buf, sizeof(buf)), -EIO);
    fake_pgrp_orphaned = false;
    caller.sid = 7;                         /* another session: no job control */
    EXPECT_EQ(remote_read(f, buf, sizeof(buf)), 2);
    feed("y\n");
    caller = (struct fs_caller){ .pgid = 20, .sid = 1, .flags = 0 };   /* in front */
    EXPECT_EQ(remote_read(f, buf, sizeof(buf)), 2);
    EXPECT_STREQ(buf, "y\n");
    EXPECT_EQ(fake_nsigs, 1);
    have_caller = false;
    fake_proc_cur = tproc;
    fs_file_unref(f);
    tteardown();
}

static void
test_remote_kioctl(void)
{
    tsetup();
    struct file *f = fs_fd_get(tproc->fs, 0);
    fs_console_acquire(1, 20);
    fake_proc_cur = NULL;
    have_caller = true;
    caller = (struct fs_caller){ .pgid = 30, .sid = 1, .flags = 0 };
    uint8_t tio[36];
    EXPECT_EQ(f->vn->ops->kioctl(f, TCGETS, tio), 0);
    EXPECT_EQ(f->vn->ops->kioctl(f, TCSETS, tio), -EINTR);     /* background: SIGTTOU */
    EXPECT_TRUE(fake_nsigs == 1 && fake_sigs[0].sig == SIGTTOU);
    caller.flags = FS_CALLER_TTOU_OFF;
    EXPECT_EQ(f->vn->ops->kioctl(f, TCSETS, tio), 0);
    int v = 0;
    EXPECT_EQ(f->vn->ops->kioctl(f, TIOCGPGRP, &v), 0);
    EXPECT_EQ(v, 20);
    uint16_t ws[4];
    EXPECT_EQ(f->vn->ops->kioctl(f, TIOCGWINSZ, ws), 0);
    EXPECT_TRUE(ws[0] == 24 && ws[1] == 80);
    feed("abc\n");
    EXPECT_EQ(f->vn->ops->kioctl(f, FIONREAD, &v), 0);
    EXPECT_EQ(v, 4);
    have_caller = false;
    fake_proc_cur = tproc;
    fs_file_unref(f);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_remote_background_read);
    RUN(test_remote_kioctl);
}
