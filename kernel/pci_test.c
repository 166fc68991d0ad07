/*
 * Tests of PCI enumeration and interrupt setup (pci.c) over a fake
 * configuration space: functions with BARs that size like hardware (the
 * low bits are read-only, writing all ones reads back the size mask), a
 * capability list, MSI and MSI-X. The arch side (vectors, MSI messages,
 * IOAPIC routes, MMIO mappings) is faked here and records its calls.
 */
#include <stdlib.h>
#include "kernel/pci.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "tests/host/test.h"

struct fdev {
    uint8_t bus, dev, fn;
    uint8_t cfg[256];
    uint64_t bar_size[6];       /* 0: BAR absent; 64-bit BARs use slot i */
};

static struct fdev fdevs[8];
static int nfdevs;
static uint32_t msix_table[8 * 4];     /* the fake device memory behind MSI-X */
static int last_gsi = -1, last_gsi_vec;
static bool last_level, last_low;
static int next_vector = 48;

static struct fdev *
find(uint8_t bus, uint8_t dev, uint8_t fn)
{
    for (int i = 0; i < nfdevs; i++)
        if (fdevs[i].bus == bus && fdevs[i].dev == dev && fdevs[i].fn == fn)
            return &fdevs[i];
    return NULL;
}

uint32_t
arch_pci_cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width)
{
    struct fdev *f = find(bus, dev, fn);
    uint32_t v = 0;
    if (!f)
        return 0xffffffffu;
    memcpy(&v, &f->cfg[off], (size_t)width);
    return v;
}

/* A BAR keeps only the address bits its size allows; flag bits stay. */
static void
bar_write(struct fdev *f, int i, uint32_t v)
{
    uint32_t old;
    memcpy(&old, &f->cfg[PCI_BAR0 + 4 * i], 4);
    bool hi = i > 0 && f->bar_size[i] == 0 && f->bar_size[i - 1] &&
              ((f->cfg[PCI_BAR0 + 4 * (i - 1)] >> 1) & 3) == 2;
    uint64_t size = hi ? f->bar_size[i - 1] : f->bar_size[i];
    uint32_t keep = hi ? 0 : (old & 1) ? 3 : 0xf;
    uint32_t mask = hi ? (uint32_t)(~(size - 1) >> 32) : (uint32_t)~(size - 1) & ~keep;
    if (!size)
        mask = 0;
    v = (v & mask) | (old & keep);
    memcpy(&f->cfg[PCI_BAR0 + 4 * i], &v, 4);
}

void
arch_pci_cfg_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width, uint32_t v)
{
    struct fdev *f = find(bus, dev, fn);
    if (!f)
        return;
    if (off >= PCI_BAR0 && off < PCI_BAR0 + 24 && width == 4) {
        bar_write(f, (off - PCI_BAR0) / 4, v);
        return;
    }
    memcpy(&f->cfg[off], &v, (size_t)width);
}

int
arch_irq_alloc(void (*handler)(void *arg), void *arg)
{
    return next_vector++;
}

void
arch_msi_message(int vector, uint64_t *addr, uint32_t *data)
{
    *addr = 0xfee00000ull;
    *data = (uint32_t)vector;
}

int
arch_irq_route_gsi(int gsi, int vector, bool level, bool active_low)
{
    last_gsi = gsi;
    last_gsi_vec = vector;
    last_level = level;
    last_low = active_low;
    return 0;
}

void *
arch_mmio_map(uint64_t pa, size_t len)
{
    return pa == 0xfebd1000ull && len <= sizeof(msix_table) ? (void *)msix_table : NULL;
}

static void
put(struct fdev *f, int off, int width, uint32_t v)
{
    memcpy(&f->cfg[off], &v, (size_t)width);
}

static struct fdev *
add(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t vendor, uint16_t device)
{
    struct fdev *f = &fdevs[nfdevs++];
    memset(f, 0, sizeof(*f));
    f->bus = bus;
    f->dev = dev;
    f->fn = fn;
    put(f, PCI_VENDOR, 2, vendor);
    put(f, PCI_DEVICE, 2, device);
    return f;
}

static void
handler(void *arg)
{
}

static struct pci_dev
dev_of(const struct fdev *f)
{
    return (struct pci_dev){ .bus = f->bus, .dev = f->dev, .fn = f->fn };
}

static void
test_scan_finds_functions_and_sizes_bars(void)
{
    nfdevs = 0;
    add(0, 0, 0, 0x8086, 0x1237);
    struct fdev *e = add(0, 3, 0, 0x8086, 0x100e);
    put(e, PCI_CLASS_REV, 4, 0x02000003);
    put(e, PCI_BAR0, 4, 0xfebc0000);          /* 32-bit memory, 128 KiB */
    e->bar_size[0] = 0x20000;
    put(e, PCI_BAR0 + 4, 4, 0xc001);          /* I/O, 64 ports */
    e->bar_size[1] = 0x40;
    put(e, PCI_BAR0 + 8, 4, 0x0000000c);      /* 64-bit prefetchable, 16 KiB, above 4 GiB */
    put(e, PCI_BAR0 + 12, 4, 0x00000008);
    e->bar_size[2] = 0x4000;
    put(e, PCI_COMMAND, 2, PCI_CMD_MEM | PCI_CMD_IO);
    put(e, PCI_INT_LINE, 1, 11);
    put(e, PCI_INT_PIN, 1, 1);
    struct fdev *m = add(0, 5, 0, 0x1af4, 0x1041);
    put(m, PCI_HEADER, 1, 0x80);              /* multi-function */
    add(0, 5, 2, 0x1af4, 0x1042);
    add(0, 6, 1, 0x1234, 0x5678);             /* fn 1 of a single-function slot: unseen */

    struct pci_dev *d;
    int n = pci_scan(&d);
    EXPECT_EQ(n, 4);
    EXPECT_EQ(d[1].device, 0x100e);
    EXPECT_EQ(d[1].class_code, 2);
    EXPECT_EQ(d[1].revision, 3);
    EXPECT_EQ(d[1].int_line, 11);
    EXPECT_EQ(d[1].bar[0].base, 0xfebc0000);
    EXPECT_EQ(d[1].bar[0].size, 0x20000);
    EXPECT_TRUE(d[1].bar[1].io && d[1].bar[1].base == 0xc000 && d[1].bar[1].size == 0x40);
    EXPECT_TRUE(d[1].bar[2].is64 && d[1].bar[2].prefetch);
    EXPECT_EQ(d[1].bar[2].base, 0x800000000ull);
    EXPECT_EQ(d[1].bar[2].size, 0x4000);
    EXPECT_EQ(d[1].bar[3].size, 0);           /* the upper half is not a BAR */
    EXPECT_EQ(arch_pci_cfg_read(0, 3, 0, PCI_BAR0, 4), 0xfebc0000);   /* restored */
    EXPECT_EQ(arch_pci_cfg_read(0, 3, 0, PCI_COMMAND, 2), PCI_CMD_MEM | PCI_CMD_IO);
    EXPECT_EQ(d[3].fn, 2);
    EXPECT_EQ(pci_scan(&d), 4);               /* once only */
}

/* A function with caps at 0x40 (MSI, 64-bit), 0x50 and 0x60 (vendor). */
static struct fdev *
caps_dev(void)
{
    nfdevs = 0;
    struct fdev *f = add(0, 4, 0, 0x1af4, 0x1041);
    put(f, PCI_STATUS, 2, PCI_STATUS_CAPS);
    put(f, PCI_CAP_PTR, 1, 0x40);
    put(f, 0x40, 2, PCI_CAP_MSI | 0x50 << 8);
    put(f, 0x42, 2, 0x80);                    /* 64-bit capable */
    put(f, 0x50, 2, PCI_CAP_VENDOR | 0x60 << 8);
    put(f, 0x60, 2, PCI_CAP_VENDOR | 0x00 << 8);
    return f;
}

static void
test_find_cap_walks_list(void)
{
    struct fdev *f = caps_dev();
    struct pci_dev d = dev_of(f);
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_MSI, 0), 0x40);
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_VENDOR, 0), 0x50);
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_VENDOR, 0x50), 0x60);
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_VENDOR, 0x60), 0);
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_MSIX, 0), 0);
    put(f, PCI_STATUS, 2, 0);                 /* no list at all */
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_MSI, 0), 0);
}

static void
test_find_cap_survives_loop_and_bad_pointer(void)
{
    struct fdev *f = caps_dev();
    struct pci_dev d = dev_of(f);
    put(f, 0x61, 1, 0x40);                    /* 0x60 -> 0x40: a loop */
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_MSIX, 0), 0);
    put(f, 0x51, 1, 0x10);                    /* into the header: ends the walk */
    EXPECT_EQ(pci_find_cap(&d, PCI_CAP_VENDOR, 0x50), 0);
}

static void
test_msi_setup_programs_message(void)
{
    struct fdev *f = caps_dev();
    struct pci_dev d = dev_of(f);
    int v;
    enum pci_irq_kind k;
    EXPECT_EQ(pci_irq_setup(&d, PCI_ALLOW_ANY, handler, NULL, &v, &k), 0);
    EXPECT_EQ(k, PCI_IRQ_MSI);
    EXPECT_EQ(arch_pci_cfg_read(0, 4, 0, 0x44, 4), 0xfee00000u);
    EXPECT_EQ(arch_pci_cfg_read(0, 4, 0, 0x48, 4), 0);
    EXPECT_EQ(arch_pci_cfg_read(0, 4, 0, 0x4c, 2), v);
    EXPECT_EQ(arch_pci_cfg_read(0, 4, 0, 0x42, 2) & 0x71, 1);   /* enabled, one vector */
    EXPECT_TRUE(arch_pci_cfg_read(0, 4, 0, PCI_COMMAND, 2) & PCI_CMD_INTX_OFF);
}

static void
test_msix_setup_masks_all_but_entry0(void)
{
    nfdevs = 0;
    struct fdev *f = add(0, 4, 0, 0x1af4, 0x1041);
    put(f, PCI_STATUS, 2, PCI_STATUS_CAPS);
    put(f, PCI_CAP_PTR, 1, 0x40);
    put(f, 0x40, 2, PCI_CAP_MSIX);
    put(f, 0x42, 2, 2);                       /* 3 entries */
    put(f, 0x44, 4, 0x1000 | 1);              /* table in BAR 1 at 0x1000 */
    struct pci_dev d = dev_of(f);
    d.bar[1] = (struct pci_bar){ .base = 0xfebd0000, .size = 0x2000 };
    memset(msix_table, 0, sizeof(msix_table));
    int v;
    enum pci_irq_kind k;
    EXPECT_EQ(pci_irq_setup(&d, PCI_ALLOW_ANY, handler, NULL, &v, &k), 0);
    EXPECT_EQ(k, PCI_IRQ_MSIX);
    EXPECT_EQ(msix_table[0], 0xfee00000u);
    EXPECT_EQ(msix_table[2], v);
    EXPECT_EQ(msix_table[3], 0);              /* entry 0 unmasked */
    EXPECT_EQ(msix_table[4 + 3], 1);
    EXPECT_EQ(msix_table[8 + 3], 1);
    EXPECT_EQ(arch_pci_cfg_read(0, 4, 0, 0x42, 2) & 0xc000, 0x8000);
    EXPECT_EQ(pci_msix_set(&d, 3, v), -EINVAL);
}

static void
test_intx_fallback_routes_line(void)
{
    nfdevs = 0;
    struct fdev *f = add(0, 7, 0, 0x8086, 0x100e);
    put(f, PCI_COMMAND, 2, PCI_CMD_INTX_OFF);
    struct pci_dev d = dev_of(f);
    d.int_pin = 1;
    d.int_line = 10;
    int v;
    enum pci_irq_kind k;
    EXPECT_EQ(pci_irq_setup(&d, PCI_ALLOW_ANY, handler, NULL, &v, &k), 0);
    EXPECT_EQ(k, PCI_IRQ_INTX);
    EXPECT_EQ(last_gsi, 10);
    EXPECT_EQ(last_gsi_vec, v);
    EXPECT_TRUE(last_level && last_low);
    EXPECT_EQ(arch_pci_cfg_read(0, 7, 0, PCI_COMMAND, 2) & PCI_CMD_INTX_OFF, 0);
    d.int_line = 0xff;                        /* firmware left it unrouted */
    EXPECT_EQ(pci_irq_setup(&d, PCI_ALLOW_ANY, handler, NULL, &v, &k), -ENODEV);
}

void
tests_run(void)
{
    RUN(test_scan_finds_functions_and_sizes_bars);
    RUN(test_find_cap_walks_list);
    RUN(test_find_cap_survives_loop_and_bad_pointer);
    RUN(test_msi_setup_programs_message);
    RUN(test_msix_setup_masks_all_but_entry0);
    RUN(test_intx_fallback_routes_line);
}
