/*
 * Local APIC timer and the TSC clock. The 8259 PICs are remapped and
 * masked; the LAPIC timer (xAPIC, MMIO through the direct map) ticks at
 * ARCH_HZ. The TSC is the clock: arch_calib.c measures its rate and the
 * LAPIC timer's against the HPET / ACPI PM timer / PIT, and refines it
 * after boot through arch_clock_rebase, which changes the rate (and any
 * slew) at an instant so that the clock never jumps or runs backwards.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

#define ARCH_HZ 1000
#define LAPIC_SVR   0x0F0
#define LAPIC_EOI   0x0B0
#define LAPIC_LVT_T 0x320
#define LAPIC_TINIT 0x380
#define LAPIC_TCUR  0x390
#define LAPIC_TDIV  0x3E0

static volatile uint32_t *lapic;
static uint32_t tick_count;     /* LAPIC counts per 1/ARCH_HZ s */
static bool stretched;          /* the period is longer than one tick (idle) */
static uint64_t tsc_hz;         /* the TSC's rate, refined after boot */
static uint64_t tsc_boot_hz, lapic_boot_hz;  /* measured together at boot */

/* ns = base_ns + ((tsc - base_tsc) * mul >> 32); mul carries any slew. */
struct clock_params {
    uint64_t base_tsc, base_ns, mul;
};
static struct clock_params cp;
static uint32_t cp_seq;         /* odd while cp changes */

static uint32_t
lapic_read(uint32_t reg)
{
    return lapic[reg / 4];
}

static void
lapic_write(uint32_t reg, uint32_t v)
{
    lapic[reg / 4] = v;
    (void)lapic[0x20 / 4];
}

void
arch_lapic_eoi(void)
{
    lapic_write(LAPIC_EOI, 0);
}

static void
pic_disable(void)
{
    outb(0x20, 0x11);
    outb(0xa0, 0x11);
    outb(0x21, 0x20);
    outb(0xa1, 0x28);
    outb(0x21, 0x04);
    outb(0xa1, 0x02);
    outb(0x21, 0x01);
    outb(0xa1, 0x01);
    outb(0x21, 0xff);
    outb(0xa1, 0xff);
}

/* The LAPIC timer, free running (periodic, masked), as an up-counter. */
static uint32_t
lapic_count(void)
{
    return ~lapic_read(LAPIC_TCUR);
}

/* Ticks per 1/ARCH_HZ s at the current TSC rate: the LAPIC follows the
 * TSC's refinements in the ratio measured at boot. */
static uint32_t
ticks_per_tick(void)
{
    uint64_t hz = arch_muldiv(lapic_boot_hz, tsc_hz, tsc_boot_hz);
    return (uint32_t)MAX(hz / ARCH_HZ, 1ull);
}

/* The clock's parameters, read under a sequence count: the clock thread
 * changes them while any context may read them. */
static void
clock_set(uint64_t tsc, uint64_t ns, uint64_t mul)
{
    uint64_t f = arch_irq_save();
    __atomic_add_fetch(&cp_seq, 1, __ATOMIC_RELEASE);
    cp.base_tsc = tsc;
    cp.base_ns = ns;
    cp.mul = mul;
    __atomic_add_fetch(&cp_seq, 1, __ATOMIC_RELEASE);
    arch_irq_restore(f);
}

void
arch_lapic_init(void)
{
    pic_disable();
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | (1 << 11));  /* global enable, xAPIC mode */
    lapic = arch_p2v(base & 0xfffff000);
    lapic_write(LAPIC_SVR, 0x100 | 0xff);

    lapic_write(LAPIC_TDIV, 0x3);                 /* divide by 16 */
    lapic_write(LAPIC_LVT_T, 1 << 16 | 1 << 17);  /* masked, periodic: free running */
    lapic_write(LAPIC_TINIT, 0xffffffff);
    uint64_t t0;
    if (!arch_calib_boot(lapic_count, &tsc_hz, &lapic_boot_hz, &t0)) {
        kprintf("wisp: TSC calibration failed (no reference, or none agreed); assuming 1 GHz TSC and 62.5 MHz LAPIC\n");
        tsc_hz = 1000000000;
        lapic_boot_hz = 62500000;
        t0 = arch_cycles();
    }
    tsc_boot_hz = tsc_hz;
    clock_set(t0, 0, ((uint64_t)1000000000 << 32) / tsc_hz);

    tick_count = ticks_per_tick();
    lapic_write(LAPIC_LVT_T, 32 | (1 << 17)); /* vector 32, periodic */
    lapic_write(LAPIC_TINIT, tick_count);
    arch_serial_irq_init();
    struct arch_clock_info ci;
    arch_clock_info(&ci);
    kprintf("wisp: clock: tsc %lu.%03lu MHz against %s, %d of %d windows kept; "
            "lapic %lu.%03lu MHz\n", tsc_hz / 1000000, tsc_hz / 1000 % 1000, ci.ref,
            ci.windows, ci.tried, lapic_boot_hz / 1000000, lapic_boot_hz / 1000 % 1000);
}

void
arch_clock_rebase(uint64_t tsc, uint64_t hz, int64_t slew_ppm)
{
    uint64_t mul = ((uint64_t)1000000000 << 32) / hz;
    mul = (uint64_t)((int64_t)mul + (int64_t)mul / 1000000 * slew_ppm);
    uint64_t f = arch_irq_save();
    clock_set(tsc, arch_clock_ns_at(tsc), mul);
    tsc_hz = hz;
    uint32_t t = ticks_per_tick();
    if (t != tick_count) {
        tick_count = t;
        if (!stretched)
            lapic_write(LAPIC_TINIT, tick_count);
    }
    arch_irq_restore(f);
}

uint64_t
arch_lapic_hz(void)
{
    return (uint64_t)tick_count * ARCH_HZ;
}

/* An idle CPU needs no 1 kHz tick: stretch the period to the next timer
 * deadline (at most 100 ms), so idle nodes cost the host almost nothing. */
void
arch_timer_idle(uint64_t ns)
{
    uint64_t ticks = ns / (1000000000ull / ARCH_HZ);
    if (ticks <= 1 || !lapic)
        return;
    if (ticks > 100)
        ticks = 100;
    lapic_write(LAPIC_TINIT, (uint32_t)MIN(ticks * tick_count, 0xffffffffull));
    stretched = true;
}

void
arch_timer_busy(void)
{
    if (!stretched)
        return;
    stretched = false;
    lapic_write(LAPIC_TINIT, tick_count);
}

uint64_t
arch_cycles(void)
{
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}

uint64_t
arch_clock_ns_at(uint64_t tsc)
{
    struct clock_params p;
    uint32_t seq;
    do {
        seq = __atomic_load_n(&cp_seq, __ATOMIC_ACQUIRE);
        p = cp;
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
    } while ((seq & 1) || seq != __atomic_load_n(&cp_seq, __ATOMIC_RELAXED));
    if (tsc < p.base_tsc)       /* read before a rebase: that instant is base_ns */
        return p.base_ns;
    return p.base_ns + (uint64_t)(((unsigned __int128)(tsc - p.base_tsc) * p.mul) >> 32);
}

uint64_t
arch_time_ns(void)
{
    if (!tsc_hz)
        return 0;
    return arch_clock_ns_at(arch_cycles());
}

uint64_t
arch_tsc_hz(void)
{
    return tsc_hz;
}
