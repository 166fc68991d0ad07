/*
 * The RPC core's entry points: set-up, the receive path (check the tag,
 * decode, validate, let recov confirm the sender's boot id, hand the packet
 * to the client or server side), the timer tick, and the output queue. Packets are queued under
 * n->lock and sent after it is dropped, so the environment's send never
 * runs with the lock held; packets a node sends to itself are fed back in
 * here instead of going to the network. The client and server state
 * machines are in rpc_client.c and rpc_server.c; the kernel's use of all
 * this is rpc_kern.c, the simulation's rpc_sim_test.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "net/rpc/rpc_int.h"

#define MS 1000000ull

void
rpc_core_defaults(struct rpc_tunables *t)
{
    t->rto_init = 30 * MS;
    t->rto_max = 1000 * MS;
    t->rto_wait = 500 * MS;
    t->retries = 10;
    t->ping_ns = 1000 * MS;
    t->reply_keep_ns = 30000 * MS;
    t->dead_ns = 3000 * MS;
    t->challenge_ns = 25 * MS;
}

int
rpc_core_init(struct rpc_node *n, int self, uint32_t boot, const struct rpc_env *env,
              void *env_arg)
{
    if (self < 0 || self >= RPC_MAX_NODES || boot == 0)
        return -EINVAL;
    memset(n, 0, sizeof(*n));
    spin_init(&n->lock, "rpc.node");
    n->self = self;
    n->boot = boot;
    n->env = env;
    n->env_arg = env_arg;
    rpc_core_defaults(&n->tun);
    /* A node knows itself: calls to self go through the same machinery. */
    n->peers[self].state = WISP_NODE_UP;
    n->peers[self].boot = boot;
    /* Until rpc_core_set_keys: the all-zero cluster key, and nonces that
     * at least differ between nodes and boots. */
    n->nonce_key.k0 = boot;
    n->nonce_key.k1 = (uint64_t)self;
    return 0;
}

void
rpc_core_set_keys(struct rpc_node *n, const uint8_t *key, const uint8_t *nonce_seed)
{
    spin_lock(&n->lock);
    rpc_mac_key_set(&n->key, key);
    rpc_mac_key_set(&n->nonce_key, nonce_seed);
    spin_unlock(&n->lock);
}

void
rpc_core_fini(struct rpc_node *n)
{
    spin_lock(&n->lock);
    rpc_client_fail_all_locked(n, -EHOSTDOWN);
    rpc_server_fini_locked(n);
    struct rpc_pkt *p = n->tx_head;
    n->tx_head = n->tx_tail = NULL;
    spin_unlock(&n->lock);
    while (p) {
        struct rpc_pkt *next = p->next;
        kfree(p);
        p = next;
    }
}

uint64_t
rpc_now_locked(struct rpc_node *n)
{
    return n->env->now(n);
}

void
rpc_tx_locked(struct rpc_node *n, int dst, const struct rpc_hdr *h, const void *payload)
{
    struct rpc_pkt *p = kmalloc(sizeof(*p));
    sync_assert_held(&n->lock);
    if (!p)
        return;                 /* a lost packet: retransmission covers it */
    p->next = NULL;
    p->dst = dst;
    p->len = rpc_wire_encode(&n->key, h, payload, p->data, sizeof(p->data));
    ASSERT(p->len > 0, "an RPC packet fits in RPC_MAX_PAYLOAD bytes");
    if (n->tx_tail)
        n->tx_tail->next = p;
    else
        n->tx_head = p;
    n->tx_tail = p;
    n->st.tx_packets++;
}

static void input_locked(struct rpc_node *n, int src, const void *pkt, size_t len);

/* Send everything queued; loops because packets to ourselves, processed
 * here, may queue more. */
void
rpc_flush(struct rpc_node *n)
{
    bool sent = false;
    for (;;) {
        spin_lock(&n->lock);
        struct rpc_pkt *p = n->tx_head;
        n->tx_head = n->tx_tail = NULL;
        spin_unlock(&n->lock);
        if (!p) {
            if (sent && n->env->sent)
                n->env->sent(n);
            return;
        }
        while (p) {
            struct rpc_pkt *next = p->next;
            if (p->dst == n->self) {
                spin_lock(&n->lock);
                input_locked(n, n->self, p->data, p->len);
                spin_unlock(&n->lock);
            } else {
                n->env->send(n, p->dst, p->data, p->len);
                sent = true;
            }
            kfree(p);
            p = next;
        }
    }
}

/* Answer a PING in the receive path: no channel state, no server thread.
 * The reply keeps the request's frag_mask: on channel RPC_CHAN_PING, the
 * nonce it echoes. */
void
rpc_ping_answer_locked(struct rpc_node *n, const struct rpc_hdr *h)
{
    struct rpc_hdr r = *h;
    r.flags = RPC_F_REPLY;
    r.boot_id = n->boot;
    r.dst_boot = h->boot_id;
    r.frag_index = 0;
    r.frag_count = 1;
    r.frag_mask = h->channel == RPC_CHAN_PING ? h->frag_mask : 0;
    r.error = 0;
    r.total_len = 0;
    r.payload_len = 0;
    rpc_tx_locked(n, h->client, &r, NULL);
}

/* A request naming an incarnation of ours that is gone: say so without
 * running it, so the caller fails with -EHOSTDOWN instead of waiting. */
static void
answer_stale(struct rpc_node *n, const struct rpc_hdr *h)
{
    struct rpc_hdr r = *h;
    n->st.stale_boot++;
    if (h->flags & RPC_F_ACK)
        return;
    r.flags = RPC_F_REPLY;
    r.boot_id = n->boot;
    r.dst_boot = h->boot_id;
    r.frag_index = 0;
    r.frag_count = 1;
    r.total_len = 0;
    r.payload_len = 0;
    r.frag_mask = 0;
    r.error = -EHOSTDOWN;
    rpc_tx_locked(n, h->client, &r, NULL);
}

static void
input_locked(struct rpc_node *n, int src, const void *pkt, size_t len)
{
    struct rpc_hdr h;
    const void *payload = NULL;
    enum rpc_wire_reason r = rpc_wire_decode(&n->key, pkt, len, &h, &payload);

    if (r == RPC_WIRE_BAD_AUTH) {
        n->st.bad_auth++;               /* and nothing else changes, not even rx_packets */
        return;
    }
    n->st.rx_packets++;
    if (r != RPC_WIRE_OK) {
        rpc_wire_count(&n->st, r);
        return;
    }
    bool is_req = h.flags & RPC_F_REQUEST;
    int sender = is_req ? h.client : h.server;
    int receiver = is_req ? h.server : h.client;
    /* The header must agree with the address it came from and to. */
    if (sender != src || receiver != n->self) {
        n->st.bad_other++;
        return;
    }
    if (h.channel == RPC_CHAN_PING) {
        recov_ping_input_locked(n, &h, rpc_now_locked(n));
        return;
    }
    if (!recov_heard_locked(n, sender, h.boot_id, rpc_now_locked(n)))
        return;
    /* Only what names this incarnation runs: a client learns (confirms)
     * our boot id before its first request, so 0 is never current. */
    if (h.dst_boot != n->boot) {
        if (is_req)
            answer_stale(n, &h);
        else
            n->st.stale_boot++;
        return;
    }
    if (is_req && h.op == RPC_OP_PING && !(h.flags & RPC_F_ACK)) {
        rpc_ping_answer_locked(n, &h);
        return;
    }
    if (is_req)
        rpc_server_input_locked(n, &h, payload);
    else
        rpc_client_input_locked(n, &h, payload);
}

void
rpc_core_input(struct rpc_node *n, int src, const void *pkt, size_t len)
{
    spin_lock(&n->lock);
    input_locked(n, src, pkt, len);
    spin_unlock(&n->lock);
    rpc_flush(n);
}

void
rpc_core_tick(struct rpc_node *n)
{
    spin_lock(&n->lock);
    uint64_t now = rpc_now_locked(n);
    rpc_client_tick_locked(n, now);
    rpc_server_tick_locked(n, now);
    recov_tick_locked(n, now);
    spin_unlock(&n->lock);
    rpc_flush(n);
}

struct rpc_work *
rpc_server_next_locked(struct rpc_node *n)
{
    sync_assert_held(&n->lock);
    struct rpc_work *w = n->work_head;
    if (w) {
        n->work_head = w->next;
        if (!n->work_head)
            n->work_tail = NULL;
        w->next = NULL;
    }
    return w;
}

int
rpc_core_events(struct rpc_node *n, struct rpc_event *out, int max)
{
    int k = 0;
    spin_lock(&n->lock);
    while (k < max && n->ev_head != n->ev_tail)
        out[k++] = n->ev[n->ev_head++ % RPC_EVQ];
    spin_unlock(&n->lock);
    return k;
}
