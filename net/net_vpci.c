/*
 * The virtio 1.0 PCI transport (net_vpci.h) shared by the virtio-net and
 * virtio-blk drivers: capabilities in memory BARs, so no port I/O is
 * needed (QEMU's transitional devices offer both); the reset, ACK, DRIVER,
 * FEATURES_OK, DRIVER_OK sequence of virtio 1.0 section 3.1.1; queues
 * announced through the common configuration with their MSI-X vector.
 *
 * Locking: none here; each driver calls these from its probe, one device
 * at a time, before its interrupt handler may touch the queues.
 */
#include "net/net_vpci.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mem.h"

/* Capability cfg_type values. */
#define CAP_COMMON 1
#define CAP_NOTIFY 2
#define CAP_ISR    3
#define CAP_DEVICE 4

/* Common configuration registers. */
#define C_DFSELECT 0x00
#define C_DF       0x04
#define C_GFSELECT 0x08
#define C_GF       0x0c
#define C_MSIX     0x10
#define C_STATUS   0x14
#define C_QSELECT  0x16
#define C_QSIZE    0x18
#define C_QMSIX    0x1a
#define C_QENABLE  0x1c
#define C_QNOTIFY  0x1e
#define C_QDESC    0x20
#define C_QAVAIL   0x28
#define C_QUSED    0x30

#define S_ACK         1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8
#define S_FAILED      128

#define F_VERSION_1 0           /* bit 32: in word 1 */
#define NO_VECTOR   0xffff

static inline void
w8(volatile uint8_t *b, int off, uint8_t v)
{
    *(volatile uint8_t *)(b + off) = v;
}
static inline void
w16(volatile uint8_t *b, int off, uint16_t v)
{
    *(volatile uint16_t *)(b + off) = v;
}
static inline void
w32(volatile uint8_t *b, int off, uint32_t v)
{
    *(volatile uint32_t *)(b + off) = v;
}
static inline void
w64(volatile uint8_t *b, int off, uint64_t v)
{
    w32(b, off, (uint32_t)v);
    w32(b, off + 4, (uint32_t)(v >> 32));
}
static inline uint8_t
r8(volatile uint8_t *b, int off)
{
    return *(volatile uint8_t *)(b + off);
}
static inline uint16_t
r16(volatile uint8_t *b, int off)
{
    return *(volatile uint16_t *)(b + off);
}
static inline uint32_t
r32(volatile uint8_t *b, int off)
{
    return *(volatile uint32_t *)(b + off);
}

/* Map the region a virtio capability describes. */
static volatile uint8_t *
map_cap(const struct pci_dev *p, uint8_t cap)
{
    uint8_t bar = (uint8_t)pci_read(p, cap + 4, 1);
    uint32_t off = pci_read(p, cap + 8, 4);
    uint32_t len = pci_read(p, cap + 12, 4);
    if (bar > 5 || p->bar[bar].io || !p->bar[bar].base || len == 0 ||
        (uint64_t)off + len > p->bar[bar].size)
        return NULL;
    return arch_mmio_map(p->bar[bar].base + off, len);
}

static int
find_caps(struct net_vpci *t, const struct pci_dev *p)
{
    for (uint8_t c = pci_find_cap(p, PCI_CAP_VENDOR, 0); c;
         c = pci_find_cap(p, PCI_CAP_VENDOR, c)) {
        uint8_t type = (uint8_t)pci_read(p, c + 3, 1);
        volatile uint8_t **slot = type == CAP_COMMON   ? &t->common
                                  : type == CAP_NOTIFY ? &t->notify_base
                                  : type == CAP_ISR    ? &t->isr
                                  : type == CAP_DEVICE ? &t->devcfg
                                                       : NULL;
        if (!slot || *slot)
            continue;   /* the first capability of each type is the preferred one */
        *slot = map_cap(p, c);
        if (type == CAP_NOTIFY)
            t->notify_mul = pci_read(p, c + 16, 4);
    }
    return t->common && t->notify_base && t->isr && t->devcfg ? 0 : -ENODEV;
}

int
net_vpci_open(struct net_vpci *t, const struct pci_dev *p, uint32_t need, uint32_t want,
              uint32_t *got)
{
    int err = find_caps(t, p);
    if (err)
        return err;
    w8(t->common, C_STATUS, 0);                 /* reset */
    for (int i = 0; i < 1000000 && r8(t->common, C_STATUS) != 0; i++)
        ;
    w8(t->common, C_STATUS, S_ACK);
    w8(t->common, C_STATUS, S_ACK | S_DRIVER);
    w32(t->common, C_DFSELECT, 0);
    uint32_t f0 = r32(t->common, C_DF);
    w32(t->common, C_DFSELECT, 1);
    uint32_t f1 = r32(t->common, C_DF);
    if (!(f1 & (1u << F_VERSION_1)) || (f0 & need) != need)
        return -ENODEV;
    f0 &= need | want;
    w32(t->common, C_GFSELECT, 0);
    w32(t->common, C_GF, f0);
    w32(t->common, C_GFSELECT, 1);
    w32(t->common, C_GF, 1u << F_VERSION_1);
    w8(t->common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(r8(t->common, C_STATUS) & S_FEATURES_OK))
        return -EIO;
    *got = f0;
    return 0;
}

void
net_vpci_irq_mode(struct net_vpci *t, bool msix)
{
    t->msix = msix;
    w16(t->common, C_MSIX, NO_VECTOR);
}

int
net_vpci_queue(struct net_vpci *t, uint16_t qi, uint16_t qmax, uint16_t min,
               struct net_vring *ring, volatile uint16_t **notify)
{
    w16(t->common, C_QSELECT, qi);
    uint16_t max = r16(t->common, C_QSIZE);
    if (max == 0 || max < min)
        return -ENODEV;
    uint16_t size = qmax;
    while (size > max)
        size >>= 1;
    uint64_t rpa = mem_frame_alloc_contig(net_vring_bytes(size) / PAGE_SIZE);
    if (!rpa)
        return -ENOMEM;     /* frames stay allocated: a failed probe is rare and final */
    net_vring_init(ring, mem_p2v(rpa), size);
    w16(t->common, C_QSIZE, size);
    w64(t->common, C_QDESC, rpa);
    w64(t->common, C_QAVAIL, rpa + net_vring_avail_off(size));
    w64(t->common, C_QUSED, rpa + net_vring_used_off(size));
    if (t->msix) {
        w16(t->common, C_QMSIX, 0);
        if (r16(t->common, C_QMSIX) != 0)
            return -EIO;
    }
    uint16_t noff = r16(t->common, C_QNOTIFY);
    *notify = (volatile uint16_t *)(t->notify_base + (size_t)noff * t->notify_mul);
    w16(t->common, C_QENABLE, 1);
    return 0;
}

void
net_vpci_ready(struct net_vpci *t)
{
    w8(t->common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
}

void
net_vpci_fail(struct net_vpci *t)
{
    if (t->common)
        w8(t->common, C_STATUS, S_FAILED);
}

uint8_t
net_vpci_isr(struct net_vpci *t)
{
    return r8(t->isr, 0);
}
