/*
 * Host tests of the console line discipline: canonical reads with echo,
 * erase, kill and ^D, ICRNL, ^C to the foreground group, raw mode through
 * TCSETS, ONLCR on output, and the termios/winsize/pgrp/FIONREAD ioctls.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_testlib.h"
#include "tests/host/fake_sync.h"

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define FIONREAD   0x541B

static void
feed(const char *s)
{
    while (*s)
        fs_console_input((unsigned char)*s++);
}

static long
rd(char *buf, size_t n)
{
    memset(buf, 0, n);
    return sys_read(0, U(buf), n - 1);
}

static void
test_tty_canonical_line_and_echo(void)
{
    tsetup();
    char buf[32];
    feed("ab\r");
    EXPECT_STREQ(fake_console_out, "ab\r\n");
    EXPECT_EQ(rd(buf, sizeof(buf)), 3);
    EXPECT_STREQ(buf, "ab\n");
    feed("hello\rworld\r");
    EXPECT_EQ(sys_read(0, U(buf), 2), 2);            /* part of a line */
    EXPECT_EQ(rd(buf, sizeof(buf)), 4);
    EXPECT_STREQ(buf, "llo\n");
    EXPECT_EQ(rd(buf, sizeof(buf)), 6);               /* one line per read */
    EXPECT_STREQ(buf, "world\n");
    tteardown();
}

static void
test_tty_erase_and_kill(void)
{
    tsetup();
    char buf[32];
    feed("abc\177d\n");
    EXPECT_EQ(rd(buf, sizeof(buf)), 4);
    EXPECT_STREQ(buf, "abd\n");
    EXPECT_TRUE(strstr(fake_console_out, "abc\b \bd") != NULL);
    feed("xy\bz\n");                                  /* ^H erases too */
    EXPECT_EQ(rd(buf, sizeof(buf)), 3);
    EXPECT_STREQ(buf, "xz\n");
    feed("junk\025ok\n");                             /* ^U kills the line */
    EXPECT_EQ(rd(buf, sizeof(buf)), 3);
    EXPECT_STREQ(buf, "ok\n");
    feed("\177\177a\n");                              /* erase at line start: nothing */
    EXPECT_EQ(rd(buf, sizeof(buf)), 2);
    feed("one two\027x\n");                           /* ^W erases a word */
    EXPECT_EQ(rd(buf, sizeof(buf)), 6);
    EXPECT_STREQ(buf, "one x\n");
    tteardown();
}

static void
test_tty_eof(void)
{
    tsetup();
    char buf[32];
    feed("\004");
    EXPECT_EQ(rd(buf, sizeof(buf)), 0);
    feed("ab\004");                                   /* ^D mid-line: line without \n */
    EXPECT_EQ(rd(buf, sizeof(buf)), 2);
    EXPECT_STREQ(buf, "ab");
    tteardown();
}

static void
test_tty_ctrl_c_signals_foreground(void)
{
    tsetup();
    char buf[32];
    feed("abc\003");                                  /* no pgrp set: line dropped only */
    EXPECT_EQ(fake_nsigs, 0);
    int pg = 10;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), 0);
    feed("xyz\003");
    EXPECT_EQ(fake_nsigs, 1);
    EXPECT_EQ(fake_sigs[0].sig, SIGINT);
    EXPECT_EQ(fake_sigs[0].target, 10);
    EXPECT_TRUE(fake_sigs[0].pgrp);
    EXPECT_TRUE(strstr(fake_console_out, "^C") != NULL);
    feed("\034");
    EXPECT_EQ(fake_sigs[1].sig, SIGQUIT);
    feed("ok\n");
    EXPECT_EQ(rd(buf, sizeof(buf)), 3);               /* "abc" and "xyz" were flushed */
    EXPECT_STREQ(buf, "ok\n");
    tteardown();
}

static void
test_tty_raw_mode(void)
{
    tsetup();
    char buf[32];
    unsigned char tio[36];
    EXPECT_EQ(sys_ioctl(0, TCGETS, U(tio)), 0);
    uint32_t lflag;
    memcpy(&lflag, tio + 12, 4);
    EXPECT_EQ(lflag & 0x2, 0x2);                      /* ICANON */
    EXPECT_EQ(tio[17 + 6], 1);                        /* VMIN */
    EXPECT_EQ(tio[17 + 2], 0x7f);                     /* VERASE */
    feed("pa");                                       /* half a line before the switch */
    lflag &= ~(uint32_t)(0x2 | 0x8);                  /* -ICANON -ECHO */
    memcpy(tio + 12, &lflag, 4);
    EXPECT_EQ(sys_ioctl(0, TCSETS, U(tio)), 0);
    fake_console_reset();
    feed("x\177");
    EXPECT_EQ(fake_console_len, 0);                   /* no echo */
    EXPECT_EQ(rd(buf, sizeof(buf)), 4);
    EXPECT_STREQ(buf, "pax\177");
    feed("\r");
    EXPECT_EQ(rd(buf, sizeof(buf)), 1);
    EXPECT_EQ(buf[0], '\n');                          /* ICRNL still on */
    uint32_t iflag = 0;
    memcpy(tio, &iflag, 4);                           /* -ICRNL */
    EXPECT_EQ(sys_ioctl(0, TCSETS, U(tio)), 0);
    feed("\r");
    EXPECT_EQ(rd(buf, sizeof(buf)), 1);
    EXPECT_EQ(buf[0], '\r');
    EXPECT_EQ(sys_ioctl(0, TCSETS, 0x8), -EFAULT);
    EXPECT_EQ(sys_ioctl(0, TCGETS, 0x8), -EFAULT);
    tteardown();
}

static void
test_tty_output_onlcr(void)
{
    tsetup();
    EXPECT_EQ(sys_write(1, U("a\nb\n"), 4), 4);
    EXPECT_STREQ(fake_console_out, "a\r\nb\r\n");
    long fd = topen("/dev/tty", O_WRONLY);
    EXPECT_EQ(sys_write(fd, U("c"), 1), 1);
    EXPECT_STREQ(fake_console_out, "a\r\nb\r\nc");
    tteardown();
}

static void
test_tty_ioctls(void)
{
    tsetup();
    uint16_t ws[4];
    EXPECT_EQ(sys_ioctl(1, TIOCGWINSZ, U(ws)), 0);
    EXPECT_EQ(ws[0], 24);
    EXPECT_EQ(ws[1], 80);
    int pg = 0;
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), 0);
    EXPECT_EQ(pg, 10);                                /* none set: the caller's */
    pg = 77;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), 0);
    pg = 0;
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), 0);
    EXPECT_EQ(pg, 77);
    pg = -1;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), -EINVAL);
    int n = -1;
    feed("abc");
    EXPECT_EQ(sys_ioctl(0, FIONREAD, U(&n)), 0);
    EXPECT_EQ(n, 0);                                  /* no complete line yet */
    feed("\n");
    EXPECT_EQ(sys_ioctl(0, FIONREAD, U(&n)), 0);
    EXPECT_EQ(n, 4);
    EXPECT_EQ(sys_ioctl(0, 0x1234, 0), -ENOTTY);
    EXPECT_EQ(sys_ioctl(9, TCGETS, U(ws)), -EBADF);
    tteardown();
}

static void
hook_type(struct waitq *q)
{
    feed("typed\n");
}

static void
test_tty_blocking_and_nonblocking_read(void)
{
    tsetup();
    char buf[32];
    long fd = topen("/dev/console", O_RDONLY | O_NONBLOCK);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), -EAGAIN);
    fake_sync_wait_hook = hook_type;
    EXPECT_EQ(rd(buf, sizeof(buf)), 6);
    EXPECT_STREQ(buf, "typed\n");
    fake_sync_wait_hook = NULL;
    tteardown();
}

void
tests_run(void)
{
    RUN(test_tty_canonical_line_and_echo);
    RUN(test_tty_erase_and_kill);
    RUN(test_tty_eof);
    RUN(test_tty_ctrl_c_signals_foreground);
    RUN(test_tty_raw_mode);
    RUN(test_tty_output_onlcr);
    RUN(test_tty_ioctls);
    RUN(test_tty_blocking_and_nonblocking_read);
}
