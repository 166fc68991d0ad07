/*
 * Device interrupts on x86-64: vectors 48..239 handed out to drivers, the
 * IOAPIC(s) found through the ACPI MADT (legacy INTx lines), MSI messages
 * aimed at the boot CPU's LAPIC, and uncached mappings of device memory.
 * The trap path (arch_trap.c) calls arch_irq_dispatch for these vectors and
 * sends the EOI after it. PCI enumeration and MSI capability programming
 * are portable (kernel/pci.c).
 *
 * Locking: irq_lock protects the vector table, the GSI routes and the MMIO
 * window; handlers are only ever added, so dispatch reads without it.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sync.h"
#include "arch/x86_64/arch_int.h"

#define VEC_FIRST 48
#define VEC_LAST  239
#define IOAPIC_MAX 4
#define GSI_MAX    64

#define IOAPIC_DEFAULT 0xFEC00000u
#define IOREDTBL(n)    (0x10 + 2 * (n))
#define RTE_MASKED     (1u << 16)
#define RTE_LEVEL      (1u << 15)
#define RTE_ACTIVE_LOW (1u << 13)

#define PTE_P   (1ull << 0)
#define PTE_W   (1ull << 1)
#define PTE_PWT (1ull << 3)
#define PTE_PCD (1ull << 4)
#define PTE_PS  (1ull << 7)
#define PTE_G   (1ull << 8)
#define PTE_NX  (1ull << 63)
#define PTE_ADDR 0x000ffffffffff000ull

/* The MMIO window: PDPT slot 509 under the kernel's top PML4 entry, which
 * every address space shares, so a mapping made later is seen everywhere. */
#define MMIO_BASE 0xffffffff40000000ull
#define MMIO_SIZE (1ull << 30)

struct vec {
    void (*handler)(void *arg);
    void *arg;
    int next;       /* next vector sharing this one's GSI, 0 at the end */
};

struct ioapic {
    volatile uint32_t *regs;
    uint32_t gsi_base;
    uint32_t npins;
};

/* An ISA IRQ the MADT redirects (interrupt source override). */
struct isa_override {
    bool valid;
    uint32_t gsi;
    uint16_t flags;  /* MPS INTI flags: bits 0-1 polarity, 2-3 trigger */
};

static struct spinlock irq_lock;
static bool irq_ready;
static struct vec vecs[256];
static int next_vec = VEC_FIRST;
static int gsi_vec[GSI_MAX];        /* first vector routed to a GSI, 0 if none */
static struct ioapic ioapics[IOAPIC_MAX];
static int nioapic;
static struct isa_override isa[16];
static uint64_t mmio_next = MMIO_BASE;

void
arch_irq_dispatch(int vector)
{
    for (int v = vector; v > 0 && v < 256; v = vecs[v].next) {
        if (vecs[v].handler)
            vecs[v].handler(vecs[v].arg);
    }
}

/* --- uncached mappings ------------------------------------------------ */

static uint64_t *
next_table(uint64_t *e)
{
    if (!(*e & PTE_P)) {
        uint64_t pa = mem_frame_alloc_zero();
        if (!pa)
            return NULL;
        *e = pa | PTE_P | PTE_W;
    }
    ASSERT(!(*e & PTE_PS), "the MMIO window is mapped with 4 KiB pages");
    return arch_p2v(*e & PTE_ADDR);
}

static int
map_uncached(uint64_t va, uint64_t pa)
{
    uint64_t *l4 = arch_p2v(arch_pt_kernel_root());
    uint64_t *t = &l4[(va >> 39) & 511];
    ASSERT(*t & PTE_P, "the kernel image's PML4 entry exists");
    for (int shift = 30; shift >= 21; shift -= 9) {
        uint64_t *next = next_table(t);
        if (!next)
            return -ENOMEM;
        t = &next[(va >> shift) & 511];
    }
    uint64_t *pt = next_table(t);
    if (!pt)
        return -ENOMEM;
    pt[(va >> 12) & 511] = (pa & PTE_ADDR) | PTE_P | PTE_W | PTE_PCD | PTE_PWT | PTE_G | PTE_NX;
    arch_tlb_flush_page(va);
    return 0;
}

static void *
mmio_map_locked(uint64_t pa, size_t len)
{
    uint64_t first = pa & ~(PAGE_SIZE - 1);
    uint64_t end = ALIGN_UP(pa + len, PAGE_SIZE);
    if (len == 0 || end < first || mmio_next + (end - first) > MMIO_BASE + MMIO_SIZE)
        return NULL;
    uint64_t va = mmio_next;
    for (uint64_t p = first; p < end; p += PAGE_SIZE)
        if (map_uncached(va + (p - first), p) != 0)
            return NULL;   /* the window's VA is leaked; mapping failures are fatal anyway */
    mmio_next += end - first;
    return (void *)(va + (pa - first));
}

void *
arch_mmio_map(uint64_t pa, size_t len)
{
    spin_lock(&irq_lock);
    void *va = mmio_map_locked(pa, len);
    spin_unlock(&irq_lock);
    return va;
}

/* --- ACPI: the IOAPICs and ISA overrides in the MADT (arch_acpi.c finds it) */

static void
parse_madt(const uint8_t *madt)
{
    uint32_t len = *(const uint32_t *)(madt + 4);
    for (uint32_t off = 44; off + 2 <= len;) {
        const uint8_t *e = madt + off;
        if (e[1] < 2 || off + e[1] > len)
            break;
        if (e[0] == 1 && e[1] >= 12 && nioapic < IOAPIC_MAX) {
            uint32_t addr = *(const uint32_t *)(e + 4);
            ioapics[nioapic].regs = (volatile uint32_t *)(uintptr_t)addr;  /* mapped later */
            ioapics[nioapic].gsi_base = *(const uint32_t *)(e + 8);
            nioapic++;
        } else if (e[0] == 2 && e[1] >= 10 && e[3] < 16) {
            isa[e[3]] = (struct isa_override){ true, *(const uint32_t *)(e + 4),
                                               *(const uint16_t *)(e + 8) };
        }
        off += e[1];
    }
}

/* The MADT ("APIC"), found and checked by arch_acpi_find. */
static void
acpi_find_madt(void)
{
    const uint8_t *madt = arch_acpi_find("APIC");
    if (madt)
        parse_madt(madt);
}

static uint32_t
ioapic_read(struct ioapic *io, uint32_t reg)
{
    io->regs[0] = reg;
    return io->regs[4];
}

static void
ioapic_write(struct ioapic *io, uint32_t reg, uint32_t v)
{
    io->regs[0] = reg;
    io->regs[4] = v;
}

/* Once, under irq_lock: find and map the IOAPICs, mask every pin. */
static void
irq_init_locked(void)
{
    if (irq_ready)
        return;
    acpi_find_madt();
    if (nioapic == 0) {
        ioapics[0].regs = (volatile uint32_t *)(uintptr_t)IOAPIC_DEFAULT;
        ioapics[0].gsi_base = 0;
        nioapic = 1;
        kprintf("wisp: no ACPI MADT; assuming an IOAPIC at 0x%x\n", IOAPIC_DEFAULT);
    }
    for (int i = 0; i < nioapic; i++) {
        struct ioapic *io = &ioapics[i];
        io->regs = mmio_map_locked((uint64_t)(uintptr_t)io->regs, 0x20);
        if (!io->regs) {
            io->npins = 0;
            continue;
        }
        io->npins = ((ioapic_read(io, 1) >> 16) & 0xff) + 1;
        for (uint32_t p = 0; p < io->npins; p++)
            ioapic_write(io, IOREDTBL(p), RTE_MASKED);
    }
    __atomic_store_n(&irq_ready, true, __ATOMIC_RELEASE);
}

static void
irq_init(void)
{
    if (!__atomic_load_n(&irq_ready, __ATOMIC_ACQUIRE)) {
        spin_lock(&irq_lock);
        irq_init_locked();
        spin_unlock(&irq_lock);
    }
}

/* --- vectors, INTx routes, MSI --------------------------------------- */

int
arch_irq_alloc(void (*handler)(void *arg), void *arg)
{
    irq_init();
    spin_lock(&irq_lock);
    int v = -ENOSPC;
    if (next_vec <= VEC_LAST) {
        v = next_vec++;
        vecs[v].arg = arg;
        __atomic_store_n(&vecs[v].handler, handler, __ATOMIC_RELEASE);
    }
    spin_unlock(&irq_lock);
    return v;
}

static uint32_t
bsp_apic_id(void)
{
    uint32_t a, b, c, d;
    cpuid(1, 0, &a, &b, &c, &d);
    return b >> 24;
}

void
arch_msi_message(int vector, uint64_t *addr, uint32_t *data)
{
    *addr = 0xFEE00000ull | (uint64_t)bsp_apic_id() << 12;   /* physical destination */
    *data = (uint32_t)vector & 0xff;                          /* fixed, edge */
}

/* An ISA IRQ (0..15) becomes its MADT override's GSI and wiring; the
 * override's polarity and trigger win over the caller's guess. */
static void
apply_override(int *gsi, bool *level, bool *active_low)
{
    if (*gsi >= 16 || !isa[*gsi].valid)
        return;
    uint16_t f = isa[*gsi].flags;
    *gsi = (int)isa[*gsi].gsi;
    if ((f & 3) == 1)
        *active_low = false;
    else if ((f & 3) == 3)
        *active_low = true;
    if (((f >> 2) & 3) == 1)
        *level = false;
    else if (((f >> 2) & 3) == 3)
        *level = true;
}

int
arch_irq_route_gsi(int gsi, int vector, bool level, bool active_low)
{
    if (vector < VEC_FIRST || vector > VEC_LAST || gsi < 0)
        return -EINVAL;
    irq_init();
    spin_lock(&irq_lock);
    apply_override(&gsi, &level, &active_low);
    int err = -ENODEV;
    for (int i = 0; i < nioapic && err; i++) {
        struct ioapic *io = &ioapics[i];
        if (gsi < (int)io->gsi_base || gsi >= (int)(io->gsi_base + io->npins) || gsi >= GSI_MAX)
            continue;
        err = 0;
        if (gsi_vec[gsi]) {
            /* A shared line (PCI INTx): chain this vector's handler behind
             * the first one; every handler checks its own device. */
            int v = gsi_vec[gsi];
            while (vecs[v].next)
                v = vecs[v].next;
            if (v != vector)
                vecs[v].next = vector;
            break;
        }
        gsi_vec[gsi] = vector;
        uint32_t pin = (uint32_t)gsi - io->gsi_base;
        uint32_t lo = (uint32_t)vector | (level ? RTE_LEVEL : 0) | (active_low ? RTE_ACTIVE_LOW : 0);
        ioapic_write(io, IOREDTBL(pin) + 1, bsp_apic_id() << 24);
        ioapic_write(io, IOREDTBL(pin), lo);
    }
    spin_unlock(&irq_lock);
    return err;
}
