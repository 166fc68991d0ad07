/*
 * Scheduling and I/O priorities: getpriority/setpriority and
 * ioprio_get/ioprio_set, for busybox's nice, renice, ionice and top. Wisp's
 * scheduler has no nice levels and its file systems no I/O scheduler, so
 * every process runs at nice 0 and I/O class "none": getpriority reports
 * that, setpriority accepts only nice 0 (anything else is EPERM, as for a
 * process without CAP_SYS_NICE), and ioprio_set is accepted with no
 * effect, as Linux does for I/O without a scheduler. Targets are checked
 * against the process table so a wrong pid still gives ESRCH.
 */
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sys.h"

#define PRIO_PROCESS 0
#define PRIO_PGRP    1
#define PRIO_USER    2
#define IOPRIO_WHO_PROCESS 1
#define IOPRIO_WHO_PGRP    2
#define IOPRIO_WHO_USER    3

/* Whether a process matches (which, who): 0, -ESRCH or -EINVAL. */
static long
target_exists(int which, int who)
{
    if (which < PRIO_PROCESS || which > PRIO_USER)
        return -EINVAL;
    if (who == 0)
        return 0;               /* the caller, its group, its user */
    if (which == PRIO_USER)
        return -ESRCH;          /* every process is uid 0 */
    int n = which == PRIO_PROCESS ? proc_count(who, 0) : proc_count(0, who);
    return n > 0 ? 0 : -ESRCH;
}

long
sys_getpriority(int which, int who)
{
    long r = target_exists(which, who);
    return r ? r : 20;          /* the kernel's form: 20 - nice */
}

long
sys_setpriority(int which, int who, int prio)
{
    long r = target_exists(which, who);
    if (r)
        return r;
    return prio == 0 ? 0 : -EPERM;
}

long
sys_ioprio_get(int which, int who)
{
    if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
        return -EINVAL;
    long r = target_exists(which - 1, who);
    return r ? r : 0;           /* IOPRIO_CLASS_NONE, level 0 */
}

long
sys_ioprio_set(int which, int who, int ioprio)
{
    if (which < IOPRIO_WHO_PROCESS || which > IOPRIO_WHO_USER)
        return -EINVAL;
    if (((unsigned)ioprio >> 13) > 3)
        return -EINVAL;         /* classes none, rt, be, idle */
    return target_exists(which - 1, who);
}
