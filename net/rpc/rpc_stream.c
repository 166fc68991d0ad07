/*
 * Streams: one caller moving more than RPC_MAX_DATA bytes to a node (the
 * migration and file layers move 256 KiB - 1 MiB at a time). The data is
 * cut into pieces of up to RPC_STREAM_PIECE bytes; each piece is one
 * ordinary at-most-once call whose request is the caller's context bytes
 * (op-specific: a file handle, an address-space id), a 16-byte piece header
 * (offset, total; big-endian) and the piece's data. Up to
 * RPC_STREAM_WINDOW pieces are in flight at once on separate channels, so
 * one caller keeps the wire busy the way several callers would, while the
 * RPC layer's flow control keeps the receiver from being overrun. Pieces
 * may be handled in any order; handlers place them by offset
 * (rpc_stream_parse). The first error ends the stream: no piece is started
 * after it, pieces in flight finish. docs/rpc.md, "Streams".
 *
 * STREAM_CHECK, the op the tests and benchmarks stream to, checks every
 * byte of every piece against a pattern of its stream offset.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc_int.h"
#include "net/rpc/rpc_sys.h"

#define HDR 16                          /* offset, total */

struct slot {
    struct rpc_call call;
    uint8_t *buf;                       /* ctx, header, data */
    bool busy;
};

size_t
rpc_stream_piece_max(size_t ctxlen)
{
    if (ctxlen > RPC_STREAM_CTX_MAX)
        return 0;
    return MIN((size_t)RPC_STREAM_PIECE, (RPC_MAX_DATA - HDR - ctxlen) & ~(size_t)4095);
}

int
rpc_stream_parse(const void *req, size_t reqlen, size_t ctxlen, struct rpc_piece *p)
{
    const uint8_t *r = req;
    if (reqlen < ctxlen + HDR)
        return -EBADMSG;
    p->ctx = r;
    p->offset = rpc_get_u64(r + ctxlen);
    p->total = rpc_get_u64(r + ctxlen + 8);
    p->data = r + ctxlen + HDR;
    p->len = reqlen - ctxlen - HDR;
    if (p->offset > p->total || p->len > p->total - p->offset)
        return -EBADMSG;
    return 0;
}

/* Start the piece at off in slot s. */
static int
piece_start(struct slot *s, int node, int op, const void *ctx, size_t ctxlen,
            const uint8_t *data, uint64_t off, uint64_t total, size_t n)
{
    if (ctxlen)
        memcpy(s->buf, ctx, ctxlen);
    rpc_put_u64(s->buf + ctxlen, off);
    rpc_put_u64(s->buf + ctxlen + 8, total);
    if (n)
        memcpy(s->buf + ctxlen + HDR, data + off, n);
    int err = rpc_call_begin(&s->call, node, op, s->buf, ctxlen + HDR + n, NULL, 0);
    s->busy = err == 0;
    return err;
}

int
rpc_stream_send(int node, int op, const void *ctx, size_t ctxlen, const void *data,
                size_t len, unsigned *pieces)
{
    struct slot *slots;
    size_t piece = rpc_stream_piece_max(ctxlen);
    uint64_t off = 0;
    int err = 0, n = 0, oldest = 0, started = 0;

    if (pieces)
        *pieces = 0;
    if (piece == 0 || (len && !data))
        return -EINVAL;
    slots = kzalloc(sizeof(*slots) * RPC_STREAM_WINDOW);
    if (!slots)
        return -ENOMEM;
    for (int i = 0; i < RPC_STREAM_WINDOW && err == 0; i++)
        if (!(slots[i].buf = kmalloc(ctxlen + HDR + piece)))
            err = -ENOMEM;
    /* Slots are used round robin and ended oldest first: calls on a
     * healthy peer finish roughly in the order they started. */
    bool first = true;
    while (err == 0 && (off < len || first)) {
        struct slot *s = &slots[(oldest + n) % RPC_STREAM_WINDOW];
        size_t k = (size_t)MIN((uint64_t)piece, len - off);
        err = piece_start(s, node, op, ctx, ctxlen, data, off, len, k);
        if (err)
            break;
        first = false;
        started++;
        off += k;
        if (++n == RPC_STREAM_WINDOW) {
            err = rpc_call_end(&slots[oldest].call, NULL);
            slots[oldest].busy = false;
            oldest = (oldest + 1) % RPC_STREAM_WINDOW;
            n--;
        }
    }
    for (; n > 0; n--, oldest = (oldest + 1) % RPC_STREAM_WINDOW) {
        int e = rpc_call_end(&slots[oldest].call, NULL);
        slots[oldest].busy = false;
        if (!err)
            err = e;
    }
    for (int i = 0; i < RPC_STREAM_WINDOW; i++) {
        ASSERT(!slots[i].busy, "a stream ends every call it began");
        kfree(slots[i].buf);
    }
    kfree(slots);
    if (pieces)
        *pieces = (unsigned)started;
    return err;
}

/* ---- STREAM_CHECK: the test and benchmark op ---- */

static uint8_t
pattern(uint64_t seed, uint64_t o)
{
    return (uint8_t)(o ^ (o >> 8) ^ (o >> 16) ^ (o >> 24) ^ seed);
}

int
rpc_rpc_stream_check(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct rpc_piece p;
    int err = rpc_stream_parse(req, reqlen, 8, &p);
    if (err)
        return err;
    uint64_t seed = rpc_get_u64(p.ctx);
    for (size_t i = 0; i < p.len; i++)
        if (p.data[i] != pattern(seed, p.offset + i))
            return -EBADMSG;
    *replen = 0;
    return 0;
}

long
sys_wisp_rpc_stream(long node, long size, long count, long flags, uint64_t uout)
{
    struct wisp_rpcstream r;
    uint8_t ctx[8];

    if (size < 0 || size > WISP_STREAM_MAX || count < 1 || count > 100000 ||
        (flags & ~(long)WISP_STREAM_CORRUPT) || node < 0 || node >= RPC_MAX_NODES)
        return -EINVAL;
    uint8_t *data = kmalloc(size ? (size_t)size : 1);
    if (!data)
        return -ENOMEM;
    uint64_t seed = arch_cycles() & 0xff;
    for (long i = 0; i < size; i++)
        data[i] = pattern(seed, (uint64_t)i);
    if ((flags & WISP_STREAM_CORRUPT) && size > 0)
        data[size - 1 - size / 3] ^= 0x40;
    rpc_put_u64(ctx, seed);
    memset(&r, 0, sizeof(r));
    uint64_t t0 = arch_time_ns();
    int err = 0;
    for (long i = 0; i < count && !err; i++) {
        unsigned k = 0;
        err = rpc_stream_send((int)node, RPC_OP_STREAM_CHECK, ctx, sizeof(ctx), data,
                              (size_t)size, &k);
        r.pieces += k;
        if (!err)
            r.bytes += (uint64_t)size;
    }
    r.elapsed_ns = arch_time_ns() - t0;
    kfree(data);
    if (err)
        return err;
    return copyout(uout, &r, sizeof(r));
}
