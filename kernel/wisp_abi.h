/*
 * Wisp's own system calls (a private range above Linux's numbers) and the
 * structures they exchange with user programs. Plain fixed-width types only:
 * user programs (user/lib/wisp.h) include this header too.
 * Every row is also in kernel/syscall_table.def.
 */
#pragma once
#include <stdint.h>

#define WISP_SYS_NODES      1000  /* (struct wisp_node *buf, long max) -> count */
#define WISP_SYS_PING       1001  /* (uint32_t ip, long seq, long payload, uint64_t timeout_ns,
                                      uint64_t *rtt_ns) -> 0 */
#define WISP_SYS_RPCSTAT    1002  /* (struct wisp_rpcstat *buf, long size) -> bytes */
#define WISP_SYS_RPC_ECHO   1003  /* (long node, const void *in, long len, void *out, long cap)
                                      -> reply length */
#define WISP_SYS_RPC_COUNT  1004  /* (long node, uint64_t *value) -> 0: one at-most-once
                                      increment of node's counter, *value = new count */
#define WISP_SYS_NETSTAT    1005  /* (struct wisp_netstat *buf, long size) -> bytes */
#define WISP_SYS_UDP_BLAST  1006  /* (long node, long total, long dgram, struct wisp_blast *out)
                                      -> 0: raw UDP throughput to node's sink */
#define WISP_SYS_INFO       1007  /* (struct wisp_info *buf, long size) -> bytes */

enum { WISP_NODE_UNKNOWN = 0, WISP_NODE_UP = 1, WISP_NODE_DOWN = 2 };

struct wisp_node {
    int32_t node;
    int32_t state;          /* WISP_NODE_* */
    uint32_t boot_id;       /* 0 if never heard from */
    uint32_t ip;            /* host byte order */
    uint64_t last_heard_ns; /* monotonic time of its last packet, 0 if never */
};

struct wisp_info {
    int32_t node;
    int32_t nodes;          /* nodes= on the command line (0 if not given) */
    uint32_t boot_id;
    uint32_t ip;
};

struct wisp_rpcstat {
    uint64_t calls, replies, timeouts, hostdown;          /* client */
    uint64_t retransmits, frag_retransmits, acks_sent, acks_received;
    uint64_t requests, duplicates, replays;               /* server: dups answered from cache */
    uint64_t rx_packets, tx_packets;
    uint64_t bad_magic, bad_version, bad_length, bad_op, bad_other;  /* dropped and counted */
    uint64_t stale_boot, peer_up_events, peer_down_events;
};

struct wisp_netstat {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
    uint64_t rx_dropped, tx_dropped;
    uint64_t injected_drop, injected_dup, injected_reorder;
    uint64_t irqs;
    char nic[16];
    uint8_t mac[6];
    uint8_t pad[2];
};

struct wisp_blast {
    uint64_t sent_bytes;
    uint64_t received_bytes;  /* as counted by the sink */
    uint64_t elapsed_ns;
};
