/*
 * Intel 8254x/82574 gigabit Ethernet (QEMU's e1000 and e1000e): the legacy
 * descriptor format the whole family shares. Reset, MAC from RAL/RAH (or the
 * EEPROM), one receive and one transmit ring of 128 descriptors with 2 KiB
 * buffers, CRC stripped on receive. Interrupts (MSI when the function has
 * it, else INTx through the IOAPIC) harvest received frames and reclaim
 * sent ones. Register offsets follow Intel's 8254x developer's manual.
 *
 * Locking: tx_lock protects the transmit ring (xmit fills it, the interrupt
 * reclaims it); the receive ring is touched only by the interrupt handler.
 */
#include "net/net.h"
#include "net/net_drv.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/pci.h"
#include "kernel/sync.h"

#define R_CTRL   0x0000
#define R_STATUS 0x0008
#define R_EERD   0x0014
#define R_ICR    0x00c0
#define R_IMS    0x00d0
#define R_IMC    0x00d8
#define R_RCTL   0x0100
#define R_TCTL   0x0400
#define R_TIPG   0x0410
#define R_RDBAL  0x2800
#define R_RDBAH  0x2804
#define R_RDLEN  0x2808
#define R_RDH    0x2810
#define R_RDT    0x2818
#define R_RDTR   0x2820
#define R_TDBAL  0x3800
#define R_TDBAH  0x3804
#define R_TDLEN  0x3808
#define R_TDH    0x3810
#define R_TDT    0x3818
#define R_MTA    0x5200
#define R_RAL0   0x5400
#define R_RAH0   0x5404

#define CTRL_SLU   (1u << 6)
#define CTRL_ASDE  (1u << 5)
#define CTRL_LRST  (1u << 3)
#define CTRL_RST   (1u << 26)
#define CTRL_PHY_RST (1u << 31)
#define RCTL_EN    (1u << 1)
#define RCTL_BAM   (1u << 15)
#define RCTL_SECRC (1u << 26)
#define TCTL_EN    (1u << 1)
#define TCTL_PSP   (1u << 3)
#define ICR_TXDW   (1u << 0)
#define ICR_LSC    (1u << 2)
#define ICR_RXDMT0 (1u << 4)
#define ICR_RXO    (1u << 6)
#define ICR_RXT0   (1u << 7)
#define RAH_AV     (1u << 31)

#define RXD_DD  0x01
#define RXD_EOP 0x02
#define TXD_EOP 0x01
#define TXD_IFCS 0x02
#define TXD_RS  0x08
#define TXD_DD  0x01

#define NDESC    128        /* ring length: a multiple of 8 (128-byte RDLEN units) */
#define BUF_SIZE 2048       /* RCTL.BSIZE = 00 */

struct rx_desc {
    uint64_t addr;
    uint16_t len;
    uint16_t csum;
    uint8_t status;
    uint8_t errors;
    uint16_t special;
};
struct tx_desc {
    uint64_t addr;
    uint16_t len;
    uint8_t cso;
    uint8_t cmd;
    uint8_t status;
    uint8_t css;
    uint16_t special;
};
static_assert(sizeof(struct rx_desc) == 16, "8254x receive descriptor layout");
static_assert(sizeof(struct tx_desc) == 16, "8254x transmit descriptor layout");

struct e1000 {
    struct net_dev dev;
    volatile uint8_t *regs;
    bool is_82574;
    volatile bool up;
    volatile struct rx_desc *rx;
    uint8_t *rx_bufs;
    uint64_t rx_bufs_pa;
    unsigned rx_next;           /* next descriptor the device will fill */

    struct spinlock tx_lock;    /* protects the fields below */
    volatile struct tx_desc *tx;
    uint8_t *tx_bufs;
    uint64_t tx_bufs_pa;
    unsigned tx_tail;           /* next descriptor we fill (TDT) */
    unsigned tx_clean;          /* oldest descriptor not yet reclaimed */
};

/* Device ids of the family that share the legacy descriptors and the
 * registers used here. */
static const uint16_t ids_8254x[] = {
    0x1000, 0x1001, 0x1004, 0x1008, 0x1009, 0x100c, 0x100d, 0x100e, 0x100f, 0x1010,
    0x1011, 0x1012, 0x1013, 0x1015, 0x1016, 0x1017, 0x1018, 0x1019, 0x101a, 0x101d,
    0x101e, 0x1026, 0x1027, 0x1028, 0x1075, 0x1076, 0x1077, 0x1078, 0x1079, 0x107a,
    0x107b, 0x107c, 0x108a, 0x1099, 0x10b5,
};
#define ID_82574L 0x10d3

static int ne1000;

static inline uint32_t
rd(struct e1000 *e, uint32_t reg)
{
    return *(volatile uint32_t *)(e->regs + reg);
}
static inline void
wr(struct e1000 *e, uint32_t reg, uint32_t v)
{
    *(volatile uint32_t *)(e->regs + reg) = v;
}

bool
net_e1000_match(const struct pci_dev *p)
{
    if (p->vendor != 0x8086)
        return false;
    if (p->device == ID_82574L)
        return true;
    for (size_t i = 0; i < sizeof(ids_8254x) / sizeof(ids_8254x[0]); i++)
        if (p->device == ids_8254x[i])
            return true;
    return false;
}

static bool
spin_until_clear(struct e1000 *e, uint32_t reg, uint32_t bits)
{
    for (int i = 0; i < 1000000; i++)
        if (!(rd(e, reg) & bits))
            return true;
    return false;
}

static uint16_t
eeprom_word(struct e1000 *e, unsigned addr)
{
    /* 82574 moved the address and done bit of EERD. */
    uint32_t start = e->is_82574 ? (addr << 2) | 1 : (addr << 8) | 1;
    uint32_t done = e->is_82574 ? 1u << 1 : 1u << 4;
    wr(e, R_EERD, start);
    for (int i = 0; i < 100000; i++) {
        uint32_t v = rd(e, R_EERD);
        if (v & done)
            return (uint16_t)(v >> 16);
    }
    return 0xffff;
}

static void
read_mac(struct e1000 *e)
{
    uint32_t lo = rd(e, R_RAL0), hi = rd(e, R_RAH0);
    if ((hi & RAH_AV) && (lo || (hi & 0xffff))) {
        for (int i = 0; i < 4; i++)
            e->dev.mac[i] = (uint8_t)(lo >> (8 * i));
        e->dev.mac[4] = (uint8_t)hi;
        e->dev.mac[5] = (uint8_t)(hi >> 8);
        return;
    }
    for (unsigned w = 0; w < 3; w++) {
        uint16_t v = eeprom_word(e, w);
        e->dev.mac[2 * w] = (uint8_t)v;
        e->dev.mac[2 * w + 1] = (uint8_t)(v >> 8);
    }
    wr(e, R_RAL0, e->dev.mac[0] | e->dev.mac[1] << 8 | e->dev.mac[2] << 16 |
                      (uint32_t)e->dev.mac[3] << 24);
    wr(e, R_RAH0, e->dev.mac[4] | e->dev.mac[5] << 8 | RAH_AV);
}

static int
alloc_rings(struct e1000 *e)
{
    uint64_t rpa = mem_frame_alloc_contig(1), tpa = mem_frame_alloc_contig(1);
    e->rx_bufs_pa = mem_frame_alloc_contig(NDESC * BUF_SIZE / PAGE_SIZE);
    e->tx_bufs_pa = mem_frame_alloc_contig(NDESC * BUF_SIZE / PAGE_SIZE);
    if (!rpa || !tpa || !e->rx_bufs_pa || !e->tx_bufs_pa)
        return -ENOMEM;     /* what was allocated leaks: a failed probe is final */
    e->rx = mem_p2v(rpa);
    e->tx = mem_p2v(tpa);
    e->rx_bufs = mem_p2v(e->rx_bufs_pa);
    e->tx_bufs = mem_p2v(e->tx_bufs_pa);
    memset((void *)e->rx, 0, PAGE_SIZE);
    memset((void *)e->tx, 0, PAGE_SIZE);
    for (unsigned i = 0; i < NDESC; i++)
        e->rx[i].addr = e->rx_bufs_pa + (uint64_t)i * BUF_SIZE;
    return 0;
}

static void
start_rings(struct e1000 *e, uint64_t rpa, uint64_t tpa)
{
    for (int i = 0; i < 128; i++)
        wr(e, R_MTA + 4 * i, 0);
    wr(e, R_RDBAL, (uint32_t)rpa);
    wr(e, R_RDBAH, (uint32_t)(rpa >> 32));
    wr(e, R_RDLEN, NDESC * sizeof(struct rx_desc));
    wr(e, R_RDH, 0);
    wr(e, R_RDT, NDESC - 1);    /* one slot stays empty: head == tail means full */
    wr(e, R_RDTR, 0);
    wr(e, R_RCTL, RCTL_EN | RCTL_BAM | RCTL_SECRC);

    wr(e, R_TDBAL, (uint32_t)tpa);
    wr(e, R_TDBAH, (uint32_t)(tpa >> 32));
    wr(e, R_TDLEN, NDESC * sizeof(struct tx_desc));
    wr(e, R_TDH, 0);
    wr(e, R_TDT, 0);
    wr(e, R_TIPG, 10 | 8 << 10 | 6 << 20);
    wr(e, R_TCTL, TCTL_EN | TCTL_PSP | 0x10 << 4 | 0x40 << 12);
}

/* Caller holds e->tx_lock. */
static void
tx_reclaim(struct e1000 *e)
{
    while (e->tx_clean != e->tx_tail && (e->tx[e->tx_clean].status & TXD_DD))
        e->tx_clean = (e->tx_clean + 1) % NDESC;
}

static void
rx_harvest(struct e1000 *e)
{
    for (int n = 0; n < NDESC; n++) {
        volatile struct rx_desc *d = &e->rx[e->rx_next];
        if (!(d->status & RXD_DD))
            break;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* status before length and data */
        uint16_t len = d->len;
        if ((d->status & RXD_EOP) && !d->errors && len >= 14 && len <= BUF_SIZE)
            net_drv_rx(&e->dev, e->rx_bufs + (size_t)e->rx_next * BUF_SIZE, len);
        else
            e->dev.stats.rx_dropped++;
        d->status = 0;
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        wr(e, R_RDT, e->rx_next);   /* hand this buffer back */
        e->rx_next = (e->rx_next + 1) % NDESC;
    }
}

static void
e1000_irq(void *arg)
{
    struct e1000 *e = arg;
    if (!e->up)
        return;
    uint32_t icr = rd(e, R_ICR);
    if (!icr)
        return;             /* shared INTx line, not ours */
    wr(e, R_ICR, icr);      /* 82574 with MSI may not clear on read */
    e->dev.stats.irqs++;
    if (icr & ICR_RXO)
        e->dev.stats.rx_dropped++;
    rx_harvest(e);
    spin_lock(&e->tx_lock);
    tx_reclaim(e);
    spin_unlock(&e->tx_lock);
}

static int
e1000_xmit(struct net_dev *d, const void *frame, size_t len)
{
    struct e1000 *e = d->priv;
    if (len > NET_MAX_FRAME)
        return -EIO;
    spin_lock(&e->tx_lock);
    tx_reclaim(e);
    unsigned next = (e->tx_tail + 1) % NDESC;
    if (next == e->tx_clean) {
        spin_unlock(&e->tx_lock);
        return -EAGAIN;
    }
    unsigned i = e->tx_tail;
    memcpy(e->tx_bufs + (size_t)i * BUF_SIZE, frame, len);
    e->tx[i].addr = e->tx_bufs_pa + (uint64_t)i * BUF_SIZE;
    e->tx[i].len = (uint16_t)len;
    e->tx[i].cmd = TXD_EOP | TXD_IFCS | TXD_RS;
    e->tx[i].status = 0;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);    /* descriptor before the tail moves */
    e->tx_tail = next;
    wr(e, R_TDT, next);
    spin_unlock(&e->tx_lock);
    return 0;
}

static const struct net_dev_ops e1000_ops = { .xmit = e1000_xmit };

static int
start(struct e1000 *e, const struct pci_dev *p)
{
    const struct pci_bar *b = &p->bar[0];
    if (b->io || !b->base || b->size < 0x10000)
        return -ENODEV;
    e->regs = arch_mmio_map(b->base, 0x10000);
    if (!e->regs)
        return -ENOMEM;
    wr(e, R_IMC, 0xffffffffu);
    wr(e, R_CTRL, rd(e, R_CTRL) | CTRL_RST);
    for (int i = 0; i < 10000; i++)     /* the manual asks for 1 us before polling */
        (void)rd(e, R_STATUS);
    if (!spin_until_clear(e, R_CTRL, CTRL_RST))
        return -EIO;
    wr(e, R_IMC, 0xffffffffu);
    (void)rd(e, R_ICR);
    wr(e, R_CTRL, (rd(e, R_CTRL) | CTRL_SLU | CTRL_ASDE) & ~(CTRL_LRST | CTRL_PHY_RST));
    read_mac(e);
    int err = alloc_rings(e);
    if (err)
        return err;
    int vector;
    enum pci_irq_kind kind;
    err = pci_irq_setup(p, PCI_ALLOW_MSI | PCI_ALLOW_INTX, e1000_irq, e, &vector, &kind);
    if (err)
        return err;
    start_rings(e, mem_v2p((const void *)e->rx), mem_v2p((const void *)e->tx));
    e->up = true;
    wr(e, R_IMS, ICR_TXDW | ICR_LSC | ICR_RXDMT0 | ICR_RXO | ICR_RXT0);
    kprintf("wisp: %s: %s at %02x:%02x.%x, mac %02x:%02x:%02x:%02x:%02x:%02x, %s vector %d, "
            "link %s\n", e->dev.name, e->is_82574 ? "82574" : "8254x", p->bus, p->dev, p->fn,
            e->dev.mac[0], e->dev.mac[1], e->dev.mac[2], e->dev.mac[3], e->dev.mac[4],
            e->dev.mac[5], pci_irq_kind_name(kind), vector,
            (rd(e, R_STATUS) & 2) ? "up" : "down");
    return 0;
}

int
net_e1000_probe(const struct pci_dev *p, struct net_dev **out)
{
    struct e1000 *e = kzalloc(sizeof(*e));
    if (!e)
        return -ENOMEM;
    k_snprintf(e->dev.name, sizeof(e->dev.name), "e1000-%d", ne1000);
    e->dev.mtu = 1500;
    e->dev.ops = &e1000_ops;
    e->dev.priv = e;
    e->is_82574 = p->device == ID_82574L;
    spin_init(&e->tx_lock, "net.e1000_tx");
    pci_enable(p);
    int err = start(e, p);
    if (err) {
        kprintf("wisp: e1000 at %02x:%02x.%x: not usable (error %d)\n", p->bus, p->dev, p->fn,
                -err);
        if (e->regs)
            wr(e, R_IMC, 0xffffffffu);
        return err;     /* e leaks: the device may still own its rings */
    }
    ne1000++;
    *out = &e->dev;
    return 0;
}
