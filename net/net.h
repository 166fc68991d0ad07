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

struct net_dev_ops {
    /* Queue one frame for transmission; copies it. 0, -EAGAIN (ring full), -EIO.
     * Called from the net thread only. */
    int (*xmit)(struct net_dev *d, const void *frame, size_t len);
};

struct net_stats {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
    uint64_t rx_dropped;   /* no buffer, malformed or injected drop */
    uint64_t tx_dropped;
    uint64_t injected_drop, injected_dup, injected_reorder;
    uint64_t irqs;
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
