/*
 * The process structure and table, shared by the proc_*.c files only.
 */
#pragma once
#include "kernel/proc.h"
#include "kernel/sync.h"
#include "arch_types.h"

struct thread;
struct vm;

enum proc_state { PROC_FREE, PROC_ALIVE, PROC_ZOMBIE };

#define PROC_EXE_MAX 256
#define PROC_RLIMIT_N 16
struct proc_rlimit {
    uint64_t cur, max;             /* PROC_RLIM_INFINITY: none */
};
#define PROC_RLIM_INFINITY (~0ull)

struct k_sigaction {
    uint64_t handler;   /* SIG_DFL 0, SIG_IGN 1, or a user address */
    uint64_t flags;
    uint64_t restorer;
    uint64_t mask;
};

#define SIG_DFL 0
#define SIG_IGN 1
#define SA_NOCLDSTOP 0x00000001
#define SA_SIGINFO  0x00000004
#define SA_RESTORER 0x04000000
#define SA_RESTART  0x10000000
#define SA_NODEFER  0x40000000
#define SA_RESETHAND 0x80000000u
#define SIGBIT(s) (1ull << ((s) - 1))
/* The signals no mask blocks. */
#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

struct proc {
    /* Protected by proc_table_lock: */
    enum proc_state state;
    int pid;
    int pgid;
    int sid;
    struct proc *parent;
    int exit_status;               /* wait status, valid when ZOMBIE */
    struct waitq child_wait;       /* the parent sleeps here in wait4 */
    bool did_exec;                 /* setpgid by the parent: EACCES once set */
    bool ctty_dropped;             /* TIOCNOTTY: no controlling tty though in its session */
    int stop_report;               /* wait status 0x7f|sig<<8 the parent has yet to see */

    /* Owned by the process's own thread (set before it first runs): */
    int slot;
    int gen;
    struct thread *thread;
    struct vm *vm;
    struct fs_ctx *fs;
    char name[PROC_NAME_MAX];
    char cmdline[PROC_CMDLINE_MAX];
    char exe[PROC_EXE_MAX];        /* the program's absolute path ("" unknown); proc_table_lock */
    int cmdline_len;
    uint64_t start_ns;
    uint64_t clear_child_tid;
    int home;                      /* home node (DESIGN.md 4) */

    /* Signals: pending is set atomically from any context; the rest is
     * changed only by the process itself. */
    volatile uint64_t sig_pending;
    uint64_t sig_blocked;
    uint64_t sig_saved;            /* sigsuspend: the mask to restore ... */
    bool sig_saved_valid;          /* ... when its signal has been handled */
    struct k_sigaction sigact[NSIG];

    /* Resource limits and usage (proc_rlimit.c, proc_rusage.c). rlim[r] is
     * in force when bit r of rlim_set is set, else the default; both are
     * copied at fork. Under proc_table_lock: */
    struct proc_rlimit rlim[PROC_RLIMIT_N];
    uint32_t rlim_set;
    uint64_t exit_cpu_ns;          /* own CPU time, fixed at exit */
    uint64_t maxrss_kb;            /* largest resident size seen */
    uint64_t child_cpu_ns;         /* of waited-for children and theirs */
    uint64_t child_maxrss_kb;

    /* Job-control stop (proc_jobctl.c): changed atomically from any context. */
    volatile int stopped;          /* stopped by a signal; SIGCONT or SIGKILL ends it */
    volatile int cont_report;      /* continued: wait4(WCONTINUED) has yet to see it */
    volatile int cont_notify;      /* continued: the parent is yet to get SIGCHLD */
    volatile uint32_t cont_seq;    /* counts SIGCONTs, so a stop racing one is dropped */

    /* Migration (kernel/migrate.h, kernel/proc_migrate.c): a request set
     * atomically by the requester and taken by the process on its way to
     * user mode; the deadline of its nanosleep, and the time left of one a
     * migration interrupted (carried to the target, used by the restart). */
    struct mig_ctx *volatile mig;
    uint64_t sleep_deadline;
    uint64_t sleep_left;
    bool sleep_left_valid;
};

extern struct spinlock proc_table_lock;
extern struct proc proc_table[PROC_MAX];

struct proc *proc_alloc(void);    /* a fresh ALIVE entry with a new pid, or NULL */
struct proc *proc_by_pid(int pid); /* caller holds proc_table_lock */
/* Terminate the current process with a wait status; never returns. */
NORETURN void proc_exit(int wait_status);
/* Resource limits and usage (proc_rlimit.c, proc_rusage.c): copy the
 * limits to a forked child; record p's own usage before its memory goes
 * (proc_exit); add a zombie's usage to its parent's children's totals and
 * fill the 144-byte Linux struct rusage *ru with it (wait4). The last two
 * take proc_table_lock held; proc_rusage_exit takes it itself. */
void proc_rlimit_fork(struct proc *child, const struct proc *parent);
void proc_rusage_exit(struct proc *p);
void proc_rusage_reap(struct proc *parent, struct proc *zombie, void *ru);
/* Record the absolute path of the program p now runs (exec). */
void proc_exe_set(struct proc *p, const char *path);
#define PROC_RUSAGE_SIZE 144
#define PROC_NR_RT_SIGSUSPEND 130
/* Calls never restarted after a handler, whatever SA_RESTART says:
 * rt_sigsuspend, poll, select, pselect6, ppoll (proc_sigmask.c). */
bool proc_nr_never_restarts(uint64_t nr);
/* Deliver pending signals before the return to user mode. */
void proc_signal_deliver(struct arch_regs *r);

/* proc_jobctl.c: stop and continue, orphaned process groups. */
/* Stop the current process for sig (its default action), tell the parent,
 * and sleep until SIGCONT or SIGKILL. seq is cont_seq read before sig was
 * dequeued: a SIGCONT since then cancels the stop. */
void proc_jobctl_stop(int sig, uint32_t seq);
/* SIGCONT's effects when posted (any context): continue a stopped process. */
void proc_jobctl_continue(struct proc *p);
/* Tell the parent of the current process that it was continued, if it has
 * not been told. Caller holds no lock. */
void proc_jobctl_notify_cont(void);
/* A group none of whose members has a parent in another group of the same
 * session (POSIX "orphaned process group"). Caller holds proc_table_lock. */
bool proc_pgrp_orphaned_locked(int pgid, const struct proc *ignore);
/* p is exiting: send SIGHUP and SIGCONT to the groups its exit orphans
 * when they have stopped members. Caller holds proc_table_lock. */
void proc_jobctl_exit(struct proc *p);

/* Load an ELF image into a new address space for p and set *regs; argv and
 * envp are kernel copies. 0 or -errno; p is untouched on failure. */
int proc_exec_image(struct proc *p, const char *path, char *const argv[], int argc,
                    char *const envp[], int envc, struct arch_regs *regs);
