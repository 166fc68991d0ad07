/*
 * Out of memory at fault time. With commit accounting (vm_commit.c) a
 * charged page always has a frame waiting, so this happens only for
 * MAP_NORESERVE memory, a copy-on-write break in it, or when the kernel
 * has used more than its reserve. The process whose fault could not be
 * served is the one ended (not the largest, as Linux's OOM killer would
 * pick): it is the one asking, the choice is predictable, and no other
 * process has to be interrupted while holding a resource. It gets SIGKILL
 * with one line on the console, never a page-fault report or a panic.
 * init is never killed (its death would stop the node): it waits for
 * memory instead. The fault path that calls this is trap.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/vm_int.h"

#define OOM_INIT_WAIT_NS (10 * 1000 * 1000)

/* init faulted without memory: sleep a little and let the access retry,
 * until some other process frees memory. A kernel copy that holds a
 * spinlock (interrupts off) cannot sleep: it fails with EFAULT. */
static int
init_waits(struct vm *vm)
{
    if (!arch_irq_enabled())
        return -EFAULT;
    if (!vm->oom_killed)
        kprintf("wisp: out of memory: init waits for memory\n");
    vm->oom_killed = true;   /* report once */
    int err = sched_sleep_ns(OOM_INIT_WAIT_NS);
    (void)err;   /* -EINTR: a signal for init; it is delivered, then the retry */
    return 0;
}

int
vm_oom_kill(struct proc *p)
{
    struct vm *vm = proc_vm(p);
    if (proc_is_init(p))
        return init_waits(vm);
    /* Second time: a kernel copy (copyin/copyout) retried the access after
     * the kill was posted; let it fail with EFAULT so the call returns and
     * the process dies on its way back to user mode. */
    if (vm->oom_killed)
        return -EFAULT;
    vm->oom_killed = true;
    kprintf("wisp: out of memory: killed process %d (%s), %lu KiB\n", proc_pid(p),
            proc_name(p), (unsigned long)(vm_resident_pages(vm) * (PAGE_SIZE / 1024)));
    proc_signal(p, SIGKILL);
    /* Resolved as far as the faulting instruction goes: from user mode,
     * the SIGKILL is taken before it runs again. */
    return 0;
}
