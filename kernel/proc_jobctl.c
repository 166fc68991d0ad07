/*
 * Job control on the process side: process groups and sessions (setpgid,
 * setsid and their getters, with POSIX's rules), orphaned process groups,
 * and stopping and continuing a process. The default actions that lead
 * here are in proc_signal.c, wait4's stopped/continued reports in proc.c,
 * and the controlling terminal (session, foreground group, SIGTTIN and
 * SIGTTOU) in fs/fs_tty.c. Groups and sessions are home-side state: once
 * processes migrate these calls are forwarded home with the rest of proc.c.
 *
 * Locking: proc_table_lock protects pgid, sid, did_exec, ctty_dropped and
 * stop_report. stopped, cont_report, cont_notify and cont_seq change
 * atomically, because SIGCONT may be posted from any context (its callers
 * today all hold proc_table_lock). A stopped thread sleeps on the run queue
 * directly (sched_sleep_locked) and is woken by proc_signal.
 */
#include "fs/fs.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"

#define STOP_SIGS (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

static bool
is_member(const struct proc *p)
{
    return p->state == PROC_ALIVE || p->state == PROC_ZOMBIE;
}

int
proc_sid(const struct proc *p)
{
    return p->sid;
}

int
proc_ctty_sid(const struct proc *p)
{
    return p->ctty_dropped ? 0 : p->sid;
}

bool
proc_is_session_leader(const struct proc *p)
{
    return p->pid == p->sid;
}

void
proc_drop_ctty(struct proc *p)
{
    spin_lock(&proc_table_lock);
    p->ctty_dropped = true;
    spin_unlock(&proc_table_lock);
}

/* Caller holds proc_table_lock. */
static int
pgrp_check_locked(int pgid, int sid)
{
    int err = -ESRCH;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (!is_member(p) || p->pgid != pgid)
            continue;
        if (p->sid == sid)
            return 0;
        err = -EPERM;
    }
    return err;
}

int
proc_pgrp_check(int pgid, int sid)
{
    spin_lock(&proc_table_lock);
    int err = pgrp_check_locked(pgid, sid);
    spin_unlock(&proc_table_lock);
    return err;
}

/* A member whose parent is ignore (exiting: its children go to init) or
 * init does not hold the group in its session, as on Linux. */
bool
proc_pgrp_orphaned_locked(int pgid, const struct proc *ignore)
{
    sync_assert_held(&proc_table_lock);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *m = &proc_table[i];
        if (m->state != PROC_ALIVE || m->pgid != pgid || m == ignore)
            continue;
        struct proc *q = m->parent;
        if (!q || q == ignore || proc_is_init(q))
            continue;
        if (q->pgid != pgid && q->sid == m->sid)
            return false;
    }
    return true;
}

bool
proc_pgrp_is_orphaned(int pgid)
{
    spin_lock(&proc_table_lock);
    bool r = proc_pgrp_orphaned_locked(pgid, NULL);
    spin_unlock(&proc_table_lock);
    return r;
}

bool
proc_signal_is_blocked_or_ignored(const struct proc *p, int sig)
{
    return (p->sig_blocked & SIGBIT(sig)) || p->sigact[sig].handler == SIG_IGN;
}

/* The group pgid would be orphaned without ignore and has a stopped member:
 * nothing would ever continue it, so it gets SIGHUP then SIGCONT (POSIX). */
static void
hup_if_orphaned(int pgid, struct proc *ignore)
{
    bool stopped = false;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *m = &proc_table[i];
        stopped |= m->state == PROC_ALIVE && m->pgid == pgid && m != ignore && m->stopped;
    }
    if (!stopped || !proc_pgrp_orphaned_locked(pgid, ignore))
        return;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *m = &proc_table[i];
        if (m->state == PROC_ALIVE && m->pgid == pgid && m != ignore) {
            proc_signal(m, SIGHUP);
            proc_signal(m, SIGCONT);
        }
    }
}

void
proc_jobctl_exit(struct proc *p)
{
    sync_assert_held(&proc_table_lock);
    struct proc *par = p->parent;
    if (par && par->pgid != p->pgid && par->sid == p->sid)
        hup_if_orphaned(p->pgid, p);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *c = &proc_table[i];
        if (c->state == PROC_ALIVE && c->parent == p && c->pgid != p->pgid && c->sid == p->sid)
            hup_if_orphaned(c->pgid, p);
    }
}

/* Tell p's parent about a stop or continue: SIGCHLD unless it asked for
 * none with SA_NOCLDSTOP, and a wakeup for wait4. Caller holds proc_table_lock. */
static void
notify_parent(struct proc *p)
{
    struct proc *par = p->parent;
    if (!par && proc_is_foreign(p))
        proc_home_post_jobctl(p);   /* the parent is at home (docs/home.md) */
    if (!par)
        return;
    proc_jobctl_notify_parent(par);
}

void
proc_jobctl_notify_parent(struct proc *par)
{
    sync_assert_held(&proc_table_lock);
    int sig = par->sigact[SIGCHLD].flags & SA_NOCLDSTOP ? 0 : SIGCHLD;
    if (sig && !proc_is_away(par))
        proc_signal(par, sig);
    waitq_wake_all(&par->child_wait);
    if (proc_is_away(par))
        proc_home_post_child(par, sig);  /* its wait4 sleeps at its node; one message */
}

/* Sleep while stopped; SIGCONT clears stopped, SIGKILL ends the stop too.
 * The check and the sleep are under the run-queue lock, so the wakeup that
 * follows either change is never lost. */
static void
sleep_while_stopped(struct proc *p)
{
    for (;;) {
        uint64_t f = arch_irq_save();
        sched_lock();
        if (!p->stopped || (p->sig_pending & SIGBIT(SIGKILL))) {
            sched_unlock();
            arch_irq_restore(f);
            return;
        }
        sched_sleep_locked(true, 0);
        arch_irq_restore(f);
    }
}

void
proc_jobctl_stop(int sig, uint32_t seq)
{
    struct proc *p = proc_current();
    spin_lock(&proc_table_lock);
    /* SIGTSTP, SIGTTIN and SIGTTOU do not stop an orphaned group, which no
     * shell would continue (POSIX); SIGSTOP always does. */
    bool skip = p->cont_seq != seq || (p->sig_pending & SIGBIT(SIGKILL)) ||
                (sig != SIGSTOP && !proc_is_foreign(p) &&
                 proc_pgrp_orphaned_locked(p->pgid, NULL));   /* home knows a foreign one's group */
    if (!skip) {
        __atomic_store_n(&p->stopped, 1, __ATOMIC_SEQ_CST);
        __atomic_store_n(&p->cont_report, 0, __ATOMIC_SEQ_CST);
        p->stop_report = 0x7f | sig << 8;
        notify_parent(p);
    }
    spin_unlock(&proc_table_lock);
    if (skip)
        return;
    sleep_while_stopped(p);
    proc_jobctl_notify_cont();
}

void
proc_jobctl_continue(struct proc *p)
{
    __atomic_add_fetch(&p->cont_seq, 1, __ATOMIC_SEQ_CST);
    __atomic_and_fetch(&p->sig_pending, ~STOP_SIGS, __ATOMIC_SEQ_CST);
    if (__atomic_exchange_n(&p->stopped, 0, __ATOMIC_SEQ_CST)) {
        __atomic_store_n(&p->cont_report, 1, __ATOMIC_SEQ_CST);
        __atomic_store_n(&p->cont_notify, 1, __ATOMIC_SEQ_CST);
        if (p->thread)
            sched_wakeup(p->thread, true);
    }
}

void
proc_jobctl_notify_cont(void)
{
    struct proc *p = proc_current();
    if (!__atomic_exchange_n(&p->cont_notify, 0, __ATOMIC_SEQ_CST))
        return;
    spin_lock(&proc_table_lock);
    notify_parent(p);
    spin_unlock(&proc_table_lock);
}

/* setpgid's rules (POSIX, as Linux checks them). Caller holds proc_table_lock. */
static long
setpgid_locked(struct proc *self, int pid, int pgid)
{
    struct proc *p = pid == 0 ? self : proc_by_pid(pid);
    if (!p || !is_member(p))
        return -ESRCH;
    if (p != self) {
        if (p->parent != self)
            return -ESRCH;
        if (p->sid != self->sid)
            return -EPERM;
        if (p->did_exec)
            return -EACCES;
    }
    if (proc_is_session_leader(p))
        return -EPERM;
    if (pgid == 0)
        pgid = p->pid;
    if (pgid != p->pid && pgrp_check_locked(pgid, self->sid) != 0)
        return -EPERM;
    p->pgid = pgid;
    if (p != self && proc_is_away(p))
        proc_home_post_pgid(p);     /* its copy where it runs (docs/home.md) */
    return 0;
}

long
sys_setpgid(int lpid, int lpgid)
{
    int pid = (int)lpid, pgid = (int)lpgid;
    if (pgid < 0)
        return -EINVAL;
    if (pid < 0)
        return -ESRCH;
    return proc_setpgid_core(proc_current(), pid, pgid);
}

long
proc_setpgid_core(struct proc *self, int pid, int pgid)
{
    spin_lock(&proc_table_lock);
    long err = setpgid_locked(self, pid, pgid);
    spin_unlock(&proc_table_lock);
    return err;
}

/* Field of process pid (0: the caller): its pgid or sid, or -ESRCH. */
static long
get_id(int pid, bool sid)
{
    return proc_getid_core(proc_current(), pid, sid);
}

long
proc_getid_core(struct proc *self, int pid, bool sid)
{
    if (pid < 0)
        return -ESRCH;
    spin_lock(&proc_table_lock);
    struct proc *p = pid == 0 ? self : proc_by_pid(pid);
    long r = p && is_member(p) ? (sid ? p->sid : p->pgid) : -ESRCH;
    spin_unlock(&proc_table_lock);
    return r;
}

long
sys_getpgid(int pid)
{
    return get_id((int)pid, false);
}

long
sys_getpgrp(void)
{
    return get_id(0, false);
}

long
sys_getsid(int pid)
{
    return get_id((int)pid, true);
}

/* A new session and group led by the caller, with no controlling tty:
 * EPERM when the caller leads a group, or its pid names someone's group. */
long
sys_setsid(void)
{
    return proc_setsid_core(proc_current());
}

long
proc_setsid_core(struct proc *self)
{
    spin_lock(&proc_table_lock);
    long r = self->pid;
    for (int i = 0; i < PROC_MAX; i++)
        if (is_member(&proc_table[i]) && proc_table[i].pgid == self->pid)
            r = -EPERM;
    if (r > 0) {
        self->sid = self->pgid = self->pid;
        self->ctty_dropped = false;
    }
    spin_unlock(&proc_table_lock);
    return r;
}
