/*
 * The network core's interface: NIC drivers register a struct net_dev and
 * hand received frames to net_rx(); the core (net/net_core.c, the lwIP port)
 * runs lwIP in one kernel thread ("net") and offers UDP and ICMP echo to the
 * rest of the kernel (the RPC layer in net/rpc/). Only net/ includes lwIP.
 *
 * Addresses: node K has IPv4 10.77.0.(K+1)/24 unless ip= says otherwise;
 * every node of a cluster uses the same rule, so node <-> address is a pure
 * function (net_node_ip / net_ip_node).
 */
#pragma once
#include "kernel/compiler.h"

#define NET_MAX_FRAME 1518   /* Ethernet frame without FCS */
#define NET_UDP_PORT_RPC 7700

struct net_dev;

/* One piece of a frame to send (a gather list: lwIP's pbuf chain). */
struct net_seg {
    const void *data;
    size_t len;
};

/* Where a polled driver hands each received frame (the net thread's). */
typedef void (*net_rx_fn)(struct net_dev *d, const void *frame, size_t len);

struct net_dev_ops {
    /* Queue one frame for transmission; copies it. 0, -EAGAIN (ring full), -EIO.
     * Called from the net thread only. A driver with kick may wait for it
     * before telling the device. */
    int (*xmit)(struct net_dev *d, const void *frame, size_t len);
    /* Optional. xmit of the frame made of nseg pieces (len bytes in all),
     * copied once into the ring. Same results. */
    int (*xmitv)(struct net_dev *d, const struct net_seg *seg, int nseg, size_t len);
    /* Optional. Tell the device about the frames xmit queued (one doorbell
     * for a batch). Net thread. */
    void (*kick)(struct net_dev *d);
    /* Optional (NAPI style). Hand up to budget received frames to rx, repost
     * their buffers; when the ring is empty, turn the receive interrupt back
     * on. Returns the frames handed; budget means more may wait. Net thread,
     * after the driver's interrupt called net_rx_schedule. */
    int (*poll)(struct net_dev *d, int budget, net_rx_fn rx);
    /* Optional, with poll: the watchdog's question, asked every
     * NET_WATCH_MS while no poll is pending. True when received frames wait
     * in the ring although no interrupt asked for a poll (the core then
     * polls and counts rx_rescues); otherwise the driver may remind the
     * device of its posted buffers. Net thread. */
    bool (*rx_stalled)(struct net_dev *d);
};

struct net_stats {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
    uint64_t rx_dropped;   /* no buffer, malformed or injected drop */
    uint64_t tx_dropped;
    uint64_t injected_drop, injected_dup, injected_reorder;
    uint64_t irqs;
    uint64_t polls;             /* receive ring polls by the net thread */
    uint64_t notifies;          /* doorbells rung (MMIO writes: VM exits) */
    uint64_t notifies_saved;    /* doorbells the device said it did not need */
    uint64_t rx_rescues;        /* polls the watchdog started (ops->rx_stalled) */
    uint64_t cyc_rx, cyc_tx, cyc_other, cyc_send;   /* the core's profile (netstat) */
};

struct net_dev {
    char name[16];              /* "virtio0", "e1000-0" */
    uint8_t mac[6];
    uint16_t mtu;               /* 1500 */
    const struct net_dev_ops *ops;
    void *priv;                 /* the driver's */
    struct net_stats stats;     /* updated by driver (irqs, ring drops) and core */
};

/* Driver -> core. */
MUST_CHECK int net_register(struct net_dev *d);
/* A received frame; copies it and wakes the net thread. Interrupt context. */
void net_rx(struct net_dev *d, const void *frame, size_t len);
/* A driver with ops->poll: may the interrupt leave its ring to the net
 * thread (the core runs, no test tap)? Then net_rx_schedule(d) asks the
 * thread to call ops->poll; the driver keeps its receive interrupt off
 * until poll finds the ring empty. Interrupt context. */
bool net_rx_polled(struct net_dev *d);
void net_rx_schedule(struct net_dev *d);

/* Probe PCI for known NICs (virtio-net, e1000 family) and register them.
 * Called once by net_init. Returns the number of NICs found. */
int net_drivers_probe(void);

/* Bring up networking: drivers, lwIP, the net thread, the address from the
 * command line. Sleeps. 0, or -ENODEV when there is no NIC (a node without
 * a network still boots). */
int net_init(void);

uint32_t net_node_ip(int node);     /* host byte order */
int net_ip_node(uint32_t ip);       /* -1 if not a cluster address */
uint32_t net_self_ip(void);

/* UDP for the kernel (RPC). rx runs in the net thread: it must not sleep. */
typedef void (*net_udp_rx_fn)(void *arg, uint32_t src_ip, uint16_t src_port,
                              const void *data, size_t len);
MUST_CHECK int net_udp_bind(uint16_t port, net_udp_rx_fn rx, void *arg);
/* Send a datagram (copies data; any context but interrupt). 0, -ENOMEM,
 * -EMSGSIZE (len > 1472), -ENETDOWN. */
MUST_CHECK int net_udp_send(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
                            const void *data, size_t len);
/* net_udp_send for a batch: more says another datagram follows at once, so
 * the NIC's doorbell may wait for it; after the last one (more false, or
 * net_udp_kick) it rings if the device needs it. */
MUST_CHECK int net_udp_send_more(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port,
                                 const void *data, size_t len, bool more);
void net_udp_kick(void);

/* Wait until everything queued for the net thread before this call (such as
 * net_udp_send's datagrams) has been handed to the NIC. 0 or -ENETDOWN.
 * Sleeps. */
MUST_CHECK int net_flush(void);

/* ICMP echo: send one request and wait for its reply. *rtt_ns on success.
 * 0, -ETIMEDOUT, -ENETDOWN. Sleeps. */
MUST_CHECK int net_ping(uint32_t ip, uint16_t seq, size_t payload, uint64_t timeout_ns,
                        uint64_t *rtt_ns);

void net_get_stats(struct net_stats *s);    /* summed over NICs and the core */

/* NIC driver self-test for test=netdrv (net/net_drvtest.c): frames between
 * the NICs of one QEMU hub. Prints "netdrv: PASS|FAIL ..."; 0 on pass, else
 * -EIO or -ENODEV. Sleeps. */
int net_drvtest_run(void);
