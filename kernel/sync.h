/*
 * Spinlocks, sleeping locks (mutexes) and wait queues.
 *
 * Global lock order (take in this order, never the reverse):
 *   proc.table -> fs locks (vnode, pipe, tty) -> sched.runq -> mem.frame -> mem.kmalloc
 *   rpc.node -> mem.kmalloc (rpc.node is never held while sending or sleeping)
 *   net.rxq, recov.cb and console are leaves: anything may print while
 *   holding any lock.
 *
 * A spinlock disables interrupts on this CPU while held (interrupt handlers
 * take locks too), so holding one must be brief and must never sleep.
 * Secondary CPUs are parked for now, but per-CPU state and lock owners are
 * tracked as if they were not, so SMP needs no rewrite of callers.
 */
#pragma once
#include "kernel/compiler.h"

struct thread;

struct spinlock {
    volatile uint32_t locked;
    int cpu;            /* owning CPU, -1 when free */
    uint64_t saved_if;  /* interrupt flag of the owner before it locked */
    const char *name;   /* "prefix.what" */
};

/* A thread waiting on a wait queue. Lives on the waiter's stack. */
struct waiter {
    struct thread *t;
    struct waiter *next;
    bool woken;
};

/* FIFO of sleeping threads. Protected by the spinlock its user passes in. */
struct waitq {
    struct waiter *head;
    struct waiter *tail;
};

/* Sleeping lock: may be held across sleeps, never across an RPC (STYLE 2.7). */
struct mutex {
    struct spinlock lock;  /* protects the fields below */
    struct thread *owner;
    struct waitq waiters;
    const char *name;
};

void spin_init(struct spinlock *l, const char *name);
void spin_lock(struct spinlock *l);     /* disables interrupts; restores them at unlock */
void spin_unlock(struct spinlock *l);
bool spin_is_held(const struct spinlock *l); /* held by this CPU */
#define sync_assert_held(l) ASSERT(spin_is_held(l), "caller holds " #l)

void mutex_init(struct mutex *m, const char *name);
void mutex_lock(struct mutex *m);      /* Sleeps. */
void mutex_unlock(struct mutex *m);
bool mutex_is_held(struct mutex *m);   /* held by the current thread */

void waitq_init(struct waitq *q);
/* Caller holds lk. Atomically release lk and sleep until woken; lk is held
 * again on return. Sleeps. Callers re-check their condition in a loop. */
void waitq_wait(struct waitq *q, struct spinlock *lk);
/* As waitq_wait, but returns -EINTR at once, or when woken, if the current
 * process has a deliverable signal pending; 0 when woken normally. */
MUST_CHECK int waitq_wait_intr(struct waitq *q, struct spinlock *lk);
/* As waitq_wait_intr with a timeout in nanoseconds of the monotonic clock;
 * returns -ETIMEDOUT when it expires first. */
MUST_CHECK int waitq_wait_timeout(struct waitq *q, struct spinlock *lk, uint64_t ns);
/* Caller holds the lock that protects q. Wake one / all waiters. */
void waitq_wake_one(struct waitq *q);
void waitq_wake_all(struct waitq *q);

/* Asserts that the current context may sleep (no spinlock held, not in an
 * interrupt). */
void sync_assert_may_sleep(void);
