/*
 * Messages a node sends without waiting, from any context: a signal for a
 * process that runs elsewhere (proc_signal on an away entry), a child
 * event for an away parent sleeping in wait4 at its node, and a kill of a
 * group whose home is another node (a tty's ^C). proc_signal never sleeps
 * (it runs under spinlocks and in interrupts), so the message is queued
 * and a kernel thread sends it by RPC (HOME_POST, HOME_KILL). The
 * receiving side of HOME_POST is here too; HOME_KILL's is proc_home.c.
 *
 * Locking: post_lock (spinlock) protects the ring; it is taken after
 * proc_table_lock (proc_signal runs under it) and never held across a call.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/home.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

enum { POST_SIGNAL = 1, POST_CHILD = 2, POST_KILL = 3, POST_REAP = 4, POST_STOPPED = 5,
       POST_CONTINUED = 6, POST_PGID = 7 };

struct post {
    uint8_t kind;
    int node;       /* where it goes */
    int pid;        /* the process (or -pgid for POST_KILL) */
    int arg;        /* the signal */
};

#define POST_RING 256
static struct spinlock post_lock = { .name = "proc.post", .cpu = -1 };
static struct waitq post_wait;
static struct post ring[POST_RING];
static unsigned head, tail;     /* post_lock */
static uint64_t dropped;        /* ring full: counted, reported once */
static uint64_t refused;        /* stale or malformed home messages (every home op) */

void
proc_home_refuse(const char *op, int node, int pid)
{
    uint64_t n = __atomic_add_fetch(&refused, 1, __ATOMIC_SEQ_CST);
    if (n <= 5 || n % 100 == 0)
        kprintf("wisp: home: refused %s from node %d for pid %d (stale or malformed; %lu so far)\n",
                op, node, pid, (unsigned long)n);
}

static void
post(int kind, int node, int pid, int arg)
{
    spin_lock(&post_lock);
    if (head - tail >= POST_RING) {
        if (dropped++ == 0)
            kprintf("wisp: home: post queue full, message to node %d dropped\n", node);
    } else {
        ring[head++ % POST_RING] = (struct post){ (uint8_t)kind, node, pid, arg };
        waitq_wake_one(&post_wait);
    }
    spin_unlock(&post_lock);
}

void
proc_home_post_signal(struct proc *p, int sig)
{
    post(POST_SIGNAL, p->node, p->pid, sig);
}

void
proc_home_post_signal_to(int node, int pid, int sig)
{
    post(POST_SIGNAL, node, pid, sig);
}

/* One message for the parent's node: a child of p exited, stopped or
 * continued (its wait4 sleeps there), and sig (SIGCHLD, or 0 for none) is
 * posted to it. One round trip, not one for the signal and one for the
 * event. */
void
proc_home_post_child(struct proc *p, int sig)
{
    post(POST_CHILD, p->node, p->pid, sig);
}

void
proc_home_post_jobctl(struct proc *p)
{
    if (p->stopped)
        post(POST_STOPPED, p->home, p->pid, p->stop_report);
    else
        post(POST_CONTINUED, p->home, p->pid, 0);
}

void
proc_home_post_pgid(struct proc *p)
{
    post(POST_PGID, p->node, p->pid, p->pgid);
}

void
proc_home_post_reap(struct proc *p)
{
    post(POST_REAP, main_node_id(), p->pid, 0);
}

void
home_post_kill(int home, int target, int sig)
{
    post(POST_KILL, home, target, sig);
}

/* An exited foreign process: free its entry and thread. It switched away
 * for good before this thread could run (it exits with interrupts off). */
static void
reap(int pid)
{
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(pid);
    if (p && p->state == PROC_ZOMBIE && proc_is_foreign(p))
        proc_free_entry(p);
    spin_unlock(&proc_table_lock);
}

static void
send(const struct post *m)
{
    if (m->kind == POST_KILL) {
        struct proc root = { 0 };   /* the tty's signals are the kernel's */
        (void)home_kill_remote(m->node, &root, m->pid, m->arg);
        return;
    }
    if (m->kind == POST_REAP) {
        reap(m->pid);
        return;
    }
    uint8_t req[12];
    struct proc_enc e = { req, 0, sizeof req, 0 };
    proc_put_u32(&e, m->kind);
    proc_put_u32(&e, (uint32_t)m->pid);
    proc_put_u32(&e, (uint32_t)m->arg);
    size_t replen;
    int err = rpc_call(m->node, RPC_OP_HOME_POST, req, e.len, NULL, 0, &replen);
    if (err && err != -ESRCH)
        kprintf("wisp: home: message %d for pid %d not delivered to node %d: error %d\n",
                m->kind, m->pid, m->node, -err);
}

static void
post_thread(void *arg)
{
    for (;;) {
        spin_lock(&post_lock);
        while (head == tail)
            waitq_wait(&post_wait, &post_lock);
        struct post m = ring[tail++ % POST_RING];
        spin_unlock(&post_lock);
        send(&m);
    }
}

void
proc_home_post_start(void)
{
    waitq_init(&post_wait);
    if (!sched_spawn("home-post", post_thread, NULL))
        kprintf("wisp: home: cannot start the posting thread\n");
}

/* At home: the away process pid stopped (wait status) or continued on
 * from_node; its parent learns as if it ran here. */
static int
jobctl_report(int from_node, int pid, bool stopped, int status)
{
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(pid);
    bool ok = p && p->state == PROC_ALIVE && proc_is_away(p) && p->node == from_node;
    if (ok) {
        p->stopped = stopped;
        p->stop_report = stopped ? status : 0;
        p->cont_report = !stopped;
        if (p->parent)
            proc_jobctl_notify_parent(p->parent);
    }
    spin_unlock(&proc_table_lock);
    return ok ? 0 : -ESRCH;
}

/* A child of p (a foreign process running here) changed state at home:
 * post sig (0: none) and wake its wait4, which asks home again. Caller
 * holds proc_table_lock. */
static void
child_news(struct proc *p, int sig)
{
    sync_assert_held(&proc_table_lock);
    if (sig > 0 && sig < NSIG)
        proc_signal(p, sig);
    p->child_seq++;
    waitq_wake_all(&p->child_wait);
}

/* The reply to this node's HOME_EXIT named the exited process's parent,
 * which runs here too: the news home would have posted. */
void
proc_home_child_news(int home, int ppid, int sig)
{
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(ppid);
    if (p && p->state == PROC_ALIVE && proc_is_foreign(p) && p->home == home)
        child_news(p, sig);
    spin_unlock(&proc_table_lock);
}

/* HOME_POST: u32 kind, u32 pid, u32 arg -> empty. A signal or child
 * event (arg: a signal to post with it, or 0) for a process running here, or (at home) a stop or continue of
 * one running elsewhere; -ESRCH when it is gone. */
int
proc_rpc_post(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_dec d = { req, reqlen, 0, 0 };
    uint32_t kind = proc_get_u32(&d);
    int pid = (int)proc_get_u32(&d), arg = (int)proc_get_u32(&d);
    *replen = 0;
    if (!d.err && (kind < POST_SIGNAL || kind > POST_PGID || kind == POST_KILL ||
                   kind == POST_REAP))
        proc_home_refuse("HOME_POST", from_node, pid);
    if (d.err || kind < POST_SIGNAL || kind > POST_PGID || kind == POST_KILL ||
        kind == POST_REAP)
        return -EBADMSG;
    if (kind == POST_STOPPED || kind == POST_CONTINUED)
        return jobctl_report(from_node, pid, kind == POST_STOPPED, arg);
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(pid);
    /* Only its home posts to a foreign process; anything else is stale. */
    bool here = p && p->state == PROC_ALIVE && proc_is_foreign(p) && p->home == from_node;
    if (here && kind == POST_SIGNAL)
        proc_signal(p, arg);
    if (here && kind == POST_PGID)
        p->pgid = arg;
    if (here && kind == POST_CHILD)
        child_news(p, arg);
    spin_unlock(&proc_table_lock);
    if (!here)
        proc_home_refuse("HOME_POST", from_node, pid);
    return here ? 0 : -ESRCH;
}
