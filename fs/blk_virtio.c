/*
 * virtio-blk over PCI, the virtio 1.0 ("modern") interface, as the network
 * driver (net/net_virtio.c) does it, through the same transport
 * (net/net_vpci.c): capabilities in memory BARs, one request queue, MSI-X
 * entry 0 or else INTx with the ISR register. The split virtqueue helpers
 * are net/net_vring.c's, used through their API.
 * Features taken: VERSION_1, SIZE_MAX, SEG_MAX, RO, BLK_SIZE, FLUSH.
 *
 * A request is a descriptor chain: a 16-byte header the device reads, the
 * data pieces (blk_sg_map of the caller's scatter list), and a status byte
 * the device writes. Chains are carved from a free list of descriptors;
 * header and status live in arrays indexed by the chain's head, as does
 * the request, so the used ring's id finds everything. The queueing,
 * counters and completion callbacks are fs/blk_core.c's. blk_init (the
 * probe at boot) is here too.
 *
 * Locking: the device's blk_dev.lock protects the ring, the free list and
 * the per-head arrays; start runs with it held (from the core), the
 * interrupt handler takes it to harvest and drops it before completing.
 */
#include "fs/blk.h"
#include "net/net_drv.h"
#include "net/net_vpci.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/pci.h"

/* Feature bits (word 0), virtio 1.0 section 5.2.3. */
#define F_SIZE_MAX  1
#define F_SEG_MAX   2
#define F_RO        5
#define F_BLK_SIZE  6
#define F_FLUSH     9
#define F_WANTED ((1u << F_SIZE_MAX) | (1u << F_SEG_MAX) | (1u << F_RO) | \
                  (1u << F_BLK_SIZE) | (1u << F_FLUSH))

/* Device configuration (struct virtio_blk_config). */
#define D_CAPACITY 0
#define D_SIZE_MAX 8
#define D_SEG_MAX  12
#define D_BLK_SIZE 20

/* Request types and status values. */
#define T_IN    0
#define T_OUT   1
#define T_FLUSH 4
#define ST_OK   0

#define QMAX      128
#define PHYS_MAX  96        /* data pieces per request */
#define VRING_USED_F_NO_NOTIFY 1
#define NIL       0xffff

struct hdr {
    uint32_t type;
    uint32_t reserved;
    uint64_t sector;
};
static_assert(sizeof(struct hdr) == 16, "virtio_blk_outhdr is 16 bytes");

struct vblk {
    struct blk_dev dev;
    struct net_vpci t;
    volatile bool up;               /* queue ready: the handler may touch it */
    volatile uint16_t *notify;
    uint32_t size_max;              /* 0: none */
    uint16_t max_phys;

    /* dev.lock protects everything below. */
    struct net_vring ring;
    uint16_t free_head;
    uint16_t nfree;
    uint16_t link[QMAX];            /* free list, and each chain's order */
    uint16_t chain_len[QMAX];       /* by head */
    struct blk_req *reqs[QMAX];     /* by head; NULL: no request there */
    struct hdr *hdrs;               /* by head */
    uint64_t hdrs_pa;
    volatile uint8_t *status;       /* by head */
    uint64_t status_pa;
    struct blk_phys phys[PHYS_MAX]; /* scratch for start */
    uint64_t bad_used;              /* used entries naming no request */
};

static int nvblk;

static bool
is_virtio_blk(const struct pci_dev *p)
{
    if (p->vendor != NET_VPCI_VENDOR)
        return false;
    if (p->device == 0x1042)
        return true;
    /* Transitional ids name the type in the subsystem id (2: block). */
    return p->device == 0x1001 && pci_read(p, 0x2e, 2) == 2;
}

static int
negotiate(struct vblk *v, const struct pci_dev *p)
{
    uint32_t f0 = 0;
    int err = net_vpci_open(&v->t, p, 0, F_WANTED, &f0);
    if (err)
        return err;
    v->dev.features = f0 | (1ull << 32);        /* and VERSION_1 */
    return 0;
}

/* Read the device configuration into dev and the limits start obeys. */
static void
read_config(struct vblk *v)
{
    uint64_t f = v->dev.features;
    v->dev.sectors = net_vpci_cfg32(&v->t, D_CAPACITY) |
                     (uint64_t)net_vpci_cfg32(&v->t, D_CAPACITY + 4) << 32;
    v->dev.read_only = f & (1u << F_RO);
    v->dev.has_flush = f & (1u << F_FLUSH);
    v->size_max = f & (1u << F_SIZE_MAX) ? net_vpci_cfg32(&v->t, D_SIZE_MAX) : 0;
    uint32_t seg_max = f & (1u << F_SEG_MAX) ? net_vpci_cfg32(&v->t, D_SEG_MAX) : PHYS_MAX;
    v->max_phys = (uint16_t)MIN(MIN((uint32_t)PHYS_MAX, seg_max), v->ring.size - 2u);
    /* Any request of max_bytes in BLK_SEG_MAX segments must map into
     * max_phys pieces: each segment may add two partial pages. */
    uint32_t unit = v->size_max && v->size_max < 4096 ? v->size_max : 4096;
    int whole = (int)v->max_phys - 2 * BLK_SEG_MAX;
    v->dev.max_bytes = whole > 0 ? (uint32_t)whole * unit : BLK_SECTOR;
    v->dev.queue_size = v->ring.size;
}

static int
setup_queue(struct vblk *v)
{
    int err = net_vpci_queue(&v->t, 0, QMAX, 4, &v->ring, &v->notify);
    if (err)
        return err;
    uint16_t size = v->ring.size;
    uint64_t hpa = mem_frame_alloc_zero();
    if (!hpa)
        return -ENOMEM;     /* frames stay allocated: a failed probe is rare and final */
    static_assert(QMAX * (sizeof(struct hdr) + 1) <= PAGE_SIZE, "headers and status fit a page");
    v->hdrs = mem_p2v(hpa);
    v->hdrs_pa = hpa;
    v->status_pa = hpa + QMAX * sizeof(struct hdr);
    v->status = mem_p2v(v->status_pa);
    for (uint16_t i = 0; i < size; i++)
        v->link[i] = i + 1 < size ? i + 1 : NIL;
    v->free_head = 0;
    v->nfree = size;
    return 0;
}

/* Caller holds dev.lock. Take n descriptors off the free list; they are
 * chained in list order (link[]). Returns the head. */
static uint16_t
chain_alloc(struct vblk *v, uint16_t n)
{
    uint16_t head = v->free_head;
    uint16_t last = head;
    for (uint16_t i = 1; i < n; i++)
        last = v->link[last];
    v->free_head = v->link[last];
    v->nfree -= n;
    return head;
}

/* Caller holds dev.lock. Give the chain at head back. */
static void
chain_free(struct vblk *v, uint16_t head)
{
    uint16_t last = head;
    for (uint16_t i = 1; i < v->chain_len[head]; i++)
        last = v->link[last];
    v->link[last] = v->free_head;
    v->free_head = head;
    v->nfree += v->chain_len[head];
    v->chain_len[head] = 0;
}

/* Caller holds dev.lock. Fill the chain at head: header, pieces, status. */
static void
chain_fill(struct vblk *v, uint16_t head, int npieces, bool dev_writes)
{
    uint16_t d = head;
    net_vring_set(&v->ring, d, v->hdrs_pa + head * sizeof(struct hdr), sizeof(struct hdr),
                  NET_VRING_F_NEXT, v->link[d]);
    for (int i = 0; i < npieces; i++) {
        d = v->link[d];
        net_vring_set(&v->ring, d, v->phys[i].pa, v->phys[i].len,
                      NET_VRING_F_NEXT | (dev_writes ? NET_VRING_F_WRITE : 0), v->link[d]);
    }
    d = v->link[d];
    net_vring_set(&v->ring, d, v->status_pa + head, 1, NET_VRING_F_WRITE, 0);
}

static int
vblk_start(struct blk_dev *dev, struct blk_req *r)
{
    struct vblk *v = dev->priv;
    sync_assert_held(&dev->lock);
    int n = 0;
    if (r->op != BLK_OP_FLUSH) {
        n = blk_sg_map(r, mem_v2p, v->size_max, v->phys, v->max_phys);
        if (n < 0)
            return n;           /* cannot happen within max_bytes; fails the request */
    }
    uint16_t need = (uint16_t)(n + 2);
    if (need > v->nfree)
        return -EBUSY;
    uint16_t head = chain_alloc(v, need);
    v->chain_len[head] = need;
    v->reqs[head] = r;
    v->hdrs[head].type = r->op == BLK_OP_READ ? T_IN : r->op == BLK_OP_WRITE ? T_OUT : T_FLUSH;
    v->hdrs[head].reserved = 0;
    v->hdrs[head].sector = r->op == BLK_OP_FLUSH ? 0 : r->sector;
    v->status[head] = 0xff;     /* a device that writes nothing fails the request */
    chain_fill(v, head, n, r->op == BLK_OP_READ);
    net_vring_push(&v->ring, head);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* the new avail index before the flag */
    if (!(v->ring.used->flags & VRING_USED_F_NO_NOTIFY))
        *v->notify = 0;
    return 0;
}

static const struct blk_dev_ops vblk_ops = { .start = vblk_start };

/* Harvest the used ring under the lock, then complete each request with
 * the lock dropped (callbacks may submit). */
static void
vblk_irq(void *arg)
{
    struct vblk *v = arg;
    if (!v->up)
        return;         /* a shared line fired before our queue exists */
    if (!v->t.msix && !(net_vpci_isr(&v->t) & 1))
        return;         /* shared INTx line, not ours (the read acknowledged it) */
    struct blk_req *done = NULL;
    struct blk_req **tail = &done;
    uint16_t id;
    uint32_t len;
    spin_lock(&v->dev.lock);
    while (net_vring_pop(&v->ring, &id, &len)) {
        if (id == 0xffff || !v->reqs[id]) {
            v->bad_used++;      /* never trust the device's index */
            continue;
        }
        struct blk_req *r = v->reqs[id];
        v->reqs[id] = NULL;
        r->status = v->status[id] == ST_OK ? 0 : -EIO;
        chain_free(v, id);
        r->next = NULL;
        *tail = r;
        tail = &r->next;
    }
    spin_unlock(&v->dev.lock);
    while (done) {
        struct blk_req *r = done;
        done = r->next;
        blk_complete(&v->dev, r, r->status);
    }
}

static void
log_dev(struct vblk *v, const struct pci_dev *p, int vector, enum pci_irq_kind kind)
{
    uint64_t f = v->dev.features;
    uint32_t bsize = f & (1u << F_BLK_SIZE) ? net_vpci_cfg32(&v->t, D_BLK_SIZE) : BLK_SECTOR;
    kprintf("wisp: %s: virtio-blk at %02x:%02x.%x, %lu MiB (%lu sectors), %s vector %d, "
            "queue %u, max request %u KiB, block %u, features%s%s%s%s%s\n",
            v->dev.name, p->bus, p->dev, p->fn, (unsigned long)(v->dev.sectors >> 11),
            (unsigned long)v->dev.sectors, pci_irq_kind_name(kind), vector, v->ring.size,
            v->dev.max_bytes >> 10, bsize, v->dev.has_flush ? " flush" : "",
            v->dev.read_only ? " ro" : " rw", f & (1u << F_SEG_MAX) ? " seg_max" : "",
            f & (1u << F_SIZE_MAX) ? " size_max" : "", f & (1u << F_BLK_SIZE) ? " blk_size" : "");
}

static int
start(struct vblk *v, const struct pci_dev *p)
{
    int vector, err;
    enum pci_irq_kind kind;
    if ((err = negotiate(v, p)) != 0)
        return err;
    err = pci_irq_setup(p, PCI_ALLOW_MSIX | PCI_ALLOW_INTX, vblk_irq, v, &vector, &kind);
    if (err)
        return err;
    net_vpci_irq_mode(&v->t, kind == PCI_IRQ_MSIX);
    if ((err = setup_queue(v)) != 0)
        return err;
    read_config(v);
    if ((err = blk_register(&v->dev)) != 0)
        return err;
    v->up = true;
    net_vpci_ready(&v->t);
    log_dev(v, p, vector, kind);
    return 0;
}

static int
probe(const struct pci_dev *p)
{
    struct vblk *v = kzalloc(sizeof(*v));
    if (!v)
        return -ENOMEM;
    k_snprintf(v->dev.name, sizeof(v->dev.name), "vd%c", 'a' + nvblk);
    v->dev.ops = &vblk_ops;
    v->dev.priv = v;
    pci_enable(p);
    int err = start(v, p);
    if (err) {
        net_vpci_fail(&v->t);
        kprintf("wisp: virtio-blk at %02x:%02x.%x: not usable (error %d)\n", p->bus, p->dev,
                p->fn, -err);
        return err;     /* v and its queue leak: the device may still own them */
    }
    nvblk++;
    return 0;
}

int
blk_init(void)
{
    struct pci_dev *devs;
    int n = pci_scan(&devs);
    for (int i = 0; i < n; i++)
        if (is_virtio_blk(&devs[i]) && blk_count() < BLK_DEV_MAX)
            (void)probe(&devs[i]);
    if (blk_count() == 0)
        kprintf("wisp: no block device\n");
    return blk_count() ? 0 : -ENODEV;
}
