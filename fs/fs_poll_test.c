/*
 * Host tests of poll and ppoll: readiness by access mode for files without
 * a poll op, POLLNVAL for a closed descriptor, ignored negative fds, a
 * timeout that sleeps (through the fake clock below) only when nothing is
 * ready, EFAULT/EINVAL, ppoll's timespec checks, and the signal masks of
 * ppoll and pselect6 handed to kernel/proc_sigmask.c.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c
#include "fs/fs_testlib.h"
#include "kernel/arch.h"
#include "kernel/rand.h"
#include "kernel/sched.h"
#include "tests/host/fake_sync.h"

struct tpollfd {
    int32_t fd;
    int16_t events;
    int16_t revents;
};

/* A clock that moves only when poll sleeps. */
static uint64_t fake_now;
static int sleeps;

uint64_t
arch_time_ns(void)
{
    return fake_now;
}

int
sched_sleep_ns(uint64_t ns)
{
    sleeps++;
    fake_now += ns;
    return 0;
}

/* poll's wait on its wait queue: the clock moves 1 ms a wait. */
static void
wait_1ms(struct waitq *q)
{
    sleeps++;
    fake_now += 1000000;
}

/* fs_dev.c's /dev/random: not used here. */
void
rand_bytes(void *buf, size_t n)
{
    memset(buf, 0x5a, n);
}

void
rand_add_entropy(const void *buf, size_t n)
{
}

static void
test_poll_ready_by_mode(void)
{
    tsetup();
    long fd = topen("/etc/motd", O_RDONLY);
    struct tpollfd p[3] = { { (int32_t)fd, 0x1 | 0x4, 0 }, { 40, 0x1, 0 }, { -1, 0x1, 0x7 } };
    sleeps = 0;
    EXPECT_EQ(sys_poll(U(p), 3, -1), 2);
    EXPECT_EQ(p[0].revents, 0x5);       /* a regular file is always ready, as on Linux */
    EXPECT_EQ(p[1].revents, 0x20);      /* POLLNVAL */
    EXPECT_EQ(p[2].revents, 0);         /* negative: ignored, revents cleared */
    EXPECT_EQ(sleeps, 0);
    int pfd[2];
    EXPECT_EQ(sys_pipe2(U(pfd), 0), 0);
    struct tpollfd q[2] = { { pfd[0], 0x1 | 0x4, 0 }, { pfd[1], 0x1 | 0x4, 0 } };
    EXPECT_EQ(sys_poll(U(q), 2, 0), 1);
    EXPECT_EQ(q[0].revents, 0);         /* an empty pipe has nothing to read */
    EXPECT_EQ(q[1].revents, 0x4);
    EXPECT_EQ(sys_write(pfd[1], U("x"), 1), 1);
    EXPECT_EQ(sys_poll(U(q), 2, 0), 2);
    EXPECT_EQ(q[0].revents, 0x1);
    tteardown();
}

static void
test_poll_timeouts(void)
{
    tsetup();
    struct tpollfd p = { -1, 0x1, 0 };
    sleeps = 0;
    fake_now = 1000;
    fake_sync_wait_hook = wait_1ms;
    EXPECT_EQ(sys_poll(U(&p), 1, 0), 0);
    EXPECT_EQ(sleeps, 0);
    EXPECT_EQ(sys_poll(0, 0, 25), 0);                  /* poll as a sleep */
    EXPECT_TRUE(fake_now - 1000 >= 25000000ull);
    uint64_t before = fake_now;
    EXPECT_EQ(sys_poll(U(&p), 1, 30), 0);
    EXPECT_TRUE(fake_now - before >= 30000000ull && fake_now - before < 60000000ull);
    struct { int64_t sec, nsec; } ts = { 0, 5000000 };
    before = fake_now;
    EXPECT_EQ(sys_ppoll(U(&p), 1, U(&ts), 0, 8), 0);
    EXPECT_TRUE(fake_now - before >= 5000000ull);
    ts.nsec = 1000000000;
    EXPECT_EQ(sys_ppoll(U(&p), 1, U(&ts), 0, 8), -EINVAL);
    ts.nsec = 0;
    fake_sync_wait_hook = NULL;
    tteardown();
}

static void
test_poll_errors(void)
{
    tsetup();
    EXPECT_EQ(sys_poll(0x10, 1, 0), -EFAULT);
    EXPECT_EQ(sys_poll(0, 5000, 0), -EINVAL);
    EXPECT_EQ(sys_ppoll(0, 0, 0x10, 0, 8), -EFAULT);
    tteardown();
}

static void
test_ppoll_pselect_mask(void)
{
    tsetup();
    struct tpollfd p = { -1, 0x1, 0 };
    struct { int64_t sec, nsec; } ts = { 0, 0 };
    uint64_t mask = 1ull << 16;
    EXPECT_EQ(sys_ppoll(U(&p), 1, U(&ts), U(&mask), 8), 0);
    EXPECT_TRUE(fake_sigmask_set && fake_sigmask == mask);
    EXPECT_TRUE(fake_sigmask_left && fake_sigmask_left_ret == 0);
    fake_sigmask_set = fake_sigmask_left = false;
    EXPECT_EQ(sys_ppoll(U(&p), 1, U(&ts), U(&mask), 4), -EINVAL);
    EXPECT_EQ(sys_ppoll(U(&p), 1, U(&ts), 0x10, 8), -EFAULT);
    EXPECT_TRUE(!fake_sigmask_set);
    EXPECT_EQ(sys_ppoll(U(&p), 1, U(&ts), 0, 8), 0);   /* no mask: left as it is */
    EXPECT_TRUE(!fake_sigmask_set);
    uint64_t sig[2] = { U(&mask), 8 };
    mask = 1ull << 1;
    EXPECT_EQ(sys_pselect6(0, 0, 0, 0, U(&ts), U(sig)), 0);
    EXPECT_TRUE(fake_sigmask_set && fake_sigmask == mask && fake_sigmask_left);
    EXPECT_EQ(sys_pselect6(0, 0, 0, 0, U(&ts), 0x10), -EFAULT);
    sig[1] = 16;
    EXPECT_EQ(sys_pselect6(0, 0, 0, 0, U(&ts), U(sig)), -EINVAL);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_poll_ready_by_mode);
    RUN(test_poll_timeouts);
    RUN(test_poll_errors);
    RUN(test_ppoll_pselect_mask);
}
