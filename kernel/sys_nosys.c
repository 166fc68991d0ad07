/*
 * Calls Wisp answers with ENOSYS on purpose, so the dispatcher does not
 * log them as missing: callers have a fallback. set_robust_list and rseq
 * (glibc tries both at every start: one thread per process needs neither
 * robust futexes nor restartable sequences), clone3 (glibc's
 * posix_spawn and pthread_create try it, then use clone), syslog (no
 * kernel log buffer is kept: dmesg says "Function not implemented"; the
 * log is the console). Each has its row in kernel/syscall_table.def.
 */
#include "kernel/errno.h"
#include "kernel/sys.h"

long
sys_clone3(uint64_t uargs, size_t size)
{
    return -ENOSYS;
}

long
sys_syslog(int type, uint64_t ubuf, int len)
{
    return -ENOSYS;
}

long
sys_set_robust_list(uint64_t uhead, size_t len)
{
    return -ENOSYS;
}

long
sys_rseq(uint64_t urseq, uint32_t len, int flags, uint32_t sig)
{
    return -ENOSYS;
}
