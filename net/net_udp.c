/*
 * UDP for the kernel (net/net.h: net_udp_bind, net_udp_send) over lwIP's
 * raw UDP API. Binding runs in the net thread and waits; sending copies the
 * datagram into a request (which lwIP then references, no second copy) and
 * returns at once, so a caller never waits on
 * the wire (the RPC layer sends from its rx upcalls and timers). One lwIP
 * pcb per local port, bound on first use, for both directions.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "net/net.h"
#include "net/net_int.h"

#include "lwip/ip_addr.h"
#include "lwip/pbuf.h"
#include "lwip/udp.h"

#define NET_UDP_MAX 1472   /* one Ethernet frame: 1500 - IP - UDP headers */

/* A local port. List owned by the net thread. */
struct port {
    struct udp_pcb *pcb;
    uint16_t port;
    net_udp_rx_fn rx;         /* NULL: send-only so far */
    void *arg;
    struct port *next;
};

static struct port *ports;    /* net thread only */

struct bind_req {
    struct net_req r;
    uint16_t port;
    net_udp_rx_fn rx;
    void *arg;
};

struct send_req {
    struct net_req r;
    uint16_t src_port, dst_port;
    uint32_t dst_ip;
    uint16_t len;
    uint8_t data[] __attribute__((aligned(8)));   /* word copies all the way */
};

static void
udp_rx(void *arg, struct udp_pcb *pcb, struct pbuf *p, const ip_addr_t *addr, u16_t port)
{
    struct port *pt = arg;
    uint8_t *buf = NULL;
    const void *data = p->payload;

    if (!pt->rx)
        goto out;
    if (p->len != p->tot_len) {   /* chained (e.g. reassembled): flatten it */
        buf = kmalloc(p->tot_len);
        if (!buf)
            goto out;
        pbuf_copy_partial(p, buf, p->tot_len, 0);
        data = buf;
    }
    pt->rx(pt->arg, lwip_ntohl(ip4_addr_get_u32(ip_2_ip4(addr))), port, data, p->tot_len);
out:
    kfree(buf);
    pbuf_free(p);
}

static struct port *
port_get(uint16_t port, int *err)
{
    for (struct port *pt = ports; pt; pt = pt->next)
        if (pt->port == port)
            return pt;
    struct port *pt = kzalloc(sizeof(*pt));
    struct udp_pcb *pcb = udp_new();
    if (!pt || !pcb) {
        kfree(pt);
        if (pcb)
            udp_remove(pcb);
        *err = -ENOMEM;
        return NULL;
    }
    *err = net_err(udp_bind(pcb, IP4_ADDR_ANY, port));
    if (*err) {
        udp_remove(pcb);
        kfree(pt);
        return NULL;
    }
    pt->pcb = pcb;
    pt->port = port;
    udp_recv(pcb, udp_rx, pt);
    pt->next = ports;
    ports = pt;
    return pt;
}

static void
do_bind(struct net_req *r)
{
    struct bind_req *b = container_of(r, struct bind_req, r);
    struct port *pt = port_get(b->port, &r->err);
    if (!pt)
        return;
    if (pt->rx) {
        r->err = -EADDRINUSE;
        return;
    }
    pt->arg = b->arg;
    pt->rx = b->rx;
}

int
net_udp_bind(uint16_t port, net_udp_rx_fn rx, void *arg)
{
    struct bind_req b = { .r.fn = do_bind, .port = port, .rx = rx, .arg = arg };
    if (port == 0 || !rx)
        return -EINVAL;
    return net_call(&b.r);
}

static void
do_send(struct net_req *r)
{
    struct send_req *s = container_of(r, struct send_req, r);
    int err = 0;
    struct port *pt = port_get(s->src_port, &err);
    /* A reference to the request's bytes, not a copy: lwIP chains its
     * headers in front, and copies the data itself if it must keep it past
     * udp_sendto (the ARP queue, loopback). */
    struct pbuf *p = pt ? pbuf_alloc(PBUF_RAW, s->len, PBUF_REF) : NULL;
    if (p) {
        ip_addr_t dst;
        ip_addr_set_ip4_u32(&dst, lwip_htonl(s->dst_ip));
        p->payload = s->data;
        err = net_err(udp_sendto(pt->pcb, p, &dst, s->dst_port));
        pbuf_free(p);
        if (!err)
            net_fast_learn(s->dst_ip);  /* the next datagrams may take the fast path */
    }
    if (!p || err)
        net_count_tx_drop();   /* no route, no ARP slot, no memory: lost like on a wire */
    kfree(s);
}

/* Net thread: the fast path's receive side (net_fast.c) hands a datagram
 * for a bound port straight to its upcall, as udp_rx would. */
bool
net_udp_deliver(uint16_t port, uint32_t src_ip, uint16_t src_port, const void *data,
                size_t len)
{
    for (struct port *pt = ports; pt; pt = pt->next)
        if (pt->port == port && pt->rx) {
            pt->rx(pt->arg, src_ip, src_port, data, len);
            return true;
        }
    return false;
}

/* The slow path: a copy queued for the net thread, which sends it through
 * lwIP (and learns the peer's address for the fast path). */
static int
send_slow(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data, size_t len)
{
    struct send_req *s = kmalloc(sizeof(*s) + len);
    if (!s)
        return -ENOMEM;
    s->r.fn = do_send;
    s->r.async = true;
    s->src_port = src_port;
    s->dst_port = dst_port;
    s->dst_ip = dst_ip;
    s->len = (uint16_t)len;
    memcpy(s->data, data, len);
    int err = net_post(&s->r);
    if (err)
        kfree(s);
    return err;
}

int
net_udp_send_more(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data,
                  size_t len, bool more)
{
    if (len > NET_UDP_MAX)
        return -EMSGSIZE;
    if (!net_is_up())
        return -ENETDOWN;
    uint64_t t0 = arch_cycles();
    int err = net_fast_send(src_port, dst_ip, dst_port, data, len, more);
    if (err == -EAGAIN)
        err = send_slow(src_port, dst_ip, dst_port, data, len);
    net_count_send_cycles(arch_cycles() - t0);
    return err;
}

int
net_udp_send(uint16_t src_port, uint32_t dst_ip, uint16_t dst_port, const void *data,
             size_t len)
{
    return net_udp_send_more(src_port, dst_ip, dst_port, data, len, false);
}

void
net_udp_kick(void)
{
    net_fast_kick();
}
