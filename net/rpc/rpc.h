/*
 * Kernel-to-kernel RPC over UDP, Sprite-style (DESIGN.md 3, docs/rpc.md):
 * request/reply with implicit acknowledgements, explicit acks for long
 * calls, retransmission with backoff, at-most-once execution with cached
 * replies, fragmentation of up to RPC_MAX_DATA bytes with selective
 * retransmission, and boot ids for crash detection (recov.h).
 * Each op is declared once, in net/rpc/rpc_ops.h.
 */
#pragma once
#include "kernel/compiler.h"

#define RPC_MAX_DATA (64 * 1024)   /* request or reply payload */

/* A server-side handler: runs in an RPC server thread (may sleep, must not
 * call rpc_call to its own caller). Fill rep[0..*replen) (*replen is the
 * capacity on entry, RPC_MAX_DATA); return 0 or -errno, which the caller's
 * rpc_call returns. */
typedef int (*rpc_handler_fn)(int from_node, const void *req, size_t reqlen, void *rep,
                              size_t *replen);

/* Start the RPC layer on this node: channels, server threads, the UDP
 * port, the recov module. boot_id 0 means "choose one" (never 0 on the
 * wire). Sleeps. 0 or -errno. */
MUST_CHECK int rpc_init(int self_node, uint32_t boot_id);

/* Call op (RPC_OP_* of net/rpc/rpc_ops.h) on node with req; the reply goes
 * to rep (capacity repcap), its length to *replen. Returns 0, -ETIMEDOUT
 * (no answer within the retry budget), -EHOSTDOWN (the peer rebooted or is
 * marked down), -EMSGSIZE, -EINVAL (bad node or op), -ENETDOWN (RPC not
 * started), or the remote handler's -errno. Sleeps; caller holds no lock. */
MUST_CHECK int rpc_call(int node, int op, const void *req, size_t reqlen, void *rep,
                        size_t repcap, size_t *replen);

struct wisp_rpcstat;
void rpc_get_stats(struct wisp_rpcstat *s);
uint32_t rpc_boot_id(void);
