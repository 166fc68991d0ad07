/*
 * tgkill(2): glibc's raise() and abort() send their signal this way
 * (busybox's sh re-raises a fatal signal with raise). A Wisp process has
 * one thread whose id is its pid, so the call is kill(tid, sig) once tgid
 * and tid agree. tkill is in proc.c beside kill.
 */
#include "kernel/errno.h"
#include "kernel/sys.h"

long
sys_tgkill(int tgid, int tid, int sig)
{
    if (tgid <= 0 || tid <= 0)
        return -EINVAL;
    if (tgid != tid)
        return -ESRCH;          /* no other threads */
    return sys_kill(tid, sig);
}
