/*
 * Calls forwarded home (DESIGN.md 4, docs/home.md): the dispatcher
 * (kernel/syscall.c) hands a HOME row of a foreign process to
 * proc_fwd_syscall, which sends it to the process's home (HOME_FWD); home
 * runs the same core the local call uses, with its shadow entry as self,
 * and replies with the result, any bytes to copy out, and the shadow's
 * process group, session and credentials, so the local copies stay in
 * step. wait4 asks home without sleeping there and sleeps here until home
 * posts a child event (proc_home_post.c) or a signal comes. exit and fork
 * have their own ops (HOME_EXIT, HOME_FORK; served in proc_home.c), and
 * kill is routed by its target (proc_kill.c), so they run locally.
 */
#include "fs/fs.h"
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

enum {
    NR_WAIT4 = 61, NR_GETRUSAGE = 98, NR_SETUID = 105, NR_SETGID = 106, NR_SETPGID = 109,
    NR_GETPPID = 110, NR_GETPGRP = 111, NR_SETSID = 112, NR_SETREUID = 113,
    NR_SETREGID = 114, NR_SETGROUPS = 116, NR_SETRESUID = 117, NR_SETRESGID = 119,
    NR_GETPGID = 121, NR_GETSID = 124, NR_GETPRIO = 140, NR_SETPRIO = 141,
    NR_IOPRIO_SET = 251, NR_IOPRIO_GET = 252, NR_PRLIMIT = 302,
};
#define RUSAGE_CHILDREN (-1)
#define FWD_IO_MAX 256          /* bytes in or out of one forwarded call */
#define WNOHANG 1

/* One forwarded call's buffers. */
struct fwd {
    uint64_t a[6];
    uint8_t in[FWD_IO_MAX];
    size_t inlen;
    uint8_t out[FWD_IO_MAX];
    size_t outlen;
};

/* The shadow's ids, as every HOME_FWD reply carries them (proc_fwd_srv.c). */
static void
get_ids(struct proc_dec *d, struct proc *p)
{
    struct proc t = { 0 };
    t.pgid = (int)proc_get_u32(d);
    t.sid = (int)proc_get_u32(d);
    t.uid = proc_get_u32(d), t.euid = proc_get_u32(d), t.suid = proc_get_u32(d);
    t.gid = proc_get_u32(d), t.egid = proc_get_u32(d), t.sgid = proc_get_u32(d);
    t.ngroups = (int)proc_get_u32(d);
    if (t.ngroups < 0 || t.ngroups > PROC_NGROUPS_MAX)
        d->err = -EBADMSG;
    for (int i = 0; !d->err && i < t.ngroups; i++)
        t.groups[i] = proc_get_u32(d);
    if (d->err)
        return;
    spin_lock(&proc_table_lock);
    p->pgid = t.pgid;
    p->sid = t.sid;
    proc_cred_copy(p, &t);
    spin_unlock(&proc_table_lock);
}

/* Run nr at home for self. The result, or an RPC error. Sleeps. */
static long
fwd_call(struct proc *self, unsigned nr, struct fwd *f)
{
    uint8_t *req = kmalloc(512), *rep = kmalloc(1024);
    long ret = -ENOMEM;
    if (!req || !rep)
        goto out;
    struct proc_enc e = { req, 0, 512, 0 };
    proc_put_u32(&e, (uint32_t)self->pid);
    proc_put_u32(&e, nr);
    for (int i = 0; i < 6; i++)
        proc_put_u64(&e, f->a[i]);
    proc_put_u32(&e, (uint32_t)f->inlen);
    proc_put_bytes(&e, f->in, f->inlen);
    size_t replen = 0;
    ret = rpc_call(self->home, RPC_OP_HOME_FWD, req, e.len, rep, 1024, &replen);
    if (ret)
        goto out;
    struct proc_dec d = { rep, replen, 0, 0 };
    ret = (long)proc_get_u64(&d);
    get_ids(&d, self);
    f->outlen = proc_get_u32(&d);
    if (f->outlen > FWD_IO_MAX)
        d.err = -EBADMSG;
    proc_get_bytes(&d, f->out, d.err ? 0 : f->outlen);
    if (d.err)
        ret = d.err;
out:
    kfree(req);
    kfree(rep);
    return ret;
}

/* wait4 of a foreign process: ask home (never sleeping there), then
 * sleep here until a child event or a signal, and ask again. A wait for
 * the child it forked last, with no news since the fork, sleeps first:
 * that child has nothing to report yet (a fork loop away from home saves
 * one round trip a child). A sleep asks home again after
 * FWD_WAIT_RECHECK_NS even without news, so a lost event costs a delay,
 * never a hang. */
#define FWD_WAIT_RECHECK_NS 2000000000ull
static long
fwd_wait4(struct proc *self, struct fwd *f, const uint64_t *a)
{
    int options = (int)a[2];
    spin_lock(&proc_table_lock);
    bool quiet = !(options & WNOHANG) && (int)a[0] > 0 && (int)a[0] == self->fork_pid &&
                 self->child_seq == self->fork_seq;
    self->fork_pid = 0;     /* once: after this, home is asked */
    spin_unlock(&proc_table_lock);
    for (;;) {
        spin_lock(&proc_table_lock);
        uint32_t seq = quiet ? self->fork_seq : self->child_seq;
        spin_unlock(&proc_table_lock);
        if (!quiet) {
            f->a[2] = (uint64_t)(uint32_t)(options | WNOHANG);
            long r = fwd_call(self, NR_WAIT4, f);
            if (r > 0 && f->outlen == 4 + PROC_RUSAGE_SIZE) {
                if ((a[1] && copyout(a[1], f->out, 4)) ||
                    (a[3] && copyout(a[3], f->out + 4, PROC_RUSAGE_SIZE)))
                    return -EFAULT;
            }
            if (r != 0 || (options & WNOHANG))
                return r;
        }
        quiet = false;
        spin_lock(&proc_table_lock);
        int intr = 0;
        while (self->child_seq == seq && !intr)
            intr = waitq_wait_timeout(&self->child_wait, &proc_table_lock,
                                      FWD_WAIT_RECHECK_NS);
        spin_unlock(&proc_table_lock);
        if (intr == -EINTR)
            return -EINTR;
    }
}

/* A HOME row that must go home for a foreign process, and how. */
static bool
goes_home(unsigned nr, const uint64_t *a)
{
    switch (nr) {
    case NR_WAIT4: case NR_SETUID: case NR_SETGID: case NR_SETPGID: case NR_GETPPID:
    case NR_GETPGRP: case NR_SETSID: case NR_SETREUID: case NR_SETREGID: case NR_SETGROUPS:
    case NR_SETRESUID: case NR_SETRESGID: case NR_GETPGID: case NR_GETSID:
        return true;
    case NR_GETRUSAGE:
        return (int)a[0] == RUSAGE_CHILDREN;
    case NR_GETPRIO: case NR_SETPRIO: case NR_IOPRIO_GET: case NR_IOPRIO_SET:
        return (int)a[1] != 0;      /* another process, group or user */
    case NR_PRLIMIT:
        return (int)a[0] != 0 && (int)a[0] != proc_pid(proc_current());
    default:
        return false;
    }
}

long
proc_fwd_syscall(unsigned nr, const uint64_t *a, bool *done)
{
    struct proc *self = proc_current();
    *done = false;
    if (!goes_home(nr, a))
        return 0;
    struct fwd *f = kmalloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    *done = true;
    memcpy(f->a, a, sizeof(f->a));
    f->inlen = f->outlen = 0;
    long r;
    if (nr == NR_WAIT4) {
        r = fwd_wait4(self, f, a);
    } else if (nr == NR_SETGROUPS && ((int)a[0] < 0 || (int)a[0] > PROC_NGROUPS_MAX)) {
        r = -EINVAL;
    } else if (nr == NR_SETGROUPS && a[0] && copyin(f->in, a[1], (size_t)(int)a[0] * 4)) {
        r = -EFAULT;
    } else if (nr == NR_PRLIMIT && a[2] && copyin(f->in, a[2], 16)) {
        r = -EFAULT;
    } else {
        f->inlen = nr == NR_SETGROUPS ? (size_t)(int)a[0] * 4 : nr == NR_PRLIMIT && a[2] ? 16 : 0;
        r = fwd_call(self, nr, f);
        uint64_t uout = nr == NR_GETRUSAGE ? a[1] : nr == NR_PRLIMIT ? a[3] : 0;
        if (r == 0 && uout && f->outlen && copyout(uout, f->out, f->outlen))
            r = -EFAULT;
    }
    kfree(f);
    return r;
}

int
proc_fwd_fork_pid(struct proc *self)
{
    uint8_t req[4], rep[4];
    struct proc_enc e = { req, 0, sizeof req, 0 };
    proc_put_u32(&e, (uint32_t)self->pid);
    size_t replen = 0;
    int err = rpc_call(self->home, RPC_OP_HOME_FORK, req, e.len, rep, sizeof rep, &replen);
    if (err)
        return err == -ETIMEDOUT || err == -EHOSTDOWN ? -EAGAIN : err;
    struct proc_dec d = { rep, replen, 0, 0 };
    int pid = (int)proc_get_u32(&d);
    return d.err || (pid >> PROC_NODE_SHIFT) != self->home ? -EPROTO : pid;
}

void
proc_fwd_exit_pid(int pid, int wait_status, uint64_t cpu_ns, uint64_t maxrss_kb,
                  const uint64_t *ids, int n)
{
    uint8_t req[28 + 8 * PROC_EXIT_DROPS];
    struct proc_enc e = { req, 0, sizeof req, 0 };
    int home = pid >> PROC_NODE_SHIFT;
    ASSERT(n >= 0 && n <= PROC_EXIT_DROPS, "an exit report carries at most PROC_EXIT_DROPS drops");
    proc_put_u32(&e, (uint32_t)pid);
    proc_put_u32(&e, (uint32_t)wait_status);
    proc_put_u64(&e, cpu_ns);
    proc_put_u64(&e, maxrss_kb);
    proc_put_u32(&e, (uint32_t)n);
    for (int i = 0; i < n; i++)
        proc_put_u64(&e, ids[i]);
    uint8_t rep[4];
    size_t replen = 0;
    int err = rpc_call(home, RPC_OP_HOME_EXIT, req, e.len, rep, sizeof rep, &replen);
    /* Home drops the references whenever the report reaches it, even if it
     * refuses the exit; one that never left here must drop them itself. A
     * home that is down (or thinks we are) has dropped all of ours. */
    if (err == -ENOMEM || err == -ENETDOWN || err == -EINVAL || err == -EMSGSIZE)
        for (int i = 0; i < n; i++)
            (void)fs_remote_drop(home, ids[i]);
    if (err && err != -EHOSTDOWN && err != -ETIMEDOUT)
        kprintf("wisp: home: exit of %d not recorded at node %d: error %d\n", pid, home, -err);
    if (err)
        return;
    /* Its parent runs here too: home left the news to us. */
    struct proc_dec d = { rep, replen, 0, 0 };
    int ppid = (int)proc_get_u32(&d);
    if (!d.err && ppid > 0 && (ppid >> PROC_NODE_SHIFT) == home)
        proc_home_child_news(home, ppid, SIGCHLD);
}

void
proc_fwd_exit(struct proc *self, int wait_status, const uint64_t *ids, int n)
{
    proc_fwd_exit_pid(self->pid, wait_status, self->exit_cpu_ns, self->maxrss_kb, ids, n);
}
