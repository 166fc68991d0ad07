/*
 * virtio-net over PCI, the virtio 1.0 ("modern") interface: common, notify,
 * ISR and device configuration found through vendor capabilities in memory
 * BARs, so no port I/O is needed (QEMU's default transitional
 * virtio-net-pci offers it too). Features: VERSION_1 and MAC only. One
 * receive and one transmit queue; every receive buffer is posted at start
 * and reposted as soon as its frame is copied out; the interrupt (MSI-X
 * entry 0 for both queues, else INTx with the ISR register) harvests both.
 * The queue memory helpers are in net_vring.c.
 *
 * Locking: tx_lock protects the transmit queue and its free list (the net
 * thread fills it, the interrupt reclaims it); the receive queue is touched
 * only by the interrupt handler after start.
 */
#include "net/net.h"
#include "net/net_drv.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/pci.h"
#include "kernel/sync.h"

#define VIRTIO_VENDOR 0x1af4

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

#define S_ACK       1
#define S_DRIVER    2
#define S_DRIVER_OK 4
#define S_FEATURES_OK 8
#define S_FAILED    128

#define F_MAC       5           /* in word 0 */
#define F_VERSION_1 0           /* bit 32: in word 1 */
#define NO_VECTOR   0xffff

#define HDR_LEN   12            /* struct virtio_net_hdr with num_buffers (1.0) */
#define BUF_SIZE  2048
#define QMAX      128
#define RXQ 0
#define TXQ 1

struct vq {
    struct net_vring ring;
    uint8_t *bufs;              /* size * BUF_SIZE, contiguous */
    uint64_t bufs_pa;
    volatile uint16_t *notify;
};

struct vnet {
    struct net_dev dev;
    volatile uint8_t *common;
    volatile uint8_t *isr;
    volatile uint8_t *devcfg;
    volatile uint8_t *notify_base;
    uint32_t notify_mul;
    bool msix;
    volatile bool up;           /* queues ready: the handler may touch them */
    struct vq rx;

    struct spinlock tx_lock;    /* protects tx and the free list below */
    struct vq tx;
    uint16_t tx_free[QMAX];
    int tx_nfree;
};

static int nvirtio;

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

bool
net_virtio_match(const struct pci_dev *p)
{
    if (p->vendor != VIRTIO_VENDOR)
        return false;
    if (p->device == 0x1041)
        return true;
    /* Transitional ids 0x1000..0x103f name the type in the subsystem id. */
    return p->device == 0x1000 && pci_read(p, 0x2e, 2) == 1;
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
find_caps(struct vnet *v, const struct pci_dev *p)
{
    for (uint8_t c = pci_find_cap(p, PCI_CAP_VENDOR, 0); c;
         c = pci_find_cap(p, PCI_CAP_VENDOR, c)) {
        uint8_t type = (uint8_t)pci_read(p, c + 3, 1);
        volatile uint8_t **slot = type == CAP_COMMON   ? &v->common
                                  : type == CAP_NOTIFY ? &v->notify_base
                                  : type == CAP_ISR    ? &v->isr
                                  : type == CAP_DEVICE ? &v->devcfg
                                                       : NULL;
        if (!slot || *slot)
            continue;   /* the first capability of each type is the preferred one */
        *slot = map_cap(p, c);
        if (type == CAP_NOTIFY)
            v->notify_mul = pci_read(p, c + 16, 4);
    }
    return v->common && v->notify_base && v->isr && v->devcfg ? 0 : -ENODEV;
}

static int
negotiate(struct vnet *v)
{
    w8(v->common, C_STATUS, 0);                 /* reset */
    for (int i = 0; i < 1000000 && r8(v->common, C_STATUS) != 0; i++)
        ;
    w8(v->common, C_STATUS, S_ACK);
    w8(v->common, C_STATUS, S_ACK | S_DRIVER);
    w32(v->common, C_DFSELECT, 0);
    uint32_t f0 = r32(v->common, C_DF);
    w32(v->common, C_DFSELECT, 1);
    uint32_t f1 = r32(v->common, C_DF);
    if (!(f1 & (1u << F_VERSION_1)) || !(f0 & (1u << F_MAC)))
        return -ENODEV;
    w32(v->common, C_GFSELECT, 0);
    w32(v->common, C_GF, 1u << F_MAC);
    w32(v->common, C_GFSELECT, 1);
    w32(v->common, C_GF, 1u << F_VERSION_1);
    w8(v->common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(r8(v->common, C_STATUS) & S_FEATURES_OK))
        return -EIO;
    return 0;
}

/* Allocate and announce queue qi; the buffers are size * BUF_SIZE. */
static int
setup_queue(struct vnet *v, struct vq *q, int qi)
{
    w16(v->common, C_QSELECT, (uint16_t)qi);
    uint16_t max = r16(v->common, C_QSIZE);
    if (max == 0)
        return -ENODEV;
    uint16_t size = QMAX;
    while (size > max)
        size >>= 1;
    size_t rbytes = net_vring_bytes(size);
    uint64_t rpa = mem_frame_alloc_contig(rbytes / PAGE_SIZE);
    q->bufs_pa = mem_frame_alloc_contig((size_t)size * BUF_SIZE / PAGE_SIZE);
    if (!rpa || !q->bufs_pa)
        return -ENOMEM;     /* frames stay allocated: a failed probe is rare and final */
    q->bufs = mem_p2v(q->bufs_pa);
    net_vring_init(&q->ring, mem_p2v(rpa), size);
    w16(v->common, C_QSIZE, size);
    w64(v->common, C_QDESC, rpa);
    w64(v->common, C_QAVAIL, rpa + net_vring_avail_off(size));
    w64(v->common, C_QUSED, rpa + net_vring_used_off(size));
    if (v->msix) {
        w16(v->common, C_QMSIX, 0);
        if (r16(v->common, C_QMSIX) != 0)
            return -EIO;
    }
    uint16_t noff = r16(v->common, C_QNOTIFY);
    q->notify = (volatile uint16_t *)(v->notify_base + (size_t)noff * v->notify_mul);
    w16(v->common, C_QENABLE, 1);
    return 0;
}

static void
rx_post(struct vnet *v, uint16_t id)
{
    struct vq *q = &v->rx;
    net_vring_set(&q->ring, id, q->bufs_pa + (uint64_t)id * BUF_SIZE, BUF_SIZE,
                  NET_VRING_F_WRITE, 0);
    net_vring_push(&q->ring, id);
}

/* Caller holds v->tx_lock. */
static void
tx_reclaim(struct vnet *v)
{
    uint16_t id;
    uint32_t len;
    while (net_vring_pop(&v->tx.ring, &id, &len)) {
        if (id == 0xffff || v->tx_nfree >= v->tx.ring.size)
            continue;   /* a device bug; never trust the index */
        v->tx_free[v->tx_nfree++] = id;
    }
}

static void
virtio_irq(void *arg)
{
    struct vnet *v = arg;
    if (!v->up)
        return;         /* a shared line fired before our queues exist */
    if (!v->msix && !(r8(v->isr, 0) & 3))
        return;         /* shared INTx line, not ours (the read acknowledged it) */
    v->dev.stats.irqs++;
    uint16_t id;
    uint32_t len;
    bool posted = false;
    while (net_vring_pop(&v->rx.ring, &id, &len)) {
        if (id == 0xffff) {
            v->dev.stats.rx_dropped++;
            continue;
        }
        if (len > HDR_LEN && len <= BUF_SIZE)
            net_drv_rx(&v->dev, v->rx.bufs + (size_t)id * BUF_SIZE + HDR_LEN, len - HDR_LEN);
        else
            v->dev.stats.rx_dropped++;
        rx_post(v, id);
        posted = true;
    }
    if (posted)
        *v->rx.notify = RXQ;
    spin_lock(&v->tx_lock);
    tx_reclaim(v);
    spin_unlock(&v->tx_lock);
}

static int
virtio_xmit(struct net_dev *d, const void *frame, size_t len)
{
    struct vnet *v = d->priv;
    if (len > NET_MAX_FRAME || len + HDR_LEN > BUF_SIZE)
        return -EIO;
    spin_lock(&v->tx_lock);
    tx_reclaim(v);
    if (v->tx_nfree == 0) {
        spin_unlock(&v->tx_lock);
        return -EAGAIN;
    }
    uint16_t id = v->tx_free[--v->tx_nfree];
    uint8_t *b = v->tx.bufs + (size_t)id * BUF_SIZE;
    memset(b, 0, HDR_LEN);                  /* no offloads */
    memcpy(b + HDR_LEN, frame, len);
    net_vring_set(&v->tx.ring, id, v->tx.bufs_pa + (uint64_t)id * BUF_SIZE,
                  (uint32_t)(len + HDR_LEN), 0, 0);
    net_vring_push(&v->tx.ring, id);
    *v->tx.notify = TXQ;
    spin_unlock(&v->tx_lock);
    return 0;
}

static const struct net_dev_ops virtio_ops = { .xmit = virtio_xmit };

static int
start(struct vnet *v, const struct pci_dev *p)
{
    int vector, err;
    enum pci_irq_kind kind;
    if ((err = find_caps(v, p)) != 0 || (err = negotiate(v)) != 0)
        return err;
    err = pci_irq_setup(p, PCI_ALLOW_MSIX | PCI_ALLOW_INTX, virtio_irq, v, &vector, &kind);
    if (err)
        return err;
    v->msix = kind == PCI_IRQ_MSIX;
    w16(v->common, C_MSIX, NO_VECTOR);      /* no configuration-change interrupts */
    if ((err = setup_queue(v, &v->rx, RXQ)) != 0 || (err = setup_queue(v, &v->tx, TXQ)) != 0)
        return err;
    for (int i = 0; i < 6; i++)
        v->dev.mac[i] = r8(v->devcfg, i);
    for (uint16_t i = 0; i < v->tx.ring.size; i++)
        v->tx_free[v->tx_nfree++] = i;
    for (uint16_t i = 0; i < v->rx.ring.size; i++)
        rx_post(v, i);
    v->up = true;
    w8(v->common, C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    *v->rx.notify = RXQ;
    kprintf("wisp: %s: virtio-net at %02x:%02x.%x, mac %02x:%02x:%02x:%02x:%02x:%02x, "
            "%s vector %d, queues %u/%u\n", v->dev.name, p->bus, p->dev, p->fn, v->dev.mac[0],
            v->dev.mac[1], v->dev.mac[2], v->dev.mac[3], v->dev.mac[4], v->dev.mac[5],
            pci_irq_kind_name(kind), vector, v->rx.ring.size, v->tx.ring.size);
    return 0;
}

int
net_virtio_probe(const struct pci_dev *p, struct net_dev **out)
{
    struct vnet *v = kzalloc(sizeof(*v));
    if (!v)
        return -ENOMEM;
    k_snprintf(v->dev.name, sizeof(v->dev.name), "virtio%d", nvirtio);
    v->dev.mtu = 1500;
    v->dev.ops = &virtio_ops;
    v->dev.priv = v;
    spin_init(&v->tx_lock, "net.virtio_tx");
    pci_enable(p);
    int err = start(v, p);
    if (err) {
        if (v->common)
            w8(v->common, C_STATUS, S_FAILED);
        kprintf("wisp: virtio-net at %02x:%02x.%x: not usable (error %d)\n", p->bus, p->dev,
                p->fn, -err);
        return err;     /* v and its queues leak: the device may still own them */
    }
    nvirtio++;
    *out = &v->dev;
    return 0;
}
