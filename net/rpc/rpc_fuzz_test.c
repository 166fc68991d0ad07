/*
 * A bounded, seeded fuzz of the RPC receive path: 200k valid packets of
 * every kind, each mutated (bit flips, random bytes, boundary values in
 * header fields, truncation, extension), then decoded. Decode must never
 * crash (ASan/UBSan watch) and whatever it accepts must satisfy its own
 * rules and re-encode to the same bytes. One packet in four is also fed to
 * a live RPC core, which must survive it (and free everything at the end).
 */
// TEST_SRCS: net/rpc/rpc_wire.c net/rpc/rpc_core.c net/rpc/rpc_client.c net/rpc/rpc_server.c net/rpc/rpc_frag.c net/rpc/rpc_recov.c tests/host/fake_sync.c tests/host/fake_kmalloc.c
#include <stdlib.h>
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "net/rpc/rpc_int.h"
#include "tests/host/test.h"

#define ITERATIONS 200000

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t
rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (rng * 0x2545f4914f6cdd1dull) >> 16;
}

static uint64_t fake_now;

static uint64_t
env_now(struct rpc_node *n)
{
    return fake_now;
}

static void
env_send(struct rpc_node *n, int dst, const void *pkt, size_t len)
{
    struct rpc_hdr h;
    const void *p;
    /* What the core sends must always decode. */
    ASSERT(rpc_wire_decode(pkt, len, &h, &p) == RPC_WIRE_OK, "the core sends valid packets");
}

static void
env_call_done(struct rpc_node *n, struct rpc_call *c)
{
}

static void
env_wake(struct rpc_node *n, unsigned what)
{
}

static const struct rpc_env env = {
    .send = env_send, .now = env_now, .call_done = env_call_done, .wake = env_wake,
};

static uint8_t payload[RPC_FRAG_DATA];

/* A random valid packet addressed to node 1 (from node 2). */
static size_t
make_valid(uint8_t *buf, size_t cap, bool *is_req)
{
    struct rpc_hdr h = { .version = RPC_PROTO_VERSION };
    unsigned kind = rnd() % 5;
    uint32_t total = rnd() % 4 == 0 ? (uint32_t)(rnd() % (RPC_MAX_DATA + 1)) : rnd() % 3000;

    h.op = (uint16_t)(1 + rnd() % 4);
    h.channel = (uint16_t)(rnd() % RPC_CHANNELS);
    h.seq = (uint32_t)(rnd() % 4);
    h.boot_id = 0x1000 + (uint32_t)(rnd() % 3);
    h.dst_boot = rnd() % 2 ? 0 : 0x77;
    h.total_len = total;
    h.frag_count = (uint8_t)rpc_frag_count(total);
    h.frag_index = (uint8_t)(rnd() % h.frag_count);
    h.flags = h.frag_count > 1 ? RPC_F_FRAG : 0;
    *is_req = kind < 3;
    if (kind == 0 || kind == 1) {               /* request data, maybe a probe */
        h.flags |= RPC_F_REQUEST | (kind == 1 ? RPC_F_PLEASEACK : 0);
        h.frag_mask = rnd() & rpc_frag_full(RPC_MAX_FRAGS);
    } else if (kind == 2) {                     /* client's ack or close */
        h.flags |= RPC_F_REQUEST | RPC_F_ACK | (rnd() % 2 ? RPC_F_CLOSE : 0);
        h.frag_index = 0;
        h.frag_mask = rnd() & rpc_frag_full(h.frag_count);
    } else if (kind == 3) {                     /* reply data, maybe an error */
        h.flags |= RPC_F_REPLY;
        if (total == 0 && rnd() % 2)
            h.error = -(int32_t)(1 + rnd() % 200);
    } else {                                    /* server's ack */
        h.flags |= RPC_F_REPLY | RPC_F_ACK;
        h.frag_index = 0;
        h.frag_mask = rnd() & rpc_frag_full(h.frag_count);
    }
    h.client = *is_req ? 2 : 1;
    h.server = *is_req ? 1 : 2;
    h.payload_len = (h.flags & RPC_F_ACK) ? 0 : (uint16_t)rpc_frag_len(total, h.frag_index);
    return rpc_wire_encode(&h, payload, buf, cap);
}

static void
mutate(uint8_t *buf, size_t *len, size_t cap)
{
    static const uint32_t edge[] = { 0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0xffff, 0x10000,
                                     RPC_MAX_DATA, RPC_MAX_DATA + 1, 0x7fffffff, 0xffffffff };
    int n = 1 + (int)(rnd() % 4);
    for (int i = 0; i < n; i++) {
        switch (rnd() % 6) {
        case 0:                 /* flip a bit, mostly in the header */
            if (*len) {
                size_t at = rnd() % 2 ? rnd() % MIN(*len, (size_t)RPC_HDR_LEN) : rnd() % *len;
                buf[at] ^= (uint8_t)(1u << (rnd() % 8));
            }
            break;
        case 1:                 /* a random byte */
            if (*len)
                buf[rnd() % *len] = (uint8_t)rnd();
            break;
        case 2: {               /* a boundary value in a 16- or 32-bit header field */
            size_t at = (rnd() % (RPC_HDR_LEN / 2)) * 2;
            uint32_t v = edge[rnd() % ARRAY_SIZE(edge)];
            if (at + 4 <= *len && rnd() % 2) {
                buf[at] = (uint8_t)(v >> 24);
                buf[at + 1] = (uint8_t)(v >> 16);
                buf[at + 2] = (uint8_t)(v >> 8);
                buf[at + 3] = (uint8_t)v;
            } else if (at + 2 <= *len) {
                buf[at] = (uint8_t)(v >> 8);
                buf[at + 1] = (uint8_t)v;
            }
            break;
        }
        case 3:                 /* truncate */
            *len = *len ? rnd() % *len : 0;
            break;
        case 4: {               /* extend with junk */
            size_t more = rnd() % 64;
            for (size_t k = 0; k < more && *len < cap; k++)
                buf[(*len)++] = (uint8_t)rnd();
            break;
        }
        default:                /* nothing: some packets stay valid */
            break;
        }
    }
}

static void
drain_work(struct rpc_node *n)
{
    for (;;) {
        spin_lock(&n->lock);
        struct rpc_work *w = rpc_server_next_locked(n);
        spin_unlock(&n->lock);
        if (!w)
            return;
        size_t replen = rnd() % 3 == 0 ? rnd() % 5000 : w->reqlen;
        uint8_t *rep = replen ? kzalloc(replen) : NULL;
        int err = rnd() % 4 == 0 ? -(int)(rnd() % 5000) : 0;   /* some out of range */
        rpc_server_done(n, w, err, rep, replen);
    }
}

static void
test_fuzz_decode_never_accepts_garbage(void)
{
    static uint8_t buf[RPC_MAX_PAYLOAD + 128], again[RPC_MAX_PAYLOAD + 128];
    struct rpc_node *n = calloc(1, sizeof(*n));
    long accepted = 0, rejected = 0, reasons[RPC_WIRE_NREASONS] = { 0 };

    ASSERT(rpc_core_init(n, 1, 0x77, &env, NULL) == 0, "init succeeds");
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)rnd();
    for (long it = 0; it < ITERATIONS; it++) {
        bool is_req;
        size_t len = make_valid(buf, sizeof(buf), &is_req);
        mutate(buf, &len, sizeof(buf));
        struct rpc_hdr h;
        const void *p = NULL;
        enum rpc_wire_reason r = rpc_wire_decode(buf, len, &h, &p);
        EXPECT_TRUE((unsigned)r < RPC_WIRE_NREASONS);
        reasons[r]++;
        if (r == RPC_WIRE_OK) {
            accepted++;
            EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_OK);
            EXPECT_EQ(len, RPC_HDR_LEN + h.payload_len);
            EXPECT_TRUE(h.total_len <= RPC_MAX_DATA && h.frag_index < h.frag_count);
            EXPECT_TRUE(p == buf + RPC_HDR_LEN);
            EXPECT_EQ(rpc_wire_encode(&h, p, again, sizeof(again)), len);
            EXPECT_TRUE(memcmp(again, buf, len) == 0);      /* one encoding per header */
        } else {
            rejected++;
        }
        if (it % 4 == 0) {
            fake_now += 1000000;
            int src = r == RPC_WIRE_OK ? ((h.flags & RPC_F_REQUEST) ? h.client : h.server) : 2;
            rpc_core_input(n, src, buf, len);
            drain_work(n);
            if (it % 64 == 0)
                rpc_core_tick(n);
        }
    }
    /* Both sides of the decoder were exercised, and most rejection reasons. */
    EXPECT_TRUE(accepted > ITERATIONS / 20);
    EXPECT_TRUE(rejected > ITERATIONS / 2);
    int seen = 0;
    for (int r = 1; r < RPC_WIRE_NREASONS; r++)
        seen += reasons[r] > 0;
    EXPECT_TRUE(seen >= RPC_WIRE_NREASONS - 3);
    EXPECT_TRUE(n->st.rx_packets == ITERATIONS / 4);
    EXPECT_TRUE(n->st.requests > 0);
    rpc_core_fini(n);
    free(n);
}

void
tests_run(void)
{
    RUN(test_fuzz_decode_never_accepts_garbage);
}
