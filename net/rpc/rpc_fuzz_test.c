/*
 * A bounded, seeded fuzz of the RPC receive path: 200k valid packets of
 * every kind, each mutated (bit flips, random bytes, boundary values in
 * header fields, truncation, extension), then decoded. One in four is
 * mutated as it stands, tag included: decode must refuse every changed one
 * as BAD_AUTH. The others are mutated behind the tag (header and payload
 * changed, then tagged again with the key) so the decoder's own rules meet
 * the mutation. Decode must never crash (ASan/UBSan watch) and whatever it
 * accepts must satisfy its own rules and re-encode to the same bytes. One
 * packet in two is also fed to a live RPC core, which must survive it (and
 * free everything at the end); PING answers carrying the core's own nonces
 * let the fuzzed peer's boot ids be confirmed, so the server is reached.
 */
// TEST_SRCS: net/rpc/rpc_wire.c net/rpc/rpc_mac.c net/rpc/rpc_core.c net/rpc/rpc_client.c net/rpc/rpc_server.c net/rpc/rpc_frag.c net/rpc/rpc_recov.c tests/host/fake_sync.c tests/host/fake_kmalloc.c
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
static const struct rpc_mac_key fkey = { 0x1122334455667788ull, 0x99aabbccddeeff00ull };
static uint64_t last_nonce;         /* of the core's last PING to node 2 */

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
    ASSERT(rpc_wire_decode(&fkey, pkt, len, &h, &p) == RPC_WIRE_OK,
           "the core sends valid packets");
    if (h.channel == RPC_CHAN_PING && (h.flags & RPC_F_REQUEST))
        last_nonce = h.frag_mask;
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
    unsigned kind = rnd() % 7;
    uint32_t total = rnd() % 4 == 0 ? (uint32_t)(rnd() % (RPC_MAX_DATA + 1)) : rnd() % 3000;

    h.op = (uint16_t)(1 + rnd() % 4);
    h.channel = (uint16_t)(rnd() % RPC_CHANNELS);
    h.seq = (uint32_t)(rnd() % 4);
    h.boot_id = 0x1000 + (uint32_t)(rnd() % 3);
    h.dst_boot = rnd() % 4 ? 0x77 : (uint32_t)(rnd() % 2);
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
    } else if (kind == 4) {                     /* server's ack */
        h.flags |= RPC_F_REPLY | RPC_F_ACK;
        h.frag_index = 0;
        h.frag_mask = rnd() & rpc_frag_full(h.frag_count);
    } else {                                    /* a PING, or its answer */
        *is_req = kind == 5;
        h.flags = *is_req ? RPC_F_REQUEST : RPC_F_REPLY;
        h.op = RPC_OP_PING;
        h.channel = RPC_CHAN_PING;
        h.total_len = 0;
        h.frag_count = 1;
        h.frag_index = 0;
        h.frag_mask = !*is_req && rnd() % 4 ? last_nonce : rnd();
    }
    h.client = *is_req ? 2 : 1;
    h.server = *is_req ? 1 : 2;
    h.payload_len = (h.flags & RPC_F_ACK) ? 0 : (uint16_t)rpc_frag_len(h.total_len, h.frag_index);
    return rpc_wire_encode(&fkey, &h, payload, buf, cap);
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

/* Mutate header and payload, then tag them again as a key holder would:
 * the decoder's rules, not the tag, meet the mutation. */
static void
mutate_behind_tag(uint8_t *buf, size_t *len, size_t cap)
{
    size_t body = *len - RPC_TAG_LEN;
    if (rnd() % 4)
        mutate(buf, &body, cap - RPC_TAG_LEN);
    rpc_mac_tag(&fkey, buf, body, buf + body);
    *len = body + RPC_TAG_LEN;
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
    static uint8_t orig[RPC_MAX_PAYLOAD + 128];
    struct rpc_node *n = calloc(1, sizeof(*n));
    long accepted = 0, rejected = 0, forged = 0, reasons[RPC_WIRE_NREASONS] = { 0 };
    uint8_t kb[RPC_KEY_LEN], seed[RPC_KEY_LEN] = { 1, 2, 3 };

    ASSERT(rpc_core_init(n, 1, 0x77, &env, NULL) == 0, "init succeeds");
    memcpy(kb, &fkey.k0, 8);
    memcpy(kb + 8, &fkey.k1, 8);
    rpc_core_set_keys(n, kb, seed);
    for (size_t i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)rnd();
    for (long it = 0; it < ITERATIONS; it++) {
        bool is_req;
        size_t len = make_valid(buf, sizeof(buf), &is_req), olen = len;
        bool raw = it % 4 == 2;
        memcpy(orig, buf, len);
        if (raw)
            mutate(buf, &len, sizeof(buf));
        else
            mutate_behind_tag(buf, &len, sizeof(buf));
        struct rpc_hdr h;
        const void *p = NULL;
        enum rpc_wire_reason r = rpc_wire_decode(&fkey, buf, len, &h, &p);
        EXPECT_TRUE((unsigned)r < RPC_WIRE_NREASONS);
        reasons[r]++;
        if (raw && (len != olen || memcmp(buf, orig, len) != 0)) {
            forged++;
            EXPECT_EQ(r, RPC_WIRE_BAD_AUTH);    /* no changed datagram gets past the tag */
        }
        if (r == RPC_WIRE_OK) {
            accepted++;
            EXPECT_EQ(rpc_wire_check(&h), RPC_WIRE_OK);
            EXPECT_EQ(len, RPC_HDR_LEN + h.payload_len + RPC_TAG_LEN);
            EXPECT_TRUE(h.total_len <= RPC_MAX_DATA && h.frag_index < h.frag_count);
            EXPECT_TRUE(p == buf + RPC_HDR_LEN);
            EXPECT_EQ(rpc_wire_encode(&fkey, &h, p, again, sizeof(again)), len);
            EXPECT_TRUE(memcmp(again, buf, len) == 0);      /* one encoding per header */
        } else {
            rejected++;
        }
        if (it % 2 == 0) {
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
    EXPECT_TRUE(forged > ITERATIONS / 5);
    EXPECT_TRUE(n->st.rx_packets + n->st.bad_auth == ITERATIONS / 2);
    EXPECT_TRUE(n->st.bad_auth > 0);
    EXPECT_TRUE(n->st.unconfirmed > 0);
    EXPECT_TRUE(n->st.pings_sent > 0 && n->st.pings_received > 0);
    EXPECT_TRUE(n->st.peer_up_events > 0);
    EXPECT_TRUE(n->st.requests > 0);
    if (getenv("RPC_FUZZ_VERBOSE"))
        fprintf(stderr, "fuzz: accepted %ld rejected %ld forged %ld; core: bad_auth %llu "
                "unconfirmed %llu requests %llu up %llu\n", accepted, rejected, forged,
                (unsigned long long)n->st.bad_auth, (unsigned long long)n->st.unconfirmed,
                (unsigned long long)n->st.requests, (unsigned long long)n->st.peer_up_events);
    rpc_core_fini(n);
    free(n);
}

void
tests_run(void)
{
    RUN(test_fuzz_decode_never_accepts_garbage);
}
