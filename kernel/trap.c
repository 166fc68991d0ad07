/*
 * The portable half of trap handling: page faults go to the current
 * process's address space (a fault that finds no memory ends the process
 * through vm_oom_kill, never as a page-fault report), the timer drives the
 * scheduler, preemption happens at the end of an interrupt.
 */
#include "kernel/errno.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/trap.h"
#include "kernel/vm.h"

int
trap_page_fault(uint64_t addr, unsigned access)
{
    struct proc *p = proc_current();
    if (!p || !proc_vm(p))
        return -EFAULT;
    int err = vm_fault(proc_vm(p), addr, access);
    return err == -ENOMEM ? vm_oom_kill(p) : err;
}

void
trap_timer_tick(void)
{
    sched_tick();
}

void
trap_preempt_point(void)
{
    sched_preempt();
}
