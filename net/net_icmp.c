/*
 * ICMP echo for the kernel (net_ping in net/net.h) over lwIP's raw API: the
 * caller registers what it waits for (id, seq), the net thread sends the
 * request and stamps its time, and the raw receive hook matches the reply
 * by id and seq, stamps it and wakes the caller. Echo requests from others
 * are left to lwIP, which answers them itself (icmp.c).
 *
 * Locking: ping.lock protects the table of waiters; it is taken in the net
 * thread (the hook) and by callers, never around an lwIP call.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/sync.h"
#include "net/net.h"
#include "net/net_int.h"

#include "lwip/inet_chksum.h"
#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/prot/icmp.h"
#include "lwip/prot/ip4.h"
#include "lwip/raw.h"

#define PING_WAITERS   32
#define PING_MAX_DATA  (65535 - 20 - 8)

struct ping_wait {
    uint16_t id, seq;
    bool done;
};

static struct {
    struct spinlock lock;                  /* protects the fields below */
    struct waitq q;
    struct ping_wait *w[PING_WAITERS];
    uint16_t next_id;
} ping = { .lock = { .cpu = -1, .name = "net.ping" } };

static struct raw_pcb *icmp_pcb;           /* net thread only */

struct ping_req {
    struct net_req r;
    struct ping_wait *w;
    uint32_t ip;
    size_t payload;
};

/* Raw hook: every ICMP packet passes here before lwIP's icmp_input. p's
 * payload starts at the IP header. Returns 1 when the packet was ours. */
static u8_t
icmp_rx(void *arg, struct raw_pcb *pcb, struct pbuf *p, const ip_addr_t *addr)
{
    struct icmp_echo_hdr h;
    if (p->len < IP_HLEN)
        return 0;
    u16_t hlen = IPH_HL_BYTES((struct ip_hdr *)p->payload);
    if (pbuf_copy_partial(p, &h, sizeof h, hlen) != sizeof h || h.type != ICMP_ER || h.code != 0)
        return 0;
    uint16_t id = lwip_ntohs(h.id), seq = lwip_ntohs(h.seqno);
    bool mine = false;
    spin_lock(&ping.lock);
    for (int i = 0; i < PING_WAITERS; i++) {
        struct ping_wait *w = ping.w[i];
        if (w && !w->done && w->id == id && w->seq == seq) {
            w->done = true;
            mine = true;
            waitq_wake_all(&ping.q);
            break;
        }
    }
    spin_unlock(&ping.lock);
    if (!mine)
        return 0;
    pbuf_free(p);
    return 1;
}

void
net_icmp_start(void)
{
    spin_init(&ping.lock, "net.ping");
    waitq_init(&ping.q);
    icmp_pcb = raw_new(IP_PROTO_ICMP);
    if (icmp_pcb)
        raw_recv(icmp_pcb, icmp_rx, NULL);
}

static void
do_send(struct net_req *r)
{
    struct ping_req *q = container_of(r, struct ping_req, r);
    size_t len = sizeof(struct icmp_echo_hdr) + q->payload;
    struct pbuf *p = pbuf_alloc(PBUF_IP, (u16_t)len, PBUF_RAM);
    if (!icmp_pcb || !p) {
        r->err = -ENOMEM;
        goto out;
    }
    struct icmp_echo_hdr *h = p->payload;
    h->type = ICMP_ECHO;
    h->code = 0;
    h->chksum = 0;
    h->id = lwip_htons(q->w->id);
    h->seqno = lwip_htons(q->w->seq);
    uint8_t *data = (uint8_t *)(h + 1);
    for (size_t i = 0; i < q->payload; i++)
        data[i] = (uint8_t)(0x10 + i);   /* Linux ping's pattern */
    h->chksum = inet_chksum(h, (u16_t)len);

    ip_addr_t dst;
    ip_addr_set_ip4_u32(&dst, lwip_htonl(q->ip));
    r->err = net_err(raw_sendto(icmp_pcb, p, &dst));
out:
    if (p)
        pbuf_free(p);
}

static int
waiter_add(struct ping_wait *w)
{
    int err = -EBUSY;
    spin_lock(&ping.lock);
    w->id = ++ping.next_id;
    for (int i = 0; i < PING_WAITERS; i++) {
        if (!ping.w[i]) {
            ping.w[i] = w;
            err = 0;
            break;
        }
    }
    spin_unlock(&ping.lock);
    return err;
}

/* Caller holds ping.lock. */
static void
waiter_del(struct ping_wait *w)
{
    sync_assert_held(&ping.lock);
    for (int i = 0; i < PING_WAITERS; i++)
        if (ping.w[i] == w)
            ping.w[i] = NULL;
}

int
net_ping(uint32_t ip, uint16_t seq, size_t payload, uint64_t timeout_ns, uint64_t *rtt_ns)
{
    struct ping_wait w = { .seq = seq };
    struct ping_req q = { .r.fn = do_send, .w = &w, .ip = ip, .payload = payload };
    int err;

    if (payload > PING_MAX_DATA || ip == 0)
        return -EINVAL;
    if (!net_is_up())
        return -ENETDOWN;
    sync_assert_may_sleep();
    err = waiter_add(&w);
    if (err)
        return err;
    /* The round trip as this caller sees it: from handing the echo to the
     * net thread to waking with its answer, the same span as a kernel
     * RPC's (rpc_call's start to its return), so that the null RPC's ratio
     * to it compares like with like (until 2026-12-03 the figure ran from
     * the net thread's send to its receive hook, leaving both out). */
    uint64_t t0 = arch_time_ns();
    err = net_call(&q.r);
    uint64_t deadline = arch_time_ns() + timeout_ns;
    spin_lock(&ping.lock);
    while (!err && !w.done) {
        uint64_t now = arch_time_ns();
        if (now >= deadline) {
            err = -ETIMEDOUT;
            break;
        }
        err = waitq_wait_timeout(&ping.q, &ping.lock, deadline - now);
    }
    if (w.done)
        err = 0;   /* a reply that raced with the timeout still counts */
    waiter_del(&w);
    spin_unlock(&ping.lock);
    if (!err && rtt_ns)
        *rtt_ns = arch_time_ns() - t0;
    return err;
}
