/*
 * What arch/ calls into the portable kernel on a trap: page faults, user
 * faults, the timer, system calls and the return to user mode. The arch
 * layer owns the entry; these decide what happens.
 */
#pragma once
#include "kernel/compiler.h"

struct arch_regs;

enum { TRAP_WRITE = 1, TRAP_EXEC = 2 };

/* Resolve a fault on user address addr in the current process (demand-zero,
 * copy-on-write). 0 when resolved, -EFAULT otherwise. */
int trap_page_fault(uint64_t addr, unsigned access);
/* A user-mode exception the VM could not resolve: report and signal. */
void trap_user_fault(struct arch_regs *r, int vector, const char *name, uint64_t addr);
/* Called on every timer interrupt with interrupts off. */
void trap_timer_tick(void);
/* Interrupts were on at the trap: a safe place to reschedule. */
void trap_preempt_point(void);
/* Dispatch system call nr with arguments in r; returns the result. */
long trap_syscall(uint64_t nr, struct arch_regs *r);
/* Last step before returning to user mode: deliver pending signals (may not
 * return when the process dies). */
void trap_user_return(struct arch_regs *r);
