/*
 * The rest of the identity calls glibc and busybox ask for: Wisp has one
 * user, root, with no supplementary groups, so getresuid/getresgid report
 * 0 three times and getgroups an empty list. getuid and friends are in
 * proc.c.
 */
#include "kernel/errno.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

long
sys_getgroups(int size, uint64_t ulist)
{
    return size < 0 ? -EINVAL : 0;
}

static long
three_zeros(uint64_t a, uint64_t b, uint64_t c)
{
    const uint32_t zero = 0;
    if (copyout(a, &zero, sizeof(zero)) || copyout(b, &zero, sizeof(zero)) ||
        copyout(c, &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}

long
sys_getresuid(uint64_t ruid, uint64_t euid, uint64_t suid)
{
    return three_zeros(ruid, euid, suid);
}

long
sys_getresgid(uint64_t rgid, uint64_t egid, uint64_t sgid)
{
    return three_zeros(rgid, egid, sgid);
}
