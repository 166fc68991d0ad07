/*
 * The RPC wire format: a 48-byte header encoded field by field in network
 * byte order (never a struct copied to the wire), then the payload, then a
 * 16-byte SipHash-2-4-128 tag over both under the cluster key (rpc_mac.c).
 * Decode checks the tag before anything else, then every field, and returns
 * the first rule broken; the core drops the
 * datagram and counts the reason (rpc_wire_count). Field layout and rules:
 * docs/rpc.md. The op table's validity check lives here too, since decode
 * rejects unknown ops. Tested by rpc_wire_test.c and rpc_fuzz_test.c.
 */
#include "kernel/lib.h"
#include "net/rpc/rpc_int.h"

#define RPC_OP_CASE_(no, name, handler) case (no): return true;
#define RPC_OP_NAME_(no, name, handler) case (no): return #name;

bool
rpc_op_valid(unsigned op)
{
    switch (op) {
    RPC_OPS(RPC_OP_CASE_)
    default:
        return false;
    }
}

const char *
rpc_op_name(unsigned op)
{
    switch (op) {
    RPC_OPS(RPC_OP_NAME_)
    default:
        return "?";
    }
}

unsigned
rpc_frag_count(uint32_t total)
{
    return total == 0 ? 1 : (unsigned)((total + RPC_FRAG_DATA - 1) / RPC_FRAG_DATA);
}

uint32_t
rpc_frag_len(uint32_t total, unsigned index)
{
    uint32_t off = (uint32_t)index * RPC_FRAG_DATA;
    if (off >= total)
        return 0;
    return MIN(total - off, (uint32_t)RPC_FRAG_DATA);
}

uint64_t
rpc_frag_full(unsigned count)
{
    return count >= 64 ? ~0ull : (1ull << count) - 1;
}

static enum rpc_wire_reason
check_flags(const struct rpc_hdr *h)
{
    unsigned f = h->flags;
    bool req = f & RPC_F_REQUEST, rep = f & RPC_F_REPLY, ack = f & RPC_F_ACK;

    if (f & ~RPC_F_ALL || req == rep)
        return RPC_WIRE_BAD_FLAGS;
    if ((f & RPC_F_CLOSE) && !(req && ack))
        return RPC_WIRE_BAD_FLAGS;
    if ((f & RPC_F_PLEASEACK) && !(req && !ack))
        return RPC_WIRE_BAD_FLAGS;
    if (!!(f & RPC_F_FRAG) != (h->frag_count > 1))
        return RPC_WIRE_BAD_FLAGS;
    return RPC_WIRE_OK;
}

/* The fragment, mask and error rules, given sane flags and total. */
static enum rpc_wire_reason
check_body(const struct rpc_hdr *h)
{
    bool ack = h->flags & RPC_F_ACK;
    unsigned count = rpc_frag_count(h->total_len);

    if (h->frag_count != count || h->frag_index >= count)
        return RPC_WIRE_BAD_FRAG;
    if (h->channel == RPC_CHAN_PING) {
        /* No data, no ack (checked before); frag_mask is the nonce. */
        if (h->payload_len != 0)
            return RPC_WIRE_BAD_LENGTH;
    } else if (ack) {
        if (h->payload_len != 0 || h->frag_index != 0)
            return RPC_WIRE_BAD_LENGTH;
        if (h->frag_mask & ~rpc_frag_full(count))
            return RPC_WIRE_BAD_MASK;
    } else {
        if (h->payload_len != rpc_frag_len(h->total_len, h->frag_index))
            return RPC_WIRE_BAD_LENGTH;
        if ((h->flags & RPC_F_REPLY) && h->frag_mask)
            return RPC_WIRE_BAD_MASK;
        if (h->frag_mask & ~rpc_frag_full(RPC_MAX_FRAGS))
            return RPC_WIRE_BAD_MASK;
    }
    if (h->error != 0) {
        if (h->error < RPC_ERR_MIN || h->error > 0)
            return RPC_WIRE_BAD_ERROR;
        if (!(h->flags & RPC_F_REPLY) || ack || h->total_len != 0)
            return RPC_WIRE_BAD_ERROR;
    }
    return RPC_WIRE_OK;
}

enum rpc_wire_reason
rpc_wire_check(const struct rpc_hdr *h)
{
    enum rpc_wire_reason r;

    if (h->version != RPC_PROTO_VERSION)
        return RPC_WIRE_BAD_VERSION;
    if (h->total_len > RPC_MAX_DATA)
        return RPC_WIRE_BAD_TOTAL;
    if ((r = check_flags(h)) != RPC_WIRE_OK)
        return r;
    if (!rpc_op_valid(h->op))
        return RPC_WIRE_BAD_OP;
    if (h->client >= RPC_MAX_NODES || h->server >= RPC_MAX_NODES)
        return RPC_WIRE_BAD_NODE;
    if (h->channel == RPC_CHAN_PING) {
        if (h->op != RPC_OP_PING || (h->flags & RPC_F_ACK) || h->total_len != 0)
            return RPC_WIRE_BAD_CHANNEL;
    } else if (h->channel >= RPC_CHANNELS) {
        return RPC_WIRE_BAD_CHANNEL;
    }
    if (h->boot_id == 0)
        return RPC_WIRE_BAD_BOOT;
    return check_body(h);
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, v >> 16);
    put16(p + 2, v);
}

static void
put64(uint8_t *p, uint64_t v)
{
    put32(p, v >> 32);
    put32(p + 4, v);
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t
get64(const uint8_t *p)
{
    return (uint64_t)get32(p) << 32 | get32(p + 4);
}

size_t
rpc_wire_encode(const struct rpc_mac_key *key, const struct rpc_hdr *h, const void *payload,
                void *buf, size_t cap)
{
    uint8_t *p = buf;
    size_t len = RPC_HDR_LEN + h->payload_len;

    ASSERT(rpc_wire_check(h) == RPC_WIRE_OK, "the RPC layer only sends headers it would accept");
    if (cap < len + RPC_TAG_LEN)
        return 0;
    put32(p + 0, RPC_MAGIC);
    p[4] = h->version;
    p[5] = h->flags;
    put16(p + 6, h->op);
    put16(p + 8, h->client);
    put16(p + 10, h->server);
    put16(p + 12, h->channel);
    p[14] = h->frag_index;
    p[15] = h->frag_count;
    put32(p + 16, h->seq);
    put32(p + 20, h->boot_id);
    put32(p + 24, h->dst_boot);
    put32(p + 28, h->total_len);
    put16(p + 32, h->payload_len);
    put16(p + 34, 0);
    put32(p + 36, (uint32_t)h->error);
    put64(p + 40, h->frag_mask);
    if (h->payload_len)
        memcpy(p + RPC_HDR_LEN, payload, h->payload_len);
    rpc_mac_tag(key, p, len, p + len);
    return len + RPC_TAG_LEN;
}

enum rpc_wire_reason
rpc_wire_decode(const struct rpc_mac_key *key, const void *buf, size_t len, struct rpc_hdr *h,
                const void **payload)
{
    const uint8_t *p = buf;
    enum rpc_wire_reason r;

    /* Authenticity first: nothing below reads a byte a forger chose. */
    if (len < RPC_HDR_LEN + RPC_TAG_LEN)
        return RPC_WIRE_BAD_AUTH;
    len -= RPC_TAG_LEN;
    if (!rpc_mac_verify(key, p, len, p + len))
        return RPC_WIRE_BAD_AUTH;
    if (get32(p) != RPC_MAGIC)
        return RPC_WIRE_BAD_MAGIC;
    h->version = p[4];
    if (h->version != RPC_PROTO_VERSION)
        return RPC_WIRE_BAD_VERSION;
    h->flags = p[5];
    h->op = get16(p + 6);
    h->client = get16(p + 8);
    h->server = get16(p + 10);
    h->channel = get16(p + 12);
    h->frag_index = p[14];
    h->frag_count = p[15];
    h->seq = get32(p + 16);
    h->boot_id = get32(p + 20);
    h->dst_boot = get32(p + 24);
    h->total_len = get32(p + 28);
    h->payload_len = get16(p + 32);
    h->error = (int32_t)get32(p + 36);
    h->frag_mask = get64(p + 40);
    if (len != RPC_HDR_LEN + (size_t)h->payload_len)
        return RPC_WIRE_BAD_LENGTH;
    if (get16(p + 34) != 0)
        return RPC_WIRE_BAD_RESERVED;
    if ((r = rpc_wire_check(h)) != RPC_WIRE_OK)
        return r;
    *payload = p + RPC_HDR_LEN;
    return RPC_WIRE_OK;
}

const char *
rpc_wire_reason_name(enum rpc_wire_reason r)
{
    static const char *const names[RPC_WIRE_NREASONS] = {
        [RPC_WIRE_OK] = "ok",
        [RPC_WIRE_SHORT] = "short",
        [RPC_WIRE_BAD_MAGIC] = "bad magic",
        [RPC_WIRE_BAD_VERSION] = "bad version",
        [RPC_WIRE_BAD_LENGTH] = "bad length",
        [RPC_WIRE_BAD_TOTAL] = "bad total length",
        [RPC_WIRE_BAD_FRAG] = "bad fragment",
        [RPC_WIRE_BAD_OP] = "bad op",
        [RPC_WIRE_BAD_FLAGS] = "bad flags",
        [RPC_WIRE_BAD_NODE] = "bad node",
        [RPC_WIRE_BAD_CHANNEL] = "bad channel",
        [RPC_WIRE_BAD_MASK] = "bad mask",
        [RPC_WIRE_BAD_ERROR] = "bad error",
        [RPC_WIRE_BAD_BOOT] = "bad boot id",
        [RPC_WIRE_BAD_RESERVED] = "bad reserved",
        [RPC_WIRE_BAD_AUTH] = "bad tag",
    };
    return (unsigned)r < RPC_WIRE_NREASONS ? names[r] : "?";
}

void
rpc_wire_count(struct wisp_rpcstat *s, enum rpc_wire_reason r)
{
    switch (r) {
    case RPC_WIRE_OK:
        break;
    case RPC_WIRE_BAD_MAGIC:
        s->bad_magic++;
        break;
    case RPC_WIRE_BAD_VERSION:
        s->bad_version++;
        break;
    case RPC_WIRE_SHORT:
    case RPC_WIRE_BAD_LENGTH:
    case RPC_WIRE_BAD_TOTAL:
    case RPC_WIRE_BAD_FRAG:
        s->bad_length++;
        break;
    case RPC_WIRE_BAD_OP:
        s->bad_op++;
        break;
    case RPC_WIRE_BAD_AUTH:
        s->bad_auth++;
        break;
    default:
        s->bad_other++;
        break;
    }
}
