/*
 * poll, ppoll, select and pselect6. Each open file's vnode says what is
 * ready now (the poll op: pipes and the tty; files without one are always
 * readable and writable, as on Linux). A caller with nothing ready sleeps
 * on one node-wide wait queue until a file says its readiness changed
 * (fs_poll_wake: pipes and the console do) or FS_POLL_STEP_NS passes, then checks again,
 * so a device without the wakeup wired in is still seen within a step; a
 * signal ends the wait with EINTR. ppoll and pselect6 wait under the
 * caller's temporary signal mask, which kernel/proc_sigmask.c swaps in and
 * restores as Linux does.
 */
#include "fs/fs_int.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define FS_POLL_STEP_NS (5 * 1000000ull)
#define FS_POLL_MAX     1024             /* pollfds per call */
#define FS_SELECT_MAX   1024             /* FD_SETSIZE */
#define POLLRDNORM      0x040
#define POLLWRNORM      0x100
#define FOREVER         (~0ull)

struct pollfd_u {
    int32_t fd;
    int16_t events;
    int16_t revents;
};

struct k_timespec {
    int64_t sec, nsec;
};

/* What of events (plus the errors always reported) fd has ready now. */
static int
ready(struct fs_ctx *c, int fd, int events)
{
    struct file *f = fs_fd_get(c, fd);
    if (!f)
        return FS_POLLNVAL;
    int ev = f->vn->ops->poll ? f->vn->ops->poll(f) : FS_POLLIN | FS_POLLOUT;
    fs_file_unref(f);
    ev |= (ev & FS_POLLIN ? POLLRDNORM : 0) | (ev & FS_POLLOUT ? POLLWRNORM : 0);
    return ev & (events | FS_POLLERR | FS_POLLHUP | FS_POLLNVAL);
}

/* Call scan(arg) until it returns non-zero (a count or -errno), timeout_ns
 * passes (0), or a signal arrives (-EINTR). */
static long
wait_ready(long (*scan)(void *), void *arg, uint64_t timeout_ns)
{
    uint64_t start = arch_time_ns();
    for (;;) {
        uint64_t seq = fs_poll_seq();
        long n = scan(arg);
        if (n)
            return n;
        uint64_t elapsed = arch_time_ns() - start;
        if (elapsed >= timeout_ns)
            return 0;
        if (proc_signal_pending())
            return -EINTR;
        if (fs_poll_wait(seq, MIN(timeout_ns - elapsed, FS_POLL_STEP_NS)))
            return -EINTR;
    }
}

static int
timeout_of(uint64_t uts, uint64_t *ns)
{
    struct k_timespec ts;
    if (!uts) {
        *ns = FOREVER;
        return 0;
    }
    if (copyin(&ts, uts, sizeof(ts)))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    *ns = (uint64_t)ts.sec > 1000000000ull ? FOREVER
                                           : (uint64_t)ts.sec * 1000000000ull + (uint64_t)ts.nsec;
    return 0;
}

struct pollset {
    struct pollfd_u *p;
    unsigned n;
};

static long
scan_poll(void *arg)
{
    struct pollset *s = arg;
    struct fs_ctx *c = fs_cur();
    long hits = 0;
    for (unsigned i = 0; i < s->n; i++) {
        s->p[i].revents = s->p[i].fd < 0 ? 0 : (int16_t)ready(c, s->p[i].fd, s->p[i].events);
        hits += s->p[i].revents != 0;
    }
    return hits;
}

static long
do_poll(uint64_t ufds, unsigned int nfds, uint64_t timeout_ns)
{
    if (nfds > FS_POLL_MAX)
        return -EINVAL;
    struct pollset s = { kmalloc(sizeof(struct pollfd_u) * (nfds ? nfds : 1)), nfds };
    if (!s.p)
        return -ENOMEM;
    long r = copyin(s.p, ufds, sizeof(*s.p) * nfds) ? -EFAULT : 0;
    if (!r)
        r = wait_ready(scan_poll, &s, timeout_ns);
    if (r >= 0 && copyout(ufds, s.p, sizeof(*s.p) * nfds))
        r = -EFAULT;
    kfree(s.p);
    return r;
}

long
sys_poll(uint64_t ufds, unsigned int nfds, int timeout_ms)
{
    return do_poll(ufds, nfds, timeout_ms < 0 ? FOREVER : (uint64_t)timeout_ms * 1000000ull);
}

long
sys_ppoll(uint64_t ufds, unsigned int nfds, uint64_t uts, uint64_t usigmask, uint64_t sigsetsize)
{
    uint64_t ns;
    int err = timeout_of(uts, &ns);
    if (!err)
        err = proc_sigmask_enter(usigmask, sigsetsize);
    if (err)
        return err;
    long r = do_poll(ufds, nfds, ns);
    proc_sigmask_leave(r);
    return r;
}

/* select's three bit sets, as the caller gave them and as found ready. */
struct selset {
    int n;
    uint64_t want[3][FS_SELECT_MAX / 64];
    uint64_t got[3][FS_SELECT_MAX / 64];
};

static long
scan_select(void *arg)
{
    static const int ev[3] = { FS_POLLIN | FS_POLLHUP | FS_POLLERR, FS_POLLOUT | FS_POLLERR,
                               FS_POLLPRI };
    struct selset *s = arg;
    struct fs_ctx *c = fs_cur();
    long hits = 0;
    memset(s->got, 0, sizeof(s->got));
    for (int fd = 0; fd < s->n; fd++) {
        uint64_t bit = 1ull << (fd % 64);
        int w = fd / 64;
        if (!((s->want[0][w] | s->want[1][w] | s->want[2][w]) & bit))
            continue;
        int r = ready(c, fd, FS_POLLIN | FS_POLLOUT | FS_POLLPRI);
        if (r & FS_POLLNVAL)
            return -EBADF;
        for (int k = 0; k < 3; k++) {
            if ((s->want[k][w] & bit) && (r & ev[k])) {
                s->got[k][w] |= bit;
                hits++;
            }
        }
    }
    return hits;
}

static long
do_select(int n, const uint64_t usets[3], uint64_t timeout_ns)
{
    if (n < 0)
        return -EINVAL;
    struct selset *s = kzalloc(sizeof(*s));
    if (!s)
        return -ENOMEM;
    s->n = MIN(n, FS_SELECT_MAX);
    size_t bytes = ALIGN_UP((size_t)s->n, 64) / 8;
    long r = 0;
    for (int k = 0; k < 3 && !r; k++)
        if (usets[k] && copyin(s->want[k], usets[k], bytes))
            r = -EFAULT;
    if (!r)
        r = wait_ready(scan_select, s, timeout_ns);
    for (int k = 0; k < 3 && r >= 0; k++)
        if (usets[k] && copyout(usets[k], s->got[k], bytes))
            r = -EFAULT;
    kfree(s);
    return r;
}

long
sys_select(int n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t utv)
{
    uint64_t ns = FOREVER;
    if (utv) {
        int64_t tv[2];
        if (copyin(tv, utv, sizeof(tv)))
            return -EFAULT;
        if (tv[0] < 0 || tv[1] < 0 || tv[1] >= 1000000)
            return -EINVAL;
        ns = (uint64_t)tv[0] > 1000000000ull
                 ? FOREVER
                 : (uint64_t)tv[0] * 1000000000ull + (uint64_t)tv[1] * 1000;
    }
    const uint64_t sets[3] = { uin, uout, uex };
    return do_select(n, sets, ns);
}

long
sys_pselect6(int n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t uts, uint64_t usig)
{
    uint64_t ns;
    int err = timeout_of(uts, &ns);
    uint64_t sig[2] = { 0, 0 };     /* { const sigset_t *ss; size_t ss_len; } */
    if (!err && usig && copyin(sig, usig, sizeof(sig)))
        err = -EFAULT;
    if (!err)
        err = proc_sigmask_enter(sig[0], sig[1]);
    if (err)
        return err;
    const uint64_t sets[3] = { uin, uout, uex };
    long r = do_select(n, sets, ns);
    proc_sigmask_leave(r);
    return r;
}
