/*
 * Threads and the scheduler: one FIFO run queue, round-robin with a time
 * slice, preemption from the timer, sleep/wakeup (the wait queues of
 * kernel/sync.h sleep through here), timed sleeps. Per-CPU state (the
 * current thread, need-resched) is kept in one struct so SMP can come later.
 */
#pragma once
#include "kernel/compiler.h"
#include "arch_types.h"

struct proc;

enum thread_state { THREAD_RUNNABLE, THREAD_RUNNING, THREAD_SLEEPING, THREAD_DEAD };

#define SCHED_KSTACK_SIZE (16 * 1024)
#define SCHED_SLICE_TICKS 10

struct thread {
    struct arch_ctx ctx;          /* only touched by the switch */
    void *kstack;                 /* SCHED_KSTACK_SIZE bytes */
    const char *name;
    struct proc *proc;            /* NULL for kernel threads */
    uint64_t pt_root;             /* page tables to run on; 0: any (kernel thread) */

    /* Protected by sched.runq: */
    enum thread_state state;
    struct thread *next;          /* run queue / dead list */
    bool intr_sleep;              /* a signal may wake this sleep */
    uint64_t wake_at;             /* ns deadline of a timed sleep, 0 if none */
    struct thread *timer_next;
    bool timed_out;
    int slice;
    uint64_t run_start;           /* ns when it last started running */
    uint64_t cpu_ns;
};

void sched_init(void);
/* The running thread. */
struct thread *sched_current(void);
/* A new kernel thread running fn(arg), made runnable. NULL when out of memory. */
struct thread *sched_spawn(const char *name, void (*fn)(void *), void *arg);
/* A thread that will return to user mode with regs; not yet runnable. */
struct thread *sched_new_user(const char *name, struct proc *p, const struct arch_regs *regs);
void sched_make_runnable(struct thread *t);
void sched_yield(void);
/* Sleep the current thread. Caller holds the run-queue lock through
 * sched_lock() with interrupts off; returns with it released. */
void sched_lock(void);
void sched_unlock(void);
void sched_sleep_locked(bool interruptible, uint64_t deadline_ns);
/* Wake t if it sleeps (interruptible_only: only an interruptible sleep). */
void sched_wakeup(struct thread *t, bool interruptible_only);
/* Exit the current thread for good; its stack is freed by sched_reap(). */
NORETURN void sched_exit_current(void);
/* Free a dead thread's stack and struct. */
void sched_free(struct thread *t);
/* Sleep for ns nanoseconds, interruptibly; -EINTR if a signal came first. */
MUST_CHECK int sched_sleep_ns(uint64_t ns);
void sched_tick(void);
void sched_preempt(void);
/* ns the CPU has spent in the idle thread since boot (halted or about
 * to): the difference of two readings is the idle time between them. */
uint64_t sched_idle_ns(void);
/* Run the scheduler on the boot thread: it becomes the idle thread. */
NORETURN void sched_run_idle(void);
