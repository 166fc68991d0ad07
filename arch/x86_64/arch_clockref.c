/*
 * Reference clocks for calibrating the TSC and the LAPIC timer: the HPET
 * main counter (ACPI "HPET" table), the ACPI PM timer (3.579545 MHz, port
 * from the FADT) and PIT channel 2 read back through its latch. Each is a
 * free-running counter of known rate that counts up and wraps at a power
 * of two; a reference that is absent or does not advance is left out. The
 * windows and the refinement that use them are in arch_calib.c.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

#define PM_HZ  3579545ull
#define PIT_HZ 1193182ull

#define HPET_CAP   0x000
#define HPET_CONF  0x010
#define HPET_COUNT 0x0F0

static volatile uint32_t *hpet;
static uint16_t pm_port;

static inline uint32_t
inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static uint32_t
hpet_read(void)
{
    return hpet[HPET_COUNT / 4];
}

static uint32_t
pm_read(void)
{
    return inl(pm_port);
}

static uint32_t
pit_read(void)
{
    outb(0x43, 0x80);               /* latch channel 2 */
    uint32_t lo = inb(0x42);
    uint32_t hi = inb(0x42);
    return ~(lo | hi << 8) & 0xffff;  /* it counts down: make it count up */
}

/* A counter that reads all-ones or stands still is not there. */
static bool
advances(uint32_t (*read)(void), uint32_t mask)
{
    uint32_t a = read() & mask;
    for (int i = 0; i < 100000; i++) {
        uint32_t b = read() & mask;
        if (b != a)
            return a != mask || b != mask;
    }
    return false;
}

static bool
hpet_init(struct clockref *r)
{
    const uint8_t *t = arch_acpi_find("HPET");
    if (!t || *(const uint32_t *)(t + 4) < 56 || t[40] != 0)   /* base must be memory */
        return false;
    uint64_t base = *(const uint64_t *)(t + 44);
    if (!base || (base & 0x3ff))
        return false;
    hpet = arch_mmio_map(base, 0x400);
    if (!hpet)
        return false;
    uint32_t period_fs = hpet[HPET_CAP / 4 + 1];
    if (period_fs == 0 || period_fs > 100000000u)   /* the spec's limit: 100 ns */
        return false;
    hpet[HPET_CONF / 4] |= 1;       /* start the main counter; no legacy routing */
    *r = (struct clockref){ "hpet", 1000000000000000ull / period_fs, 0xffffffffu, hpet_read };
    return advances(hpet_read, r->mask);
}

static bool
pm_init(struct clockref *r)
{
    const uint8_t *f = arch_acpi_find("FACP");
    if (!f)
        return false;
    uint32_t len = *(const uint32_t *)(f + 4);
    uint32_t port = len >= 80 ? *(const uint32_t *)(f + 76) : 0;
    if (!port && len >= 220 && f[208] == 1)       /* X_PM_TMR_BLK in I/O space */
        port = (uint32_t)*(const uint64_t *)(f + 212);
    if (!port || port > 0xfffc)
        return false;
    pm_port = (uint16_t)port;
    bool wide = len >= 116 && (*(const uint32_t *)(f + 112) & (1u << 8));  /* TMR_VAL_EXT */
    *r = (struct clockref){ "pmtimer", PM_HZ, wide ? 0xffffffffu : 0xffffffu, pm_read };
    return advances(pm_read, r->mask);
}

static bool
pit_init(struct clockref *r)
{
    outb(0x61, (inb(0x61) & ~0x02) | 0x01);   /* gate on, speaker off */
    outb(0x43, 0xb4);                          /* channel 2, lo/hi, mode 2 */
    outb(0x42, 0);
    outb(0x42, 0);                             /* 0 = 65536 */
    *r = (struct clockref){ "pit", PIT_HZ, 0xffffu, pit_read };
    return advances(pit_read, r->mask);
}

int
arch_clockref_init(struct clockref *refs, int max)
{
    bool (*const inits[])(struct clockref *) = { hpet_init, pm_init, pit_init };
    int n = 0;
    for (size_t i = 0; i < ARRAY_SIZE(inits) && n < max; i++)
        if (inits[i](&refs[n]))
            n++;
    return n;
}
