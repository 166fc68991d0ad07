/*
 * prctl(2): PR_SET_NAME and PR_GET_NAME, the process's 16-byte name (the
 * comm of /proc/PID/stat and the name ps shows; exec sets it to the
 * program's base name). Every other option is EINVAL.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define PR_SET_NAME 15
#define PR_GET_NAME 16

static long
set_name(uint64_t uname)
{
    char name[PROC_NAME_MAX];
    long n = copyinstr(name, uname, sizeof(name));
    if (n == -ENAMETOOLONG) {           /* Linux keeps the first 15 bytes */
        if (copyin(name, uname, sizeof(name) - 1))
            return -EFAULT;
        name[sizeof(name) - 1] = 0;
    } else if (n < 0) {
        return n;
    }
    struct proc *p = proc_current();
    spin_lock(&proc_table_lock);
    memset(p->name, 0, sizeof(p->name));
    memcpy(p->name, name, strlen(name));
    spin_unlock(&proc_table_lock);
    return 0;
}

long
sys_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5)
{
    if (option == PR_SET_NAME)
        return set_name(arg2);
    if (option == PR_GET_NAME) {
        char name[PROC_NAME_MAX];
        struct proc *p = proc_current();
        spin_lock(&proc_table_lock);
        memcpy(name, p->name, sizeof(name));
        spin_unlock(&proc_table_lock);
        name[sizeof(name) - 1] = 0;
        return copyout(arg2, name, sizeof(name)) ? -EFAULT : 0;
    }
    return -EINVAL;
}
