/*
 * The temporary signal mask of rt_sigsuspend (proc_signal.c), ppoll and
 * pselect6 (fs/fs_poll.c), swapped in for the call in
 * sig_saved/sig_saved_valid, so the same two paths put the old mask back:
 * the handler's frame (build_frame) when the call ends in EINTR, or the
 * return to user mode when no handler runs. A call that ends otherwise
 * restores it at once, as Linux's restore_saved_sigmask_unless does.
 */
#include "kernel/errno.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

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
    p->sig_saved_valid = true;
    p->sig_blocked = mask & ~UNBLOCKABLE;
    return 0;
}

void
proc_sigmask_leave(long ret)
{
    struct proc *p = proc_current();
    /* On -EINTR a signal the temporary mask let through is pending: its
     * handler's frame gets the old mask, or the return to user mode
     * restores it when no handler runs. */
    if (ret != -EINTR && p->sig_saved_valid) {
        p->sig_blocked = p->sig_saved;
        p->sig_saved_valid = false;
    }
}

bool
proc_nr_never_restarts(uint64_t nr)
{
    /* Linux returns EINTR from these after a handler even with SA_RESTART
     * (-ERESTARTNOHAND / -ERESTART_RESTARTBLOCK): a pselect loop waiting
     * for a signal must see it. */
    return nr == PROC_NR_RT_SIGSUSPEND || nr == 7 || nr == 23 || nr == 270 || nr == 271;
}
