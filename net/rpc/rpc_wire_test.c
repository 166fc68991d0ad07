/*
 * Host tests of the RPC wire format: encode/decode round trips of every
 * kind of packet, and each malformed case rejected with its own reason and
 * counted in the right wisp_rpcstat counter; the tag (protocol v2) checked
 * before anything else. Rule tests re-tag a patched datagram so the rule,
 * not the tag, is what rejects it. The fuzz test of the same decoder is
 * rpc_fuzz_test.c.
 */
// TEST_SRCS: net/rpc/rpc_mac.c
#include "net/rpc/rpc_int.h"
#include "tests/host/test.h"

static struct rpc_hdr
req_hdr(uint32_t total, unsigned index)
{
    struct rpc_hdr h = {
        .version = RPC_PROTO_VERSION,
        .flags = RPC_F_REQUEST,
        .op = RPC_OP_ECHO,
        .client = 3,
        .server = 7,
        .channel = 5,
        .seq = 0xdeadbeef,
        .boot_id = 0x12345678,
        .dst_boot = 0x9abcdef0,
    };
    h.total_len = total;
    h.frag_count = (uint8_t)rpc_frag_count(total);
    h.frag_index = (uint8_t)index;
    h.payload_len = (uint16_t)rpc_frag_len(total, index);
    if (h.frag_count > 1)
        h.flags |= RPC_F_FRAG;
    return h;
}

static uint8_t pkt[RPC_MAX_PAYLOAD + 64];
static uint8_t data[RPC_MAX_PAYLOAD];
static const struct rpc_mac_key wkey = { 0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull };

/* Tag pkt[0..body) as a sender would; returns the datagram's length. */
static size_t
retag(size_t body)
{
    rpc_mac_tag(&wkey, pkt, body, pkt + body);
    return body + RPC_TAG_LEN;
}

static size_t
enc(const struct rpc_hdr *h)
{
    for (size_t i = 0; i < sizeof(data); i++)
        data[i] = (uint8_t)(i * 7 + 1);
    return rpc_wire_encode(&wkey, h, data, pkt, sizeof(pkt));
}

static int
dec(size_t len)
{
    struct rpc_hdr h;
    const void *p;
    return rpc_wire_decode(&wkey, pkt, len, &h, &p);
}

static bool
hdr_eq(const struct rpc_hdr *a, const struct rpc_hdr *b)
{
    return a->version == b->version && a->flags == b->flags && a->op == b->op &&
           a->client == b->client && a->server == b->server && a->channel == b->channel &&
           a->frag_index == b->frag_index && a->frag_count == b->frag_count &&
           a->seq == b->seq && a->boot_id == b->boot_id && a->dst_boot == b->dst_boot &&
           a->total_len == b->total_len && a->payload_len == b->payload_len &&
           a->error == b->error && a->frag_mask == b->frag_mask;
}

static void
expect_round_trip(const struct rpc_hdr *h)
{
    struct rpc_hdr d;
    const void *p = NULL;
    size_t len = enc(h);
    EXPECT_EQ(len, RPC_HDR_LEN + h->payload_len + RPC_TAG_LEN);
    EXPECT_EQ(rpc_wire_decode(&wkey, pkt, len, &d, &p), RPC_WIRE_OK);
    EXPECT_TRUE(hdr_eq(&d, h));
    EXPECT_TRUE(p == pkt + RPC_HDR_LEN);
    EXPECT_TRUE(memcmp(p, data, h->payload_len) == 0);
}

static void
test_wire_round_trip_request_fragments(void)
{
    struct rpc_hdr h;
    uint32_t sizes[] = { 0, 1, RPC_FRAG_DATA - 1, RPC_FRAG_DATA, RPC_FRAG_DATA + 1, 10000,
                         RPC_MAX_DATA };
    for (size_t s = 0; s < ARRAY_SIZE(sizes); s++) {
        unsigned count = rpc_frag_count(sizes[s]);
        for (unsigned i = 0; i < count; i++) {
            h = req_hdr(sizes[s], i);
            expect_round_trip(&h);
        }
    }
    EXPECT_EQ(rpc_frag_count(RPC_MAX_DATA), RPC_MAX_FRAGS);
}

static void
test_wire_round_trip_reply_ack_close_ping(void)
{
    struct rpc_hdr h = req_hdr(0, 0);
    h.flags = RPC_F_REPLY;
    h.error = -110;
    expect_round_trip(&h);

    h = req_hdr(5000, 0);
    h.flags = RPC_F_REPLY | RPC_F_ACK | RPC_F_FRAG;
    h.payload_len = 0;
    h.frag_mask = 0x5;
    expect_round_trip(&h);

    h.flags = RPC_F_REQUEST | RPC_F_ACK | RPC_F_CLOSE | RPC_F_FRAG;
    h.frag_mask = rpc_frag_full(h.frag_count);
    expect_round_trip(&h);

    h = req_hdr(RPC_MAX_DATA, RPC_MAX_FRAGS - 1);
    h.flags |= RPC_F_PLEASEACK;
    h.frag_mask = rpc_frag_full(RPC_MAX_FRAGS);
    expect_round_trip(&h);

    h = req_hdr(0, 0);
    h.op = RPC_OP_PING;
    h.channel = RPC_CHAN_PING;
    h.dst_boot = 0;
    expect_round_trip(&h);
    h.frag_mask = 0xfedcba9876543210ull;    /* a ping's nonce: any 64 bits */
    expect_round_trip(&h);
    h.flags = RPC_F_REPLY;                  /* the answer echoes it */
    expect_round_trip(&h);
}

static void
test_wire_encode_is_big_endian(void)
{
    struct rpc_hdr h = req_hdr(0, 0);
    enc(&h);
    EXPECT_EQ(pkt[0], 'W');
    EXPECT_EQ(pkt[3], 'C');
    EXPECT_EQ(pkt[4], RPC_PROTO_VERSION);
    EXPECT_EQ(pkt[16], 0xde);
    EXPECT_EQ(pkt[19], 0xef);
    EXPECT_EQ(pkt[20], 0x12);
}

/* Encode a valid header, patch byte off to v, re-tag, decode. */
static int
patched(const struct rpc_hdr *h, size_t off, uint8_t v)
{
    size_t len = enc(h);
    pkt[off] = v;
    return dec(retag(len - RPC_TAG_LEN));
}

static void
test_wire_rejects_framing(void)
{
    struct rpc_hdr h = req_hdr(100, 0);
    size_t len = enc(&h);
    size_t body = len - RPC_TAG_LEN;
    EXPECT_EQ(dec(0), RPC_WIRE_BAD_AUTH);
    EXPECT_EQ(dec(RPC_HDR_LEN + RPC_TAG_LEN - 1), RPC_WIRE_BAD_AUTH);
    EXPECT_EQ(dec(len - 1), RPC_WIRE_BAD_AUTH);
    EXPECT_EQ(dec(retag(body - 1)), RPC_WIRE_BAD_LENGTH);
    enc(&h);
    EXPECT_EQ(dec(retag(body + 1)), RPC_WIRE_BAD_LENGTH);

    EXPECT_EQ(patched(&h, 0, 'X'), RPC_WIRE_BAD_MAGIC);
    EXPECT_EQ(patched(&h, 4, RPC_PROTO_VERSION + 1), RPC_WIRE_BAD_VERSION);
    EXPECT_EQ(patched(&h, 35, 1), RPC_WIRE_BAD_RESERVED);
}

static void
test_wire_rejects_lengths_and_fragments(void)
{
    struct rpc_hdr h = req_hdr(100, 0);
    h.total_len = RPC_MAX_DATA + 1;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_TOTAL);
    h = req_hdr(5000, 0);
    h.frag_count = 5;                   /* 5000 bytes are 4 fragments */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_FRAG);
    h = req_hdr(5000, 3);
    h.frag_index = 4;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_FRAG);
    h = req_hdr(5000, 3);
    h.payload_len = RPC_FRAG_DATA;      /* the last fragment is shorter */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_LENGTH);
    h = req_hdr(5000, 0);
    h.flags = RPC_F_REPLY | RPC_F_ACK | RPC_F_FRAG;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_LENGTH);   /* an ack carries no data */
    /* A datagram whose payload_len field is itself wrong. */
    h = req_hdr(100, 0);
    size_t len = enc(&h);
    pkt[33] = 99;
    EXPECT_EQ(dec(retag(len - RPC_TAG_LEN - 1)), RPC_WIRE_BAD_LENGTH);
}

static void
test_wire_tag_checked_first(void)
{
    struct rpc_hdr h = req_hdr(3000, 1);
    struct rpc_mac_key other = wkey;
    size_t len = enc(&h);
    const void *p;
    struct rpc_hdr d;

    other.k0 ^= 1;
    EXPECT_EQ(rpc_wire_decode(&other, pkt, len, &d, &p), RPC_WIRE_BAD_AUTH);
    for (size_t off = 0; off < len; off += 3) {
        enc(&h);
        pkt[off] ^= 0x10;               /* header, payload or tag */
        EXPECT_EQ(dec(len), RPC_WIRE_BAD_AUTH);
    }
    enc(&h);
    pkt[0] = 'X';                       /* bad magic, but the tag says so first */
    EXPECT_EQ(dec(len), RPC_WIRE_BAD_AUTH);
    enc(&h);
    EXPECT_EQ(dec(len), RPC_WIRE_OK);
    EXPECT_EQ(len, RPC_HDR_LEN + RPC_FRAG_DATA + RPC_TAG_LEN);   /* a full fragment: 1472 */
}

static void
test_wire_rejects_flags_op_node_channel_boot(void)
{
    struct rpc_hdr h = req_hdr(0, 0);
    uint8_t bad_flags[] = { 0, RPC_F_REQUEST | RPC_F_REPLY, RPC_F_REQUEST | 0x40,
                            RPC_F_REQUEST | RPC_F_CLOSE, RPC_F_REPLY | RPC_F_PLEASEACK,
                            RPC_F_REQUEST | RPC_F_FRAG };
    for (size_t i = 0; i < sizeof(bad_flags); i++) {
        h.flags = bad_flags[i];
        EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_FLAGS);
    }
    h = req_hdr(5000, 0);
    h.flags &= ~RPC_F_FRAG;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_FLAGS);
    h = req_hdr(0, 0);
    h.op = 0;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_OP);
    h.op = 999;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_OP);
    h = req_hdr(0, 0);
    h.server = RPC_MAX_NODES;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_NODE);
    h = req_hdr(0, 0);
    h.channel = RPC_CHANNELS;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_CHANNEL);
    h.channel = RPC_CHAN_PING;          /* the ping channel carries only pings */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_CHANNEL);
    h = req_hdr(0, 0);
    h.boot_id = 0;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_BOOT);
}

static void
test_wire_rejects_masks_and_errors(void)
{
    struct rpc_hdr h = req_hdr(5000, 0);
    h.flags = RPC_F_REPLY | RPC_F_ACK | RPC_F_FRAG;
    h.payload_len = 0;
    h.frag_mask = 1ull << 4;            /* only fragments 0..3 exist */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_MASK);
    h = req_hdr(100, 0);
    h.flags = RPC_F_REPLY;
    h.frag_mask = 1;                    /* reply data carries no mask */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_MASK);
    h = req_hdr(100, 0);
    h.frag_mask = 1ull << RPC_MAX_FRAGS;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_MASK);
    h = req_hdr(0, 0);
    h.flags = RPC_F_REPLY;
    h.error = 5;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_ERROR);
    h.error = RPC_ERR_MIN - 1;
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_ERROR);
    h = req_hdr(0, 0);
    h.error = -5;                       /* requests carry no error */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_ERROR);
    h = req_hdr(100, 0);
    h.flags = RPC_F_REPLY;
    h.error = -5;                       /* an error reply has no data */
    EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_BAD_ERROR);
}

static void
test_wire_reasons_counted(void)
{
    struct wisp_rpcstat s;
    memset(&s, 0, sizeof(s));
    for (int r = 0; r < RPC_WIRE_NREASONS; r++) {
        rpc_wire_count(&s, (enum rpc_wire_reason)r);
        EXPECT_TRUE(strcmp(rpc_wire_reason_name((enum rpc_wire_reason)r), "?") != 0);
    }
    EXPECT_EQ(s.bad_magic, 1);
    EXPECT_EQ(s.bad_version, 1);
    EXPECT_EQ(s.bad_length, 4);         /* short, length, total, fragment */
    EXPECT_EQ(s.bad_op, 1);
    EXPECT_EQ(s.bad_auth, 1);
    EXPECT_EQ(s.bad_other, RPC_WIRE_NREASONS - 1 - 8);
    EXPECT_STREQ(rpc_op_name(RPC_OP_COUNT), "COUNT");
}

static void
test_wire_frag_arithmetic(void)
{
    EXPECT_EQ(rpc_frag_count(0), 1);
    EXPECT_EQ(rpc_frag_count(RPC_FRAG_DATA), 1);
    EXPECT_EQ(rpc_frag_count(RPC_FRAG_DATA + 1), 2);
    EXPECT_EQ(rpc_frag_len(RPC_FRAG_DATA + 1, 1), 1);
    EXPECT_EQ(rpc_frag_len(RPC_MAX_DATA, RPC_MAX_FRAGS - 1),
              RPC_MAX_DATA - (RPC_MAX_FRAGS - 1) * RPC_FRAG_DATA);
    EXPECT_EQ(rpc_frag_full(3), 7);
    EXPECT_EQ(rpc_frag_full(64), ~0ull);
    EXPECT_EQ(RPC_HDR_LEN + RPC_FRAG_DATA + RPC_TAG_LEN, 1472);
    EXPECT_EQ(RPC_FRAG_DATA, 1408);
    EXPECT_EQ(rpc_frag_count(RPC_MAX_DATA), 47);
}

void
tests_run(void)
{
    RUN(test_wire_round_trip_request_fragments);
    RUN(test_wire_round_trip_reply_ack_close_ping);
    RUN(test_wire_encode_is_big_endian);
    RUN(test_wire_rejects_framing);
    RUN(test_wire_tag_checked_first);
    RUN(test_wire_rejects_lengths_and_fragments);
    RUN(test_wire_rejects_flags_op_node_channel_boot);
    RUN(test_wire_rejects_masks_and_errors);
    RUN(test_wire_reasons_counted);
    RUN(test_wire_frag_arithmetic);
}
