/*
 * Shared inside the net module only (STYLE.md 2.4): the net thread's work
 * queue, the lwIP netif glue, the fault injector and the address rule.
 * The rest of the kernel uses net/net.h. This header does not include
 * lwIP, so pure parts (net_addr.c, net_fault.c) build in host tests.
 */
#pragma once
#include "kernel/compiler.h"
#include "kernel/errno.h"

/* TODO(#3): remove once kernel/errno.h has them (Linux values). */
#ifndef ENETDOWN
#define ENETDOWN   100
#endif
#ifndef EADDRINUSE
#define EADDRINUSE  98
#endif

struct net_dev;
struct cmdline;

#define NET_MAX_DEVS 4

/* ---- net_core.c: the net thread, which alone calls lwIP ---- */

/* A piece of work for the net thread. fn runs there and may call lwIP. */
struct net_req {
    void (*fn)(struct net_req *r);
    struct net_req *next;   /* the queue (net.lock) */
    bool async;             /* fn owns r (frees it); nobody waits */
    bool done;              /* set under net.lock when fn returned (sync only) */
    int err;                /* fn's result, for the caller */
};

/* Run r->fn in the net thread and wait for it; runs it at once when called
 * from the net thread. Returns r->err, or -ENETDOWN when the thread does
 * not run. Sleeps (except in the net thread). */
int net_call(struct net_req *r);
/* Queue r (async) and return: 0, -ENETDOWN, or -ENOMEM when the queue is
 * full. Any context but interrupt; never sleeps. On failure r is not queued
 * and still belongs to the caller. */
int net_post(struct net_req *r);
bool net_is_up(void);
bool net_in_thread(void);
/* lwIP's err_t -> -errno: the one place they are converted (STYLE.md 2.5). */
int net_err(int lwip_err);
/* Counters of work that has no device to blame (e.g. UDP sends lwIP refused). */
void net_count_tx_drop(void);
/* Cycles a caller spent in net_udp_send (the profile netstat shows). */
void net_count_send_cycles(uint64_t c);
/* The first registered device (netstat names it), NULL when none. */
const struct net_dev *net_first_dev(void);
/* The kernel command line (NULL until main provides it). */
const struct cmdline *net_cmdline(void);

/* ---- net_netif.c: an lwIP netif over a struct net_dev ---- */

/* The fault knobs (percent 0..100) and seed, from netdrop= netdup=
 * netreorder= netseed=. */
struct net_fault_cfg {
    unsigned drop, dup, reorder;
    uint64_t seed;
};
/* Net thread. Add d as an lwIP interface with ip/prefix; the first one
 * added is the default route. 0 or -ENOMEM. */
int net_netif_add(struct net_dev *d, uint32_t ip, int prefix, const struct net_fault_cfg *f);
/* Net thread: one received frame (after the RX queue), through the fault
 * injector into lwIP. */
void net_netif_input(struct net_dev *d, const void *frame, size_t len);
/* Net thread: release frames the injector held back for reordering once
 * they have waited long enough (now_ns is arch_time_ns()). */
void net_netif_poll(uint64_t now_ns);

/* ---- net_fault.c: pure decisions of the fault injector ---- */

enum net_fault_action {
    NET_FAULT_PASS,
    NET_FAULT_DROP,
    NET_FAULT_DUP,
    NET_FAULT_REORDER,
};
/* The injector's random stream (splitmix64): next value, advancing *state. */
uint64_t net_fault_next(uint64_t *state);
/* One frame's fate: drop with probability drop%, else duplicate with
 * dup%, else hold back (reorder) with reorder%. Draws one value from
 * *state (none when all three are 0), so a fixed seed gives a fixed
 * sequence of fates. */
enum net_fault_action net_fault_decide(uint64_t *state, unsigned drop, unsigned dup,
                                       unsigned reorder);
/* A percentage "0".."100" (decimal, optionally "N%"). 0 or -EINVAL. */
MUST_CHECK int net_fault_parse_percent(const char *s, unsigned *out);
/* Distinct streams for received and sent frames from one seed. */
uint64_t net_fault_stream(uint64_t seed, unsigned which);

/* ---- net_addr.c: node <-> address ---- */

#define NET_ADDR_DEFAULT_PREFIX 24
/* "A.B.C.D" or "A.B.C.D/NN" (NN 1..32; default 24) -> host-order ip.
 * 0 or -EINVAL. */
MUST_CHECK int net_addr_parse(const char *s, uint32_t *ip, int *prefix);
/* "A.B.C.D" into buf (at least 16 bytes); returns buf. */
char *net_addr_format(uint32_t ip, char *buf, size_t size);
/* Set this node's address (the default rule or ip=). */
void net_addr_set_self(uint32_t ip, int prefix);
int net_addr_self_prefix(void);
/* Host-order netmask of a prefix length 0..32. */
uint32_t net_addr_mask(int prefix);

/* ---- net_udp.c / net_icmp.c: set up in the net thread at start ---- */
void net_icmp_start(void);

/* ---- net_frame.c: the fast path's Ethernet + IPv4 + UDP headers (pure) ---- */

#define NET_FRAME_ETH 14
#define NET_FRAME_IP  20
#define NET_FRAME_UDP 8
#define NET_FRAME_HDR (NET_FRAME_ETH + NET_FRAME_IP + NET_FRAME_UDP)   /* 42 */

struct net_frame_addr {
    uint8_t dst_mac[6], src_mac[6];
    uint32_t src_ip, dst_ip;            /* host order */
    uint16_t src_port, dst_port;
};
/* The NET_FRAME_HDR bytes in front of a len-byte UDP payload: IPv4 with
 * DF, TTL 64, its header checksum; UDP checksum 0 (none). */
void net_frame_build(uint8_t *hdr, const struct net_frame_addr *a, size_t len, uint16_t ip_id);

struct net_frame_udp {
    uint32_t src_ip;                    /* host order */
    uint16_t src_port, dst_port;
    const uint8_t *data;                /* inside the frame */
    size_t len;
};
/* Is frame (len bytes) one whole UDP datagram to my_mac and my_ip, with a
 * right IP header checksum and a right (or no) UDP checksum? Anything
 * else (ARP, ICMP, IP options, fragments, broadcast, bad sums) is false:
 * lwIP's. */
bool net_frame_parse(const void *frame, size_t len, const uint8_t *my_mac, uint32_t my_ip,
                     struct net_frame_udp *out);

/* ---- net_fast.c: UDP datagrams between nodes without the net thread ---- */

/* Fault knobs set: the fast path stays off (every frame meets the injector). */
void net_fast_init(const struct net_fault_cfg *f);
/* Net thread, after lwIP sent a datagram to ip: remember the peer's
 * Ethernet address if lwIP's ARP table has it (stable). */
void net_fast_learn(uint32_t ip);
/* Send one datagram straight to the first NIC's ring from the calling
 * thread. 0 when sent (or lost like on a wire), -EAGAIN when the caller
 * must take the slow path (the net thread and lwIP): no fresh address,
 * ring full, fast path off. more: another datagram follows at once (the
 * doorbell waits for the last one). */
int net_fast_send(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data,
                  size_t len, bool more);
/* Ring the doorbell for datagrams sent with more (in the net thread: only
 * if they were all small; kick_devs rings for data at the end of a pass). */
void net_fast_kick(void);
/* Net thread: kick_devs rang the doorbells. */
void net_fast_kicked(void);
/* Net thread: a received frame; true when it was a UDP datagram for a
 * bound port and went to its rx upcall without lwIP. */
bool net_fast_input(struct net_dev *d, const void *frame, size_t len);
/* net_udp.c, net thread: hand a datagram to port's upcall; false when no
 * upcall is bound (then lwIP answers it as usual). */
bool net_udp_deliver(uint16_t port, uint32_t src_ip, uint16_t src_port, const void *data,
                     size_t len);
