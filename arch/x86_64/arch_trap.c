/*
 * Trap dispatch: exceptions, device interrupts and the system-call entry
 * land here from arch_entry.S. A fault in user mode that the VM cannot
 * resolve becomes a signal (kernel/proc_signal.c); a fault in the kernel
 * on a user-copy instruction is fixed up to -EFAULT; anything else in the
 * kernel is a panic with a full register report and a backtrace.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc.h"
#include "kernel/trap.h"
#include "arch/x86_64/arch_int.h"

#define VEC_TIMER    32
#define VEC_SPURIOUS 255

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 FP error", "alignment check", "machine check",
    "SIMD FP error", "virtualization", "control protection",
};

struct ex_entry {
    uint64_t insn, fixup;
};
extern const struct ex_entry __ex_table_start[], __ex_table_end[];

bool
arch_fixup(struct arch_regs *r)
{
    for (const struct ex_entry *e = __ex_table_start; e < __ex_table_end; e++) {
        if (e->insn == r->rip) {
            r->rip = e->fixup;
            return true;
        }
    }
    return false;
}

static void
dump_regs(const struct arch_regs *r)
{
    kprintf("  rip %016lx  cs %lx  rflags %lx  rsp %016lx  ss %lx\n", r->rip, r->cs,
            r->rflags, r->rsp, r->ss);
    kprintf("  rax %016lx  rbx %016lx  rcx %016lx  rdx %016lx\n", r->rax, r->rbx, r->rcx,
            r->rdx);
    kprintf("  rsi %016lx  rdi %016lx  rbp %016lx  r8  %016lx\n", r->rsi, r->rdi, r->rbp,
            r->r8);
    kprintf("  r9  %016lx  r10 %016lx  r11 %016lx  r12 %016lx\n", r->r9, r->r10, r->r11,
            r->r12);
    kprintf("  r13 %016lx  r14 %016lx  r15 %016lx\n", r->r13, r->r14, r->r15);
}

struct ksym {
    uint64_t addr;
    const char *name;
};
extern const struct ksym ksyms[];

static const char *
ksym_lookup(uint64_t addr, uint64_t *off)
{
    const struct ksym *best = NULL;
    for (const struct ksym *s = ksyms; s->addr != ~0ull; s++) {
        if (s->addr > addr)
            break;
        best = s;
    }
    if (!best)
        return "?";
    *off = addr - best->addr;
    return best->name;
}

static NORETURN void
kernel_fault(struct arch_regs *r, uint64_t addr)
{
    const char *name = r->vector < 32 && exc_names[r->vector] ? exc_names[r->vector] : "?";
    kprintf("\nwisp: kernel %s (vector %lu, error 0x%lx)", name, r->vector, r->error);
    if (r->vector == 14)
        kprintf(" at address 0x%lx", addr);
    uint64_t off = 0;
    const char *fn = ksym_lookup(r->rip, &off);
    kprintf(" in %s+0x%lx\n", fn, off);
    dump_regs(r);
    arch_backtrace(r->rbp);
    panic("unhandled kernel exception");
}

/* addr is CR2 for a page fault, read by arch_trap before interrupts were
 * enabled: once they are, a preempting thread's own page fault rewrites
 * CR2, and this fault would be resolved (or reported) at its address. */
static void
exception(struct arch_regs *r, uint64_t addr)
{
    bool user = (r->cs & 3) == 3;

    if (r->vector == 14) {
        /* Error bits: 1 = write, 2 = from user, 16 = instruction fetch. */
        if (addr < ARCH_USER_TOP && proc_current()) {
            unsigned access = (r->error & 2) ? TRAP_WRITE : (r->error & 16) ? TRAP_EXEC : 0;
            int err = trap_page_fault(addr, access);
            if (err == 0)
                return;
            if (err == -ENXIO && user) {   /* a file mapping past EOF: SIGBUS, as Linux */
                trap_user_fault(r, 17, "bus error", addr);
                return;
            }
        }
        if (!user && arch_fixup(r))
            return;
    }
    if (!user)
        kernel_fault(r, addr);
    const char *name = r->vector < 32 && exc_names[r->vector] ? exc_names[r->vector] : "?";
    trap_user_fault(r, (int)r->vector, name, addr);
}

void
arch_trap(struct arch_regs *r)
{
    struct arch_percpu *pc = arch_percpu();
    bool user = (r->cs & 3) == 3;

    if (r->vector < 32) {
        uint64_t cr2 = r->vector == 14 ? read_cr2() : 0;   /* before any interrupt */
        if (r->rflags & 0x200)
            arch_irq_enable();      /* page faults may fault pages in with interrupts on */
        exception(r, cr2);
        __asm__ volatile("cli");
    } else if (r->vector == VEC_TIMER) {
        pc->irq_depth++;
        arch_lapic_eoi();
        arch_serial_poll();
        trap_timer_tick();
        pc->irq_depth--;
    } else if (r->vector == VEC_SPURIOUS) {
        return;
    } else {
        /* A device vector: the handler acknowledges its device first, so a
         * level-triggered line is quiet by the time the EOI reaches the IOAPIC. */
        pc->irq_depth++;
        arch_irq_dispatch((int)r->vector);
        arch_lapic_eoi();
        pc->irq_depth--;
    }
    /* Preempt on the way out of the outermost interrupt, then deliver
     * signals before returning to user mode. */
    if (pc->irq_depth == 0 && (r->rflags & 0x200))
        trap_preempt_point();
    if (user)
        trap_user_return(r);
}

void arch_syscall(struct arch_regs *r);
void
arch_syscall(struct arch_regs *r)
{
    r->rax = (uint64_t)trap_syscall(r->rax, r);
    trap_user_return(r);
}

void arch_user_enter(struct arch_regs *r);
void
arch_user_enter(struct arch_regs *r)
{
    trap_user_return(r);
}

/* Every entry from user mode starts on an empty kernel stack, so the
 * thread's user frame is always the top of its own stack (a per-CPU
 * "last frame" pointer would be another thread's after a sleep). */
struct arch_regs *
arch_user_regs(void)
{
    return (struct arch_regs *)arch_percpu()->kstack_top - 1;
}

bool
arch_regs_from_user(const struct arch_regs *r)
{
    return (r->cs & 3) == 3;
}

void
arch_regs_init_user(struct arch_regs *r, uint64_t entry, uint64_t sp)
{
    memset(r, 0, sizeof(*r));
    r->rip = entry;
    r->rsp = sp;
    r->cs = GDT_UCODE | 3;
    r->ss = GDT_UDATA | 3;
    r->rflags = 0x202;
    r->vector = ARCH_VECTOR_SYSCALL;
}

void
arch_backtrace(uint64_t rbp)
{
    kprintf("  backtrace:\n");
    for (int depth = 0; depth < 16 && rbp >= DIRECT_MAP_BASE && !(rbp & 7); depth++) {
        uint64_t *frame = (uint64_t *)rbp;
        uint64_t ret = frame[1], off = 0;
        if (ret < KERNEL_VIRT)
            break;
        const char *name = ksym_lookup(ret, &off);
        kprintf("    [%d] 0x%lx %s+0x%lx\n", depth, ret, name, off);
        rbp = frame[0];
    }
}
