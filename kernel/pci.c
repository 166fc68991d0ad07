/*
 * PCI enumeration and interrupt setup, portable: every access goes through
 * arch_pci_cfg_read/write, vectors and MSI messages come from kernel/arch.h.
 * The scan runs once, sizes each BAR (decoding is off while the BAR holds
 * all ones) and keeps a table drivers probe from (net/net_drivers.c).
 * Host-tested over a fake configuration space in kernel/pci_test.c.
 */
#include "kernel/pci.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static struct pci_dev devs[PCI_MAX_DEVS];
static int ndevs = -1;     /* -1: not scanned yet */

uint32_t
pci_read(const struct pci_dev *d, uint16_t off, int width)
{
    return arch_pci_cfg_read(d->bus, d->dev, d->fn, off, width);
}

void
pci_write(const struct pci_dev *d, uint16_t off, int width, uint32_t v)
{
    arch_pci_cfg_write(d->bus, d->dev, d->fn, off, width, v);
}

/* Size BAR i; returns how many BAR slots it used (2 for a 64-bit one). */
static int
size_bar(struct pci_dev *d, int i)
{
    uint16_t off = PCI_BAR0 + 4 * i;
    struct pci_bar *b = &d->bar[i];
    uint32_t orig = pci_read(d, off, 4);

    pci_write(d, off, 4, 0xffffffffu);
    uint32_t mask = pci_read(d, off, 4);
    pci_write(d, off, 4, orig);
    if (orig & 1) {
        b->io = true;
        b->base = orig & ~3u;
        mask &= ~3u;
        b->size = mask ? (uint16_t)(~mask + 1) : 0;  /* I/O BARs decode 16 bits */
        return 1;
    }
    b->prefetch = (orig >> 3) & 1;
    b->base = orig & ~0xfu;
    uint64_t m = mask & ~0xfu;
    if (((orig >> 1) & 3) == 2 && i < 5) {
        b->is64 = true;
        uint32_t hi = pci_read(d, off + 4, 4);
        pci_write(d, off + 4, 4, 0xffffffffu);
        uint32_t mhi = pci_read(d, off + 4, 4);
        pci_write(d, off + 4, 4, hi);
        b->base |= (uint64_t)hi << 32;
        m |= (uint64_t)mhi << 32;
        b->size = m ? ~m + 1 : 0;
        return 2;
    }
    b->size = m ? (uint32_t)(~(uint32_t)m + 1) : 0;
    return 1;
}

static void
read_function(struct pci_dev *d)
{
    d->vendor = (uint16_t)pci_read(d, PCI_VENDOR, 2);
    d->device = (uint16_t)pci_read(d, PCI_DEVICE, 2);
    uint32_t cr = pci_read(d, PCI_CLASS_REV, 4);
    d->revision = cr & 0xff;
    d->prog_if = (cr >> 8) & 0xff;
    d->subclass = (cr >> 16) & 0xff;
    d->class_code = cr >> 24;
    d->int_line = (uint8_t)pci_read(d, PCI_INT_LINE, 1);
    d->int_pin = (uint8_t)pci_read(d, PCI_INT_PIN, 1);
    if ((pci_read(d, PCI_HEADER, 1) & 0x7f) != 0)
        return;     /* bridges: no BARs we use */
    uint16_t cmd = (uint16_t)pci_read(d, PCI_COMMAND, 2);
    pci_write(d, PCI_COMMAND, 2, cmd & ~(PCI_CMD_IO | PCI_CMD_MEM));
    for (int i = 0; i < 6;)
        i += size_bar(d, i);
    pci_write(d, PCI_COMMAND, 2, cmd);
}

int
pci_scan(struct pci_dev **out)
{
    if (ndevs >= 0) {
        *out = devs;
        return ndevs;
    }
    ndevs = 0;
    for (int bus = 0; bus < 256; bus++) {
        for (int dev = 0; dev < 32; dev++) {
            for (int fn = 0; fn < 8; fn++) {
                uint32_t id = arch_pci_cfg_read(bus, dev, fn, PCI_VENDOR, 4);
                if ((id & 0xffff) == 0xffff || (id & 0xffff) == 0) {
                    if (fn == 0)
                        break;
                    continue;
                }
                if (ndevs < PCI_MAX_DEVS) {
                    struct pci_dev *d = &devs[ndevs++];
                    memset(d, 0, sizeof(*d));
                    d->bus = bus;
                    d->dev = dev;
                    d->fn = fn;
                    read_function(d);
                }
                if (fn == 0 && !(arch_pci_cfg_read(bus, dev, 0, PCI_HEADER, 1) & 0x80))
                    break;  /* single-function device */
            }
        }
    }
    *out = devs;
    return ndevs;
}

uint8_t
pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from)
{
    if (!(pci_read(d, PCI_STATUS, 2) & PCI_STATUS_CAPS))
        return 0;
    uint8_t off = from ? (uint8_t)pci_read(d, from + 1, 1) : (uint8_t)pci_read(d, PCI_CAP_PTR, 1);
    /* At most 48 capabilities fit in 192 bytes: more means a loop. */
    for (int n = 0; n < 48 && off >= 0x40; n++) {
        off &= 0xfc;
        if ((uint8_t)pci_read(d, off, 1) == id)
            return off;
        off = (uint8_t)pci_read(d, off + 1, 1);
    }
    return 0;
}

void
pci_enable(const struct pci_dev *d)
{
    uint16_t cmd = (uint16_t)pci_read(d, PCI_COMMAND, 2);
    pci_write(d, PCI_COMMAND, 2, cmd | PCI_CMD_IO | PCI_CMD_MEM | PCI_CMD_MASTER);
}

static void
intx_off(const struct pci_dev *d, bool off)
{
    uint16_t cmd = (uint16_t)pci_read(d, PCI_COMMAND, 2);
    cmd = off ? cmd | PCI_CMD_INTX_OFF : cmd & ~PCI_CMD_INTX_OFF;
    pci_write(d, PCI_COMMAND, 2, cmd);
}

/* The MSI-X table of d, mapped; *n gets its entry count. NULL if absent. */
static volatile uint32_t *
msix_table(const struct pci_dev *d, uint8_t cap, int *n)
{
    uint16_t ctl = (uint16_t)pci_read(d, cap + 2, 2);
    uint32_t tab = pci_read(d, cap + 4, 4);
    const struct pci_bar *b = &d->bar[tab & 7];
    *n = (ctl & 0x7ff) + 1;
    if ((tab & 7) > 5 || b->io || !b->base || (tab & ~7u) + (uint64_t)*n * 16 > b->size)
        return NULL;
    return arch_mmio_map(b->base + (tab & ~7u), (size_t)*n * 16);
}

int
pci_msix_set(const struct pci_dev *d, int entry, int vector)
{
    uint8_t cap = pci_find_cap(d, PCI_CAP_MSIX, 0);
    int n;
    if (!cap)
        return -ENODEV;
    volatile uint32_t *t = msix_table(d, cap, &n);
    if (!t)
        return -ENOMEM;
    if (entry < 0 || entry >= n)
        return -EINVAL;
    uint64_t addr;
    uint32_t data;
    arch_msi_message(vector, &addr, &data);
    volatile uint32_t *e = t + 4 * entry;
    e[3] = 1;                   /* masked while it changes */
    e[0] = (uint32_t)addr;
    e[1] = (uint32_t)(addr >> 32);
    e[2] = data;
    e[3] = 0;
    return 0;
}

static int
setup_msix(const struct pci_dev *d, uint8_t cap, int vector)
{
    int n;
    volatile uint32_t *t = msix_table(d, cap, &n);
    if (!t)
        return -ENOMEM;
    uint16_t ctl = (uint16_t)pci_read(d, cap + 2, 2);
    /* Enable with the function masked, so no entry fires half-written. */
    pci_write(d, cap + 2, 2, (ctl | 0x8000 | 0x4000));
    for (int i = 0; i < n; i++)
        t[4 * i + 3] = 1;
    int err = pci_msix_set(d, 0, vector);
    if (err) {
        pci_write(d, cap + 2, 2, ctl & ~0xc000);    /* back off to MSI or INTx */
        return err;
    }
    intx_off(d, true);
    pci_write(d, cap + 2, 2, (ctl | 0x8000) & ~0x4000);
    return 0;
}

static void
setup_msi(const struct pci_dev *d, uint8_t cap, int vector)
{
    uint64_t addr;
    uint32_t data;
    arch_msi_message(vector, &addr, &data);
    uint16_t ctl = (uint16_t)pci_read(d, cap + 2, 2);
    pci_write(d, cap + 4, 4, (uint32_t)addr);
    if (ctl & 0x80) {           /* 64-bit address capable */
        pci_write(d, cap + 8, 4, (uint32_t)(addr >> 32));
        pci_write(d, cap + 12, 2, data);
    } else {
        pci_write(d, cap + 8, 2, data);
    }
    intx_off(d, true);
    pci_write(d, cap + 2, 2, (ctl & ~0x70u) | 1);   /* one vector, enabled */
}

int
pci_irq_setup(const struct pci_dev *d, unsigned allow, void (*handler)(void *arg), void *arg,
              int *vector, enum pci_irq_kind *kind)
{
    uint8_t msix = (allow & PCI_ALLOW_MSIX) ? pci_find_cap(d, PCI_CAP_MSIX, 0) : 0;
    uint8_t msi = (allow & PCI_ALLOW_MSI) ? pci_find_cap(d, PCI_CAP_MSI, 0) : 0;
    bool intx = (allow & PCI_ALLOW_INTX) && d->int_pin && d->int_line && d->int_line != 0xff;
    if (!msix && !msi && !intx)
        return -ENODEV;
    int v = arch_irq_alloc(handler, arg);
    if (v < 0)
        return v;
    *vector = v;
    if (msix && setup_msix(d, msix, v) == 0) {
        *kind = PCI_IRQ_MSIX;
        return 0;
    }
    if (msi) {
        setup_msi(d, msi, v);
        *kind = PCI_IRQ_MSI;
        return 0;
    }
    if (!intx)
        return -ENODEV;     /* the vector stays allocated; there are 192 */
    int err = arch_irq_route_gsi(d->int_line, v, true, true);
    if (err)
        return err;
    intx_off(d, false);
    *kind = PCI_IRQ_INTX;
    return 0;
}

const char *
pci_irq_kind_name(enum pci_irq_kind k)
{
    switch (k) {
    case PCI_IRQ_INTX:
        return "INTx";
    case PCI_IRQ_MSI:
        return "MSI";
    case PCI_IRQ_MSIX:
        return "MSI-X";
    default:
        return "none";
    }
}
