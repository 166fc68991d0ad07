/*
 * Peer states and boot ids (Sprite's recov), and failure detection. A
 * peer's boot id is only believed once confirmed: a PING carrying a fresh
 * random nonce was answered with that nonce, which a replayed old datagram
 * cannot do. Until then (first contact, a new boot id, a peer marked down)
 * its packets are dropped and counted (`unconfirmed`) and it is challenged,
 * at most once per tun.challenge_ns. A confirmed new boot id is a reboot:
 * the client channels and server state of the old incarnation are reset.
 * Every member (nodes=) and every peer ever heard from is pinged when it
 * has been silent for tun.ping_ns, and marked down after tun.dead_ns of
 * silence; calls that exhaust their budget mark it down too. Events queue
 * in the node and reach the callbacks of recov.h through recov_deliver,
 * called by the kernel's timer thread (rpc_kern.c).
 *
 * Locking: peers and events are under the node's n->lock; the callback
 * table has its own spinlock, recov.cb, taken without n->lock held.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc_int.h"

static struct {
    struct spinlock lock;       /* protects the fields below */
    bool inited;
    int n;
    recov_fn fn[RECOV_MAX_CALLBACKS];
    void *arg[RECOV_MAX_CALLBACKS];
} cbs;

static struct rpc_node *attached;   /* set once at rpc_init, then read-only */

static void
push_event(struct rpc_node *n, int node, int event, uint32_t boot, const char *why)
{
    if (n->ev_tail - n->ev_head == RPC_EVQ)
        n->ev_head++;                   /* full: the oldest is forgotten */
    uint64_t silent = rpc_now_locked(n) - n->peers[node].last_heard;
    n->ev[n->ev_tail++ % RPC_EVQ] =
        (struct rpc_event){ node, event, boot, why, silent / 1000000 };
    if (event == RECOV_EVENT_UP)
        n->st.peer_up_events++;
    else
        n->st.peer_down_events++;
}

/* node answered our nonce from boot id boot: it is up with that boot. */
static void
confirm(struct rpc_node *n, int node, uint32_t boot, uint64_t now)
{
    struct rpc_peer *p = &n->peers[node];

    p->last_heard = now;
    if (p->boot == boot) {
        if (p->state != WISP_NODE_UP) {
            p->state = WISP_NODE_UP;
            push_event(n, node, RECOV_EVENT_UP, boot, NULL);
        }
        return;
    }
    if (p->boot != 0) {                 /* it rebooted */
        if (p->state == WISP_NODE_UP)
            push_event(n, node, RECOV_EVENT_DOWN, p->boot, "it rebooted");
        p->prev_boot = p->boot;
    }
    p->boot = boot;
    p->state = WISP_NODE_UP;
    push_event(n, node, RECOV_EVENT_UP, boot, NULL);
    rpc_client_peer_reset_locked(n, node, boot);
    rpc_server_peer_reset_locked(n, node);
}

/* A late packet of the incarnation before the current one. */
static bool
is_prev_boot(const struct rpc_peer *p, uint32_t boot)
{
    return p->boot != 0 && p->boot != boot && boot == p->prev_boot;
}

bool
recov_heard_locked(struct rpc_node *n, int node, uint32_t boot, uint64_t now)
{
    struct rpc_peer *p = &n->peers[node];

    sync_assert_held(&n->lock);
    if (node == n->self && boot != n->boot) {
        n->st.bad_other++;              /* someone else claims our node id */
        return false;
    }
    if (p->boot == boot && p->state == WISP_NODE_UP) {
        p->last_heard = now;
        return true;
    }
    if (is_prev_boot(p, boot)) {
        n->st.stale_boot++;             /* delayed packet from before a reboot */
        return false;
    }
    n->st.unconfirmed++;                /* first contact, new boot, or marked down */
    recov_challenge_locked(n, node, now);
    return false;
}

void
recov_ping_input_locked(struct rpc_node *n, const struct rpc_hdr *h, uint64_t now)
{
    bool is_req = h->flags & RPC_F_REQUEST;
    int node = is_req ? h->client : h->server;
    struct rpc_peer *p = &n->peers[node];

    sync_assert_held(&n->lock);
    if (node == n->self) {
        n->st.bad_other++;              /* recov never pings itself */
        return;
    }
    if (is_req) {
        n->st.pings_received++;
        if (p->boot == h->boot_id && p->state == WISP_NODE_UP)
            p->last_heard = now;
        else if (!is_prev_boot(p, h->boot_id))
            recov_challenge_locked(n, node, now);   /* before the answer: see docs */
        rpc_ping_answer_locked(n, h);
        return;
    }
    uint64_t nonce = h->frag_mask;
    if (nonce == 0 || (nonce != p->nonce && nonce != p->prev_nonce)) {
        n->st.unconfirmed++;            /* answers no ping of ours: a replay, or very late */
        return;
    }
    if (nonce == p->nonce)
        p->nonce = 0;
    else
        p->prev_nonce = 0;
    if (is_prev_boot(p, h->boot_id)) {
        n->st.stale_boot++;
        return;
    }
    confirm(n, node, h->boot_id, now);
}

void
recov_mark_down_locked(struct rpc_node *n, int node, const char *why)
{
    struct rpc_peer *p = &n->peers[node];

    sync_assert_held(&n->lock);
    if (node == n->self || p->state == WISP_NODE_DOWN)
        return;
    p->state = WISP_NODE_DOWN;
    p->next_ping = rpc_now_locked(n) + n->tun.ping_ns;
    push_event(n, node, RECOV_EVENT_DOWN, p->boot, why);
}

bool
recov_is_down_locked(struct rpc_node *n, int node)
{
    return n->peers[node].state == WISP_NODE_DOWN;
}

/* The core answers PING itself (rpc_core.c); this is its row's handler. */
int
recov_rpc_ping(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    *replen = 0;
    return 0;
}

/* A nonce nobody can predict: a PRF (SipHash under the node's secret
 * nonce key) of a counter. Never 0, which means "none". */
static uint64_t
next_nonce(struct rpc_node *n)
{
    uint8_t ctr[8], tag[RPC_TAG_LEN];
    uint64_t v;

    n->nonce_ctr++;
    memcpy(ctr, &n->nonce_ctr, sizeof(ctr));
    rpc_mac_tag(&n->nonce_key, ctr, sizeof(ctr), tag);
    memcpy(&v, tag, sizeof(v));
    return v ? v : 1;
}

static void
send_ping(struct rpc_node *n, int node, uint64_t nonce)
{
    struct rpc_hdr h;
    memset(&h, 0, sizeof(h));
    h.version = RPC_PROTO_VERSION;
    h.flags = RPC_F_REQUEST;
    h.op = RPC_OP_PING;
    h.client = (uint16_t)n->self;
    h.server = (uint16_t)node;
    h.channel = RPC_CHAN_PING;
    h.boot_id = n->boot;
    h.dst_boot = n->peers[node].boot;
    h.frag_count = 1;
    h.frag_mask = nonce;
    rpc_tx_locked(n, node, &h, NULL);
    n->st.pings_sent++;
}

void
recov_challenge_locked(struct rpc_node *n, int node, uint64_t now)
{
    struct rpc_peer *p = &n->peers[node];

    sync_assert_held(&n->lock);
    if (node == n->self || now < p->next_challenge)
        return;
    p->next_challenge = now + n->tun.challenge_ns;
    p->prev_nonce = p->nonce;
    p->nonce = next_nonce(n);
    send_ping(n, node, p->nonce);
}

/* Failure detection for one peer worth watching: silent for dead_ns while
 * up -> down; silent for ping_ns (or down, or never confirmed) -> PING,
 * once per ping_ns, or eight times per ping_ns while an up peer is quiet. A peer heard from recently is not pinged at all, and
 * of two idle peers the higher-numbered waits half a period longer, so it
 * hears the other's PING first and only one PING per period crosses. */
static void
watch_peer(struct rpc_node *n, int i, uint64_t now)
{
    struct rpc_peer *p = &n->peers[i];
    uint64_t quiet = n->tun.ping_ns + (n->self > i ? n->tun.ping_ns / 2 : 0);

    if (p->state == WISP_NODE_UP) {
        if (now - p->last_heard >= n->tun.dead_ns)
            recov_mark_down_locked(n, i, "silent too long");
        else if (now - p->last_heard < quiet)
            return;
    }
    if (now >= p->next_ping) {
        /* An up peer gone quiet is probed eight times a period: with one
         * probe per period, a segment losing 20 % of its packets fails
         * three exchanges in a row about once a minute, and the peer
         * would be marked down while it is alive. */
        uint64_t period = n->tun.ping_ns;
        if (p->state == WISP_NODE_UP)
            period = MAX(n->tun.ping_ns / 8, n->tun.challenge_ns);
        p->next_ping = now + period;
        recov_challenge_locked(n, i, now);
    }
}

void
recov_tick_locked(struct rpc_node *n, uint64_t now)
{
    sync_assert_held(&n->lock);
    for (int i = 0; i < RPC_MAX_NODES; i++) {
        struct rpc_peer *p = &n->peers[i];
        /* Members (nodes=) and every peer ever heard of or marked down. */
        bool watched = i < n->expect_nodes || p->boot != 0 || p->state != WISP_NODE_UNKNOWN;
        if (watched && i != n->self)
            watch_peer(n, i, now);
    }
}

int
recov_list_node(struct rpc_node *n, struct wisp_node *out, int max)
{
    int k = 0;
    spin_lock(&n->lock);
    for (int i = 0; i < RPC_MAX_NODES && k < max; i++) {
        struct rpc_peer *p = &n->peers[i];
        if (p->state == WISP_NODE_UNKNOWN && p->boot == 0)
            continue;
        out[k].node = i;
        out[k].state = p->state;
        out[k].boot_id = p->boot;
        out[k].ip = 0;                  /* the caller knows the address rule */
        out[k].last_heard_ns = i == n->self ? rpc_now_locked(n) : p->last_heard;
        k++;
    }
    spin_unlock(&n->lock);
    return k;
}

static void
cbs_init(void)
{
    /* The first registration happens at boot, before any other thread. */
    if (!cbs.inited) {
        spin_init(&cbs.lock, "recov.cb");
        cbs.inited = true;
    }
}

int
recov_register(recov_fn fn, void *arg)
{
    int err = 0;
    cbs_init();
    spin_lock(&cbs.lock);
    if (cbs.n == RECOV_MAX_CALLBACKS) {
        err = -ENOSPC;
    } else {
        cbs.fn[cbs.n] = fn;
        cbs.arg[cbs.n] = arg;
        cbs.n++;
    }
    spin_unlock(&cbs.lock);
    return err;
}

void
recov_deliver(struct rpc_node *n)
{
    struct rpc_event ev[8];
    int k;

    cbs_init();
    while ((k = rpc_core_events(n, ev, (int)ARRAY_SIZE(ev))) > 0) {
        for (int i = 0; i < k; i++) {
#ifndef WISP_HOST               /* the host simulations mark down by the thousand */
            if (ev[i].event == RECOV_EVENT_DOWN)
                kprintf("wisp: rpc: node %d marked down: %s (silent %llu ms)\n", ev[i].node,
                        ev[i].why ? ev[i].why : "?", (unsigned long long)ev[i].silent_ms);
#endif
            for (int j = 0;; j++) {
                spin_lock(&cbs.lock);
                recov_fn fn = j < cbs.n ? cbs.fn[j] : NULL;
                void *arg = j < cbs.n ? cbs.arg[j] : NULL;
                spin_unlock(&cbs.lock);
                if (!fn)
                    break;
                fn(arg, ev[i].node, ev[i].event, ev[i].boot);
            }
        }
    }
}

void
recov_attach(struct rpc_node *n)
{
    cbs_init();
    attached = n;
}

int
recov_list(struct wisp_node *out, int max)
{
    return attached ? recov_list_node(attached, out, max) : 0;
}

int
recov_state(int node)
{
    if (!attached || node < 0 || node >= RPC_MAX_NODES)
        return WISP_NODE_UNKNOWN;
    spin_lock(&attached->lock);
    int s = attached->peers[node].state;
    spin_unlock(&attached->lock);
    return s;
}
