/*
 * System-call dispatch: the table of kernel/syscall_table.def indexed by the
 * Linux x86_64 number. An unknown number returns -ENOSYS and is logged
 * once per number, with the name when Wisp knows it (syscall_names.c).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/proc.h"
#include "kernel/sys.h"
#include "net/net_sys.h"
#include "net/rpc/rpc_sys.h"
#include "kernel/trap.h"

#define SYSCALL_MAX 1024

typedef long (*syscall_fn)(uint64_t, uint64_t, uint64_t, uint64_t, uint64_t, uint64_t);

static const syscall_fn table[SYSCALL_MAX] = {
#define SYSCALL(nr, name, fn, where) [nr] = (syscall_fn)(void (*)(void))fn,
#include "kernel/syscall_table.def"
#undef SYSCALL
};

static uint8_t logged[SYSCALL_MAX / 8];
const char *syscall_linux_name(unsigned nr);

long
trap_syscall(uint64_t nr, struct arch_regs *r)
{
    if (nr < SYSCALL_MAX && table[nr]) {
        if (!main_strace())
            return table[nr](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
        int pid = proc_pid(proc_current());
        kprintf("[strace] pid %d: %s(0x%lx, 0x%lx, 0x%lx) ...\n", pid,
                syscall_linux_name((unsigned)nr), r->rdi, r->rsi, r->rdx);
        long ret = table[nr](r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9);
        kprintf("[strace] pid %d: %s = %ld\n", pid, syscall_linux_name((unsigned)nr), ret);
        return ret;
    }
    if (nr < SYSCALL_MAX && !(logged[nr / 8] & (1 << (nr % 8)))) {
        logged[nr / 8] |= 1 << (nr % 8);
        kprintf("wisp: unimplemented system call %lu (%s), returning ENOSYS\n", nr,
                syscall_linux_name((unsigned)nr));
    }
    return -ENOSYS;
}
