/*
 * lwIP network interfaces over struct net_dev (net/net.h): linkoutput
 * hands frames to the driver's xmit, received frames enter through
 * netif->input, the MAC and MTU come from the device. The fault injector
 * sits on both paths: with netdrop= netdup= netreorder= (percent) every
 * received and every sent frame may be dropped, duplicated or held back
 * until the next frame (or NET_HOLD_NS) passes, each counted in the
 * device's injected_* stats. The decisions themselves are net_fault.c.
 * Without fault injection a sent pbuf chain goes to the driver as a gather
 * list (xmitv), so the frame is copied once, into the device's ring.
 * Net thread only (net_core.c), so nothing here takes a lock.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "net/net.h"
#include "net/net_int.h"

#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"
#include "lwip/pbuf.h"
#include "netif/ethernet.h"

#define NET_HOLD_NS (20 * 1000000ull)   /* a held frame goes out after this at the latest */

/* A frame the injector holds back to reorder it. */
struct held {
    bool full;
    uint16_t len;
    uint64_t since;
    uint8_t data[NET_MAX_FRAME];
};

struct nif {
    struct netif netif;
    struct net_dev *dev;
    struct net_fault_cfg fault;
    uint64_t rx_rand, tx_rand;   /* the injector's streams, one per direction */
    struct held rx_held, tx_held;
    uint8_t txbuf[NET_MAX_FRAME];
};

static struct nif *nifs[NET_MAX_DEVS];
static int nnifs;

static struct nif *
nif_of(struct net_dev *d)
{
    for (int i = 0; i < nnifs; i++)
        if (nifs[i]->dev == d)
            return nifs[i];
    return NULL;
}

/* ---- sending ---- */

/* A full TX ring (-EAGAIN) drains as the device sends, so wait for it a
 * little (NET_TX_WAIT_NS) rather than drop: a burst of RPC fragments from
 * several callers would otherwise cost retransmission timeouts. */
#define NET_TX_WAIT_NS (2 * 1000 * 1000ull)

#define NET_TX_SEGS 8      /* pieces of a pbuf chain sent without flattening */

/* One frame, as a single buffer (nseg 0) or as seg[0..nseg). */
static int
xmit_once(struct net_dev *d, const void *frame, size_t len, const struct net_seg *seg,
          int nseg)
{
    return nseg ? d->ops->xmitv(d, seg, nseg, len) : d->ops->xmit(d, frame, len);
}

static void
xmit_segs(struct nif *n, const void *frame, size_t len, const struct net_seg *seg, int nseg)
{
    struct net_dev *d = n->dev;
    int err = xmit_once(d, frame, len, seg, nseg);
    for (uint64_t t0 = 0; err == -EAGAIN;) {
        uint64_t now = arch_time_ns();
        if (!t0)
            t0 = now;
        else if (now - t0 > NET_TX_WAIT_NS)
            break;
        if (d->ops->kick)
            d->ops->kick(d);    /* the queued frames must go for the ring to drain */
        sched_yield();
        err = xmit_once(d, frame, len, seg, nseg);
    }
    if (err != 0) {
        d->stats.tx_dropped++;
        return;
    }
    d->stats.tx_frames++;
    d->stats.tx_bytes += len;
}

static void
xmit(struct nif *n, const void *frame, size_t len)
{
    xmit_segs(n, frame, len, NULL, 0);
}

/* Without fault injection, hand the chain's pieces to a driver that
 * gathers: the one copy is into the device's ring. true if it went. */
static bool
xmit_chain(struct nif *n, struct pbuf *p)
{
    struct net_seg seg[NET_TX_SEGS];
    int nseg = 0;
    if (!n->dev->ops->xmitv || n->fault.drop || n->fault.dup || n->fault.reorder)
        return false;
    for (struct pbuf *q = p; q; q = q->next) {
        if (q->len == 0)
            continue;
        if (nseg == NET_TX_SEGS)
            return false;
        seg[nseg].data = q->payload;
        seg[nseg++].len = q->len;
    }
    if (nseg == 0)
        return false;
    xmit_segs(n, NULL, p->tot_len, seg, nseg);
    return true;
}

static void
hold(struct held *h, const void *frame, size_t len, uint64_t now)
{
    memcpy(h->data, frame, len);
    h->len = (uint16_t)len;
    h->since = now;
    h->full = true;
}

static void
release_tx(struct nif *n)
{
    if (n->tx_held.full) {
        n->tx_held.full = false;
        xmit(n, n->tx_held.data, n->tx_held.len);
    }
}

static err_t
linkoutput(struct netif *netif, struct pbuf *p)
{
    struct nif *n = netif->state;
    struct net_dev *d = n->dev;
    size_t len = p->tot_len;

    if (len > NET_MAX_FRAME) {
        d->stats.tx_dropped++;
        return ERR_BUF;
    }
    if (xmit_chain(n, p))
        return ERR_OK;
    if (pbuf_copy_partial(p, n->txbuf, (u16_t)len, 0) != len) {
        d->stats.tx_dropped++;
        return ERR_BUF;
    }
    switch (net_fault_decide(&n->tx_rand, n->fault.drop, n->fault.dup, n->fault.reorder)) {
    case NET_FAULT_DROP:
        d->stats.injected_drop++;
        d->stats.tx_dropped++;
        return ERR_OK;   /* lost on the wire, as far as lwIP can tell */
    case NET_FAULT_DUP:
        d->stats.injected_dup++;
        xmit(n, n->txbuf, len);
        break;
    case NET_FAULT_REORDER:
        if (!n->tx_held.full) {
            d->stats.injected_reorder++;
            hold(&n->tx_held, n->txbuf, len, arch_time_ns());
            return ERR_OK;
        }
        break;
    case NET_FAULT_PASS:
        break;
    }
    xmit(n, n->txbuf, len);
    release_tx(n);   /* a held frame goes out after this one: reordered */
    return ERR_OK;
}

/* ---- receiving ---- */

/* The frame starts NET_RX_SKEW bytes into its pbuf so that a UDP payload
 * (42 bytes in) and an RPC payload behind its 48-byte header are 8-byte
 * aligned: the copies out of them take whole words. */
#define NET_RX_SKEW 6

static void
deliver(struct nif *n, const void *frame, size_t len)
{
    struct pbuf *p = pbuf_alloc(PBUF_RAW, (u16_t)(len + NET_RX_SKEW), PBUF_POOL);
    if (!p) {
        n->dev->stats.rx_dropped++;
        return;
    }
    if (p->len < len + NET_RX_SKEW || pbuf_remove_header(p, NET_RX_SKEW) != 0) {
        pbuf_free(p);           /* chained: no room to skew; take it as it is */
        p = pbuf_alloc(PBUF_RAW, (u16_t)len, PBUF_POOL);
        if (!p) {
            n->dev->stats.rx_dropped++;
            return;
        }
    }
    if (pbuf_take(p, frame, (u16_t)len) != ERR_OK || n->netif.input(p, &n->netif) != ERR_OK) {
        pbuf_free(p);
        n->dev->stats.rx_dropped++;
    }
}

static void
release_rx(struct nif *n)
{
    if (n->rx_held.full) {
        n->rx_held.full = false;
        deliver(n, n->rx_held.data, n->rx_held.len);
    }
}

void
net_netif_input(struct net_dev *d, const void *frame, size_t len)
{
    struct nif *n = nif_of(d);
    if (!n) {
        d->stats.rx_dropped++;
        return;
    }
    switch (net_fault_decide(&n->rx_rand, n->fault.drop, n->fault.dup, n->fault.reorder)) {
    case NET_FAULT_DROP:
        d->stats.injected_drop++;
        d->stats.rx_dropped++;
        return;
    case NET_FAULT_DUP:
        d->stats.injected_dup++;
        deliver(n, frame, len);
        break;
    case NET_FAULT_REORDER:
        if (!n->rx_held.full) {
            d->stats.injected_reorder++;
            hold(&n->rx_held, frame, len, arch_time_ns());
            return;
        }
        break;
    case NET_FAULT_PASS:
        break;
    }
    deliver(n, frame, len);
    release_rx(n);
}

void
net_netif_poll(uint64_t now)
{
    for (int i = 0; i < nnifs; i++) {
        struct nif *n = nifs[i];
        if (n->rx_held.full && now - n->rx_held.since >= NET_HOLD_NS)
            release_rx(n);
        if (n->tx_held.full && now - n->tx_held.since >= NET_HOLD_NS)
            release_tx(n);
    }
}

/* ---- set-up ---- */

static err_t
nif_init(struct netif *netif)
{
    struct nif *n = netif->state;
    netif->name[0] = 'e';
    netif->name[1] = 'n';
    netif->hwaddr_len = ETH_HWADDR_LEN;
    memcpy(netif->hwaddr, n->dev->mac, ETH_HWADDR_LEN);
    netif->mtu = n->dev->mtu ? n->dev->mtu : 1500;
    netif->flags = NETIF_FLAG_BROADCAST | NETIF_FLAG_ETHARP | NETIF_FLAG_ETHERNET;
    netif->output = etharp_output;
    netif->linkoutput = linkoutput;
    return ERR_OK;
}

int
net_netif_add(struct net_dev *d, uint32_t ip, int prefix, const struct net_fault_cfg *f)
{
    ip4_addr_t addr, mask, gw;
    if (nnifs == NET_MAX_DEVS)
        return -ENOSPC;
    struct nif *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->dev = d;
    n->fault = *f;
    n->rx_rand = net_fault_stream(f->seed + (uint64_t)nnifs, 0);
    n->tx_rand = net_fault_stream(f->seed + (uint64_t)nnifs, 1);
    ip4_addr_set_u32(&addr, lwip_htonl(ip));
    ip4_addr_set_u32(&mask, lwip_htonl(ip ? net_addr_mask(prefix) : 0));
    ip4_addr_set_zero(&gw);
    if (!netif_add(&n->netif, &addr, &mask, &gw, n, nif_init, netif_input)) {
        kfree(n);
        return -EINVAL;
    }
    nifs[nnifs++] = n;
    if (nnifs == 1)
        netif_set_default(&n->netif);
    netif_set_up(&n->netif);
    netif_set_link_up(&n->netif);   /* announces the address (gratuitous ARP) */
    return 0;
}
