/*
 * Fragmentation: a message of up to RPC_MAX_DATA bytes travels as
 * RPC_FRAG_DATA-byte fragments, each a full datagram with the same header
 * but its own index. The receiver keeps a 64-bit mask of the fragments it
 * holds and acknowledges with it; the sender resends only the fragments
 * missing from a mask (selective retransmission). Who sends which acks is
 * the business of rpc_client.c and rpc_server.c; this file only cuts and
 * glues.
 */
#include "kernel/lib.h"
#include "net/rpc/rpc_int.h"

unsigned
rpc_frag_send_locked(struct rpc_node *n, int dst, const struct rpc_hdr *tmpl,
                     const uint8_t *data, uint32_t total, uint64_t skip)
{
    struct rpc_hdr h = *tmpl;
    unsigned count = rpc_frag_count(total), sent = 0;

    h.total_len = total;
    h.frag_count = (uint8_t)count;
    h.flags = (uint8_t)((h.flags & ~RPC_F_FRAG) | (count > 1 ? RPC_F_FRAG : 0));
    for (unsigned i = 0; i < count; i++) {
        if (skip & (1ull << i))
            continue;
        h.frag_index = (uint8_t)i;
        h.payload_len = (uint16_t)rpc_frag_len(total, i);
        rpc_tx_locked(n, dst, &h, data ? data + (size_t)i * RPC_FRAG_DATA : NULL);
        sent++;
    }
    return sent;
}

bool
rpc_frag_store(uint8_t *buf, size_t cap, uint64_t *mask, const struct rpc_hdr *h,
               const void *payload)
{
    uint64_t bit = 1ull << h->frag_index;
    size_t off = (size_t)h->frag_index * RPC_FRAG_DATA;

    if (*mask & bit)
        return false;
    /* decode has checked payload_len against total_len and the index. */
    ASSERT(off + h->payload_len <= cap, "a fragment lands inside its message buffer");
    if (h->payload_len)
        memcpy(buf + off, payload, h->payload_len);
    *mask |= bit;
    return true;
}
