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

/* ---- streams (rpc_stream.c): more than RPC_MAX_DATA bytes in one go ---- */

#define RPC_STREAM_PIECE   (60 * 1024)  /* data bytes per piece (15 pages) at most */
#define RPC_STREAM_CTX_MAX 256          /* op-specific context bytes per piece */
#define RPC_STREAM_WINDOW  4            /* pieces in flight (channels used) */

/* Send len bytes of data to op on node as pieces: one at-most-once call
 * each, whose request is ctx (ctxlen <= RPC_STREAM_CTX_MAX bytes), the
 * piece's offset and the stream's total (u64 big-endian each), then the
 * piece's bytes; the reply is empty. Up to RPC_STREAM_WINDOW pieces are in
 * flight; handlers see them in any order. An empty stream is one empty
 * piece. Returns 0 when every piece's handler returned 0, else the first
 * error (no piece starts after it). *pieces (may be NULL): calls made.
 * Sleeps; caller holds no lock. */
MUST_CHECK int rpc_stream_send(int node, int op, const void *ctx, size_t ctxlen,
                               const void *data, size_t len, unsigned *pieces);
/* Data bytes per piece for a context of ctxlen bytes (0 if too long). */
size_t rpc_stream_piece_max(size_t ctxlen);

/* One piece as a handler sees it. */
struct rpc_piece {
    const uint8_t *ctx;                 /* ctxlen bytes */
    uint64_t offset, total;
    const uint8_t *data;
    size_t len;
};
/* Split a piece's request (the handler knows its op's ctxlen). 0, or
 * -EBADMSG when it is too short or its range lies outside the stream. */
MUST_CHECK int rpc_stream_parse(const void *req, size_t reqlen, size_t ctxlen,
                                struct rpc_piece *p);
