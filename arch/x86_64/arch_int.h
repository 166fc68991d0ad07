/*
 * Declarations shared inside arch/x86_64 only: low-level helpers, per-CPU
 * state and the entry points of arch_entry.S.
 */
#pragma once
#include "kernel/compiler.h"
#include "arch_types.h"

struct bootinfo;

#define DIRECT_MAP_BASE 0xffff800000000000ull
#define KERNEL_VIRT     0xffffffff80000000ull

#define GDT_KCODE 0x08
#define GDT_KDATA 0x10
#define GDT_UDATA 0x18
#define GDT_UCODE 0x20
#define GDT_TSS   0x28

/* Per-CPU block; GS base points at it while in the kernel. The first two
 * fields are used by the SYSCALL entry with fixed offsets. */
struct arch_percpu {
    uint64_t kstack_top;  /* offset 0: kernel stack for the running thread */
    uint64_t user_rsp;    /* offset 8: scratch for SYSCALL entry */
    struct arch_percpu *self;
    int cpu;
    int irq_depth;        /* > 0 inside an interrupt handler */
};
extern struct arch_percpu arch_cpu0;
static inline struct arch_percpu *
arch_percpu(void)
{
    struct arch_percpu *p;
    __asm__ volatile("movq %%gs:16, %0" : "=r"(p));
    return p;
}

static inline void *
arch_p2v(uint64_t pa)
{
    return (void *)(pa + DIRECT_MAP_BASE);
}
uint64_t arch_v2p(const void *va);

static inline void
outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t
inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
/* a * b / c with a 128-bit intermediate (no libgcc in the kernel: divq);
 * ~0 when the quotient does not fit or c is 0. */
static inline uint64_t
arch_muldiv(uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t hi, lo, q, r;
    __asm__("mulq %3" : "=a"(lo), "=d"(hi) : "a"(a), "rm"(b));
    if (c == 0 || hi >= c)
        return ~0ull;
    __asm__("divq %4" : "=a"(q), "=d"(r) : "a"(lo), "d"(hi), "rm"(c));
    return q;
}
static inline void
outl(uint16_t port, uint32_t v)
{
    __asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint64_t
rdmsr(uint32_t msr)
{
    uint32_t lo, hi;
    __asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return ((uint64_t)hi << 32) | lo;
}
static inline void
wrmsr(uint32_t msr, uint64_t v)
{
    __asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)v), "d"((uint32_t)(v >> 32)));
}
static inline uint64_t
read_cr2(void)
{
    uint64_t v;
    __asm__ volatile("movq %%cr2, %0" : "=r"(v));
    return v;
}
static inline void
cpuid(uint32_t leaf, uint32_t sub, uint32_t *a, uint32_t *b, uint32_t *c, uint32_t *d)
{
    __asm__ volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(sub));
}

#define MSR_EFER         0xC0000080
#define MSR_STAR         0xC0000081
#define MSR_LSTAR        0xC0000082
#define MSR_SFMASK       0xC0000084
#define MSR_FS_BASE      0xC0000100
#define MSR_GS_BASE      0xC0000101
#define MSR_KERNEL_GS    0xC0000102
#define MSR_APIC_BASE    0x1B

void arch_serial_init(void);
void arch_serial_poll(void);
void arch_serial_irq_init(void);
void arch_cpu_init(void);
void arch_mem_init(struct bootinfo *bi);
void arch_lapic_init(void);
void arch_lapic_eoi(void);
void arch_trap(struct arch_regs *r);
void arch_set_kstack(uint64_t top);
/* Exception-table fix-up: if rip is a user-access instruction, point r at
 * its recovery address and return true. */
bool arch_fixup(struct arch_regs *r);

/* arch_irq.c: run the handlers bound to a device vector (interrupt
 * context; the caller sends the EOI). It finds the IOAPICs in the MADT
 * through arch_acpi_find. */
void arch_irq_dispatch(int vector);

/* arch_entry.S */
extern char arch_isr_table[];
void arch_syscall_entry(void);
void arch_user_return(void);
void arch_thread_start(void);
void arch_switch_stacks(uint64_t *from_rsp, uint64_t to_rsp);

/* arch_acpi.c: a checksummed ACPI table by signature ("APIC", "FACP", "HPET"),
 * through the RSDP the loader found (arch_acpi_set_rsdp) or the BIOS
 * areas; NULL when there is none. */
void arch_acpi_set_rsdp(uint64_t pa);
const uint8_t *arch_acpi_find(const char *sig);

/* arch_clockref.c: reference clocks, free-running up-counters of known
 * rate that wrap at mask + 1. arch_clockref_init fills up to max of them,
 * best first (HPET, ACPI PM timer, PIT channel 2); returns how many. */
#define CLOCKREF_MAX 3
struct clockref {
    const char *name;
    uint64_t hz;                /* 0: unknown (measured, as the LAPIC timer) */
    uint32_t mask;
    uint32_t (*read)(void);
};
int arch_clockref_init(struct clockref *refs, int max);

/* arch_calib.c: measure the TSC's and the LAPIC timer's rates at boot
 * (interrupts off); *tsc0 is the TSC at the clock's zero. False when no
 * reference clock answered. */
bool arch_calib_boot(uint32_t (*lapic_read)(void), uint64_t *tsc_hz, uint64_t *lapic_hz,
                     uint64_t *tsc0);

/* arch_lapic.c: the clock at a TSC value; a new TSC rate (and a slew in
 * ppm) from the instant tsc on, continuously; the LAPIC timer's rate. */
uint64_t arch_clock_ns_at(uint64_t tsc);
void arch_clock_rebase(uint64_t tsc, uint64_t hz, int64_t slew_ppm);
uint64_t arch_lapic_hz(void);
