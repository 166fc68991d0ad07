/*
 * Inside the RPC module: the wire header, and the portable, event-driven
 * core (struct rpc_node) shared by the kernel glue (rpc_kern.c) and the host
 * simulation (rpc_sim_test.c). The core never sleeps and never reads a
 * clock or a NIC itself: its environment (struct rpc_env) sends packets,
 * tells the time and wakes sleepers. Wire format: rpc_wire.h; client:
 * rpc_client.c; server: rpc_server.c; fragments: rpc_frag.c; peers:
 * rpc_recov.c; input, output queue and timers: rpc_core.c. docs/rpc.md.
 *
 * Locking: one spinlock per node, n->lock, protects everything in struct
 * rpc_node. Functions named *_locked expect it held; the public core
 * functions take it, and send the packets they queued only after dropping
 * it (packets wait in n->tx_*). Nothing here holds it across a sleep.
 */
#pragma once
#include "kernel/compiler.h"
#include "kernel/sync.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"
#include "net/rpc/rpc_wire.h"

/* ---- the core ---- */

struct rpc_node;

/* One call in progress; lives on the caller's stack (kernel) or in the
 * simulation's table. Set the first six fields, then rpc_client_start. */
struct rpc_call {
    int node;
    int op;
    const void *req;
    size_t reqlen;
    void *rep;
    size_t repcap;

    /* Results, valid once done (set under n->lock). */
    size_t replen;
    int err;
    bool done;

    struct rpc_call *next;     /* in n->wait_*: no channel free yet */
    struct waitq wq;           /* the kernel's caller sleeps here */
    void *cookie;              /* the environment's */
};

enum rpc_chan_state { RPC_C_FREE, RPC_C_SENDING, RPC_C_WAITING };

/* Flow control of fragmented requests (Sprite's bounded blast, with
 * per-peer credits; rpc_client.c): a fragment is in flight from when it is
 * first sent until the server acknowledges it or a later one; at most
 * RPC_PEER_WINDOW are in flight to one server, summed over the channels
 * (one 64 KiB request fits: a single caller blasts it whole), and every
 * RPC_ACK_EVERY-th fragment asks for an ack, so credits come back while
 * the window is still full. Bounded by what the path to the receiver
 * absorbs without loss: vde_switch's socket to a port holds about 92 full
 * frames and drops the rest (docs/rpc.md, "Flow control", "Why 80"). */
#define RPC_PEER_WINDOW 80
#define RPC_ACK_EVERY   16

/* Client channel: one outstanding call at a time. */
struct rpc_chan {
    enum rpc_chan_state state;
    struct rpc_call *call;
    uint32_t seq;              /* the current (or last) call's */
    uint32_t dst_boot;         /* server's boot id when the call started */
    unsigned req_frags;
    uint64_t req_acked;        /* request fragments the server holds */
    unsigned req_sent;         /* fragments 0..req_sent-1 went out once (the window) */
    uint64_t req_resent;       /* resent since the last timeout: not again before it */
    bool rep_started;
    uint32_t rep_total;
    unsigned rep_frags;
    uint64_t rep_mask;         /* reply fragments received */
    uint64_t deadline;         /* ns: retransmit or give up */
    uint64_t rto;
    int tries;                 /* expiries since the server was last heard */
};

enum rpc_srv_state { RPC_S_IDLE, RPC_S_RECEIVING, RPC_S_EXECUTING, RPC_S_DONE, RPC_S_CLOSED };

/* Server state for one (client node, channel): the at-most-once record. */
struct rpc_srv_chan {
    enum rpc_srv_state state;
    uint32_t seq;              /* last request seen */
    int op;
    uint32_t total;            /* request being gathered */
    unsigned frags;
    uint64_t mask;
    uint8_t *buf;
    uint8_t *rep;              /* cached reply (DONE) */
    uint32_t rep_len;
    int32_t rep_err;
    uint64_t last_ns;
};

struct rpc_srv_peer {
    uint32_t boot;             /* client incarnation this state belongs to */
    struct rpc_srv_chan chans[RPC_CHANNELS];
};

/* A complete request handed to a server thread. */
struct rpc_work {
    struct rpc_work *next;
    int client;
    int chan;
    uint32_t seq;
    uint32_t client_boot;
    int op;
    uint8_t *req;              /* owned by the work item */
    size_t reqlen;
};

struct rpc_peer {
    int32_t state;             /* WISP_NODE_* */
    uint32_t boot;
    uint32_t prev_boot;        /* the incarnation before: its late packets are dropped */
    uint64_t last_heard;
    uint64_t next_ping;
    uint64_t nonce, prev_nonce;  /* our last two PINGs' nonces (0: none) */
    uint64_t next_challenge;     /* rate limit of PINGs to this peer */
};

struct rpc_event {
    int node;
    int event;                 /* RECOV_EVENT_UP / _DOWN (recov.h) */
    uint32_t boot;
    const char *why;           /* a down event's cause, for the log */
    uint64_t silent_ms;        /* how long the peer had been silent then */
};
#define RPC_EVQ 64

struct rpc_pkt {
    struct rpc_pkt *next;
    int dst;
    size_t len;
    uint8_t data[RPC_MAX_PAYLOAD];
};

enum { RPC_WAKE_SERVER = 1 };

struct rpc_env {
    /* Send one datagram to node dst. No lock held; may not re-enter the core. */
    void (*send)(struct rpc_node *n, int dst, const void *pkt, size_t len);
    uint64_t (*now)(struct rpc_node *n);
    /* c finished (c->done set). n->lock held: must not sleep. */
    void (*call_done)(struct rpc_node *n, struct rpc_call *c);
    /* Work was queued (RPC_WAKE_SERVER). n->lock held: must not sleep. */
    void (*wake)(struct rpc_node *n, unsigned what);
    /* Optional: a batch of sends is over (send may hold its datagrams back
     * for one doorbell until then). No lock held. */
    void (*sent)(struct rpc_node *n);
    /* Optional: op's handler runs in the receive path, so its reply
     * follows the request at once (NULL: every op waits for a thread). */
    bool (*op_inline)(int op);
};

struct rpc_tunables {
    uint64_t rto_init;         /* first retransmission timeout */
    uint64_t rto_max;          /* backoff cap */
    uint64_t rto_wait;         /* probe interval while the server executes */
    int retries;               /* expiries without news before -ETIMEDOUT */
    uint64_t ping_ns;          /* interval of pings to a peer marked down */
    uint64_t reply_keep_ns;    /* an unacknowledged cached reply is dropped after */
    uint64_t dead_ns;          /* a peer silent this long is marked down (rpcdead=) */
    uint64_t challenge_ns;     /* at most one PING per peer per this long */
    unsigned peer_window;      /* request fragments in flight per server; 0: RPC_PEER_WINDOW */
    bool ack_every;            /* PLEASEACK every RPC_ACK_EVERY-th fragment even when
                                  no credit waits (rpcack=every; docs/rpc.md) */
};

struct rpc_node {
    struct spinlock lock;      /* protects everything below */
    int self;
    uint32_t boot;
    const struct rpc_env *env;
    void *env_arg;
    struct rpc_tunables tun;

    struct rpc_chan chans[RPC_CLIENT_CHANNELS];
    struct rpc_call *wait_head, *wait_tail;

    struct rpc_srv_peer *srv[RPC_MAX_NODES];
    struct rpc_work *work_head, *work_tail;
    uint64_t next_gc;

    struct rpc_peer peers[RPC_MAX_NODES];
    int expect_nodes;          /* nodes= : members pinged until first heard from */
    struct rpc_event ev[RPC_EVQ];
    unsigned ev_head, ev_tail; /* ev_tail - ev_head events queued */

    struct rpc_pkt *tx_head, *tx_tail;
    struct wisp_rpcstat st;

    struct rpc_mac_key key;    /* the cluster key: every datagram's tag */
    struct rpc_mac_key nonce_key;  /* secret: PING nonces are its PRF of a counter */
    uint64_t nonce_ctr;
};

static_assert(RPC_CLIENT_CHANNELS <= RPC_CHANNELS, "client channels fit in the protocol's");

/* rpc_core.c: the entry points; each takes n->lock. */
void rpc_core_defaults(struct rpc_tunables *t);
MUST_CHECK int rpc_core_init(struct rpc_node *n, int self, uint32_t boot,
                             const struct rpc_env *env, void *env_arg);
void rpc_core_fini(struct rpc_node *n);        /* frees everything; no call may be active */
/* Set the cluster key (RPC_KEY_LEN bytes; all zero after init) and the
 * secret seed of this node's PING nonces (unpredictable: from the CSPRNG). */
void rpc_core_set_keys(struct rpc_node *n, const uint8_t *key, const uint8_t *nonce_seed);
/* A datagram from node src (-1: not a cluster address). */
void rpc_core_input(struct rpc_node *n, int src, const void *pkt, size_t len);
void rpc_core_tick(struct rpc_node *n);        /* timers; call every few ms */
void rpc_client_start(struct rpc_node *n, struct rpc_call *c);
/* Next queued request, or NULL. Caller holds n->lock. */
struct rpc_work *rpc_server_next_locked(struct rpc_node *n);
/* The handler for w finished: err, and rep (kmalloc'd, replen bytes, owned
 * by the core from now on; NULL when replen is 0). Frees w. */
void rpc_server_done(struct rpc_node *n, struct rpc_work *w, int err, uint8_t *rep,
                     size_t replen);
int rpc_core_events(struct rpc_node *n, struct rpc_event *out, int max);

/* Internal, n->lock held. */
uint64_t rpc_now_locked(struct rpc_node *n);
void rpc_tx_locked(struct rpc_node *n, int dst, const struct rpc_hdr *h, const void *payload);
void rpc_flush(struct rpc_node *n);            /* no lock held */
/* Answer PING request h: a reply echoing its nonce (frag_mask). */
void rpc_ping_answer_locked(struct rpc_node *n, const struct rpc_hdr *h);
void rpc_client_input_locked(struct rpc_node *n, const struct rpc_hdr *h, const void *payload);
void rpc_client_tick_locked(struct rpc_node *n, uint64_t now);
void rpc_client_peer_reset_locked(struct rpc_node *n, int node, uint32_t new_boot);
void rpc_client_fail_all_locked(struct rpc_node *n, int err);
void rpc_server_input_locked(struct rpc_node *n, const struct rpc_hdr *h, const void *payload);
void rpc_server_tick_locked(struct rpc_node *n, uint64_t now);
void rpc_server_peer_reset_locked(struct rpc_node *n, int node);
void rpc_server_fini_locked(struct rpc_node *n);

/* rpc_frag.c */
/* Send the fragments of data (total bytes) not in skip, as copies of tmpl
 * with index, length and FRAG filled in. Returns how many were sent. */
unsigned rpc_frag_send_locked(struct rpc_node *n, int dst, const struct rpc_hdr *tmpl,
                              const uint8_t *data, uint32_t total, uint64_t skip);
/* Store fragment h (payload) of a message into buf (capacity cap) and mark
 * it in *mask. Returns true if it was new. */
bool rpc_frag_store(uint8_t *buf, size_t cap, uint64_t *mask, const struct rpc_hdr *h,
                    const void *payload);

/* rpc_recov.c: peer states (recov.h is its public face) */
/* An authentic packet (not a PING) from node with boot id boot. true: the
 * boot id is the peer's confirmed one and it is up; false: drop it (a dead
 * incarnation's, counted stale_boot; or unconfirmed, counted, and the peer
 * is challenged with a PING). */
bool recov_heard_locked(struct rpc_node *n, int node, uint32_t boot, uint64_t now);
/* A PING request or reply on channel RPC_CHAN_PING from h's sender. */
void recov_ping_input_locked(struct rpc_node *n, const struct rpc_hdr *h, uint64_t now);
/* PING node with a fresh nonce unless one went out less than
 * tun.challenge_ns ago; its answer confirms the node's boot id. */
void recov_challenge_locked(struct rpc_node *n, int node, uint64_t now);
void recov_mark_down_locked(struct rpc_node *n, int node, const char *why);
void recov_tick_locked(struct rpc_node *n, uint64_t now);
bool recov_is_down_locked(struct rpc_node *n, int node);
int recov_list_node(struct rpc_node *n, struct wisp_node *out, int max);
/* Pop n's queued up/down events and tell every recov_register'ed callback.
 * No lock held; runs the callbacks in the caller's context. */
void recov_deliver(struct rpc_node *n);
/* The node instance recov_list / recov_state report on (the kernel's). */
void recov_attach(struct rpc_node *n);

/* rpc_ops.c (kernel only): the op table and big-endian u64 helpers. */
rpc_handler_fn rpc_ops_handler(int op);     /* NULL for an unknown op */
bool rpc_op_inline(int op);                 /* its row says RPC_RUN_INLINE */
void rpc_put_u64(void *buf, uint64_t v);
uint64_t rpc_get_u64(const void *buf);

/* rpc_kern.c (kernel only). */
int rpc_self(void);                         /* this node, -1 before rpc_init */
/* rpc_call in two halves, so one thread can have several calls in flight
 * (rpc_stream.c): begin checks the arguments like rpc_call and starts c
 * (0 or -errno; on error nothing was started); end sleeps until c is done
 * and returns its result. Every begun call must be ended; c, req and rep
 * stay valid until then. */
MUST_CHECK int rpc_call_begin(struct rpc_call *c, int node, int op, const void *req,
                              size_t reqlen, void *rep, size_t repcap);
int rpc_call_end(struct rpc_call *c, size_t *replen);

static inline bool
rpc_seq_after(uint32_t a, uint32_t b)
{
    return (int32_t)(a - b) > 0;
}
