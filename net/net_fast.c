/*
 * The fast path for UDP between nodes (docs/net.md, "The fast path"). The
 * slow path hands every datagram to the net thread (a copy, a wake-up, a
 * context switch) and through lwIP (pbufs, the UDP checksum over every
 * byte, ARP); here the sending thread itself writes the 42 header bytes
 * (net_frame.c) and gives header and data to the driver's ring as a gather
 * list, and the net thread hands a received datagram for a bound port to
 * its upcall straight from the ring buffer.
 *
 * lwIP stays the authority on addresses: a peer's Ethernet address is
 * taken from its ARP table after lwIP itself sent that peer a datagram
 * (net_fast_learn, from net_udp.c), and trusted for NET_FAST_TTL_NS; after
 * that one datagram takes the slow path again, which keeps lwIP's entry in
 * use (it re-ARPs before it expires) and renews ours. With fault injection
 * (netdrop= ...) the fast path is off, so every frame meets the injector.
 *
 * Locking: fast.lock (a leaf) protects the address table; the driver's
 * xmitv and kick take the driver's own transmit lock, which is why only a
 * driver that has kick (virtio-net, which takes that lock everywhere) is
 * used from any thread.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "kernel/sync.h"
#include "net/net.h"
#include "net/net_int.h"

#include "lwip/etharp.h"
#include "lwip/ip4_addr.h"
#include "lwip/netif.h"

#define NET_FAST_TTL_NS (5ull * 1000 * 1000 * 1000)
#define NET_FAST_PEERS  256         /* cluster nodes: 10.77.0.(K+1) */
#define NET_FAST_SMALL  128         /* UDP bytes: an RPC ack, a null call's reply */

struct peer_mac {
    uint8_t mac[6];
    uint64_t until;                 /* ns; 0: unknown */
};

static struct {
    struct spinlock lock;           /* protects peers */
    struct peer_mac peers[NET_FAST_PEERS];
    bool off;                       /* fault injection: never */
    bool net_bulk;                  /* the net thread queued a data frame since its
                                       last doorbell (net thread only) */
    uint16_t ip_id;                 /* atomic */
} fast = { .lock = { .cpu = -1, .name = "net.fast" } };

void
net_fast_init(const struct net_fault_cfg *f)
{
    spin_init(&fast.lock, "net.fast");
    fast.off = f->drop || f->dup || f->reorder;
}

/* The device the fast path uses: the first, if it can be called from any
 * thread (it has kick: its xmitv and kick lock the ring themselves). */
static struct net_dev *
fast_dev(void)
{
    struct net_dev *d = (struct net_dev *)net_first_dev();
    if (!d || fast.off || !d->ops->xmitv || !d->ops->kick)
        return NULL;
    return d;
}

void
net_fast_learn(uint32_t ip)
{
    int node = net_ip_node(ip);
    struct eth_addr *eth = NULL;
    const ip4_addr_t *found = NULL;
    ip4_addr_t a;
    if (node < 0 || node >= NET_FAST_PEERS || !fast_dev() || !netif_default)
        return;
    ip4_addr_set_u32(&a, lwip_htonl(ip));
    if (etharp_find_addr(netif_default, &a, &eth, &found) < 0 || !eth)
        return;
    spin_lock(&fast.lock);
    memcpy(fast.peers[node].mac, eth->addr, 6);
    fast.peers[node].until = arch_time_ns() + NET_FAST_TTL_NS;
    spin_unlock(&fast.lock);
}

static bool
peer_mac(uint32_t ip, uint8_t *mac)
{
    int node = net_ip_node(ip);
    bool ok = false;
    if (node < 0 || node >= NET_FAST_PEERS || ip == net_self_ip())
        return false;
    spin_lock(&fast.lock);
    struct peer_mac *p = &fast.peers[node];
    if (p->until && arch_time_ns() < p->until) {
        memcpy(mac, p->mac, 6);
        ok = true;
    } else {
        p->until = 0;               /* one datagram the slow way renews it */
    }
    spin_unlock(&fast.lock);
    return ok;
}

/* Ring the doorbell for what this thread queued. The net thread rings
 * once per pass for data (kick_devs: one doorbell, a VM exit, for many
 * frames), but at once when it queued only small frames since its last
 * doorbell: acks, which give the sender its credit back, and replies to
 * null calls would otherwise wait for the rest of a 64-frame pass. */
static void
fast_kick(struct net_dev *d, bool in_net)
{
    if (in_net && fast.net_bulk)
        return;
    d->ops->kick(d);
}

int
net_fast_send(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data,
              size_t len, bool more)
{
    struct net_dev *d = fast_dev();
    struct net_frame_addr a;
    uint8_t hdr[NET_FRAME_HDR];
    if (!d || len + NET_FRAME_HDR > NET_MAX_FRAME || !peer_mac(dst_ip, a.dst_mac))
        return -EAGAIN;
    memcpy(a.src_mac, d->mac, 6);
    a.src_ip = net_self_ip();
    a.dst_ip = dst_ip;
    a.src_port = src_port;
    a.dst_port = dst_port;
    net_frame_build(hdr, &a, len, __atomic_add_fetch(&fast.ip_id, 1, __ATOMIC_RELAXED));
    struct net_seg seg[2] = { { hdr, sizeof(hdr) }, { data, len } };
    int err = d->ops->xmitv(d, seg, 2, sizeof(hdr) + len);
    if (err == 0) {
        __atomic_add_fetch(&d->stats.tx_frames, 1, __ATOMIC_RELAXED);
        __atomic_add_fetch(&d->stats.tx_bytes, sizeof(hdr) + len, __ATOMIC_RELAXED);
    }
    bool in_net = net_in_thread();
    if (in_net && len > NET_FAST_SMALL)
        fast.net_bulk = true;
    if (!more || err)
        fast_kick(d, in_net);
    if (err == -EAGAIN)
        return -EAGAIN;             /* ring full: the net thread waits for room */
    if (err)
        __atomic_add_fetch(&d->stats.tx_dropped, 1, __ATOMIC_RELAXED);
    return 0;
}

bool
net_fast_input(struct net_dev *d, const void *frame, size_t len)
{
    struct net_frame_udp u;
    if (fast.off || d != net_first_dev() ||
        !net_frame_parse(frame, len, d->mac, net_self_ip(), &u))
        return false;
    return net_udp_deliver(u.dst_port, u.src_ip, u.src_port, u.data, u.len);
}

void
net_fast_kick(void)
{
    struct net_dev *d = fast_dev();
    if (d)
        fast_kick(d, net_in_thread());
}

/* The net thread rang every doorbell at the end of its pass (kick_devs). */
void
net_fast_kicked(void)
{
    fast.net_bulk = false;
}
