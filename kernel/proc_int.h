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
#define PROC_NGROUPS_MAX 32
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
    int node;                      /* node it runs on now: this one, except for an
                                      away entry (docs/home.md); proc_table_lock */
    bool lost_departing;           /* its new node went down while the migration's
                                      source thread still held it: reaped by
                                      home_depart; proc_table_lock */
    uint32_t child_seq;            /* foreign: child events from home (wait4 sleeps
                                      until it changes); proc_table_lock */
    int fork_pid;                  /* foreign: the child it forked last, which had
                                      no news while child_seq == fork_seq, so a
                                      wait4 for it sleeps before asking home;
                                      proc_table_lock */
    uint32_t fork_seq;

    /* Credentials (proc_cred.c): changed at home, copied to where the
     * process runs; proc_table_lock. */
    uint32_t uid, euid, suid;
    uint32_t gid, egid, sgid;
    int ngroups;
    uint32_t groups[PROC_NGROUPS_MAX];

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

    /* ITIMER_REAL (proc_timer.c), under proc_table_lock: the monotonic ns
     * of the next SIGALRM (0: disarmed) and the reload interval (0: none). */
    uint64_t itimer_at;
    uint64_t itimer_interval;
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
/* Record the absolute path of the program p now runs (exec): known when
 * exec had it (fs_exec_open), else path resolved (fs_realpath). */
void proc_exe_set(struct proc *p, const char *path, const char *known);
/* p's name (path's last component) and command line (argv, each string
 * NUL-ended, cut at PROC_CMDLINE_MAX). Takes no lock. */
void proc_name_set(struct proc *p, const char *path, char *const argv[], int argc);
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

/* ---- Home nodes (docs/home.md): proc_home*.c, proc_fwd.c, proc_cred.c ---- */

/* A foreign entry for pid (born on another node): a fresh ALIVE entry in
 * any free slot, with no parent; NULL when the table is full or pid is
 * already here. */
struct proc *proc_alloc_foreign(int pid);
/* An away entry for a child of parent that runs on node: a fresh ALIVE
 * entry with a new pid of this node, no thread; NULL when full. Caller
 * holds no lock. */
struct proc *proc_alloc_away(struct proc *parent, int node);
/* Release an entry that never ran (its thread, vm and fs are not set or
 * already freed). Caller holds proc_table_lock. */
void proc_free_entry(struct proc *p);
/* The exit of p, done at home: a zombie with wait status, usage added,
 * children given to init, the parent told. Caller holds proc_table_lock. */
void proc_zombify(struct proc *p, int wait_status);
/* The same for an exit that node reports (HOME_EXIT): a parent that runs
 * away on that node is not posted to; its pid is returned instead (0:
 * nothing left to tell), and the report's reply carries it there. */
int proc_zombify_near(struct proc *p, int wait_status, int node);
/* wait4's core with an explicit self, never sleeping: the child's pid with
 * *status and ru filled, 0 (nothing yet), -ECHILD or -EINVAL. Caller holds
 * no lock. */
long proc_wait_core(struct proc *self, int pid, int options, int *status, uint8_t *ru);
/* kill's core at the home of the target (pid > 0 or a group < -1), with
 * the sender's credentials; 0, -ESRCH, -EPERM, -EINVAL. Caller holds no lock. */
long proc_kill_core(const struct proc *sender, int pid, int sig);
/* Credentials: copied at fork, and checked by kill. Caller holds proc_table_lock. */
void proc_cred_copy(struct proc *to, const struct proc *from);
bool proc_cred_may_signal(const struct proc *sender, const struct proc *target);
/* The credential calls' core (proc_cred.c) for nr (setuid ... setgroups)
 * on self: 0 or -errno. list: setgroups' n gids. Caller holds proc_table_lock. */
long proc_cred_set(struct proc *self, int nr, uint64_t a, uint64_t b, uint64_t c,
                   const uint32_t *list, int n);
/* A foreign process asks home for a child pid (fork): the pid, or -errno.
 * Sleeps. */
int proc_fwd_fork_pid(struct proc *self);
/* A foreign process exits: tell home its status and usage, and give back
 * its references on home's exports ids[0..n) (fs_ctx_exit_drops). Sleeps. */
#define PROC_EXIT_DROPS 16
void proc_fwd_exit(struct proc *self, int wait_status, const uint64_t *ids, int n);
/* Queue sig for the away entry p (posted at p->node by a kernel thread):
 * never sleeps, any context. */
void proc_home_post_signal(struct proc *p, int sig);
/* The same for pid on node (a migration's late signals, proc_migrate.c). */
void proc_home_post_signal_to(int node, int pid, int sig);
/* Queue the release of the exited foreign entry p (its thread's stack is
 * freed by the posting thread, as a parent frees a reaped child's). */
void proc_home_post_reap(struct proc *p);
/* Queue the stop (p->stopped, p->stop_report) or continue of the foreign
 * process p for its home, which tells the parent. Caller holds proc_table_lock. */
void proc_home_post_jobctl(struct proc *p);
/* A child of par stopped or continued: SIGCHLD (unless SA_NOCLDSTOP) and a
 * wakeup, at par's node if it is away. Caller holds proc_table_lock. */
void proc_jobctl_notify_parent(struct proc *par);
/* Queue p's new pgid for the node the away process p runs on (setpgid by
 * its parent at home). Caller holds proc_table_lock. */
void proc_home_post_pgid(struct proc *p);
/* Queue a child event for the away parent p (wakes its wait4 at p->node)
 * with sig (SIGCHLD, or 0) posted to it: one message. */
void proc_home_post_child(struct proc *p, int sig);
/* A HOME_EXIT's reply named ppid, a process running here whose home is
 * home: post sig (0: none) and wake its wait4. Caller holds no lock. */
void proc_home_child_news(int home, int ppid, int sig);
/* The session leader p ends: let go of its tty and hang up the group in
 * front (proc.c). Caller holds no lock. */
void proc_session_end(struct proc *p);

/* Cores of the calls forwarded home, with an explicit self (the shadow at
 * home): the local sys_X is a thin wrapper over each. Caller holds no lock. */
long proc_setpgid_core(struct proc *self, int pid, int pgid);
long proc_getid_core(struct proc *self, int pid, bool sid);
long proc_setsid_core(struct proc *self);
void proc_rusage_children(struct proc *self, void *ru);
long proc_rlimit_core(struct proc *self, int pid, unsigned r, const struct proc_rlimit *new,
                      struct proc_rlimit *old);
void proc_fwd_exit_pid(int pid, int wait_status, uint64_t cpu_ns, uint64_t maxrss_kb,
                       const uint64_t *ids, int n);

/* Count a home message refused as stale or malformed, and say so (the
 * first few, then every hundredth). Any context. */
void proc_home_refuse(const char *op, int node, int pid);

/* Explicit encoding of the home ops' messages (proc_wire.c), big-endian;
 * errors are sticky: a short buffer or bad length gives -EBADMSG. */
struct proc_enc {
    uint8_t *buf;
    size_t len, cap;
    int err;
};
struct proc_dec {
    const uint8_t *buf;
    size_t len, off;
    int err;
};
void proc_put_u32(struct proc_enc *e, uint32_t v);
void proc_put_u64(struct proc_enc *e, uint64_t v);
void proc_put_bytes(struct proc_enc *e, const void *p, size_t n);
void proc_put_str(struct proc_enc *e, const char *s);
uint32_t proc_get_u32(struct proc_dec *d);
uint64_t proc_get_u64(struct proc_dec *d);
void proc_get_bytes(struct proc_dec *d, void *p, size_t n);
/* A string into out[0..cap) (NUL-terminated); -EBADMSG if it does not fit. */
void proc_get_str(struct proc_dec *d, char *out, size_t cap);
