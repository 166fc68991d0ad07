/*
 * rt_sigsuspend(2): replace the signal mask and sleep until a signal
 * arrives that the new mask lets through; returns -EINTR. The old mask
 * comes back when the handler returns (build_frame in proc_signal.c saves
 * it in the frame instead of the temporary one) or, when no handler runs,
 * on the way back to user mode (proc_sigsuspend_done). busybox's `wait`
 * builtin sleeps here for SIGCHLD. ppoll and pselect6 (fs/fs_poll.c) swap
 * the mask the same way for their wait (proc_sigmask_enter/leave).
 */
#include "kernel/errno.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))

void
proc_sigsuspend_done(struct proc *p)
{
    if (p->sig_restore) {
        p->sig_blocked = p->sig_saved;
        p->sig_restore = false;
    }
}

long
sys_rt_sigsuspend(uint64_t umask, uint64_t sigsetsize)
{
    struct proc *p = proc_current();
    uint64_t mask;
    if (sigsetsize != sizeof(mask))
        return -EINVAL;
    if (copyin(&mask, umask, sizeof(mask)))
        return -EFAULT;
    p->sig_saved = p->sig_blocked;
    p->sig_restore = true;
    p->sig_blocked = mask & ~UNBLOCKABLE;
    while (!proc_signal_pending())
        if (sched_sleep_ns(1000000000ull))
            break;
    return -EINTR;
}

int
proc_sigmask_enter(uint64_t umask, uint64_t sigsetsize)
{
    struct proc *p = proc_current();
    uint64_t mask;
    if (!umask)
        return 0;
    if (sigsetsize != sizeof(mask))
        return -EINVAL;
    if (copyin(&mask, umask, sizeof(mask)))
        return -EFAULT;
    p->sig_saved = p->sig_blocked;
    p->sig_restore = true;
    p->sig_blocked = mask & ~UNBLOCKABLE;
    return 0;
}

void
proc_sigmask_leave(long ret)
{
    /* On -EINTR a signal the temporary mask let through is pending: its
     * handler's frame gets the old mask (build_frame), or the return to
     * user mode restores it when no handler runs. */
    if (ret != -EINTR)
        proc_sigsuspend_done(proc_current());
}

bool
proc_nr_never_restarts(uint64_t nr)
{
    /* Linux returns EINTR from these after a handler even with SA_RESTART
     * (-ERESTARTNOHAND / -ERESTART_RESTARTBLOCK): a pselect loop waiting
     * for a signal must see it. */
    return nr == PROC_NR_RT_SIGSUSPEND || nr == 7 || nr == 23 || nr == 270 || nr == 271;
}
