/*
 * The home table's service (DESIGN.md 4, docs/home.md): the RPC ops a
 * node answers for the processes it is home to -- an away process exited
 * (HOME_EXIT), a foreign process forked (HOME_FORK: the child's pid is
 * made here), a kill routed to the home of its target (HOME_KILL), a
 * process moved (HOME_MOVED) -- plus the hooks migration uses
 * (home_adopt_begin ...) and Sprite's failure rule (a node down: its away
 * processes are reaped here, foreign processes of its home are ended).
 * The calling side of these ops is proc_fwd.c; posting is proc_home_post.c;
 * remote exec is proc_home_rexec.c; the cluster-wide list proc_home_list.c.
 */
#include "fs/fs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/home.h"
#include "kernel/proc_int.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

void proc_home_post_start(void);

/* The away entry for pid that runs on node, or NULL (stale message).
 * Caller holds proc_table_lock. */
static struct proc *
away_on(int pid, int node)
{
    struct proc *p = proc_by_pid(pid);
    return p && p->state == PROC_ALIVE && proc_is_away(p) && p->node == node ? p : NULL;
}

/* HOME_EXIT: u32 pid, u32 wait status, u64 cpu ns, u64 maxrss KiB, u32 n,
 * n x u64 export id -> u32 parent pid. The ids are references from_node held on
 * this node's exports (the process's streams that stayed here, closed by
 * its exit): dropped first, whatever becomes of the rest, so that a reader
 * of a pipe it wrote sees the end before its parent sees it exit. The
 * reply names the parent when it runs on from_node too (0 otherwise):
 * from_node posts it SIGCHLD and wakes its wait4 itself, which saves home
 * a message there (a fork loop away from home: docs/home.md). */
int
proc_rpc_exit(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_dec d = { req, reqlen, 0, 0 };
    int pid = (int)proc_get_u32(&d), status = (int)proc_get_u32(&d);
    uint64_t cpu = proc_get_u64(&d), rss = proc_get_u64(&d);
    uint32_t n = proc_get_u32(&d);
    uint64_t ids[PROC_EXIT_DROPS];
    for (uint32_t i = 0; i < n && i < PROC_EXIT_DROPS; i++)
        ids[i] = proc_get_u64(&d);
    size_t cap = *replen;
    *replen = 0;
    if (d.err || n > PROC_EXIT_DROPS || d.off != reqlen || cap < 4)
        return -EBADMSG;
    fs_export_drop_refs(from_node, ids, (int)n);
    spin_lock(&proc_table_lock);
    struct proc *p = away_on(pid, from_node);
    bool leader = p && proc_is_session_leader(p);
    spin_unlock(&proc_table_lock);
    if (!p) {
        proc_home_refuse("HOME_EXIT", from_node, pid);
        return -ESRCH;
    }
    if (leader)
        proc_session_end(p);
    int ppid = 0;
    spin_lock(&proc_table_lock);
    if (away_on(pid, from_node) == p) {
        p->exit_cpu_ns = cpu;
        p->maxrss_kb = rss;
        ppid = proc_zombify_near(p, status, from_node);
    }
    spin_unlock(&proc_table_lock);
    struct proc_enc e = { rep, 0, 4, 0 };
    proc_put_u32(&e, (uint32_t)ppid);
    *replen = e.len;
    return 0;
}

/* HOME_FORK: u32 parent pid -> u32 child pid: a foreign process forks; its
 * child gets an away entry here, a child of the parent's. */
int
proc_rpc_fork(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_dec d = { req, reqlen, 0, 0 };
    int ppid = (int)proc_get_u32(&d);
    if (d.err || *replen < 4)
        return -EBADMSG;
    spin_lock(&proc_table_lock);
    struct proc *pp = away_on(ppid, from_node);
    spin_unlock(&proc_table_lock);
    if (!pp) {
        proc_home_refuse("HOME_FORK", from_node, ppid);
        return -ESRCH;
    }
    struct proc *c = proc_alloc_away(pp, from_node);
    if (!c)
        return -EAGAIN;
    struct proc_enc e = { rep, 0, 4, 0 };
    proc_put_u32(&e, (uint32_t)c->pid);
    *replen = e.len;
    return 0;
}

/* HOME_KILL: u32 uid, u32 euid, u32 target, u32 sig -> empty. */
int
proc_rpc_kill(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_dec d = { req, reqlen, 0, 0 };
    struct proc sender = { 0 };
    sender.uid = proc_get_u32(&d);
    sender.euid = proc_get_u32(&d);
    int target = (int)proc_get_u32(&d), sig = (int)proc_get_u32(&d);
    *replen = 0;
    if (d.err || target == 0 || target == -1)
        return -EBADMSG;
    return (int)proc_kill_core(&sender, target, sig);
}

long
home_kill_remote(int home, const struct proc *sender, int target, int sig)
{
    uint8_t req[16];
    struct proc_enc e = { req, 0, sizeof req, 0 };
    proc_put_u32(&e, sender->uid);
    proc_put_u32(&e, sender->euid);
    proc_put_u32(&e, (uint32_t)target);
    proc_put_u32(&e, (uint32_t)sig);
    size_t replen;
    int err = rpc_call(home, RPC_OP_HOME_KILL, req, e.len, NULL, 0, &replen);
    /* The home of a pid is gone: so is the process. */
    return err == -ETIMEDOUT || err == -EHOSTDOWN || err == -EINVAL ? -ESRCH : err;
}

/* ---- migration's hooks (kernel/home.h) ---- */

struct proc *
home_adopt_begin(int pid, int from_node)
{
    if ((pid >> PROC_NODE_SHIFT) == main_node_id()) {
        spin_lock(&proc_table_lock);
        struct proc *p = away_on(pid, from_node);
        spin_unlock(&proc_table_lock);
        return p;   /* it comes home into its own entry */
    }
    return proc_alloc_foreign(pid);
}

void
home_adopt_abort(struct proc *p)
{
    if (!proc_is_foreign(p))
        return;     /* the away entry stays away */
    spin_lock(&proc_table_lock);
    proc_free_entry(p);
    spin_unlock(&proc_table_lock);
}

/* The commit record: pid (ours) now runs on to_node. Only the node it
 * runs on now (from_node) may say so. */
static int
moved_here(int pid, int from_node, int to_node)
{
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(pid);
    bool ok = p && p->state == PROC_ALIVE && !proc_is_foreign(p) && p->node == from_node;
    if (ok)
        p->node = to_node;
    spin_unlock(&proc_table_lock);
    return ok ? 0 : -ESRCH;
}

/* HOME_MOVED: u32 pid, u32 node -> empty: the commit record of a migration. */
int
proc_rpc_moved(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_dec d = { req, reqlen, 0, 0 };
    int pid = (int)proc_get_u32(&d), node = (int)proc_get_u32(&d);
    *replen = 0;
    if (d.err || (pid >> PROC_NODE_SHIFT) != main_node_id())
        return -EBADMSG;
    return moved_here(pid, from_node, node);
}

int
home_moved(int pid, int to_node)
{
    int home = pid >> PROC_NODE_SHIFT;
    if (home == main_node_id())
        return moved_here(pid, main_node_id(), to_node);
    uint8_t req[8];
    struct proc_enc e = { req, 0, sizeof req, 0 };
    proc_put_u32(&e, (uint32_t)pid);
    proc_put_u32(&e, (uint32_t)to_node);
    size_t replen;
    return rpc_call(home, RPC_OP_HOME_MOVED, req, e.len, NULL, 0, &replen);
}

void
home_depart(struct proc *p)
{
    spin_lock(&proc_table_lock);
    if (proc_is_foreign(p)) {
        p->state = PROC_FREE;
    } else {
        p->thread = NULL;   /* the migration code frees it with the vm and fs */
        p->vm = NULL;
        p->fs = NULL;
        if (p->lost_departing && p->state == PROC_ALIVE) {
            /* node_down found it still held by this thread: reap it now. */
            p->lost_departing = false;
            kprintf("wisp: process %d (%s) lost: node %d went down\n", p->pid, p->name, p->node);
            proc_zombify(p, SIGKILL);
        }
    }
    spin_unlock(&proc_table_lock);
}

/* ---- failure (Sprite's rule, DESIGN.md 4) ---- */

/* Node went down (or rebooted): the processes it ran for us are lost, and
 * ours that it was home to end. */
static void
node_down(void *arg, int node, int event, uint32_t boot_id)
{
    if (event != RECOV_EVENT_DOWN || node == main_node_id())
        return;
    spin_lock(&proc_table_lock);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state != PROC_ALIVE)
            continue;
        if (proc_is_away(p) && p->node == node && p->thread) {
            /* Committed to the dead node, but the migration's source
             * thread still holds the entry: home_depart reaps it (the
             * thread must not be freed under it by a waiting parent). */
            p->lost_departing = true;
        } else if (proc_is_away(p) && p->node == node) {
            kprintf("wisp: process %d (%s) lost: node %d went down\n", p->pid, p->name, node);
            proc_zombify(p, SIGKILL);
        } else if (proc_is_foreign(p) && p->home == node) {
            kprintf("wisp: process %d (%s) ended: its home node %d went down\n", p->pid,
                    p->name, node);
            proc_signal(p, SIGKILL);
        }
    }
    spin_unlock(&proc_table_lock);
}

void
home_init(void)
{
    proc_home_post_start();
    if (recov_register(node_down, NULL))
        kprintf("wisp: home: no recov slot: node failures will not reap processes\n");
}
