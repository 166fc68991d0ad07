/*
 * Local APIC timer and the TSC clock. The 8259 PICs are remapped and
 * masked; the LAPIC timer (xAPIC, MMIO through the direct map) ticks at
 * ARCH_HZ. Both the LAPIC timer and the TSC are calibrated against PIT
 * channel 2, since TCG offers no invariant-TSC frequency to read.
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
static uint64_t tsc_hz, tsc0, ns_mul;  /* ns = (tsc - tsc0) * ns_mul >> 32 */

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

/* Busy-wait 10 ms on PIT channel 2; returns false if the PIT never fired. */
static bool
pit_wait_10ms(void)
{
    uint16_t count = 11932;  /* 1193182 Hz / 100 */
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);
    outb(0x43, 0xb0);
    outb(0x42, count & 0xff);
    outb(0x42, count >> 8);
    uint8_t g = inb(0x61);
    outb(0x61, g & ~0x01);
    outb(0x61, g | 0x01);
    for (uint64_t spin = 0; spin < 100000000ull; spin++)
        if (inb(0x61) & 0x20)
            return true;
    return false;
}

void
arch_lapic_init(void)
{
    pic_disable();
    uint64_t base = rdmsr(MSR_APIC_BASE);
    wrmsr(MSR_APIC_BASE, base | (1 << 11));  /* global enable, xAPIC mode */
    lapic = arch_p2v(base & 0xfffff000);
    lapic_write(LAPIC_SVR, 0x100 | 0xff);

    /* Calibrate the TSC and the LAPIC timer together over 10 ms. */
    lapic_write(LAPIC_TDIV, 0x3);            /* divide by 16 */
    lapic_write(LAPIC_LVT_T, 1 << 16);       /* masked, one-shot */
    lapic_write(LAPIC_TINIT, 0xffffffff);
    uint64_t t0 = arch_cycles();
    bool ok = pit_wait_10ms();
    uint64_t t1 = arch_cycles();
    uint32_t ticks = 0xffffffff - lapic_read(LAPIC_TCUR);
    if (!ok || ticks == 0) {
        kprintf("wisp: PIT calibration failed; assuming 1 GHz TSC and 100 MHz bus\n");
        t1 = t0 + 10000000;
        ticks = 62500;
    }
    tsc_hz = (t1 - t0) * 100;
    ns_mul = ((uint64_t)1000000000 << 32) / tsc_hz;
    tsc0 = t0;

    uint32_t per_tick = (uint32_t)((uint64_t)ticks * 100 / ARCH_HZ);
    tick_count = per_tick ? per_tick : 1;
    lapic_write(LAPIC_LVT_T, 32 | (1 << 17)); /* vector 32, periodic */
    lapic_write(LAPIC_TINIT, tick_count);
    arch_serial_irq_init();
    kprintf("wisp: tsc %lu MHz, lapic timer %u ticks per %d Hz tick\n", tsc_hz / 1000000,
            per_tick, ARCH_HZ);
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
arch_time_ns(void)
{
    if (!tsc_hz)
        return 0;
    return (uint64_t)(((unsigned __int128)(arch_cycles() - tsc0) * ns_mul) >> 32);
}

uint64_t
arch_tsc_hz(void)
{
    return tsc_hz;
}
