/*
 * Everything portable code may ask of the CPU (STYLE.md 2.4). Only arch/
 * implements these; kernel/, fs/ and net/ include no other arch header.
 */
#pragma once
#include "kernel/compiler.h"
#include "arch_types.h"

struct bootinfo;

/* Console (COM1). Safe from any context. */
void arch_console_write(const char *s, size_t n);

/* Time: TSC cycles and nanoseconds since boot (calibrated TSC). */
uint64_t arch_cycles(void);
uint64_t arch_time_ns(void);
uint64_t arch_tsc_hz(void);
/* How the TSC was calibrated (arch_calib.c, docs/time.md): its rate now
 * and at boot, the LAPIC timer's rate, the reference(s) and the boot
 * windows kept of those tried, and the baseline of the last refinement. */
struct arch_clock_info {
    uint64_t tsc_hz, boot_hz, lapic_hz, baseline_ns;
    int windows, tried;
    char ref[24];
};
void arch_clock_info(struct arch_clock_info *ci);
/* Re-measure the TSC rate against the reference over the time since boot
 * and slew the clock onto it (never a step). Call about once a second
 * from a thread; takes microseconds. */
void arch_clock_refine(void);
/* The CMOS RTC's date registers, read consistently (no update in
 * progress, two equal reads): raw[ARCH_RTC_*] as the chip holds them
 * (BCD or binary, 12 or 24 h per status B). False if the RTC never
 * settles. kernel/time_date.c decodes them. */
enum {
    ARCH_RTC_SEC, ARCH_RTC_MIN, ARCH_RTC_HOUR, ARCH_RTC_MDAY, ARCH_RTC_MON, ARCH_RTC_YEAR,
    ARCH_RTC_CENTURY, ARCH_RTC_STATUS_B, ARCH_RTC_NREGS
};
bool arch_rtc_read(uint8_t raw[ARCH_RTC_NREGS]);

/* Interrupt flag. */
uint64_t arch_irq_save(void);           /* disable; return previous state */
void arch_irq_restore(uint64_t flags);
void arch_irq_enable(void);
bool arch_irq_enabled(void);
void arch_idle(void);                   /* enable interrupts and halt until one arrives */
int arch_cpu_id(void);

NORETURN void arch_halt(void);          /* stop this CPU for good */
/* Leave QEMU through isa-debug-exit with value code (QEMU exits with
 * (code << 1) | 1); halts when not under QEMU. */
NORETURN void arch_qemu_exit(int code);

/* Address spaces: a page-table root is a physical address. */
enum {
    ARCH_PTE_W    = 1 << 0,   /* writable */
    ARCH_PTE_U    = 1 << 1,   /* user accessible */
    ARCH_PTE_X    = 1 << 2,   /* executable (else NX) */
    ARCH_PTE_COW  = 1 << 3,   /* software bit: copy on write */
};
uint64_t arch_pt_new(void);                 /* 0 when out of memory */
void arch_pt_free(uint64_t root);           /* frees the user half's tables, not the pages */
/* Map one 4 KiB page; replaces an existing mapping. 0 or -ENOMEM. */
MUST_CHECK int arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, unsigned flags);
/* Look up va: returns true and fills *pa, *flags when mapped. */
bool arch_pt_lookup(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags);
/* Remove one mapping, returning its frame in *pa (true if one was there). */
bool arch_pt_unmap(uint64_t root, uint64_t va, uint64_t *pa);
/* The first mapped page at or above *va and below end: true with *va, *pa
 * and *flags set, false when there is none. Skips empty tables whole, so
 * walking a huge sparse region costs what is mapped, not its size. */
bool arch_pt_next(uint64_t root, uint64_t *va, uint64_t end, uint64_t *pa, unsigned *flags);
/* Clear va's dirty bit (set by the CPU on a write); true if it was set.
 * Migration's pre-copy rounds use it (kernel/vm_migrate.c). */
bool arch_pt_clear_dirty(uint64_t root, uint64_t va);
void arch_pt_activate(uint64_t root);
void arch_tlb_flush_page(uint64_t va);
uint64_t arch_pt_kernel_root(void);

/* Threads. A new kernel thread starts in fn(arg) on stack [stack, stack+size). */
void arch_ctx_init(struct arch_ctx *c, void *stack, size_t size, void (*fn)(void *), void *arg);
/* A new user thread: returns to user mode with the registers in *regs
 * (copied to the top of its kernel stack) when first switched to. */
void arch_ctx_init_user(struct arch_ctx *c, void *stack, size_t size,
                        const struct arch_regs *regs);
void arch_switch(struct arch_ctx *from, struct arch_ctx *to, void *to_kstack_top);
void arch_fpu_init(struct arch_ctx *c);     /* fresh FPU state for exec */
void arch_set_fs_base(struct arch_ctx *c, uint64_t base);
/* Initial user registers for exec: entry point and stack pointer. */
void arch_regs_init_user(struct arch_regs *r, uint64_t entry, uint64_t sp);
bool arch_regs_from_user(const struct arch_regs *r);

/* The trap frame of the current thread's last entry from user mode. */
struct arch_regs *arch_user_regs(void);

/* Symbolised backtrace of the current kernel stack to the console. */
void arch_backtrace(uint64_t rbp);

/* FPU/SSE state: copy the live registers into c (fork); load c's (exec). */
void arch_fpu_copy(struct arch_ctx *c);
void arch_fpu_restore(struct arch_ctx *c);

/* Calibrate the clock and start the periodic timer interrupt. */
void arch_lapic_init(void);
/* Idle: the next timer is ns away, so the tick may slow down until then
 * (or until any interrupt). arch_timer_busy restores the normal tick. */
void arch_timer_idle(uint64_t ns);
void arch_timer_busy(void);

/* PCI configuration space (mechanism #1 ports on x86). width is 1, 2 or 4. */
uint32_t arch_pci_cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width);
void arch_pci_cfg_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width,
                        uint32_t v);
/* Device interrupts. arch_irq_alloc binds a free vector to handler(arg),
 * which runs in interrupt context (interrupts off, may not sleep); returns
 * the vector or -ENOSPC. arch_msi_message gives the MSI address/data that
 * make a device raise that vector on this CPU. arch_irq_route_gsi programs
 * the IOAPIC for a legacy/INTx line (gsi) to raise vector. */
int arch_irq_alloc(void (*handler)(void *arg), void *arg);
void arch_msi_message(int vector, uint64_t *addr, uint32_t *data);
MUST_CHECK int arch_irq_route_gsi(int gsi, int vector, bool level, bool active_low);
/* An uncached kernel mapping of device memory [pa, pa+len). NULL on failure. */
void *arch_mmio_map(uint64_t pa, size_t len);

/* One 64-bit value from the CPU's random-number instructions (RDSEED,
 * else RDRAND) where CPUID has them; false when there are none or they
 * keep failing. Seeds kernel/rand.c. */
bool arch_random_u64(uint64_t *out);
