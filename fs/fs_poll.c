/*
 * poll and ppoll. A descriptor is ready when its vnode's ops->poll says so;
 * files without that op (initrd files, /dev, /proc, and for now ttys and
 * pipes) are always ready for what they were opened for, so a read or write
 * that follows may still block, as on a regular file. Until a file with a
 * poll op is waited for, nothing sleeps but poll(NULL, 0, ms) itself; a wait
 * rechecks every POLL_TICK_NS (no wait queue yet) and ends at the timeout
 * or on a signal (-EINTR, as nanosleep). ppoll takes no signal mask yet.
 */
#include "fs/fs_int.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define POLLIN     0x001
#define POLLPRI    0x002
#define POLLOUT    0x004
#define POLLNVAL   0x020
#define POLLRDNORM 0x040
#define POLLWRNORM 0x100
#define POLL_MAX   1024                 /* RLIMIT_NOFILE's usual value */
#define POLL_TICK_NS 10000000ull
#define NO_TIMEOUT (~0ull)

struct k_pollfd {
    int32_t fd;
    int16_t events;
    int16_t revents;
};

struct k_timespec_p {
    int64_t sec;
    int64_t nsec;
};

/* What file f offers of events. */
static int16_t
file_revents(struct file *f, int16_t events)
{
    if (f->vn->ops->poll)
        return (int16_t)(f->vn->ops->poll(f, events) & events);
    int acc = f->flags & O_ACCMODE;
    int16_t ready = 0;
    if (acc == O_RDONLY || acc == O_RDWR)
        ready |= POLLIN | POLLRDNORM;
    if (acc == O_WRONLY || acc == O_RDWR)
        ready |= POLLOUT | POLLWRNORM;
    return (int16_t)(ready & events);
}

/* One pass over the set: fills revents, returns how many are non-zero. */
static int
poll_scan(struct k_pollfd *p, size_t n)
{
    int count = 0;
    for (size_t i = 0; i < n; i++) {
        p[i].revents = 0;
        if (p[i].fd < 0)
            continue;
        struct file *f = fs_fd_get(fs_cur(), p[i].fd);
        if (!f) {
            p[i].revents = POLLNVAL;
        } else {
            p[i].revents = file_revents(f, p[i].events);
            fs_file_unref(f);
        }
        if (p[i].revents)
            count++;
    }
    return count;
}

/* Scan until something is ready, timeout_ns has passed or a signal came. */
static long
poll_wait(uint64_t ufds, uint64_t n, uint64_t timeout_ns)
{
    if (n > POLL_MAX)
        return -EINVAL;
    struct k_pollfd *p = kmalloc(n ? n * sizeof(*p) : 1);
    if (!p)
        return -ENOMEM;
    long r = copyin(p, ufds, n * sizeof(*p)) ? -EFAULT : 0;
    uint64_t start = arch_time_ns();
    while (r == 0) {
        r = poll_scan(p, n);
        if (r)
            break;
        uint64_t spent = arch_time_ns() - start;
        if (spent >= timeout_ns)
            break;
        uint64_t left = timeout_ns - spent;
        int err = sched_sleep_ns(n == 0 || left < POLL_TICK_NS ? left : POLL_TICK_NS);
        if (err)
            r = err;
    }
    if (r >= 0 && copyout(ufds, p, n * sizeof(*p)))
        r = -EFAULT;
    kfree(p);
    return r;
}

long
sys_poll(uint64_t ufds, uint64_t n, int timeout_ms)
{
    return poll_wait(ufds, n, timeout_ms < 0 ? NO_TIMEOUT : (uint64_t)timeout_ms * 1000000ull);
}

long
sys_ppoll(uint64_t ufds, uint64_t n, uint64_t uts, uint64_t usigmask, uint64_t sigsetsize)
{
    if (usigmask)
        return -EINVAL;
    uint64_t ns = NO_TIMEOUT;
    if (uts) {
        struct k_timespec_p ts;
        if (copyin(&ts, uts, sizeof(ts)))
            return -EFAULT;
        if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
            return -EINVAL;
        ns = (uint64_t)ts.sec > 1000000000ull * 100 ? NO_TIMEOUT
                                                     : (uint64_t)ts.sec * 1000000000ull + ts.nsec;
    }
    return poll_wait(ufds, n, ns);
}
