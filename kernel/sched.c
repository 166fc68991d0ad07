/*
 * The scheduler: a FIFO run queue of runnable threads, a sorted list of
 * timed sleepers, and the switch. The boot thread becomes the idle thread.
 *
 * Locking: runq_lock (a spinlock, interrupts off) protects the queue, the
 * timer list and every thread's state fields. It is held across the switch:
 * the thread switched to releases it (after arch_switch returns, or in
 * sched_thread_entry for a new thread). Sleepers take it before releasing
 * the lock that protects their condition, so no wakeup is lost.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sync.h"

static struct spinlock runq_lock;
static struct thread *runq_head, *runq_tail;
static struct thread *timers;       /* sorted by wake_at */
static struct thread idle_thread;
static struct thread *current = &idle_thread;
static struct thread *dead;         /* kernel threads waiting to be freed */
static bool need_resched;

struct thread *
sched_current(void)
{
    return current;
}

uint64_t
sched_idle_ns(void)
{
    uint64_t flags = arch_irq_save();
    uint64_t ns = idle_thread.cpu_ns;
    if (current == &idle_thread)
        ns += arch_time_ns() - idle_thread.run_start;
    arch_irq_restore(flags);
    return ns;
}

void
sched_init(void)
{
    spin_init(&runq_lock, "sched.runq");
    idle_thread.name = "idle";
    idle_thread.state = THREAD_RUNNING;
}

/* Callers have interrupts off already (they hold another spinlock). */
void
sched_lock(void)
{
    ASSERT(!arch_irq_enabled(), "sched_lock is taken with interrupts off");
    spin_lock(&runq_lock);
}

void
sched_unlock(void)
{
    spin_unlock(&runq_lock);
}

static void
enqueue(struct thread *t)
{
    sync_assert_held(&runq_lock);
    t->state = THREAD_RUNNABLE;
    t->next = NULL;
    if (runq_tail)
        runq_tail->next = t;
    else
        runq_head = t;
    runq_tail = t;
}

static void
timer_remove(struct thread *t)
{
    for (struct thread **pp = &timers; *pp; pp = &(*pp)->timer_next) {
        if (*pp == t) {
            *pp = t->timer_next;
            break;
        }
    }
    t->wake_at = 0;
}

/* Pick the next thread and switch to it. Caller holds runq_lock and has put
 * current wherever it belongs (queue, sleeping, dead). */
static void
schedule(void)
{
    sync_assert_held(&runq_lock);
    ASSERT(runq_lock.saved_if == 0, "the run queue is locked with interrupts already off "
                                    "before a switch");
    struct thread *prev = current, *next = runq_head;
    if (next) {
        runq_head = next->next;
        if (!runq_head)
            runq_tail = NULL;
    } else {
        next = &idle_thread;
    }
    need_resched = false;
    if (next == prev) {
        prev->state = THREAD_RUNNING;
        return;
    }
    uint64_t now = arch_time_ns();
    prev->cpu_ns += now - prev->run_start;
    next->run_start = now;
    next->state = THREAD_RUNNING;
    next->slice = SCHED_SLICE_TICKS;
    current = next;
    if (prev == &idle_thread)
        arch_timer_busy();
    if (next->pt_root)
        arch_pt_activate(next->pt_root);
    arch_switch(&prev->ctx, &next->ctx,
                next->kstack ? (char *)next->kstack + SCHED_KSTACK_SIZE : NULL);
}

/* First code of every new thread (arch_entry.S): drop the lock the switch
 * held, and free any thread that died meanwhile. */
void sched_thread_entry(void);
void
sched_thread_entry(void)
{
    spin_unlock(&runq_lock);
    arch_irq_enable();
}

static void
reap_dead(void)
{
    spin_lock(&runq_lock);
    struct thread *d = dead;
    dead = NULL;
    spin_unlock(&runq_lock);
    while (d) {
        struct thread *n = d->next;
        sched_free(d);
        d = n;
    }
}

static struct thread *
thread_alloc(const char *name)
{
    struct thread *t = kzalloc(sizeof(*t));
    if (!t)
        return NULL;
    t->kstack = kmalloc(SCHED_KSTACK_SIZE);
    if (!t->kstack) {
        kfree(t);
        return NULL;
    }
    t->name = name;
    return t;
}

void
sched_free(struct thread *t)
{
    ASSERT(t != current, "a thread never frees its own stack");
    kfree(t->kstack);
    kfree(t);
}

struct thread *
sched_spawn(const char *name, void (*fn)(void *), void *arg)
{
    struct thread *t = thread_alloc(name);
    if (!t)
        return NULL;
    arch_ctx_init(&t->ctx, t->kstack, SCHED_KSTACK_SIZE, fn, arg);
    sched_make_runnable(t);
    return t;
}

struct thread *
sched_new_user(const char *name, struct proc *p, const struct arch_regs *regs)
{
    struct thread *t = thread_alloc(name);
    if (!t)
        return NULL;
    t->proc = p;
    arch_ctx_init_user(&t->ctx, t->kstack, SCHED_KSTACK_SIZE, regs);
    return t;
}

void
sched_make_runnable(struct thread *t)
{
    spin_lock(&runq_lock);
    enqueue(t);
    spin_unlock(&runq_lock);
}

void
sched_yield(void)
{
    uint64_t f = arch_irq_save();
    spin_lock(&runq_lock);
    if (current != &idle_thread)
        enqueue(current);
    schedule();
    spin_unlock(&runq_lock);
    arch_irq_restore(f);
}

void
sched_sleep_locked(bool interruptible, uint64_t deadline_ns)
{
    sync_assert_held(&runq_lock);
    ASSERT(current != &idle_thread, "the idle thread never sleeps");
    current->state = THREAD_SLEEPING;
    current->intr_sleep = interruptible;
    current->timed_out = false;
    if (deadline_ns) {
        current->wake_at = deadline_ns;
        struct thread **pp = &timers;
        while (*pp && (*pp)->wake_at <= deadline_ns)
            pp = &(*pp)->timer_next;
        current->timer_next = *pp;
        *pp = current;
    }
    schedule();
    spin_unlock(&runq_lock);
}

void
sched_wakeup(struct thread *t, bool interruptible_only)
{
    spin_lock(&runq_lock);
    if (t->state == THREAD_SLEEPING && (!interruptible_only || t->intr_sleep)) {
        if (t->wake_at)
            timer_remove(t);
        enqueue(t);
        need_resched = true;
    }
    spin_unlock(&runq_lock);
}

void
sched_exit_current(void)
{
    (void)arch_irq_save();
    spin_lock(&runq_lock);
    current->state = THREAD_DEAD;
    if (!current->proc) {
        current->next = dead;
        dead = current;
    }
    schedule();
    panic("a dead thread was scheduled");
}

int
sched_sleep_ns(uint64_t ns)
{
    uint64_t deadline = arch_time_ns() + ns;
    while (arch_time_ns() < deadline) {
        if (proc_signal_pending())
            return -EINTR;
        uint64_t f = arch_irq_save();
        spin_lock(&runq_lock);
        sched_sleep_locked(true, deadline);
        arch_irq_restore(f);
    }
    return 0;
}

/* Timer interrupt, interrupts off. */
void
sched_tick(void)
{
    uint64_t now = arch_time_ns();
    spin_lock(&runq_lock);
    while (timers && timers->wake_at <= now) {
        struct thread *t = timers;
        timers = t->timer_next;
        t->wake_at = 0;
        t->timed_out = true;
        if (t->state == THREAD_SLEEPING)
            enqueue(t);
    }
    if (current == &idle_thread ? runq_head != NULL : --current->slice <= 0)
        need_resched = true;
    spin_unlock(&runq_lock);
}

void
sched_preempt(void)
{
    if (need_resched)
        sched_yield();
}

void
sched_run_idle(void)
{
    for (;;) {
        reap_dead();
        sched_yield();
        /* Interrupts stay off from the check to the halt (arch_idle enables
         * them and halts in one step), so no wakeup or new deadline is missed. */
        (void)arch_irq_save();
        spin_lock(&runq_lock);
        bool idle = !runq_head;
        uint64_t now = arch_time_ns(), wait = 100 * 1000 * 1000ull;
        if (timers)
            wait = timers->wake_at > now ? timers->wake_at - now : 0;
        spin_unlock(&runq_lock);
        if (idle) {
            arch_timer_idle(wait);
            arch_idle();
        } else {
            arch_irq_enable();
        }
    }
}

/* A kernel thread's function returned (arch_thread_start). */
void sched_thread_exit(void);
void
sched_thread_exit(void)
{
    sched_exit_current();
}
