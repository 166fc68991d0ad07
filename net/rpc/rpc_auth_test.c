/*
 * Host tests of protocol v2's guarantees against forged and replayed
 * datagrams, and of failure detection, on the real RPC core: three nodes
 * over a lossless in-order network with a 1 ms delay and a virtual clock,
 * every datagram recorded so it can be replayed later. Checked: a node with
 * another key can neither call nor be called and is never seen up; replays
 * of old requests (same boot, or an earlier boot of either side) run
 * nothing, add no cached reply and move no boot id or up/down state; a
 * request naming no boot id (dst_boot 0) never runs; a first call confirms
 * the server's boot id before its request; an idle peer that dies is
 * marked down within rpcdead plus one ping period, and its next boot is
 * seen up with a new boot id. rpc_sim_test.c covers the lossy cases.
 */
// TEST_SRCS: net/rpc/rpc_wire.c net/rpc/rpc_mac.c net/rpc/rpc_core.c net/rpc/rpc_client.c net/rpc/rpc_server.c net/rpc/rpc_frag.c net/rpc/rpc_recov.c tests/host/fake_sync.c tests/host/fake_kmalloc.c
#include <stdlib.h>
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "net/rpc/rpc_int.h"
#include "tests/host/test.h"

#define NODES   3
#define MS      1000000ull
#define QMAX    4096
#define LOGMAX  4096

struct pkt {
    uint64_t t;
    int src, dst;
    size_t len;
    uint8_t data[RPC_MAX_PAYLOAD];
};

static struct rpc_node *node[NODES];
static bool alive[NODES];
static uint32_t boot_seq = 0x100;
static uint64_t counter[NODES];        /* the COUNT op's */
static int events[NODES][2];           /* recov events seen: [DOWN], [UP] */
static uint64_t now;
static struct pkt *queue;              /* in flight, in send order */
static int qhead, qtail;
static struct pkt *rec;                /* every datagram ever sent */
static int nrec;
static int cur = -1;                   /* the node whose events are delivered */

static const uint8_t good_key[RPC_KEY_LEN] = "the cluster key";
static const uint8_t bad_key[RPC_KEY_LEN] = "not the key....";

static int
index_of(struct rpc_node *n)
{
    for (int i = 0; i < NODES; i++)
        if (node[i] == n)
            return i;
    ASSERT(false, "every rpc_node is one of ours");
}

static uint64_t
env_now(struct rpc_node *n)
{
    return now;
}

static void
env_send(struct rpc_node *n, int dst, const void *data, size_t len)
{
    struct pkt p = { .t = now + MS, .src = index_of(n), .dst = dst, .len = len };
    ASSERT(len <= sizeof(p.data) && qtail - qhead < QMAX, "the queue holds it");
    memcpy(p.data, data, len);
    if (nrec < LOGMAX)
        rec[nrec++] = p;
    if (dst < NODES)
        queue[qtail++ % QMAX] = p;
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

static void
on_event(void *arg, int who, int event, uint32_t boot)
{
    ASSERT(cur >= 0, "events are delivered by tick()");
    events[cur][event]++;
    if (getenv("RPC_AUTH_VERBOSE"))
        fprintf(stderr, "t=%llu node %d: node %d %s boot %x\n", (unsigned long long)(now / MS), cur, who, event ? "up" : "down", boot);
}

static void
start(int i, const uint8_t *key, int members)
{
    uint8_t seed[RPC_KEY_LEN] = { (uint8_t)i, (uint8_t)boot_seq };
    node[i] = calloc(1, sizeof(struct rpc_node));
    ASSERT(rpc_core_init(node[i], i, boot_seq++, &env, NULL) == 0, "init succeeds");
    rpc_core_set_keys(node[i], key, seed);
    node[i]->expect_nodes = members;
    alive[i] = true;
    counter[i] = 0;
}

static void
stop(int i)
{
    alive[i] = false;
    rpc_core_fini(node[i]);
    free(node[i]);
    node[i] = NULL;
}

static void
setup(int members)
{
    static bool registered;
    if (!registered) {
        registered = true;
        ASSERT(recov_register(on_event, NULL) == 0, "one callback fits");
    }
    queue = calloc(QMAX, sizeof(*queue));
    rec = calloc(LOGMAX, sizeof(*rec));
    qhead = qtail = nrec = 0;
    now = 1000 * MS;
    memset(events, 0, sizeof(events));
    for (int i = 0; i < NODES; i++)
        start(i, good_key, members);
}

static void
teardown(void)
{
    for (int i = 0; i < NODES; i++)
        if (node[i])
            stop(i);
    free(queue);
    free(rec);
}

static void
put_u64(uint8_t *p, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        p[b] = (uint8_t)(v >> (56 - 8 * b));
}

static uint64_t
get_u64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int b = 0; b < 8; b++)
        v = v << 8 | p[b];
    return v;
}

/* Run queued COUNT requests at once (the handler a server thread runs). */
static void
serve(int i)
{
    struct rpc_work *w;
    for (;;) {
        spin_lock(&node[i]->lock);
        w = rpc_server_next_locked(node[i]);
        spin_unlock(&node[i]->lock);
        if (!w)
            return;
        uint8_t *rep = kmalloc(8);
        put_u64(rep, ++counter[i]);
        rpc_server_done(node[i], w, 0, rep, 8);
    }
}

static void
deliver(const struct pkt *p)
{
    if (alive[p->dst]) {
        rpc_core_input(node[p->dst], p->src, p->data, p->len);
        serve(p->dst);
    }
}

static void
run(uint64_t ms)
{
    for (uint64_t s = 0; s < ms; s++) {
        now += MS;
        while (qhead != qtail && queue[qhead % QMAX].t <= now) {
            struct pkt p = queue[qhead++ % QMAX];
            deliver(&p);
        }
        if (now % (5 * MS))
            continue;
        for (int i = 0; i < NODES; i++) {
            if (!alive[i])
                continue;
            rpc_core_tick(node[i]);
            cur = i;
            recov_deliver(node[i]);
            cur = -1;
        }
    }
}

/* One COUNT call from a to b, run to completion; its error, *value the count. */
static int
count_call(int a, int b, uint64_t *value)
{
    static uint8_t rep[8];
    struct rpc_call c = { .node = b, .op = RPC_OP_COUNT, .rep = rep, .repcap = sizeof(rep) };
    rpc_client_start(node[a], &c);
    for (int i = 0; i < 20000 && !c.done; i++)
        run(1);
    ASSERT(c.done, "a call ends within its budget");
    if (value)
        *value = c.err ? 0 : get_u64(rep);
    return c.err;
}

/* Feed every recorded datagram from src to dst that matches, as a replay
 * (of datagrams recorded from index `from` on). */
static int
replay(int src, int dst, int from)
{
    int k = 0;
    for (int i = from; i < nrec; i++) {
        if (rec[i].src != src || rec[i].dst != dst)
            continue;
        deliver(&rec[i]);
        k++;
    }
    return k;
}

static void
test_auth_wrong_key_can_neither_call_nor_be_called(void)
{
    setup(0);
    stop(2);
    start(2, bad_key, 0);
    uint64_t v;
    EXPECT_EQ(count_call(0, 1, &v), 0);        /* the right key works */
    EXPECT_EQ(v, 1);
    EXPECT_EQ(count_call(2, 1, NULL), -ETIMEDOUT);
    EXPECT_EQ(count_call(0, 2, NULL), -ETIMEDOUT);
    EXPECT_EQ(counter[1], 1);
    EXPECT_EQ(counter[2], 0);
    EXPECT_TRUE(node[1]->st.bad_auth > 0);
    EXPECT_TRUE(node[2]->st.bad_auth > 0);
    EXPECT_TRUE(node[1]->peers[2].state != WISP_NODE_UP);
    EXPECT_EQ(node[1]->peers[2].boot, 0);      /* never believed */
    EXPECT_TRUE(node[0]->peers[2].state != WISP_NODE_UP);
    EXPECT_EQ(node[1]->st.requests, 1);
    teardown();
}

static void
test_auth_replayed_requests_run_nothing(void)
{
    setup(0);
    uint64_t v;
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(count_call(0, 1, &v), 0);
    EXPECT_EQ(v, 3);
    run(100);
    /* Same incarnations: old sequence numbers, long answered. */
    struct wisp_rpcstat before = node[1]->st;
    uint32_t boot0 = node[1]->peers[0].boot;
    int ev_up = events[1][RECOV_EVENT_UP], ev_down = events[1][RECOV_EVENT_DOWN];
    EXPECT_TRUE(replay(0, 1, 0) > 3);
    run(100);
    EXPECT_EQ(counter[1], 3);
    EXPECT_EQ(node[1]->st.requests, before.requests);
    EXPECT_TRUE(node[1]->st.duplicates + node[1]->st.replays > before.duplicates + before.replays);
    EXPECT_EQ(node[1]->peers[0].boot, boot0);
    EXPECT_EQ(events[1][RECOV_EVENT_UP], ev_up);
    EXPECT_EQ(events[1][RECOV_EVENT_DOWN], ev_down);

    /* The server rebooted: the old requests name its dead incarnation. */
    stop(1);
    start(1, good_key, 0);
    run(50);
    EXPECT_TRUE(replay(0, 1, 0) > 3);
    run(200);
    EXPECT_EQ(counter[1], 0);
    EXPECT_EQ(node[1]->st.requests, 0);
    EXPECT_TRUE(node[1]->srv[0] == NULL);       /* no server state, no cached reply */

    /* The client rebooted: its old incarnation's requests and PING
     * answers are neither run nor believed. */
    EXPECT_EQ(count_call(0, 1, &v), 0);         /* the new server learns client 0 */
    EXPECT_EQ(v, 1);
    uint32_t client_boot = node[1]->peers[0].boot;
    stop(0);
    start(0, good_key, 0);
    EXPECT_EQ(count_call(0, 1, &v), 0);
    EXPECT_EQ(v, 2);
    EXPECT_TRUE(node[1]->peers[0].boot != client_boot);
    run(10);                                    /* its reboot's events are delivered */
    uint32_t now_boot = node[1]->peers[0].boot;
    uint64_t reqs = node[1]->st.requests;
    ev_up = events[1][RECOV_EVENT_UP];
    ev_down = events[1][RECOV_EVENT_DOWN];
    EXPECT_TRUE(replay(0, 1, 0) > 6);           /* both earlier boots of node 0 */
    run(300);
    EXPECT_EQ(counter[1], 2);
    EXPECT_EQ(node[1]->st.requests, reqs);
    EXPECT_EQ(node[1]->peers[0].boot, now_boot);
    EXPECT_EQ(events[1][RECOV_EVENT_UP], ev_up);
    EXPECT_EQ(events[1][RECOV_EVENT_DOWN], ev_down);
    EXPECT_TRUE(node[1]->st.stale_boot + node[1]->st.unconfirmed > 0);
    teardown();
}

static void
test_auth_request_without_dst_boot_never_runs(void)
{
    setup(0);
    EXPECT_EQ(count_call(0, 1, NULL), 0);
    struct rpc_hdr h = {
        .version = RPC_PROTO_VERSION, .flags = RPC_F_REQUEST, .op = RPC_OP_COUNT,
        .client = 0, .server = 1, .channel = 3, .seq = 77, .boot_id = node[0]->boot,
        .dst_boot = 0, .frag_count = 1,
    };
    uint8_t buf[RPC_MAX_PAYLOAD];
    size_t len = rpc_wire_encode(&node[0]->key, &h, NULL, buf, sizeof(buf));
    uint64_t stale = node[1]->st.stale_boot;
    rpc_core_input(node[1], 0, buf, len);
    serve(1);
    run(50);
    EXPECT_EQ(counter[1], 1);
    EXPECT_EQ(node[1]->st.stale_boot, stale + 1);
    teardown();
}

static void
test_auth_first_call_confirms_the_server_first(void)
{
    setup(0);
    uint64_t v;
    EXPECT_EQ(count_call(0, 2, &v), 0);
    EXPECT_EQ(v, 1);
    struct rpc_hdr h;
    const void *p;
    EXPECT_EQ(rpc_wire_decode(&node[0]->key, rec[0].data, rec[0].len, &h, &p), RPC_WIRE_OK);
    EXPECT_EQ(h.channel, RPC_CHAN_PING);        /* a challenge before any request */
    EXPECT_TRUE(h.frag_mask != 0);
    EXPECT_EQ(node[2]->st.unconfirmed, 0);      /* so no request was dropped */
    EXPECT_EQ(node[0]->st.retransmits, 0);
    EXPECT_TRUE(node[0]->st.pings_sent > 0 && node[2]->st.pings_received > 0);
    teardown();
}

static void
test_detect_silent_peer_down_then_back(void)
{
    setup(NODES);
    run(2000);                                  /* members find each other */
    for (int i = 0; i < NODES; i++)
        for (int j = 0; j < NODES; j++)
            EXPECT_EQ(node[i]->peers[j].state, WISP_NODE_UP);
    /* Idle cost: packets out per node per second. */
    uint64_t tx0 = node[0]->st.tx_packets;
    run(20000);
    double pps = (double)(node[0]->st.tx_packets - tx0) / 20;
    EXPECT_TRUE(pps <= 1.1 * (NODES - 1));     /* one PING or answer per peer per period */
    if (getenv("RPC_AUTH_VERBOSE"))
        fprintf(stderr, "idle: node 0 sends %.2f packets/s to %d peers\n", pps, NODES - 1);

    uint32_t old = node[2]->boot;
    alive[2] = false;                           /* dies silently */
    uint64_t t0 = now, seen = 0;
    while (now - t0 < 10000 * MS && !seen) {
        run(1);
        if (node[0]->peers[2].state == WISP_NODE_DOWN && node[1]->peers[2].state == WISP_NODE_DOWN)
            seen = now - t0;
    }
    EXPECT_TRUE(seen > 0);
    EXPECT_TRUE(seen <= node[0]->tun.dead_ns + node[0]->tun.ping_ns + 20 * MS);
    EXPECT_EQ(node[0]->st.calls, 0);            /* no call was needed */
    EXPECT_EQ(events[0][RECOV_EVENT_DOWN], 1);
    stop(2);
    start(2, good_key, NODES);
    run(node[0]->tun.ping_ns / MS + 100);
    EXPECT_EQ(node[0]->peers[2].state, WISP_NODE_UP);
    EXPECT_EQ(node[0]->peers[2].boot, node[2]->boot);
    EXPECT_TRUE(node[0]->peers[2].boot != old);
    EXPECT_EQ(events[0][RECOV_EVENT_UP], 3);    /* 1 and 2 at first, 2 again */
    teardown();
}

static void
test_detect_busy_peers_are_not_pinged(void)
{
    setup(2);
    stop(2);
    run(1000);
    uint64_t p0 = node[0]->st.pings_sent, p1 = node[1]->st.pings_sent;
    for (int i = 0; i < 200; i++) {
        EXPECT_EQ(count_call(0, 1, NULL), 0);
        run(20);
    }
    EXPECT_TRUE(now > 5000 * MS);
    EXPECT_EQ(node[0]->st.pings_sent, p0);
    EXPECT_EQ(node[1]->st.pings_sent, p1);
    teardown();
}

void
tests_run(void)
{
    RUN(test_auth_wrong_key_can_neither_call_nor_be_called);
    RUN(test_auth_replayed_requests_run_nothing);
    RUN(test_auth_request_without_dst_boot_never_runs);
    RUN(test_auth_first_call_confirms_the_server_first);
    RUN(test_detect_silent_peer_down_then_back);
    RUN(test_detect_busy_peers_are_not_pinged);
}
