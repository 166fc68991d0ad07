/*
 * Host tests of the console line discipline: canonical reads with echo,
 * erase, kill and ^D, ICRNL, ^C/^Z to the foreground group, raw mode
 * through TCSETS, ONLCR on output, the termios/winsize/FIONREAD ioctls,
 * and job control: the controlling tty's session and foreground group,
 * SIGTTIN/SIGTTOU for background groups, TIOCSCTTY/TIOCNOTTY.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_testlib.h"
#include "tests/host/fake_sync.h"

#define TCGETS     0x5401
#define TCSETS     0x5402
#define TIOCSCTTY  0x540E
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define FIONREAD   0x541B
#define TIOCNOTTY  0x5422
#define TIOCGSID   0x5429
#define TOSTOP     0000400
#define SIGBIT(s)  (1ull << ((s) - 1))

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
    fs_console_acquire(1, 10);                        /* session 1 (the test's), group 10 */
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
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), -ENOTTY);  /* not a controlling tty yet */
    fs_console_acquire(1, 10);
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), 0);
    EXPECT_EQ(pg, 10);
    EXPECT_EQ(sys_ioctl(0, TIOCGSID, U(&pg)), 0);
    EXPECT_EQ(pg, 1);
    fake_proc_make(1, 77, 10, 77, "job");
    fake_proc_make(2, 88, 1, 88, "other")->info.sid = 88;
    pg = 77;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), 0);
    pg = 0;
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), 0);
    EXPECT_EQ(pg, 77);
    fake_procs[0].info.pgid = 77;                     /* the caller joins the front group */
    pg = 88;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), -EPERM);   /* another session's group */
    pg = 99;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), -ESRCH);   /* no such group */
    pg = -1;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), -EINVAL);
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, 0x8), -EFAULT);
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

static void
test_tty_ctrl_z_stops_foreground(void)
{
    tsetup();
    char buf[32];
    fs_console_acquire(1, 10);
    feed("ab\032");
    EXPECT_EQ(fake_nsigs, 1);
    EXPECT_EQ(fake_sigs[0].sig, SIGTSTP);
    EXPECT_EQ(fake_sigs[0].target, 10);
    EXPECT_TRUE(fake_sigs[0].pgrp);
    EXPECT_STREQ(fake_console_out, "ab^Z");           /* echoed as Linux's tty does */
    feed("c\n");
    EXPECT_EQ(rd(buf, sizeof(buf)), 2);               /* "ab" was flushed */
    EXPECT_STREQ(buf, "c\n");
    tteardown();
}

/* The caller (pid 10, group 10) in the background behind group 20. */
static void
background_setup(void)
{
    tsetup();
    fake_proc_make(1, 20, 1, 20, "fg");
    fs_console_acquire(1, 20);
}

static void
test_tty_background_read_gets_sigttin(void)
{
    background_setup();
    char buf[32];
    feed("x\n");
    EXPECT_EQ(sys_read(0, U(buf), sizeof(buf)), -EINTR);  /* restarted after SIGCONT */
    EXPECT_EQ(fake_nsigs, 1);
    EXPECT_EQ(fake_sigs[0].sig, SIGTTIN);
    EXPECT_EQ(fake_sigs[0].target, 10);               /* the caller's whole group */
    EXPECT_TRUE(fake_sigs[0].pgrp);
    tproc->blocked_or_ignored = SIGBIT(SIGTTIN);
    EXPECT_EQ(sys_read(0, U(buf), sizeof(buf)), -EIO);
    tproc->blocked_or_ignored = 0;
    fake_pgrp_orphaned = true;                        /* no shell would continue it */
    EXPECT_EQ(sys_read(0, U(buf), sizeof(buf)), -EIO);
    EXPECT_EQ(fake_nsigs, 1);
    fs_console_acquire(1, 10);                        /* in front again: reads */
    EXPECT_EQ(rd(buf, sizeof(buf)), 2);
    tteardown();
}

static void
test_tty_background_write_needs_tostop(void)
{
    background_setup();
    EXPECT_EQ(sys_write(1, U("a"), 1), 1);            /* no TOSTOP: writes go out */
    unsigned char tio[36];
    EXPECT_EQ(sys_ioctl(0, TCGETS, U(tio)), 0);
    uint32_t lflag;
    memcpy(&lflag, tio + 12, 4);
    lflag |= TOSTOP;
    memcpy(tio + 12, &lflag, 4);
    EXPECT_EQ(sys_ioctl(0, TCSETS, U(tio)), -EINTR);  /* mode change from behind: SIGTTOU */
    EXPECT_EQ(fake_sigs[0].sig, SIGTTOU);
    tproc->blocked_or_ignored = SIGBIT(SIGTTOU);
    EXPECT_EQ(sys_ioctl(0, TCSETS, U(tio)), 0);       /* ignoring SIGTTOU lets it through */
    EXPECT_EQ(sys_write(1, U("b"), 1), 1);
    tproc->blocked_or_ignored = 0;
    fake_nsigs = 0;
    EXPECT_EQ(sys_write(1, U("c"), 1), -EINTR);
    EXPECT_EQ(fake_nsigs, 1);
    EXPECT_EQ(fake_sigs[0].sig, SIGTTOU);
    EXPECT_STREQ(fake_console_out, "ab");
    tteardown();
}

static void
test_tty_background_tcsetpgrp(void)
{
    background_setup();
    int pg = 10;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), -EINTR);
    EXPECT_EQ(fake_sigs[0].sig, SIGTTOU);
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), 0);    /* asking is allowed */
    EXPECT_EQ(pg, 20);
    tproc->blocked_or_ignored = SIGBIT(SIGTTOU);      /* what a shell does */
    pg = 10;
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), 0);
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), 0);
    EXPECT_EQ(pg, 10);
    tteardown();
}

static void
test_tty_other_session_is_not_controlled(void)
{
    tsetup();
    char buf[32];
    fs_console_acquire(5, 5);                         /* someone else's controlling tty */
    int pg = 10;
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&pg)), -ENOTTY);
    EXPECT_EQ(sys_ioctl(0, TIOCSPGRP, U(&pg)), -ENOTTY);
    EXPECT_EQ(sys_ioctl(0, TIOCNOTTY, 0), -ENOTTY);
    feed("x\n");
    EXPECT_EQ(rd(buf, sizeof(buf)), 2);               /* no job control on it for us */
    EXPECT_EQ(fake_nsigs, 0);
    tteardown();
}

static void
test_tty_sctty_and_notty(void)
{
    tsetup();
    int v = 0;
    EXPECT_EQ(sys_ioctl(0, TIOCSCTTY, 0), -EPERM);    /* not a session leader */
    tproc->info.sid = 10;
    fs_console_acquire(5, 5);
    EXPECT_EQ(sys_ioctl(0, TIOCSCTTY, 0), -EPERM);    /* another session has it */
    EXPECT_EQ(sys_ioctl(0, TIOCSCTTY, 1), 0);         /* root may take it */
    EXPECT_EQ(sys_ioctl(0, TIOCGSID, U(&v)), 0);
    EXPECT_EQ(v, 10);
    EXPECT_EQ(sys_ioctl(0, TIOCGPGRP, U(&v)), 0);
    EXPECT_EQ(v, 10);
    EXPECT_EQ(sys_ioctl(0, TIOCSCTTY, 0), 0);         /* already ours */
    EXPECT_EQ(sys_ioctl(0, TIOCNOTTY, 0), 0);         /* the leader lets it go */
    EXPECT_EQ(fake_nsigs, 2);
    EXPECT_EQ(fake_sigs[0].sig, SIGHUP);
    EXPECT_EQ(fake_sigs[1].sig, SIGCONT);
    EXPECT_EQ(fake_sigs[1].target, 10);
    EXPECT_EQ(sys_ioctl(0, TIOCGSID, U(&v)), -ENOTTY);
    EXPECT_EQ(fs_console_release(10), 0);             /* nothing left to let go */
    tteardown();
}

static void
test_tty_leader_open_acquires(void)
{
    tsetup();
    int v = 0;
    tproc->info.sid = 10;
    long fd = topen("/dev/tty", O_RDWR | O_NOCTTY);
    EXPECT_TRUE(fd >= 0);
    EXPECT_EQ(sys_ioctl(fd, TIOCGSID, U(&v)), -ENOTTY);
    fd = topen("/dev/tty", O_RDWR);
    EXPECT_EQ(sys_ioctl(fd, TIOCGSID, U(&v)), 0);
    EXPECT_EQ(v, 10);
    fake_proc_make(1, 30, 10, 10, "child")->fs = tproc->fs;
    fake_procs[1].info.sid = 10;
    fake_proc_cur = &fake_procs[1];                   /* a member, not the leader */
    EXPECT_EQ(sys_ioctl(0, TIOCNOTTY, 0), 0);         /* gives it up for itself only */
    EXPECT_EQ(sys_ioctl(0, TIOCGSID, U(&v)), -ENOTTY);
    fake_proc_cur = tproc;
    EXPECT_EQ(sys_ioctl(0, TIOCGSID, U(&v)), 0);
    EXPECT_EQ(fs_console_release(10), 10);            /* the leader exits */
    EXPECT_EQ(sys_ioctl(0, TIOCGSID, U(&v)), -ENOTTY);
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
    RUN(test_tty_ctrl_z_stops_foreground);
    RUN(test_tty_background_read_gets_sigttin);
    RUN(test_tty_background_write_needs_tostop);
    RUN(test_tty_background_tcsetpgrp);
    RUN(test_tty_other_session_is_not_controlled);
    RUN(test_tty_sctty_and_notty);
    RUN(test_tty_leader_open_acquires);
}
