/*
 * Processes: the process table, ids, parentage, signals and exit/wait.
 * A pid is global (DESIGN.md 4): home node in bits 20..30, and below it a
 * local id (generation * PROC_MAX + slot). Each process has one thread for
 * now. This header is what other modules may use; the table itself and the
 * process structure's private fields are in kernel/proc_int.h.
 */
#pragma once
#include "kernel/compiler.h"

struct proc;
struct fs_ctx;
struct vm;

#define PROC_MAX        256
#define PROC_NODE_SHIFT 20
#define PROC_NAME_MAX   16
#define PROC_CMDLINE_MAX 128

/* Signal numbers: Linux x86_64. */
#define SIGHUP   1
#define SIGINT   2
#define SIGQUIT  3
#define SIGILL   4
#define SIGTRAP  5
#define SIGABRT  6
#define SIGBUS   7
#define SIGFPE   8
#define SIGKILL  9
#define SIGUSR1 10
#define SIGSEGV 11
#define SIGUSR2 12
#define SIGPIPE 13
#define SIGALRM 14
#define SIGTERM 15
#define SIGCHLD 17
#define SIGCONT 18
#define SIGSTOP 19
#define SIGTSTP 20
#define SIGTTIN 21
#define SIGTTOU 22
#define SIGWINCH 28
#define NSIG    65   /* signals 1..64 */

/* The running process; NULL in a kernel thread. */
struct proc *proc_current(void);
/* The current process's effective uid and gid and up to max supplementary
 * groups, for file access (root for a kernel thread); returns how many
 * groups were copied. */
int proc_cur_fscred(uint32_t *uid, uint32_t *gid, uint32_t *groups, int max);
int proc_pid(const struct proc *p);
int proc_pgid(const struct proc *p);
/* The process's name (its program's base name). No lock: read it only for
 * the current process, or for a report. */
const char *proc_name(const struct proc *p);
/* p's session id. */
int proc_sid(const struct proc *p);
/* The process's address space (kernel/vm.h). */
struct vm *proc_vm(const struct proc *p);
/* The process's file-system context (fds, cwd); owned by fs/. */
struct fs_ctx *proc_fs(const struct proc *p);
/* Replace p's context (migration's STREAMS row, fs/fs_mig.c); returns the old one. */
struct fs_ctx *proc_fs_swap(struct proc *p, struct fs_ctx *c);

/* Post a signal. Never sleeps; callable with spinlocks held and from
 * interrupt handlers (a tty's ^C). */
void proc_signal(struct proc *p, int sig);
/* Post sig to every process in process group pgid. Returns 0 or -ESRCH. */
int proc_signal_pgrp(int pgid, int sig);
/* True if the current process has a signal that would interrupt a sleep. */
bool proc_signal_pending(void);
/* ppoll and pselect6 (kernel/proc_sigmask.c): replace the signal mask
 * with the sigset at umask (sigsetsize bytes; umask 0: keep the mask) for
 * the rest of the call; -EINVAL (size not 8), -EFAULT. Then
 * proc_sigmask_leave(ret) puts the old mask back at once unless the call
 * returns -EINTR, in which case it comes back after the handler, as
 * Linux's restore_saved_sigmask_unless does. */
int proc_sigmask_enter(uint64_t umask, uint64_t sigsetsize);
void proc_sigmask_leave(long ret);

/*
 * Job control, for the tty (the rest is in kernel/proc_jobctl.c). Each
 * takes proc.table, so callers hold no fs lock. A tty is the controlling
 * tty of the processes of one session (fs/fs_tty.c keeps which).
 */
/* The session whose controlling tty p may use: its own, or 0 after p gave
 * it up with TIOCNOTTY. */
int proc_ctty_sid(const struct proc *p);
/* True if p leads its session. */
bool proc_is_session_leader(const struct proc *p);
/* 0 if process group pgid has a member in session sid, -ESRCH if the group
 * has no member, -EPERM if it belongs to another session. */
int proc_pgrp_check(int pgid, int sid);
/* True if group pgid is orphaned: no member has a parent in another group
 * of the same session (POSIX), so no shell will continue it. */
bool proc_pgrp_is_orphaned(int pgid);
/* True if p blocks sig or has it set to SIG_IGN. */
bool proc_signal_is_blocked_or_ignored(const struct proc *p, int sig);
/* TIOCNOTTY by a process that does not lead its session: p alone gives up
 * its controlling tty. */
void proc_drop_ctty(struct proc *p);

/* A consistent copy of one process-table entry, for ps and /proc. */
struct proc_info {
    int pid;
    int ppid;
    int pgid;
    int sid;          /* session */
    int home;         /* home node */
    int node;         /* node it runs on now */
    char state;       /* R running/runnable, S sleeping, T stopped, Z zombie */
    char name[PROC_NAME_MAX];
    char cmdline[PROC_CMDLINE_MAX]; /* argv joined by NULs, cmdline_len bytes */
    int cmdline_len;
    uint64_t start_ns; /* monotonic time of birth */
    uint64_t cpu_ns;   /* CPU time consumed */
    uint64_t vm_bytes; /* bytes of user address space mapped */
    uint32_t uid;      /* real user id */
    bool away;         /* runs on another node (node): this is its home's entry */
};
/* Fill out[0..max) with the live processes in pid order; returns how many. */
int proc_list(struct proc_info *out, int max);
/* How many live processes (and zombies) have this pid and this process
 * group; 0 or less for either means any. */
int proc_count(int pid, int pgid);
/* p is this node's init (pid 1 of the node): never killed by the OOM
 * path, immune to signals it does not handle, skipped by kill(-1). */
bool proc_is_init(const struct proc *p);
/* Fill *out for pid; 0 or -ESRCH. */
int proc_info_get(int pid, struct proc_info *out);

/* The absolute path of pid's program, for /proc/PID/exe, into buf[0..n)
 * (not NUL-terminated, like readlink). Returns its length (truncated to
 * n), -ESRCH, or -ENOENT when it is not known (a process that has not
 * exec'd). */
long proc_exe_path(int pid, char *buf, size_t n);
/* This node's id (node= on the command line). */
int proc_node_self(void);
