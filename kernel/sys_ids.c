/*
 * The identity calls: get*id read the credentials of the calling process
 * (the local copy, kept in step by home: docs/home.md), set*id and
 * setgroups change them with Linux's rules (proc_cred.c). For a foreign
 * process the set calls are HOME rows: the dispatcher forwards them, home
 * changes the shadow and the reply brings the new ids back (proc_fwd.c),
 * so these bodies run only for processes at home. getuid and friends are
 * in proc.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

long
sys_getgroups(int size, uint64_t ulist)
{
    struct proc *p = proc_current();
    uint32_t list[PROC_NGROUPS_MAX];
    if (size < 0)
        return -EINVAL;
    spin_lock(&proc_table_lock);
    int n = p->ngroups;
    memcpy(list, p->groups, sizeof(list));
    spin_unlock(&proc_table_lock);
    if (size == 0)
        return n;
    if (size < n)
        return -EINVAL;
    if (n && copyout(ulist, list, (size_t)n * 4))
        return -EFAULT;
    return n;
}

static long
three(uint64_t a, uint64_t b, uint64_t c, uint32_t x, uint32_t y, uint32_t z)
{
    if (copyout(a, &x, sizeof(x)) || copyout(b, &y, sizeof(y)) || copyout(c, &z, sizeof(z)))
        return -EFAULT;
    return 0;
}

long
sys_getresuid(uint64_t ruid, uint64_t euid, uint64_t suid)
{
    struct proc *p = proc_current();
    return three(ruid, euid, suid, p->uid, p->euid, p->suid);
}

long
sys_getresgid(uint64_t rgid, uint64_t egid, uint64_t sgid)
{
    struct proc *p = proc_current();
    return three(rgid, egid, sgid, p->gid, p->egid, p->sgid);
}

static long
set_ids(int nr, uint64_t a, uint64_t b, uint64_t c)
{
    spin_lock(&proc_table_lock);
    long r = proc_cred_set(proc_current(), nr, a, b, c, NULL, 0);
    spin_unlock(&proc_table_lock);
    return r;
}

long
sys_setuid(int uid)
{
    return set_ids(105, (uint32_t)uid, 0, 0);
}

long
sys_setgid(int gid)
{
    return set_ids(106, (uint32_t)gid, 0, 0);
}

long
sys_setreuid(int ruid, int euid)
{
    return set_ids(113, (uint32_t)ruid, (uint32_t)euid, 0);
}

long
sys_setregid(int rgid, int egid)
{
    return set_ids(114, (uint32_t)rgid, (uint32_t)egid, 0);
}

long
sys_setresuid(int ruid, int euid, int suid)
{
    return set_ids(117, (uint32_t)ruid, (uint32_t)euid, (uint32_t)suid);
}

long
sys_setresgid(int rgid, int egid, int sgid)
{
    return set_ids(119, (uint32_t)rgid, (uint32_t)egid, (uint32_t)sgid);
}

long
sys_setgroups(int size, uint64_t ulist)
{
    uint32_t list[PROC_NGROUPS_MAX];
    if (size < 0 || size > PROC_NGROUPS_MAX)
        return -EINVAL;
    if (size && copyin(list, ulist, (size_t)size * 4))
        return -EFAULT;
    spin_lock(&proc_table_lock);
    long r = proc_cred_set(proc_current(), 116, 0, 0, 0, list, size);
    spin_unlock(&proc_table_lock);
    return r;
}
