/*
 * kill, tkill, tgkill and signals to process groups, routed by home
 * (DESIGN.md 4): a pid or a process group lives in the table of its home
 * node (the node bits of the id), which posts the signal to a process
 * running there or forwards it to the node an away entry runs on
 * (proc_signal -> proc_home_post_signal). kill(-1) covers the caller's
 * node only. The routing RPC (HOME_KILL) is in proc_home.c; posting
 * itself is proc_signal.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/home.h"

static int
home_of(int id)
{
    return id >> PROC_NODE_SHIFT;
}

/* Does a kill of target (pid > 0, or group -target) reach p? */
static bool
matches(const struct proc *p, int target)
{
    if (p->state != PROC_ALIVE && p->state != PROC_ZOMBIE)
        return false;
    return target > 0 ? p->pid == target : p->pgid == -target;
}

long
proc_kill_core(const struct proc *sender, int target, int sig)
{
    int hit = 0, allowed = 0;
    if (sig < 0 || sig >= NSIG)
        return -EINVAL;
    spin_lock(&proc_table_lock);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (!matches(p, target))
            continue;
        hit++;
        if (!proc_cred_may_signal(sender, p))
            continue;
        allowed++;
        if (sig && p->state == PROC_ALIVE)
            proc_signal(p, sig);
    }
    spin_unlock(&proc_table_lock);
    return !hit ? -ESRCH : allowed ? 0 : -EPERM;
}

/* kill(-1): every process running on this node but init and the caller. */
static long
kill_node(struct proc *self, int sig)
{
    int hit = 0;
    spin_lock(&proc_table_lock);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state != PROC_ALIVE || p == self || proc_is_init(p) || proc_is_away(p))
            continue;
        if (!proc_cred_may_signal(self, p))
            continue;
        hit++;
        if (sig)
            proc_signal(p, sig);
    }
    spin_unlock(&proc_table_lock);
    return hit ? 0 : -ESRCH;
}

long
sys_kill(int lpid, int lsig)
{
    struct proc *self = proc_current();
    int pid = (int)lpid, sig = (int)lsig;
    if (sig < 0 || sig >= NSIG)
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    if (pid == -1)
        return kill_node(self, sig);
    if (pid == 0)
        pid = -proc_pgid(self);
    int home = home_of(pid > 0 ? pid : -pid);
    if (home == main_node_id())
        return proc_kill_core(self, pid, sig);
    return home_kill_remote(home, self, pid, sig);
}

long
sys_tkill(int tid, int sig)
{
    if ((int)tid <= 0)
        return -EINVAL;   /* a thread id, never a group */
    return sys_kill((int)tid, sig);
}

/* One thread per process: thread tid of group tgid is process tid. */
long
sys_tgkill(int tgid, int tid, int sig)
{
    if ((int)tgid <= 0 || (int)tid <= 0)
        return -EINVAL;
    if ((int)tgid != (int)tid)
        return -ESRCH;
    return sys_kill((int)tid, sig);
}

/* From the tty (any context, even an interrupt): a group of another home
 * is signalled through that home by the posting thread. */
int
proc_signal_pgrp(int pgid, int sig)
{
    int hit = 0;
    if (home_of(pgid) != main_node_id()) {
        home_post_kill(home_of(pgid), -pgid, sig);
        return 0;
    }
    spin_lock(&proc_table_lock);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state == PROC_ALIVE && p->pgid == pgid) {
            proc_signal(p, sig);
            hit++;
        }
    }
    spin_unlock(&proc_table_lock);
    return hit ? 0 : -ESRCH;
}
