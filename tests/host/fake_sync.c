/*
 * Host fake of kernel/sync.h for single-threaded unit tests: spinlocks and
 * mutexes only record that they are held (so sync_assert_held works and
 * recursion or unlocking a free lock trips an ASSERT). Nothing can wake a
 * sleeper in a host test, so a wait calls fake_sync_wait_hook, which a test
 * may set to make the condition true; without one the wait ASSERTs.
 */
#include "kernel/sync.h"
#include "kernel/errno.h"
#include "tests/host/fake_sync.h"

void (*fake_sync_wait_hook)(struct waitq *q);

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
    ASSERT(!l->locked, "a spinlock is not taken twice (host tests have one CPU)");
    l->locked = 1;
    l->cpu = 0;
}

void
spin_unlock(struct spinlock *l)
{
    ASSERT(l->locked && l->cpu == 0, "only the holder unlocks a spinlock");
    l->locked = 0;
    l->cpu = -1;
}

bool
spin_is_held(const struct spinlock *l)
{
    return l->locked && l->cpu == 0;
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
    ASSERT(m->owner == NULL, "a mutex is not taken twice (host tests have one thread)");
    m->owner = (struct thread *)1;
}

void
mutex_unlock(struct mutex *m)
{
    ASSERT(m->owner != NULL, "only the holder unlocks a mutex");
    m->owner = NULL;
}

bool
mutex_is_held(struct mutex *m)
{
    return m->owner != NULL;
}

void
waitq_init(struct waitq *q)
{
    q->head = NULL;
    q->tail = NULL;
}

static void
fake_wait(struct waitq *q, struct spinlock *lk)
{
    ASSERT(fake_sync_wait_hook != NULL, "host test would sleep forever: set fake_sync_wait_hook");
    spin_unlock(lk);
    fake_sync_wait_hook(q);
    spin_lock(lk);
}

void
waitq_wait(struct waitq *q, struct spinlock *lk)
{
    sync_assert_held(lk);
    fake_wait(q, lk);
}

int
waitq_wait_intr(struct waitq *q, struct spinlock *lk)
{
    sync_assert_held(lk);
    fake_wait(q, lk);
    return 0;
}

int
waitq_wait_timeout(struct waitq *q, struct spinlock *lk, uint64_t ns)
{
    (void)ns;
    sync_assert_held(lk);
    if (fake_sync_wait_hook == NULL)
        return -ETIMEDOUT;
    fake_wait(q, lk);
    return 0;
}

void
waitq_wake_one(struct waitq *q)
{
    (void)q;
}

void
waitq_wake_all(struct waitq *q)
{
    (void)q;
}

void
sync_assert_may_sleep(void)
{
}
