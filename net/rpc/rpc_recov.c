/*
 * Peer states and boot ids (Sprite's recov). The RPC core calls
 * recov_heard_locked for every valid packet: it records when the peer was
 * heard, marks it up, and on a new boot id resets the client channels and
 * server state that belonged to the old incarnation. Calls that exhaust
 * their budget mark the peer down; down peers get a PING every tun.ping_ns.
 * Events queue in the node and reach the callbacks of recov.h through
 * recov_deliver, called by the kernel's timer thread (rpc_kern.c).
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
push_event(struct rpc_node *n, int node, int event, uint32_t boot)
{
    if (n->ev_tail - n->ev_head == RPC_EVQ)
        n->ev_head++;                   /* full: the oldest is forgotten */
    n->ev[n->ev_tail++ % RPC_EVQ] = (struct rpc_event){ node, event, boot };
    if (event == RECOV_EVENT_UP)
        n->st.peer_up_events++;
    else
        n->st.peer_down_events++;
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
    if (p->boot != boot && boot == p->prev_boot) {
        n->st.stale_boot++;             /* delayed packet from before a reboot */
        return false;
    }
    p->last_heard = now;
    if (p->boot != 0 && p->boot != boot) {
        if (p->state == WISP_NODE_UP)
            push_event(n, node, RECOV_EVENT_DOWN, p->boot);
        p->prev_boot = p->boot;
        p->boot = boot;
        p->state = WISP_NODE_UP;
        push_event(n, node, RECOV_EVENT_UP, boot);
        rpc_client_peer_reset_locked(n, node, boot);
        rpc_server_peer_reset_locked(n, node);
        return true;
    }
    p->boot = boot;
    if (p->state != WISP_NODE_UP) {
        p->state = WISP_NODE_UP;
        push_event(n, node, RECOV_EVENT_UP, boot);
    }
    return true;
}

void
recov_mark_down_locked(struct rpc_node *n, int node)
{
    struct rpc_peer *p = &n->peers[node];

    sync_assert_held(&n->lock);
    if (node == n->self || p->state == WISP_NODE_DOWN)
        return;
    p->state = WISP_NODE_DOWN;
    p->next_ping = rpc_now_locked(n) + n->tun.ping_ns;
    push_event(n, node, RECOV_EVENT_DOWN, p->boot);
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

static void
send_ping(struct rpc_node *n, int node)
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
    h.frag_count = 1;
    rpc_tx_locked(n, node, &h, NULL);
}

void
recov_tick_locked(struct rpc_node *n, uint64_t now)
{
    sync_assert_held(&n->lock);
    for (int i = 0; i < RPC_MAX_NODES; i++) {
        struct rpc_peer *p = &n->peers[i];
        /* Down peers are pinged until they answer; so are the cluster's
         * members (nodes=) never heard from, so `nodes` knows everyone. */
        bool member = p->state == WISP_NODE_UNKNOWN && i < n->expect_nodes && i != n->self;
        if ((p->state == WISP_NODE_DOWN || member) && now >= p->next_ping) {
            p->next_ping = now + n->tun.ping_ns;
            send_ping(n, i);
        }
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
