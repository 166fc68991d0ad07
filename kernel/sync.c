/*
 * Spinlocks (interrupts off while held), wait queues built on the
 * scheduler's sleep, and mutexes built on wait queues. The lock order is
 * in kernel/sync.h.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sync.h"

void
spin_init(struct spinlock *l, const char *name)
{
    l->locked = 0;
    l->cpu = -1;
    l->saved_if = 0;
    l->name = name;
}

void
spin_lock(struct spinlock *l)
{
    uint64_t f = arch_irq_save();
    if (l->locked && l->cpu == arch_cpu_id())
        panic("spinlock %s: taken twice by cpu %d", l->name ? l->name : "?", l->cpu);
    while (__atomic_exchange_n(&l->locked, 1, __ATOMIC_ACQUIRE))
        __builtin_ia32_pause();
    l->cpu = arch_cpu_id();
    l->saved_if = f;
}

void
spin_unlock(struct spinlock *l)
{
    ASSERT(l->locked && l->cpu == arch_cpu_id(), "a spinlock is released by its holder");
    uint64_t f = l->saved_if;
    l->cpu = -1;
    __atomic_store_n(&l->locked, 0, __ATOMIC_RELEASE);
    arch_irq_restore(f);
}

bool
spin_is_held(const struct spinlock *l)
{
    return l->locked && l->cpu == arch_cpu_id();
}

void
sync_assert_may_sleep(void)
{
    ASSERT(arch_irq_enabled(), "no spinlock is held and no interrupt is being handled here");
}

void
waitq_init(struct waitq *q)
{
    q->head = q->tail = NULL;
}

static void
unlink_waiter(struct waitq *q, struct waiter *w)
{
    struct waiter *prev = NULL;
    for (struct waiter *x = q->head; x; prev = x, x = x->next) {
        if (x != w)
            continue;
        if (prev)
            prev->next = w->next;
        else
            q->head = w->next;
        if (q->tail == w)
            q->tail = prev;
        return;
    }
}

/* The one sleep primitive: queue ourselves, hand lk over for the run-queue
 * lock, sleep, and take lk back. */
static int
wait_common(struct waitq *q, struct spinlock *lk, bool intr, uint64_t ns)
{
    struct waiter w = { .t = sched_current(), .next = NULL, .woken = false };
    int err = 0;

    sync_assert_held(lk);
    if (intr && proc_signal_pending())
        return -EINTR;
    if (q->tail)
        q->tail->next = &w;
    else
        q->head = &w;
    q->tail = &w;

    uint64_t saved = lk->saved_if;   /* lk's holder's interrupt state, restored below */
    lk->saved_if = 0;
    sched_lock();
    spin_unlock(lk);
    sched_sleep_locked(intr, ns ? arch_time_ns() + ns : 0);
    spin_lock(lk);
    lk->saved_if = saved;

    if (!w.woken) {
        unlink_waiter(q, &w);
        if (intr && proc_signal_pending())
            err = -EINTR;
        else if (ns)
            err = -ETIMEDOUT;
    }
    return err;
}

void
waitq_wait(struct waitq *q, struct spinlock *lk)
{
    (void)wait_common(q, lk, false, 0);
}

int
waitq_wait_intr(struct waitq *q, struct spinlock *lk)
{
    return wait_common(q, lk, true, 0);
}

int
waitq_wait_timeout(struct waitq *q, struct spinlock *lk, uint64_t ns)
{
    return wait_common(q, lk, true, ns ? ns : 1);
}

void
waitq_wake_one(struct waitq *q)
{
    struct waiter *w = q->head;
    if (!w)
        return;
    q->head = w->next;
    if (!q->head)
        q->tail = NULL;
    w->woken = true;
    sched_wakeup(w->t, false);
}

void
waitq_wake_all(struct waitq *q)
{
    while (q->head)
        waitq_wake_one(q);
}

void
mutex_init(struct mutex *m, const char *name)
{
    spin_init(&m->lock, name);
    m->owner = NULL;
    waitq_init(&m->waiters);
    m->name = name;
}

void
mutex_lock(struct mutex *m)
{
    sync_assert_may_sleep();
    spin_lock(&m->lock);
    while (m->owner)
        waitq_wait(&m->waiters, &m->lock);
    m->owner = sched_current();
    spin_unlock(&m->lock);
}

void
mutex_unlock(struct mutex *m)
{
    spin_lock(&m->lock);
    ASSERT(m->owner == sched_current(), "a mutex is released by its owner");
    m->owner = NULL;
    waitq_wake_one(&m->waiters);
    spin_unlock(&m->lock);
}

bool
mutex_is_held(struct mutex *m)
{
    return m->owner == sched_current();
}
