/*
 * Interval timers: alarm(2) and setitimer/getitimer(2) for ITIMER_REAL,
 * which post SIGALRM when they expire and reload from their interval.
 * ITIMER_VIRTUAL and ITIMER_PROF (CPU-time timers) are not implemented:
 * EINVAL. Each process keeps its deadline (monotonic ns) and interval in
 * struct proc; one kernel thread, proc-timer, started at the first use,
 * sleeps until the earliest deadline of the table and posts the signals.
 * fork's child starts with no timer (proc_alloc zeroes the entry), exec
 * keeps it, and an entry that is not ALIVE is skipped, so exit needs no
 * hook. Migration carries the remaining time, not the deadline (clocks
 * are synced, monotonic ones are not shared): the TIMERS row,
 * timer_mig_pack/unpack/source_done/target_abort.
 *
 * Locking: the timer fields and the thread's wait queue are under
 * proc_table_lock.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"
#include "kernel/proc_timer.h"
#include "kernel/sched.h"
#include "kernel/migrate.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define ITIMER_REAL 0
#define NS_PER_S    1000000000ull
#define NS_PER_US   1000ull
#define IDLE_NS     (1000 * 1000000ull)    /* the thread looks again at least this often */

struct k_itimerval {
    int64_t interval_sec, interval_usec;
    int64_t value_sec, value_usec;
};

static struct waitq timer_q;            /* under proc_table_lock */
static uint32_t timer_started;          /* atomic */

/* Post the due signals; the ns until the next deadline (or IDLE_NS). */
static uint64_t
fire_due(uint64_t now)
{
    uint64_t next = IDLE_NS;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state != PROC_ALIVE || !p->itimer_at)
            continue;
        if (p->itimer_at <= now) {
            proc_signal(p, SIGALRM);
            p->itimer_at = p->itimer_interval ? now + p->itimer_interval : 0;
        }
        if (p->itimer_at)
            next = MIN(next, p->itimer_at - now);
    }
    return next;
}

static void
timer_thread(void *arg)
{
    spin_lock(&proc_table_lock);
    for (;;) {
        uint64_t wait = fire_due(arch_time_ns());
        int r = waitq_wait_timeout(&timer_q, &proc_table_lock, wait);
        (void)r;            /* woken, timed out: look again either way */
    }
}

static void
timer_start_once(void)
{
    if (__atomic_exchange_n(&timer_started, 1, __ATOMIC_ACQ_REL))
        return;
    spin_lock(&proc_table_lock);
    waitq_init(&timer_q);
    spin_unlock(&proc_table_lock);
    if (!sched_spawn("proc-timer", timer_thread, NULL))
        kprintf("wisp: no memory for the timer thread: alarms will not fire\n");
}

/* Set p's timer (value 0: disarm); the old remaining ns and interval out. */
static void
timer_set(struct proc *p, uint64_t value, uint64_t interval, uint64_t *old_left,
          uint64_t *old_interval)
{
    timer_start_once();
    uint64_t now = arch_time_ns();
    spin_lock(&proc_table_lock);
    if (old_left)
        *old_left = p->itimer_at ? (p->itimer_at > now ? p->itimer_at - now : 1) : 0;
    if (old_interval)
        *old_interval = p->itimer_interval;
    p->itimer_at = value ? now + value : 0;
    p->itimer_interval = value ? interval : 0;
    waitq_wake_all(&timer_q);
    spin_unlock(&proc_table_lock);
}

long
sys_alarm(unsigned int seconds)
{
    uint64_t left;
    timer_set(proc_current(), (uint64_t)seconds * NS_PER_S, 0, &left, NULL);
    /* Linux rounds the old time to the nearest second, and up to 1 if any. */
    uint64_t s = (left + NS_PER_S / 2) / NS_PER_S;
    return (long)(left && !s ? 1 : s);
}

static int
tv_ns(int64_t sec, int64_t usec, uint64_t *ns)
{
    if (sec < 0 || usec < 0 || usec >= 1000000)
        return -EINVAL;
    *ns = (uint64_t)sec > 100000000000ull ? 100000000000ull * NS_PER_S
                                          : (uint64_t)sec * NS_PER_S + (uint64_t)usec * NS_PER_US;
    return 0;
}

static void
ns_tv(uint64_t ns, int64_t *sec, int64_t *usec)
{
    *sec = (int64_t)(ns / NS_PER_S);
    *usec = (int64_t)((ns % NS_PER_S + NS_PER_US - 1) / NS_PER_US);  /* never 0 if armed */
    if (*usec == 1000000) {
        (*sec)++;
        *usec = 0;
    }
}

long
sys_getitimer(int which, uint64_t uvalue)
{
    if (which != ITIMER_REAL)
        return -EINVAL;
    struct proc *p = proc_current();
    uint64_t now = arch_time_ns();
    spin_lock(&proc_table_lock);
    uint64_t left = p->itimer_at ? (p->itimer_at > now ? p->itimer_at - now : 1) : 0;
    uint64_t interval = p->itimer_interval;
    spin_unlock(&proc_table_lock);
    struct k_itimerval v;
    ns_tv(interval, &v.interval_sec, &v.interval_usec);
    ns_tv(left, &v.value_sec, &v.value_usec);
    return copyout(uvalue, &v, sizeof(v));
}

long
sys_setitimer(int which, uint64_t uvalue, uint64_t uovalue)
{
    if (which != ITIMER_REAL)
        return -EINVAL;
    struct k_itimerval v = { 0 };
    uint64_t value, interval, left, old_interval;
    if (uvalue && copyin(&v, uvalue, sizeof(v)) != 0)
        return -EFAULT;
    if (tv_ns(v.value_sec, v.value_usec, &value) || tv_ns(v.interval_sec, v.interval_usec, &interval))
        return -EINVAL;
    timer_set(proc_current(), value, interval, &left, &old_interval);
    if (uovalue) {
        struct k_itimerval o;
        ns_tv(old_interval, &o.interval_sec, &o.interval_usec);
        ns_tv(left, &o.value_sec, &o.value_usec);
        if (copyout(uovalue, &o, sizeof(o)) != 0)
            return -EFAULT;
    }
    return 0;
}

/* TIMERS row: u64 remaining ns (0: disarmed), u64 interval ns. */
int
timer_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    uint64_t now = arch_time_ns();
    spin_lock(&proc_table_lock);
    uint64_t left = p->itimer_at ? (p->itimer_at > now ? p->itimer_at - now : 1) : 0;
    uint64_t interval = p->itimer_interval;
    spin_unlock(&proc_table_lock);
    mig_put_u64(b, left);
    mig_put_u64(b, interval);
    return b->err;
}

int
timer_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    uint64_t left = mig_get_u64(c);
    uint64_t interval = mig_get_u64(c);
    if (c->err)
        return c->err;
    timer_set(p, left, interval, NULL, NULL);
    return 0;
}

void
timer_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    if (committed)
        timer_set(p, 0, 0, NULL, NULL);     /* it fires at the target now */
}

void
timer_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
    timer_set(p, 0, 0, NULL, NULL);
}
