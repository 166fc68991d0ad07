/*
 * virtio-net over PCI, the virtio 1.0 ("modern") interface: common, notify,
 * ISR and device configuration found through vendor capabilities in memory
 * BARs (the transport, net_vpci.c, shared with fs/blk_virtio.c), so no
 * port I/O is needed (QEMU's default transitional virtio-net-pci offers it
 * too). Features: VERSION_1, MAC and EVENT_IDX. One
 * receive and one transmit queue; every receive buffer is posted at start
 * and reposted as soon as its frame is copied out; the interrupt (MSI-X
 * entry 0 for both queues, else INTx with the ISR register) harvests both.
 * The queue memory helpers are in net_vring.c.
 *
 * Once the network core runs, receiving is NAPI style: the interrupt turns
 * itself off (VRING_AVAIL_F_NO_INTERRUPT) and asks the net thread to poll
 * (net_rx_schedule); the thread hands frames to lwIP straight from the
 * ring and turns the interrupt on again when the ring is empty. Doorbells
 * (MMIO writes, each a VM exit) are batched (one per net thread pass, via
 * kick) and skipped when the device says it needs none (NO_NOTIFY).
 * Before that (the driver test) the interrupt harvests the ring itself.
 *
 * Locking: tx_lock protects the transmit queue and its free list (the net
 * thread fills it, the interrupt reclaims it); the receive queue is touched
 * by the interrupt handler before polling starts, by the net thread after
 * (the interrupt then only sets the ring's flags).
 */
#include "net/net.h"
#include "net/net_copy.h"
#include "net/net_drv.h"
#include "net/net_vpci.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/pci.h"
#include "kernel/sync.h"

#define F_MAC       5           /* in word 0 */
#define F_CTRL_VQ   17          /* in word 0: a control queue */
#define F_CTRL_RX   18          /* in word 0: receive-mode commands on it */
#define F_EVENT_IDX 29          /* in word 0: VIRTIO_F_EVENT_IDX */

#define HDR_LEN   12            /* struct virtio_net_hdr with num_buffers (1.0) */
#define BUF_SIZE  2048
#define QMAX_RX   1024          /* QEMU's rx_queue_size= goes up to 1024 */
#define QMAX_TX   256           /* and tx_queue_size= to 256 (without vhost) */
#define TX_BATCH  32            /* frames queued before the doorbell rings anyway */
#define VRING_USED_F_NO_NOTIFY     1    /* device: no doorbell needed now */
#define VRING_AVAIL_F_NO_INTERRUPT 1    /* driver: no interrupt wanted now */
#define RXQ 0
#define TXQ 1
#define CTRLQ 2                 /* with one queue pair (no VIRTIO_NET_F_MQ) */
#define CTRL_RX         0       /* class: receive modes */
#define CTRL_RX_PROMISC 0       /* command: promiscuous on (1) or off (0) */
#define CTRL_OK         0       /* the device's ack */
#define CTRL_WAIT_NS    (1000ull * 1000 * 1000)

struct vq {
    struct net_vring ring;
    uint8_t *bufs;              /* size * BUF_SIZE, contiguous */
    uint64_t bufs_pa;
    volatile uint16_t *notify;
    uint16_t kicked;            /* avail index at the last doorbell decision */
};

struct vnet {
    struct net_dev dev;
    struct net_vpci t;
    bool event_idx;             /* VIRTIO_F_EVENT_IDX negotiated */
    bool ctrl_rx;               /* VIRTIO_NET_F_CTRL_VQ and _CTRL_RX negotiated */
    struct vq ctrl;             /* the control queue (ctrl_rx), start() only */
    volatile bool up;           /* queues ready: the handler may touch them */
    struct vq rx;

    bool polled;                /* the net thread polls rx (net_rx_polled) */

    struct spinlock tx_lock;    /* protects tx and the fields below */
    struct vq tx;
    uint16_t tx_free[QMAX_TX];
    int tx_nfree;
    int tx_unkicked;            /* frames queued since the last doorbell */
};

static int nvirtio;

bool
net_virtio_match(const struct pci_dev *p)
{
    if (p->vendor != NET_VPCI_VENDOR)
        return false;
    if (p->device == 0x1041)
        return true;
    /* Transitional ids 0x1000..0x103f name the type in the subsystem id. */
    return p->device == 0x1000 && pci_read(p, 0x2e, 2) == 1;
}

static int
negotiate(struct vnet *v, const struct pci_dev *p)
{
    uint32_t f0 = 0;
    int err = net_vpci_open(&v->t, p, 1u << F_MAC,
                            1u << F_EVENT_IDX | 1u << F_CTRL_VQ | 1u << F_CTRL_RX, &f0);
    v->event_idx = f0 & (1u << F_EVENT_IDX);
    v->ctrl_rx = (f0 & (1u << F_CTRL_VQ)) && (f0 & (1u << F_CTRL_RX));
    return err;
}

/* Allocate and announce queue qi (at most qmax entries); the buffers are
 * size * BUF_SIZE. */
static int
setup_queue(struct vnet *v, struct vq *q, int qi, uint16_t qmax)
{
    int err = net_vpci_queue(&v->t, (uint16_t)qi, qmax, 1, &q->ring, &q->notify);
    if (err)
        return err;
    q->bufs_pa = mem_frame_alloc_contig((size_t)q->ring.size * BUF_SIZE / PAGE_SIZE);
    if (!q->bufs_pa)
        return -ENOMEM;     /* frames stay allocated: a failed probe is rare and final */
    q->bufs = mem_p2v(q->bufs_pa);
    return 0;
}

/* Ring q's doorbell unless the device said it does not need it (it is
 * already working through the ring: QEMU sets NO_NOTIFY meanwhile). Each
 * doorbell is an MMIO write, a VM exit. */
static void
notify(struct vnet *v, struct vq *q, uint16_t qi)
{
    bool need;
    if (v->event_idx) {
        /* Only when the device has caught up with everything offered
         * before: while it is still working through the ring (QEMU's TX
         * flush holds its big lock, so a doorbell then waits for it), the
         * new entries are picked up without one. */
        need = net_vring_kick_needed(&q->ring, q->kicked);
        q->kicked = q->ring.avail_idx;
    } else {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* the new avail index before the flag */
        need = !(q->ring.used->flags & VRING_USED_F_NO_NOTIFY);
    }
    if (!need) {
        v->dev.stats.notifies_saved++;
        return;
    }
    v->dev.stats.notifies++;
    *q->notify = qi;
}

/* Interrupts for q on or off. With EVENT_IDX the device ignores the flag
 * and interrupts when its used index passes used_event: off puts that just
 * behind (reached only after a wrap of the 16-bit index), on at the next
 * entry. */
static void
irq_enable(struct vnet *v, struct vq *q, bool on)
{
    if (v->event_idx)
        net_vring_set_used_event(&q->ring, (uint16_t)(q->ring.last_used - (on ? 0 : 1)));
    q->ring.avail->flags = on ? 0 : VRING_AVAIL_F_NO_INTERRUPT;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
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
    if (!v->t.msix && !(net_vpci_isr(&v->t) & 3))
        return;         /* shared INTx line, not ours (the read acknowledged it) */
    v->dev.stats.irqs++;
    if (v->polled || net_rx_polled(&v->dev)) {
        /* NAPI: no more interrupts until the net thread emptied the ring. */
        v->polled = true;
        irq_enable(v, &v->rx, false);
        net_rx_schedule(&v->dev);
        return;
    }
    uint16_t id;
    uint32_t len;
    bool posted = false;
    do {
        while (net_vring_pop(&v->rx.ring, &id, &len)) {
            if (id == 0xffff) {
                v->dev.stats.rx_dropped++;
                continue;
            }
            if (len > HDR_LEN && len <= BUF_SIZE)
                net_drv_rx(&v->dev, v->rx.bufs + (size_t)id * BUF_SIZE + HDR_LEN,
                           len - HDR_LEN);
            else
                v->dev.stats.rx_dropped++;
            rx_post(v, id);
            posted = true;
        }
        irq_enable(v, &v->rx, true);    /* re-arms used_event; then look once more */
    } while (v->rx.ring.used->idx != v->rx.ring.last_used);
    if (posted)
        notify(v, &v->rx, RXQ);
    spin_lock(&v->tx_lock);
    tx_reclaim(v);
    irq_enable(v, &v->tx, true);
    spin_unlock(&v->tx_lock);
}

/* Caller holds v->tx_lock. */
static void
tx_kick_locked(struct vnet *v)
{
    if (v->tx_unkicked) {
        v->tx_unkicked = 0;
        notify(v, &v->tx, TXQ);
    }
}

/* Copy the pieces into a free transmit buffer and offer it. Before the
 * core polls us (the driver test) every frame rings the doorbell; after,
 * the net thread rings once per pass (virtio_kick) or every TX_BATCH. */
static int
virtio_xmitv(struct net_dev *d, const struct net_seg *seg, int nseg, size_t len)
{
    struct vnet *v = d->priv;
    if (len > NET_MAX_FRAME || len + HDR_LEN > BUF_SIZE)
        return -EIO;
    spin_lock(&v->tx_lock);
    tx_reclaim(v);
    if (v->tx_nfree == 0) {
        tx_kick_locked(v);
        spin_unlock(&v->tx_lock);
        return -EAGAIN;
    }
    uint16_t id = v->tx_free[--v->tx_nfree];
    uint8_t *b = v->tx.bufs + (size_t)id * BUF_SIZE;
    memset(b, 0, HDR_LEN);                  /* no offloads */
    size_t off = HDR_LEN;
    for (int i = 0; i < nseg && off - HDR_LEN + seg[i].len <= len; i++) {
        memcpy(b + off, seg[i].data, seg[i].len);
        off += seg[i].len;
    }
    net_vring_set(&v->tx.ring, id, v->tx.bufs_pa + (uint64_t)id * BUF_SIZE, (uint32_t)off, 0, 0);
    net_vring_push(&v->tx.ring, id);
    if (++v->tx_unkicked >= TX_BATCH || !v->polled)
        tx_kick_locked(v);
    spin_unlock(&v->tx_lock);
    return 0;
}

static int
virtio_xmit(struct net_dev *d, const void *frame, size_t len)
{
    struct net_seg seg = { frame, len };
    return virtio_xmitv(d, &seg, 1, len);
}

static void
virtio_kick(struct net_dev *d)
{
    struct vnet *v = d->priv;
    spin_lock(&v->tx_lock);
    tx_kick_locked(v);
    spin_unlock(&v->tx_lock);
}

/* The net thread empties the receive ring (NAPI style): each frame goes
 * to rx straight from its buffer, which is then reposted; one doorbell for
 * the batch. An empty ring turns the interrupt back on, then looks once
 * more, for a frame that came in between. */
static int
virtio_poll(struct net_dev *d, int budget, net_rx_fn rx)
{
    struct vnet *v = d->priv;
    struct vq *q = &v->rx;
    uint16_t id;
    uint32_t len;
    int n = 0;

    irq_enable(v, &v->tx, false);       /* xmit reclaims instead */
    while (n < budget && net_vring_pop(&q->ring, &id, &len)) {
        n++;
        if (id == 0xffff) {
            d->stats.rx_dropped++;
            continue;
        }
        if (len > HDR_LEN && len <= BUF_SIZE)
            rx(d, q->bufs + (size_t)id * BUF_SIZE + HDR_LEN, len - HDR_LEN);
        else
            d->stats.rx_dropped++;
        rx_post(v, id);
    }
    if (n)
        notify(v, q, RXQ);
    if (n < budget) {
        irq_enable(v, q, true);
        if (q->ring.used->idx != q->ring.last_used) {
            irq_enable(v, q, false);
            return budget;                  /* more came: poll again */
        }
    }
    return n;
}

/* The core's watchdog: frames in the ring that no interrupt announced? If
 * none, ring the receive doorbell anyway (a few times a second): a device
 * that ran out of buffers and missed the doorbell for new ones would never
 * receive again. */
static bool
virtio_rx_stalled(struct net_dev *d)
{
    struct vnet *v = d->priv;
    if (!v->polled)
        return false;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    if (v->rx.ring.used->idx != v->rx.ring.last_used)
        return true;
    v->dev.stats.notifies++;
    *v->rx.notify = RXQ;
    return false;
}

static const struct net_dev_ops virtio_ops = {
    .xmit = virtio_xmit, .xmitv = virtio_xmitv, .kick = virtio_kick, .poll = virtio_poll,
    .rx_stalled = virtio_rx_stalled,
};

/* The control queue: a small ring and one page for a command's bytes. */
static int
setup_ctrl(struct vnet *v)
{
    struct vq *q = &v->ctrl;
    int err = net_vpci_queue(&v->t, CTRLQ, 8, 4, &q->ring, &q->notify);
    if (err)
        return err;
    q->bufs_pa = mem_frame_alloc_contig(1);
    if (!q->bufs_pa)
        return -ENOMEM;
    q->bufs = mem_p2v(q->bufs_pa);
    return 0;
}

/* One command on the control queue, once the device is ready: class and
 * command, one byte of data; 0 when the device acked it. The device (QEMU)
 * handles the queue when its doorbell rings, so this waits a moment at
 * most. Three descriptors in the first buffer of ctrl: the header, the
 * data, the ack. */
static int
ctrl_cmd(struct vnet *v, uint8_t cls, uint8_t cmd, uint8_t val)
{
    struct vq *q = &v->ctrl;
    volatile uint8_t *b = q->bufs;
    b[0] = cls;
    b[1] = cmd;
    b[16] = val;
    b[32] = 0xff;
    net_vring_set(&q->ring, 0, q->bufs_pa, 2, NET_VRING_F_NEXT, 1);
    net_vring_set(&q->ring, 1, q->bufs_pa + 16, 1, NET_VRING_F_NEXT, 2);
    net_vring_set(&q->ring, 2, q->bufs_pa + 32, 1, NET_VRING_F_WRITE, 0);
    net_vring_push(&q->ring, 0);
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    *q->notify = CTRLQ;
    uint64_t t0 = arch_time_ns();
    uint16_t id;
    uint32_t len;
    while (!net_vring_pop(&q->ring, &id, &len)) {
        if (arch_time_ns() - t0 > CTRL_WAIT_NS)
            return -ETIMEDOUT;
        __builtin_ia32_pause();
    }
    return b[32] == CTRL_OK ? 0 : -EIO;
}

static int
start(struct vnet *v, const struct pci_dev *p)
{
    int vector, err;
    enum pci_irq_kind kind;
    if ((err = negotiate(v, p)) != 0)
        return err;
    err = pci_irq_setup(p, PCI_ALLOW_MSIX | PCI_ALLOW_INTX, virtio_irq, v, &vector, &kind);
    if (err)
        return err;
    net_vpci_irq_mode(&v->t, kind == PCI_IRQ_MSIX);
    if ((err = setup_queue(v, &v->rx, RXQ, QMAX_RX)) != 0 ||
        (err = setup_queue(v, &v->tx, TXQ, QMAX_TX)) != 0)
        return err;
    if (v->ctrl_rx && setup_ctrl(v) != 0)
        v->ctrl_rx = false;
    for (int i = 0; i < 6; i++)
        v->dev.mac[i] = net_vpci_cfg8(&v->t, i);
    for (uint16_t i = 0; i < v->tx.ring.size; i++)
        v->tx_free[v->tx_nfree++] = i;
    for (uint16_t i = 0; i < v->rx.ring.size; i++)
        rx_post(v, i);
    v->up = true;
    net_vpci_ready(&v->t);
    *v->rx.notify = RXQ;
    /* QEMU's virtio-net starts promiscuous: on a hub (scripts/cluster's
     * segment) every node would take in every other pair's traffic, and a
     * migration's stream between two nodes would flood the third's ring
     * until it lost its own peers' answers and marked them down. */
    const char *filter = "promiscuous (no control queue)";
    if (v->ctrl_rx) {
        err = ctrl_cmd(v, CTRL_RX, CTRL_RX_PROMISC, 0);
        filter = err ? "promiscuous (the device refused to filter)" : "its own and broadcast";
    }
    kprintf("wisp: %s: virtio-net at %02x:%02x.%x, mac %02x:%02x:%02x:%02x:%02x:%02x, "
            "%s vector %d, queues %u/%u, receives %s\n", v->dev.name, p->bus, p->dev, p->fn,
            v->dev.mac[0], v->dev.mac[1], v->dev.mac[2], v->dev.mac[3], v->dev.mac[4],
            v->dev.mac[5], pci_irq_kind_name(kind), vector, v->rx.ring.size, v->tx.ring.size,
            filter);
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
        net_vpci_fail(&v->t);
        kprintf("wisp: virtio-net at %02x:%02x.%x: not usable (error %d)\n", p->bus, p->dev,
                p->fn, -err);
        return err;     /* v and its queues leak: the device may still own them */
    }
    nvirtio++;
    *out = &v->dev;
    return 0;
}
