/*
 * The server side and its at-most-once guarantee: for each (client node,
 * channel) the last sequence number and where it stands: gathering
 * fragments, executing, done with its reply cached, or closed. A newer
 * sequence number starts a request (and acknowledges the cached reply, which
 * is freed); the same one is a duplicate: fragments are merged, a request
 * being executed is acknowledged (never run twice), a finished one gets its
 * cached reply fragments again (only those the client lacks); an older one
 * is dropped. Complete requests queue as struct rpc_work for the server
 * threads (rpc_kern.c) or the simulation. The client half is rpc_client.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "net/rpc/rpc_int.h"

static void
rep_header(struct rpc_node *n, int client, int chan, const struct rpc_srv_chan *sc,
           uint32_t client_boot, struct rpc_hdr *h)
{
    memset(h, 0, sizeof(*h));
    h->version = RPC_PROTO_VERSION;
    h->flags = RPC_F_REPLY;
    h->op = (uint16_t)sc->op;
    h->client = (uint16_t)client;
    h->server = (uint16_t)n->self;
    h->channel = (uint16_t)chan;
    h->seq = sc->seq;
    h->boot_id = n->boot;
    h->dst_boot = client_boot;
}

/* Ack the request fragments held (server -> client). */
static void
send_ack(struct rpc_node *n, int client, int chan, struct rpc_srv_chan *sc, uint32_t boot,
         uint64_t mask)
{
    struct rpc_hdr h;
    rep_header(n, client, chan, sc, boot, &h);
    h.flags |= RPC_F_ACK | (sc->frags > 1 ? RPC_F_FRAG : 0);
    h.total_len = sc->total;
    h.frag_count = (uint8_t)sc->frags;
    h.frag_mask = mask;
    rpc_tx_locked(n, client, &h, NULL);
    n->st.acks_sent++;
}

/* Send the cached reply's fragments the client does not hold. */
static unsigned
send_reply(struct rpc_node *n, int client, int chan, struct rpc_srv_chan *sc, uint32_t boot,
           uint64_t have)
{
    struct rpc_hdr h;
    rep_header(n, client, chan, sc, boot, &h);
    h.error = sc->rep_err;
    return rpc_frag_send_locked(n, client, &h, sc->rep, sc->rep_len, have);
}

static void
chan_clear(struct rpc_srv_chan *sc)
{
    kfree(sc->buf);
    kfree(sc->rep);
    sc->buf = NULL;
    sc->rep = NULL;
    sc->rep_len = 0;
    sc->rep_err = 0;
}

static struct rpc_srv_peer *
srv_peer(struct rpc_node *n, int client, uint32_t boot)
{
    struct rpc_srv_peer *sp = n->srv[client];
    if (!sp) {
        sp = kzalloc(sizeof(*sp));
        if (!sp)
            return NULL;
        sp->boot = boot;
        n->srv[client] = sp;
    }
    /* recov resets this state when the client's boot id changes. */
    ASSERT(sp->boot == boot, "server channel state belongs to the client's current boot");
    return sp;
}

/* A complete request: hand it to a server thread. */
static void
dispatch(struct rpc_node *n, const struct rpc_hdr *h, struct rpc_srv_chan *sc)
{
    struct rpc_work *w = kzalloc(sizeof(*w));
    if (!w) {
        /* Forget it: the client's retransmission will try again. */
        sc->state = RPC_S_IDLE;
        kfree(sc->buf);
        sc->buf = NULL;
        return;
    }
    w->client = h->client;
    w->chan = h->channel;
    w->seq = h->seq;
    w->client_boot = h->boot_id;
    w->op = sc->op;
    w->req = sc->buf;
    w->reqlen = sc->total;
    sc->buf = NULL;
    sc->state = RPC_S_EXECUTING;
    n->st.requests++;
    if (n->work_tail)
        n->work_tail->next = w;
    else
        n->work_head = w;
    n->work_tail = w;
    n->env->wake(n, RPC_WAKE_SERVER);
}

/* A request fragment with a sequence number newer than the channel's. */
static bool
start_request(struct rpc_node *n, const struct rpc_hdr *h, struct rpc_srv_chan *sc)
{
    if (sc->state == RPC_S_EXECUTING)
        return false;   /* the client gave up on the running one; it retries later */
    chan_clear(sc);     /* the new request acknowledges the old reply */
    sc->state = RPC_S_RECEIVING;
    sc->seq = h->seq;
    sc->op = h->op;
    sc->total = h->total_len;
    sc->frags = h->frag_count;
    sc->mask = 0;
    if (sc->total) {
        sc->buf = kmalloc(sc->total);
        if (!sc->buf) {
            sc->state = RPC_S_IDLE;
            return false;
        }
    }
    return true;
}

static void
gather(struct rpc_node *n, const struct rpc_hdr *h, const void *payload, struct rpc_srv_chan *sc)
{
    if (h->total_len != sc->total || h->op != sc->op) {
        n->st.bad_other++;              /* same seq, different request */
        return;
    }
    rpc_frag_store(sc->buf, sc->total, &sc->mask, h, payload);
    if (sc->mask == rpc_frag_full(sc->frags)) {
        /* The client wants its credit back; a thread's op may take a while
         * to reply, so say now that every fragment is in (an inline op
         * replies at once, which says as much). */
        if ((h->flags & RPC_F_PLEASEACK) && !(n->env->op_inline && n->env->op_inline(sc->op)))
            send_ack(n, h->client, h->channel, sc, h->boot_id, sc->mask);
        dispatch(n, h, sc);
    } else if ((h->flags & RPC_F_PLEASEACK) || h->frag_index == sc->frags - 1)
        send_ack(n, h->client, h->channel, sc, h->boot_id, sc->mask);
}

static void
on_request(struct rpc_node *n, const struct rpc_hdr *h, const void *payload,
           struct rpc_srv_chan *sc)
{
    if (sc->state == RPC_S_IDLE || rpc_seq_after(h->seq, sc->seq)) {
        if (start_request(n, h, sc))
            gather(n, h, payload, sc);
        return;
    }
    if (h->seq != sc->seq) {
        n->st.duplicates++;             /* older than the last: long answered */
        return;
    }
    switch (sc->state) {
    case RPC_S_RECEIVING:
        gather(n, h, payload, sc);
        break;
    case RPC_S_EXECUTING:
        n->st.duplicates++;
        send_ack(n, h->client, h->channel, sc, h->boot_id, rpc_frag_full(sc->frags));
        break;
    case RPC_S_DONE:
        n->st.replays++;
        n->st.frag_retransmits +=
            send_reply(n, h->client, h->channel, sc, h->boot_id, h->frag_mask);
        break;
    default:
        n->st.duplicates++;             /* closed: the client has the reply */
        break;
    }
}

/* The client's ack of reply fragments; CLOSE means it has them all. */
static void
on_reply_ack(struct rpc_node *n, const struct rpc_hdr *h, struct rpc_srv_chan *sc)
{
    if (sc->state != RPC_S_DONE || sc->seq != h->seq)
        return;
    n->st.acks_received++;
    if (h->flags & RPC_F_CLOSE) {
        chan_clear(sc);
        sc->state = RPC_S_CLOSED;
        return;
    }
    n->st.frag_retransmits += send_reply(n, h->client, h->channel, sc, h->boot_id, h->frag_mask);
}

void
rpc_server_input_locked(struct rpc_node *n, const struct rpc_hdr *h, const void *payload)
{
    sync_assert_held(&n->lock);
    struct rpc_srv_peer *sp = srv_peer(n, h->client, h->boot_id);
    if (!sp)
        return;
    struct rpc_srv_chan *sc = &sp->chans[h->channel];
    sc->last_ns = rpc_now_locked(n);
    if (h->flags & RPC_F_ACK)
        on_reply_ack(n, h, sc);
    else
        on_request(n, h, payload, sc);
}

void
rpc_server_done(struct rpc_node *n, struct rpc_work *w, int err, uint8_t *rep, size_t replen)
{
    if (err > 0 || err < RPC_ERR_MIN)
        err = -EIO;                     /* a handler's bug must not reach the wire */
    if (err || replen > RPC_MAX_DATA) {
        err = err ? err : -EMSGSIZE;
        kfree(rep);
        rep = NULL;
        replen = 0;
    }
    spin_lock(&n->lock);
    struct rpc_srv_peer *sp = n->srv[w->client];
    struct rpc_srv_chan *sc = sp ? &sp->chans[w->chan] : NULL;
    if (sc && sp->boot == w->client_boot && sc->state == RPC_S_EXECUTING && sc->seq == w->seq) {
        sc->rep = rep;
        sc->rep_len = (uint32_t)replen;
        sc->rep_err = err;
        sc->state = RPC_S_DONE;
        sc->last_ns = rpc_now_locked(n);
        send_reply(n, w->client, w->chan, sc, w->client_boot, 0);
        rep = NULL;
    }
    /* else the client rebooted while we ran: nobody wants this reply. */
    spin_unlock(&n->lock);
    kfree(rep);
    kfree(w->req);
    kfree(w);
    rpc_flush(n);
}

/* Drop cached replies nobody acknowledged for tun.reply_keep_ns: the
 * client's retry budget is far shorter, so no one can still ask for them. */
void
rpc_server_tick_locked(struct rpc_node *n, uint64_t now)
{
    sync_assert_held(&n->lock);
    if (now < n->next_gc)
        return;
    n->next_gc = now + n->tun.reply_keep_ns / 4;
    for (int c = 0; c < RPC_MAX_NODES; c++) {
        struct rpc_srv_peer *sp = n->srv[c];
        for (int i = 0; sp && i < RPC_CHANNELS; i++) {
            struct rpc_srv_chan *sc = &sp->chans[i];
            if (sc->state == RPC_S_DONE && now - sc->last_ns > n->tun.reply_keep_ns) {
                chan_clear(sc);
                sc->state = RPC_S_CLOSED;
            }
        }
    }
}

/* The client rebooted: its channels start over. A request still executing
 * keeps its work item, whose reply rpc_server_done will discard. */
void
rpc_server_peer_reset_locked(struct rpc_node *n, int node)
{
    sync_assert_held(&n->lock);
    struct rpc_srv_peer *sp = n->srv[node];
    if (!sp)
        return;
    for (int i = 0; i < RPC_CHANNELS; i++)
        chan_clear(&sp->chans[i]);
    kfree(sp);
    n->srv[node] = NULL;
}

void
rpc_server_fini_locked(struct rpc_node *n)
{
    for (int c = 0; c < RPC_MAX_NODES; c++)
        rpc_server_peer_reset_locked(n, c);
    struct rpc_work *w;
    while ((w = rpc_server_next_locked(n)) != NULL) {
        kfree(w->req);
        kfree(w);
    }
}
