/*
 * The client side: a fixed set of channels, each carrying one call at a
 * time; calls beyond that wait in FIFO order for a channel. A call sends
 * its request fragments, then waits: the reply acknowledges the request,
 * and the channel's next request acknowledges the reply (a fragmented
 * reply is also closed explicitly so the server can free it). On each
 * timeout the client retransmits with exponential backoff (a fragmented
 * request resends only its last fragment sent asking for an ack, then the
 * fragments the ack shows missing); a fragmented request goes out in a
 * window bounded per server (RPC_PEER_WINDOW) that acks advance; while the server says it is still
 * executing, the client probes slowly. After tun.retries timeouts without
 * news the call fails with -ETIMEDOUT and the peer is marked down. A call
 * to a peer whose boot id is not confirmed yet (dst_boot 0) sends nothing
 * but recov's PING challenge until recov confirms it, so no request ever
 * names an unknown incarnation. State diagram: docs/rpc.md. The server
 * half is rpc_server.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "net/rpc/rpc_int.h"

static void chan_begin(struct rpc_node *n, struct rpc_chan *ch, struct rpc_call *c);
static void resume_peer(struct rpc_node *n, int node, int after);

static int
chan_index(struct rpc_node *n, struct rpc_chan *ch)
{
    return (int)(ch - n->chans);
}

static void
call_finish(struct rpc_node *n, struct rpc_call *c, int err)
{
    ASSERT(!c->done, "a call completes exactly once");
    c->err = err;
    c->done = true;
    if (err == -ETIMEDOUT)
        n->st.timeouts++;
    else if (err == -EHOSTDOWN)
        n->st.hostdown++;
    n->env->call_done(n, c);
}

/* The channel's call is over: report it, then give the channel to the
 * oldest waiting call. */
static void
chan_finish(struct rpc_node *n, struct rpc_chan *ch, int err)
{
    struct rpc_call *c = ch->call;
    int node = c->node;
    ch->call = NULL;
    ch->state = RPC_C_FREE;
    call_finish(n, c, err);
    while (ch->state == RPC_C_FREE && n->wait_head) {
        struct rpc_call *w = n->wait_head;
        n->wait_head = w->next;
        if (!n->wait_head)
            n->wait_tail = NULL;
        w->next = NULL;
        chan_begin(n, ch, w);
    }
    resume_peer(n, node, chan_index(n, ch));   /* its credit is free */
}

static void
req_header(struct rpc_node *n, struct rpc_chan *ch, struct rpc_hdr *h, uint8_t flags)
{
    memset(h, 0, sizeof(*h));
    h->version = RPC_PROTO_VERSION;
    h->flags = flags;
    h->op = (uint16_t)ch->call->op;
    h->client = (uint16_t)n->self;
    h->server = (uint16_t)ch->call->node;
    h->channel = (uint16_t)chan_index(n, ch);
    h->seq = ch->seq;
    h->boot_id = n->boot;
    h->dst_boot = ch->dst_boot;
    h->frag_mask = ch->rep_mask;
}

/* Send request fragments not in skip; flags may add PLEASEACK. */
static unsigned
send_request(struct rpc_node *n, struct rpc_chan *ch, uint64_t skip, uint8_t flags)
{
    struct rpc_hdr h;
    req_header(n, ch, &h, RPC_F_REQUEST | flags);
    return rpc_frag_send_locked(n, ch->call->node, &h, ch->call->req,
                                (uint32_t)ch->call->reqlen, skip);
}

/* A probe: the last request fragment sent so far, asking for an ack (or,
 * once the server is done, for the reply fragments missing from our mask). */
static void
send_probe(struct rpc_node *n, struct rpc_chan *ch)
{
    unsigned i = ch->req_sent ? ch->req_sent - 1 : ch->req_frags - 1;
    send_request(n, ch, ~(1ull << i), RPC_F_PLEASEACK);
}

/* Fragments below the highest one acknowledged: its index + 1, or 0. */
static unsigned
acked_upto(uint64_t mask)
{
    return mask ? 64u - (unsigned)__builtin_clzll(mask) : 0;
}

static unsigned
peer_window(const struct rpc_node *n)
{
    return n->tun.peer_window ? n->tun.peer_window : RPC_PEER_WINDOW;
}

/* Request fragments of ch in flight: sent, and not below one acknowledged. */
static unsigned
chan_inflight(const struct rpc_chan *ch)
{
    if (ch->state != RPC_C_SENDING)
        return 0;
    unsigned base = acked_upto(ch->req_acked);
    return ch->req_sent > base ? ch->req_sent - base : 0;
}

static unsigned
peer_inflight(struct rpc_node *n, int node)
{
    unsigned sum = 0;
    for (int i = 0; i < RPC_CLIENT_CHANNELS; i++)
        if (n->chans[i].state == RPC_C_SENDING && n->chans[i].call->node == node)
            sum += chan_inflight(&n->chans[i]);
    return sum;
}

/* Another channel to ch's server has fragments waiting for credit. */
static bool
others_wait(const struct rpc_node *n, const struct rpc_chan *ch)
{
    for (int i = 0; i < RPC_CLIENT_CHANNELS; i++) {
        const struct rpc_chan *o = &n->chans[i];
        if (o != ch && o->state == RPC_C_SENDING && o->call->node == ch->call->node &&
            o->req_sent < o->req_frags)
            return true;
    }
    return false;
}

/* Send up to max new request fragments of ch while the server has credit
 * left (a single-fragment request needs none). Returns how many went. */
static unsigned
send_window(struct rpc_node *n, struct rpc_chan *ch, unsigned max)
{
    unsigned used = peer_inflight(n, ch->call->node), sent = 0, win = peer_window(n);
    /* Credit is wanted if the rest of this request overruns the window or
     * another channel waits; neither changes while this loop sends. */
    bool credit = n->tun.ack_every || used + (ch->req_frags - ch->req_sent) > win ||
                  others_wait(n, ch);
    while (ch->req_sent < ch->req_frags && sent < max && (used < win || ch->req_frags == 1)) {
        unsigned i = ch->req_sent++;
        used++;
        sent++;
        /* Ask every RPC_ACK_EVERY fragments while credit is wanted, and at
         * the end of a batch that leaves some unsent: the ack is what brings
         * credit back. The last fragment asks only while credit is wanted:
         * a server whose op runs in a thread then acks the whole request at
         * once instead of holding its credit until the reply. */
        bool stop = sent == max || used >= win;
        bool last = i + 1 == ch->req_frags;
        bool ask = last ? credit && ch->req_frags > 1
                        : ((i + 1) % RPC_ACK_EVERY == 0 && credit) || stop;
        send_request(n, ch, ~(1ull << i), ask ? RPC_F_PLEASEACK : 0);
    }
    if (sent)   /* the timer measures silence since our last new fragment */
        ch->deadline = rpc_now_locked(n) + ch->rto;
    if (ch->req_sent < ch->req_frags && used >= win)
        n->st.credit_waits++;
    return sent;
}

/* Credit to node came back: once a batch's worth is free, channels waiting
 * for it send on, a batch each in turn, starting after channel `after`
 * (the one whose news freed it), so no channel starves. */
static void
resume_peer(struct rpc_node *n, int node, int after)
{
    bool progress = true;
    while (progress && peer_inflight(n, node) + RPC_ACK_EVERY <= peer_window(n)) {
        progress = false;
        for (int k = 1; k <= RPC_CLIENT_CHANNELS; k++) {
            struct rpc_chan *ch = &n->chans[(after + k) % RPC_CLIENT_CHANNELS];
            if (ch->state == RPC_C_SENDING && ch->call->node == node &&
                ch->req_sent < ch->req_frags && send_window(n, ch, RPC_ACK_EVERY))
                progress = true;
        }
    }
}

/* An ack of reply fragments (client -> server). */
static void
send_reply_ack(struct rpc_node *n, struct rpc_chan *ch, bool close)
{
    struct rpc_hdr h;
    req_header(n, ch, &h, RPC_F_REQUEST | RPC_F_ACK | (close ? RPC_F_CLOSE : 0));
    h.total_len = ch->rep_total;
    h.frag_count = (uint8_t)ch->rep_frags;
    h.flags |= ch->rep_frags > 1 ? RPC_F_FRAG : 0;
    h.frag_mask = ch->rep_mask;
    rpc_tx_locked(n, ch->call->node, &h, NULL);
    n->st.acks_sent++;
}

static void
chan_begin(struct rpc_node *n, struct rpc_chan *ch, struct rpc_call *c)
{
    struct rpc_peer *p = &n->peers[c->node];

    if (p->state == WISP_NODE_DOWN) {
        call_finish(n, c, -EHOSTDOWN);
        return;
    }
    ch->call = c;
    ch->state = RPC_C_SENDING;
    ch->seq++;
    ch->dst_boot = p->boot;
    ch->req_frags = rpc_frag_count((uint32_t)c->reqlen);
    ch->req_acked = 0;
    ch->req_sent = 0;
    ch->req_resent = 0;
    ch->rep_started = false;
    ch->rep_total = 0;
    ch->rep_frags = 0;
    ch->rep_mask = 0;
    ch->tries = 0;
    ch->rto = n->tun.rto_init;
    ch->deadline = rpc_now_locked(n) + ch->rto;
    if (ch->dst_boot == 0)
        recov_challenge_locked(n, c->node, rpc_now_locked(n));   /* sent once confirmed */
    else
        send_window(n, ch, peer_window(n));
}

void
rpc_client_start(struct rpc_node *n, struct rpc_call *c)
{
    ASSERT(c->node >= 0 && c->node < RPC_MAX_NODES && rpc_op_valid((unsigned)c->op) &&
               c->reqlen <= RPC_MAX_DATA,
           "rpc_call checks its arguments before starting a call");
    c->done = false;
    c->err = 0;
    c->replen = 0;
    c->next = NULL;
    spin_lock(&n->lock);
    n->st.calls++;
    struct rpc_chan *ch = NULL;
    for (int i = 0; i < RPC_CLIENT_CHANNELS && !ch; i++)
        if (n->chans[i].state == RPC_C_FREE)
            ch = &n->chans[i];
    if (ch) {
        chan_begin(n, ch, c);
    } else if (n->peers[c->node].state == WISP_NODE_DOWN) {
        call_finish(n, c, -EHOSTDOWN);
    } else {
        if (n->wait_tail)
            n->wait_tail->next = c;
        else
            n->wait_head = c;
        n->wait_tail = c;
    }
    spin_unlock(&n->lock);
    rpc_flush(n);
}

static void
on_ack(struct rpc_node *n, struct rpc_chan *ch, const struct rpc_hdr *h, uint64_t now)
{
    n->st.acks_received++;
    ch->tries = 0;
    if (h->total_len != ch->call->reqlen)
        return;                         /* not an ack of this request */
    ch->req_acked |= h->frag_mask;
    if (ch->req_acked == rpc_frag_full(ch->req_frags)) {
        /* The server has it all and is executing: probe slowly. */
        ch->state = RPC_C_WAITING;
        ch->rto = n->tun.rto_wait;
        resume_peer(n, ch->call->node, chan_index(n, ch));
    } else if (ch->state == RPC_C_SENDING) {
        /* Fragments below the highest one held went before it and are
         * lost (resend each once per timeout); those above are in flight. */
        unsigned top = acked_upto(h->frag_mask);
        uint64_t below = top >= 64 ? ~0ull : (1ull << top) - 1;
        uint64_t lost = below & ~ch->req_acked & ~ch->req_resent;
        if (lost) {
            ch->req_resent |= lost;
            n->st.frag_retransmits += send_request(n, ch, ~lost, 0);
        }
        resume_peer(n, ch->call->node, chan_index(n, ch));
        ch->rto = n->tun.rto_init;
    }
    ch->deadline = now + ch->rto;
}

static void
on_reply(struct rpc_node *n, struct rpc_chan *ch, const struct rpc_hdr *h, const void *payload,
         uint64_t now)
{
    struct rpc_call *c = ch->call;

    ch->tries = 0;
    if (ch->state == RPC_C_SENDING) {
        ch->state = RPC_C_WAITING;      /* a reply acknowledges the whole request */
        resume_peer(n, ch->call->node, chan_index(n, ch));
    }
    if (h->error) {
        n->st.replies++;
        chan_finish(n, ch, h->error);
        return;
    }
    if (!ch->rep_started) {
        if (h->total_len > c->repcap) {
            chan_finish(n, ch, -EMSGSIZE);
            return;
        }
        ch->rep_started = true;
        ch->rep_total = h->total_len;
        ch->rep_frags = h->frag_count;
    } else if (h->total_len != ch->rep_total) {
        n->st.bad_other++;              /* fragments of two different replies */
        return;
    }
    rpc_frag_store(c->rep, c->repcap, &ch->rep_mask, h, payload);
    if (ch->rep_mask == rpc_frag_full(ch->rep_frags)) {
        n->st.replies++;
        c->replen = ch->rep_total;
        if (ch->rep_frags > 1)
            send_reply_ack(n, ch, true);    /* lets the server free its copy now */
        chan_finish(n, ch, 0);
        return;
    }
    ch->rto = n->tun.rto_init;
    ch->deadline = now + ch->rto;
    if (h->frag_index == ch->rep_frags - 1)
        send_reply_ack(n, ch, false);       /* the tail came, some are missing */
}

void
rpc_client_input_locked(struct rpc_node *n, const struct rpc_hdr *h, const void *payload)
{
    sync_assert_held(&n->lock);
    if (h->channel >= RPC_CLIENT_CHANNELS)
        return;                         /* no channel of ours */
    struct rpc_chan *ch = &n->chans[h->channel];
    if (ch->state == RPC_C_FREE || ch->seq != h->seq || ch->call->node != h->server ||
        ch->call->op != h->op)
        return;                         /* late or duplicate: that call is over */
    uint64_t now = rpc_now_locked(n);
    if (h->flags & RPC_F_ACK)
        on_ack(n, ch, h, now);
    else
        on_reply(n, ch, h, payload, now);
}

static void
chan_expired(struct rpc_node *n, struct rpc_chan *ch, uint64_t now)
{
    if (ch->state == RPC_C_SENDING && ch->dst_boot != 0 && ch->req_sent < ch->req_frags &&
        chan_inflight(ch) == 0) {
        ch->deadline = now + ch->rto;   /* waiting for credit, not for the server */
        return;
    }
    if (++ch->tries > n->tun.retries) {
        int node = ch->call->node;
        chan_finish(n, ch, -ETIMEDOUT);
        recov_mark_down_locked(n, node, "a call to it went unanswered");
        return;
    }
    n->st.retransmits++;
    ch->req_resent = 0;     /* the ack the probe brings may resend them again */
    if (ch->dst_boot == 0)
        recov_challenge_locked(n, ch->call->node, now);
    else if (ch->state == RPC_C_SENDING && ch->req_frags == 1)
        send_request(n, ch, 0, 0);
    else
        send_probe(n, ch);
    ch->rto = MIN(ch->rto * 2, MAX(n->tun.rto_max, n->tun.rto_wait));
    ch->deadline = now + ch->rto;
}

void
rpc_client_tick_locked(struct rpc_node *n, uint64_t now)
{
    sync_assert_held(&n->lock);
    for (int i = 0; i < RPC_CLIENT_CHANNELS; i++) {
        struct rpc_chan *ch = &n->chans[i];
        if (ch->state != RPC_C_FREE && now >= ch->deadline)
            chan_expired(n, ch, now);
    }
}

/* recov confirmed node's boot id new_boot: calls that went to an old one
 * fail (a call started since already names new_boot); calls waiting for
 * the confirmation send their request now. */
void
rpc_client_peer_reset_locked(struct rpc_node *n, int node, uint32_t new_boot)
{
    sync_assert_held(&n->lock);
    for (int i = 0; i < RPC_CLIENT_CHANNELS; i++) {
        struct rpc_chan *ch = &n->chans[i];
        if (ch->state == RPC_C_FREE || ch->call->node != node || ch->dst_boot == new_boot)
            continue;
        if (ch->dst_boot != 0) {
            chan_finish(n, ch, -EHOSTDOWN);
            continue;
        }
        ch->dst_boot = new_boot;
        ch->tries = 0;
        ch->rto = n->tun.rto_init;
        ch->deadline = rpc_now_locked(n) + ch->rto;
        send_window(n, ch, peer_window(n));
    }
}

void
rpc_client_fail_all_locked(struct rpc_node *n, int err)
{
    struct rpc_call *w = n->wait_head;
    n->wait_head = n->wait_tail = NULL;
    while (w) {
        struct rpc_call *next = w->next;
        call_finish(n, w, err);
        w = next;
    }
    for (int i = 0; i < RPC_CLIENT_CHANNELS; i++)
        if (n->chans[i].state != RPC_C_FREE)
            chan_finish(n, &n->chans[i], err);
}
