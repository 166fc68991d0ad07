/*
 * System-call dispatch: the table of kernel/syscall_table.def indexed by the
 * Linux x86_64 number. Each row's argument list declares the handler's
 * prototype and makes a thunk that narrows the six raw registers to the
 * declared C types (kernel/syscall_thunk.h). An unknown number returns
 * -ENOSYS and is logged once per number, with the name when Wisp knows it
 * (syscall_names.c), except for the calls glibc probes at every start.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/proc.h"
#include "kernel/sys.h"
#include "kernel/syscall_thunk.h"
#include "net/net_sys.h"
#include "net/rpc/rpc_sys.h"
#include "kernel/trap.h"

#define SYSCALL_MAX 1088   /* Wisp calls reach 1059 (issue 8: home, mig, streams) */

/* Every handler declared with its row's types: a prototype elsewhere that
 * disagrees is a compile error here. */
#define SYSCALL_TYPED_(nr, name, fn, where, args) SYSCALL_DECLARE(fn, args)
#define SYSCALL_UNTYPED_(nr, name, fn, where)
#define SYSCALL(...) SYSCALL_PICK(SYSCALL_TYPED_, SYSCALL_UNTYPED_, __VA_ARGS__)(__VA_ARGS__)
#include "kernel/syscall_table.def"
#undef SYSCALL_TYPED_
#undef SYSCALL_UNTYPED_

#define SYSCALL_TYPED_(nr, name, fn, where, args) SYSCALL_THUNK(name, fn, args)
#define SYSCALL_UNTYPED_(nr, name, fn, where) SYSCALL_THUNK_UNTYPED(name, fn)
#include "kernel/syscall_table.def"
#undef SYSCALL_TYPED_
#undef SYSCALL_UNTYPED_

static const struct syscall_entry table[SYSCALL_MAX] = {
#define SYSCALL_TYPED_(nr, name, fn, where, args) SYSCALL_SLOT(nr, name, args)
#define SYSCALL_UNTYPED_(nr, name, fn, where) SYSCALL_SLOT_UNTYPED(nr, name)
#include "kernel/syscall_table.def"
#undef SYSCALL_TYPED_
#undef SYSCALL_UNTYPED_
};
#undef SYSCALL

static uint8_t logged[SYSCALL_MAX / 8];
const char *syscall_linux_name(unsigned nr);

static long
traced(const struct syscall_entry *e, const uint64_t *a)
{
    int pid = proc_pid(proc_current());
    char args[160];
    kprintf("[strace] pid %d: %s(%s) ...\n", pid, e->name,
            syscall_fmt_args(args, sizeof args, e->proto, a));
    long ret = e->call(a);
    kprintf("[strace] pid %d: %s = %ld\n", pid, e->name, ret);
    return ret;
}

long
trap_syscall(uint64_t nr, struct arch_regs *r)
{
    if (nr < SYSCALL_MAX && table[nr].call) {
        const uint64_t a[6] = { r->rdi, r->rsi, r->rdx, r->r10, r->r8, r->r9 };
        if (!main_strace())
            return table[nr].call(a);
        return traced(&table[nr], a);
    }
    if (nr < SYSCALL_MAX && !(logged[nr / 8] & (1 << (nr % 8)))) {
        logged[nr / 8] |= 1 << (nr % 8);
        kprintf("wisp: unimplemented system call %lu (%s), returning ENOSYS\n", nr,
                syscall_linux_name((unsigned)nr));
    }
    return -ENOSYS;
}
