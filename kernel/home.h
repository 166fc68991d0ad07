/*
 * Home nodes (DESIGN.md 4, docs/home.md): every process has a home, the
 * node of its pid's high bits, whose table keeps an entry for it wherever
 * it runs. An "away" entry (a shadow) is a process born here that runs on
 * another node: no thread, memory or files, but its parentage, groups,
 * credentials, exit status and where it runs. A "foreign" entry is a
 * process running here whose home is another node. This is the interface
 * the migration and remote-exec code use; the table is kernel/proc.c and
 * the home ops are kernel/proc_home*.c.
 */
#pragma once
#include "kernel/compiler.h"

struct proc;
struct mig_buf;
struct mig_cur;
struct mig_ctx;

/* Start the home service: the posting thread and the recov callback.
 * Call once after rpc_init. */
void home_init(void);

/* p runs here but its home is another node. No lock needed. */
bool proc_is_foreign(const struct proc *p);
/* p is this node's entry for a process running on another node. */
bool proc_is_away(const struct proc *p);

/* Run HOME row nr of the current (foreign) process at its home
 * (proc_fwd.c). Sets *done when it did; otherwise the call runs locally
 * (exit, fork and kill have their own routes). Sleeps. */
long proc_fwd_syscall(unsigned nr, const uint64_t *a, bool *done);

/* Migration target: a new entry for pid arriving from from_node, not yet
 * runnable (no thread) -- or the existing away entry when the process
 * comes home. NULL when the table is full, pid is already running here,
 * or pid's home does not list it. Caller holds no lock. */
struct proc *home_adopt_begin(int pid, int from_node);
/* Drop what home_adopt_begin made (the away entry stays away). */
void home_adopt_abort(struct proc *p);
/* The commit record: tell pid's home that pid now runs on to_node (a
 * local update when home is this node). 0, -ESRCH (home has no such
 * process), -ETIMEDOUT/-EHOSTDOWN (home unreachable). Sleeps. */
MUST_CHECK int home_moved(int pid, int to_node);
/* Migration source, after commit: release p's local entry. If this node
 * is p's home the entry becomes an away entry (its thread, vm and fs are
 * already gone); otherwise it is freed. Caller holds no lock. */
void home_depart(struct proc *p);

/* The PROC row of the encapsulation table: identity (name, cmdline, exe,
 * credentials, rlimits, pgid/sid copies, start time). 0 or -errno
 * (-EBADMSG for a malformed buffer). */
int proc_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m);
int proc_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m);

/* Remote exec's home side: make the away entry (child of parent) and
 * start path with argv/envp on node. The child's pid, or -errno. Sleeps. */
int home_spawn_remote(struct proc *parent, int node, const char *path, char *const argv[],
                      int argc, char *const envp[], int envc);

/* kill(target, sig) by sender, sent to home (the node that holds pid or
 * group -target). 0, -ESRCH, -EPERM, or an RPC error. Sleeps. */
long home_kill_remote(int home, const struct proc *sender, int target, int sig);
/* The same from any context (a tty's ^C), as root: queued, never sleeps. */
void home_post_kill(int home, int target, int sig);
