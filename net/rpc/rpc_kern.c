/*
 * The RPC layer in the kernel: the portable core (rpc_int.h) bound to UDP
 * port NET_UDP_PORT_RPC, the monotonic clock, a timer thread ("rpc-tick":
 * retransmissions, pings, recov callbacks) and RPC_SERVER_THREADS server
 * threads that run handlers from the op table (rpc_ops.c; the few ops that
 * never sleep run in the network thread as soon as their request is
 * complete, op_inline). rpc_call sleeps
 * on a wait queue until the core finishes the call. The receive callback
 * runs in the network thread: it only feeds the core, which never sleeps.
 *
 * Locking: everything is under the core's spinlock kn.lock (srv_wq and each
 * call's wq included); nothing sleeps or sends with it held (the core sends
 * after dropping it).
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/rand.h"
#include "kernel/sched.h"
#include "net/net.h"
#include "net/rpc/rpc_int.h"
#include "net/rpc/rpc_sys.h"

#define RPC_SERVER_THREADS 4
#define RPC_TICK_NS        (5 * 1000000ull)

static struct rpc_node kn;
static struct waitq srv_wq;         /* server threads wait for work; under kn.lock */
static bool rpc_up;                 /* set once by rpc_init */
static bool inline_pending;         /* work for run_inline; under kn.lock */
static uint8_t *inline_scratch;     /* the net thread's reply buffer (RPC_MAX_DATA) */
static struct thread *rx_thread;    /* the one that runs k_rx (the net thread) */

/* Ops whose row in rpc_ops.h says RPC_RUN_INLINE (rpc_op_inline) never
 * sleep and take little time: a request for one that completes in the
 * receive path runs right there, in the net thread, instead of waking a
 * server thread (two context switches saved on every call: the hand-off
 * and the hand-back of the reply). */

static void
k_send(struct rpc_node *n, int dst, const void *pkt, size_t len)
{
    /* A failed send is a lost packet: retransmission takes care of it.
     * The doorbell waits for the end of the batch (k_sent). */
    int err = net_udp_send_more(NET_UDP_PORT_RPC, net_node_ip(dst), NET_UDP_PORT_RPC, pkt, len,
                                true);
    (void)err;
}

static void
k_sent(struct rpc_node *n)
{
    net_udp_kick();
}

static uint64_t
k_now(struct rpc_node *n)
{
    return arch_time_ns();
}

static void
k_call_done(struct rpc_node *n, struct rpc_call *c)
{
    waitq_wake_one(&c->wq);
}

static void
k_wake(struct rpc_node *n, unsigned what)
{
    /* dispatch queued its work at the tail: k_rx runs it after the input. */
    if (n->work_tail && rpc_op_inline(n->work_tail->op) && rx_thread &&
        sched_current() == rx_thread) {
        inline_pending = true;
        return;
    }
    waitq_wake_one(&srv_wq);
}

static const struct rpc_env kenv = {
    .send = k_send, .now = k_now, .call_done = k_call_done, .wake = k_wake,
    .op_inline = rpc_op_inline,
    .sent = k_sent,
};

/* Run one request's handler into scratch and hand the result to the core
 * (it keeps an exact-size copy, so the cache holds no 64 KiB per channel). */
static void
run_work(struct rpc_work *w, uint8_t *scratch)
{
    rpc_handler_fn fn = rpc_ops_handler(w->op);
    size_t replen = RPC_MAX_DATA;
    int err = fn ? fn(w->client, w->req, w->reqlen, scratch, &replen) : -EOPNOTSUPP;
    uint8_t *rep = NULL;
    if (err == 0 && replen > RPC_MAX_DATA)
        err = -EMSGSIZE;
    if (err == 0 && replen > 0) {
        rep = kmalloc(replen);
        if (rep)
            memcpy(rep, scratch, replen);
        else
            err = -ENOMEM;
    }
    rpc_server_done(&kn, w, err, rep, err ? 0 : replen);
}

/* The requests k_wake left for the net thread: the inline ops at the head
 * of the work queue (anything else there is for the server threads). */
static void
run_inline(void)
{
    for (;;) {
        spin_lock(&kn.lock);
        struct rpc_work *w = kn.work_head;
        if (!w || !rpc_op_inline(w->op)) {
            inline_pending = false;
            if (w)
                waitq_wake_one(&srv_wq);
            spin_unlock(&kn.lock);
            return;
        }
        w = rpc_server_next_locked(&kn);
        spin_unlock(&kn.lock);
        run_work(w, inline_scratch);
    }
}

static void
k_rx(void *arg, uint32_t src_ip, uint16_t src_port, const void *data, size_t len)
{
    if (!rx_thread)
        rx_thread = sched_current();
    rpc_core_input(&kn, net_ip_node(src_ip), data, len);
    if (__atomic_load_n(&inline_pending, __ATOMIC_RELAXED))
        run_inline();
}

static void
tick_thread(void *arg)
{
    for (;;) {
        int err = sched_sleep_ns(RPC_TICK_NS);
        (void)err;                      /* a kernel thread gets no signals */
        rpc_core_tick(&kn);
        recov_deliver(&kn);
    }
}

/* One handler at a time, into a scratch buffer; the reply handed to the
 * core is an exact-size copy so the cache holds no 64 KiB per channel. */
static void
server_thread(void *arg)
{
    uint8_t *scratch = kmalloc(RPC_MAX_DATA);
    if (!scratch)
        panic("rpc: no memory for a server thread's buffer");
    for (;;) {
        struct rpc_work *w;
        spin_lock(&kn.lock);
        while ((w = rpc_server_next_locked(&kn)) == NULL)
            waitq_wait(&srv_wq, &kn.lock);
        spin_unlock(&kn.lock);
        run_work(w, scratch);
    }
}

/* The cluster key from rpckey= (32 hex digits), and the secret seed of
 * this boot's PING nonces. A missing or malformed key is the all-zero
 * key, said once on the console: such a node talks only to others like it. */
static void
rpc_init_keys(const struct cmdline *cl)
{
    uint8_t key[RPC_KEY_LEN], seed[RPC_KEY_LEN];
    const char *hex = cl ? cmdline_get(cl, "rpckey") : NULL;

    if (!hex)
        kprintf("wisp: rpc: no rpckey= on the command line: using the all-zero key "
                "(anyone on the network can forge RPCs)\n");
    else if (rpc_mac_parse_key(hex, key) != 0)
        kprintf("wisp: rpc: rpckey= is not 32 hex digits: using the all-zero key\n");
    if (!hex)
        memset(key, 0, sizeof(key));
    rand_bytes(seed, sizeof(seed));
    rpc_core_set_keys(&kn, key, seed);
    memset(key, 0, sizeof(key));
    memset(seed, 0, sizeof(seed));
}

/* rpcping=MS (failure detector's period) and rpcdead=MS (silence before a
 * peer is marked down); nonsense keeps the defaults, said on the console. */
static void
rpc_init_detector(const struct cmdline *cl)
{
    uint64_t ping_ms = kn.tun.ping_ns / 1000000, dead_ms = kn.tun.dead_ns / 1000000;
    uint64_t p = ping_ms, d = dead_ms;

    if (!cl)
        return;
    if (cmdline_get_u64(cl, "rpcping", ping_ms, &p) != 0 || cmdline_get_u64(cl, "rpcdead",
                                                                           dead_ms, &d) != 0 ||
        p < 10 || p > 600000 || d <= p || d > 3600000) {
        kprintf("wisp: rpc: bad rpcping=/rpcdead= (need 10 <= ping < dead, in ms): "
                "keeping %llu/%llu ms\n", (unsigned long long)ping_ms,
                (unsigned long long)dead_ms);
        return;
    }
    kn.tun.ping_ns = p * 1000000;
    kn.tun.dead_ns = d * 1000000;
}

int
rpc_init(int self_node, uint32_t boot_id)
{
    int err;

    while (boot_id == 0)    /* the caller may leave the choice to us: never reused */
        rand_bytes(&boot_id, sizeof(boot_id));
    inline_scratch = kmalloc(RPC_MAX_DATA);
    if (!inline_scratch)
        return -ENOMEM;
    err = rpc_core_init(&kn, self_node, boot_id, &kenv, NULL);
    if (err)
        return err;
    waitq_init(&srv_wq);
    recov_attach(&kn);
    uint64_t members = 0;
    const struct cmdline *cl = main_cmdline();
    if (cl && cmdline_get_u64(cl, "nodes", 0, &members) == 0)
        kn.expect_nodes = (int)MIN(members, (uint64_t)RPC_MAX_NODES);
    rpc_init_keys(cl);
    rpc_init_detector(cl);
    uint64_t win = RPC_PEER_WINDOW;     /* rpcwin=N: flow control's window, 16..512 */
    if (cl && cmdline_get_u64(cl, "rpcwin", RPC_PEER_WINDOW, &win) == 0 && win >= RPC_ACK_EVERY)
        kn.tun.peer_window = (unsigned)MIN(win, 512u);
    const char *ack = cl ? cmdline_get(cl, "rpcack") : NULL;
    kn.tun.ack_every = ack && !strcmp(ack, "every");
    err = net_udp_bind(NET_UDP_PORT_RPC, k_rx, NULL);
    if (err)
        return err;
    err = rpc_blast_init();
    if (err)
        return err;
    if (!sched_spawn("rpc-tick", tick_thread, NULL))
        return -ENOMEM;
    for (int i = 0; i < RPC_SERVER_THREADS; i++)
        if (!sched_spawn("rpc-server", server_thread, NULL))
            return -ENOMEM;
    rpc_up = true;
    kprintf("wisp: node %d: rpc up, boot id %08x, %d server threads, ping %llu ms, "
            "dead %llu ms\n", self_node, boot_id, RPC_SERVER_THREADS,
            (unsigned long long)(kn.tun.ping_ns / 1000000),
            (unsigned long long)(kn.tun.dead_ns / 1000000));
    return 0;
}

int
rpc_call_begin(struct rpc_call *c, int node, int op, const void *req, size_t reqlen, void *rep,
               size_t repcap)
{
    if (!rpc_up)
        return -ENETDOWN;
    if (node < 0 || node >= RPC_MAX_NODES || op < 0 || !rpc_op_valid((unsigned)op))
        return -EINVAL;
    if (reqlen > RPC_MAX_DATA)
        return -EMSGSIZE;
    memset(c, 0, sizeof(*c));
    c->node = node;
    c->op = op;
    c->req = req;
    c->reqlen = reqlen;
    c->rep = rep;
    c->repcap = repcap;
    waitq_init(&c->wq);
    rpc_client_start(&kn, c);
    return 0;
}

int
rpc_call_end(struct rpc_call *c, size_t *replen)
{
    sync_assert_may_sleep();
    /* Not interruptible: the call ends within the retry budget, or is
     * acknowledged by a live server that will answer. */
    spin_lock(&kn.lock);
    while (!c->done)
        waitq_wait(&c->wq, &kn.lock);
    spin_unlock(&kn.lock);
    if (replen)
        *replen = c->replen;
    return c->err;
}

int
rpc_call(int node, int op, const void *req, size_t reqlen, void *rep, size_t repcap,
         size_t *replen)
{
    struct rpc_call c;

    *replen = 0;
    sync_assert_may_sleep();
    int err = rpc_call_begin(&c, node, op, req, reqlen, rep, repcap);
    return err ? err : rpc_call_end(&c, replen);
}

void
rpc_get_stats(struct wisp_rpcstat *s)
{
    if (!rpc_up) {
        memset(s, 0, sizeof(*s));
        return;
    }
    spin_lock(&kn.lock);
    *s = kn.st;
    spin_unlock(&kn.lock);
}

uint32_t
rpc_boot_id(void)
{
    return rpc_up ? kn.boot : 0;
}

int
rpc_self(void)
{
    return rpc_up ? kn.self : -1;
}
