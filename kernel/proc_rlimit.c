/*
 * Resource limits: prlimit64, getrlimit, setrlimit. Each process has the
 * Linux set of sixteen limits, inherited across fork and exec. Wisp reports
 * them so programs size themselves sensibly (glibc's sysconf, a shell's
 * ulimit); RLIMIT_NOFILE's ceiling is the descriptor table's size, and
 * RLIMIT_NPROC's the process table's; the soft RLIMIT_NOFILE bounds new
 * descriptors (fs_ctx_set_nofile). Nothing else is enforced yet: memory
 * limits read as unlimited (the out-of-memory accounting works node-wide).
 * Usage (getrusage) is proc_rusage.c.
 */
#include "fs/fs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"

enum {
    RLIMIT_CPU, RLIMIT_FSIZE, RLIMIT_DATA, RLIMIT_STACK, RLIMIT_CORE, RLIMIT_RSS,
    RLIMIT_NPROC, RLIMIT_NOFILE, RLIMIT_MEMLOCK, RLIMIT_AS, RLIMIT_LOCKS,
    RLIMIT_SIGPENDING, RLIMIT_MSGQUEUE, RLIMIT_NICE, RLIMIT_RTPRIO, RLIMIT_RTTIME,
};
static_assert(RLIMIT_RTTIME + 1 == PROC_RLIMIT_N, "one slot per Linux limit");

#define INF PROC_RLIM_INFINITY

/* Linux's defaults for a process started by init, with Wisp's table sizes. */
static const struct proc_rlimit defaults[PROC_RLIMIT_N] = {
    [RLIMIT_CPU] = { INF, INF },
    [RLIMIT_FSIZE] = { INF, INF },
    [RLIMIT_DATA] = { INF, INF },
    [RLIMIT_STACK] = { VM_STACK_SIZE, INF },
    [RLIMIT_CORE] = { 0, INF },
    [RLIMIT_RSS] = { INF, INF },
    [RLIMIT_NPROC] = { PROC_MAX, PROC_MAX },
    [RLIMIT_NOFILE] = { FS_NOFILE, FS_NOFILE },
    [RLIMIT_MEMLOCK] = { 8u << 20, 8u << 20 },
    [RLIMIT_AS] = { INF, INF },
    [RLIMIT_LOCKS] = { INF, INF },
    [RLIMIT_SIGPENDING] = { 1024, 1024 },
    [RLIMIT_MSGQUEUE] = { 819200, 819200 },
    [RLIMIT_NICE] = { 0, 0 },
    [RLIMIT_RTPRIO] = { 0, 0 },
    [RLIMIT_RTTIME] = { INF, INF },
};

/* The most a limit may be raised to: the tables' sizes. */
static uint64_t
ceiling(unsigned r)
{
    return r == RLIMIT_NOFILE ? FS_NOFILE : r == RLIMIT_NPROC ? PROC_MAX : INF;
}

void
proc_rlimit_fork(struct proc *child, const struct proc *parent)
{
    memcpy(child->rlim, parent->rlim, sizeof(child->rlim));
    child->rlim_set = parent->rlim_set;
}

/* Caller holds proc_table_lock. */
static struct proc_rlimit
get(const struct proc *p, unsigned r)
{
    return (p->rlim_set & (1u << r)) ? p->rlim[r] : defaults[r];
}

/* Read (into *old when old is set) and then set (from *new when set) limit r
 * of pid (0: the caller). Everyone is root on Wisp, so a hard limit may be
 * raised, up to the ceiling (EPERM past it). */
long
proc_rlimit_core(struct proc *self, int pid, unsigned r, const struct proc_rlimit *new,
                 struct proc_rlimit *old)
{
    if (r >= PROC_RLIMIT_N)
        return -EINVAL;
    if (new && (new->cur > new->max))
        return -EINVAL;
    if (new && new->max > ceiling(r))
        return -EPERM;
    spin_lock(&proc_table_lock);
    struct proc *p = pid == 0 ? self : proc_by_pid(pid);
    if (!p || p->state != PROC_ALIVE) {
        spin_unlock(&proc_table_lock);
        return -ESRCH;
    }
    if (old)
        *old = get(p, r);
    if (new) {
        p->rlim[r] = *new;
        p->rlim_set |= 1u << r;
        if (r == RLIMIT_NOFILE && proc_fs(p))
            fs_ctx_set_nofile(proc_fs(p), new->cur);
    }
    spin_unlock(&proc_table_lock);
    return 0;
}

long
sys_prlimit64(int pid, unsigned int resource, uint64_t unew, uint64_t uold)
{
    struct proc_rlimit new, old;
    if (unew && copyin(&new, unew, sizeof(new)))
        return -EFAULT;
    long err = proc_rlimit_core(proc_current(), pid, resource, unew ? &new : NULL, uold ? &old : NULL);
    if (!err && uold && copyout(uold, &old, sizeof(old)))
        return -EFAULT;
    return err;
}

long
sys_getrlimit(unsigned int resource, uint64_t urlim)
{
    return urlim ? sys_prlimit64(0, resource, 0, urlim) : -EFAULT;
}

long
sys_setrlimit(unsigned int resource, uint64_t urlim)
{
    return urlim ? sys_prlimit64(0, resource, urlim, 0) : -EFAULT;
}
