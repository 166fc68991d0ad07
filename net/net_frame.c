/*
 * Ethernet + IPv4 + UDP headers for the fast path (net_fast.c): build the
 * 42 bytes in front of a datagram, and recognise a received frame that is
 * one whole (unfragmented) UDP datagram to this host, without lwIP. Pure
 * functions on bytes (network byte order on the wire, host order in the
 * arguments); net/net_frame_test.c checks them against hand-made frames
 * and against each other. docs/net.md, "The fast path".
 */
#include "kernel/compiler.h"
#include "net/net_copy.h"
#include "net/net_int.h"

#define ETH_TYPE_IP 0x0800
#define IP_PROTO_UDP 17
#define IP_DF 0x4000

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)(v >> 8);
    p[1] = (uint8_t)v;
}

static void
put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)(v >> 16));
    put16(p + 2, (uint16_t)v);
}

static uint16_t
get16(const uint8_t *p)
{
    return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
    return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint16_t
fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

void
net_frame_build(uint8_t *hdr, const struct net_frame_addr *a, size_t len, uint16_t ip_id)
{
    uint8_t *ip = hdr + NET_FRAME_ETH, *udp = ip + NET_FRAME_IP;
    for (int i = 0; i < 6; i++) {
        hdr[i] = a->dst_mac[i];
        hdr[6 + i] = a->src_mac[i];
    }
    put16(hdr + 12, ETH_TYPE_IP);
    ip[0] = 0x45;                       /* IPv4, 20-byte header */
    ip[1] = 0;
    put16(ip + 2, (uint16_t)(NET_FRAME_IP + NET_FRAME_UDP + len));
    put16(ip + 4, ip_id);
    put16(ip + 6, IP_DF);               /* never fragmented: the id does not matter */
    ip[8] = 64;
    ip[9] = IP_PROTO_UDP;
    put16(ip + 10, 0);
    put32(ip + 12, a->src_ip);
    put32(ip + 16, a->dst_ip);
    uint16_t sum = (uint16_t)~net_chksum(ip, NET_FRAME_IP);
    __builtin_memcpy(ip + 10, &sum, 2);     /* memory order, as net_chksum sums */
    put16(udp, a->src_port);
    put16(udp + 2, a->dst_port);
    put16(udp + 4, (uint16_t)(NET_FRAME_UDP + len));
    put16(udp + 6, 0);                  /* no checksum (IPv4 allows it; RPC has its tag) */
}

/* The UDP checksum of a received datagram whose field is not 0. */
static bool
udp_sum_ok(const uint8_t *ip, const uint8_t *udp, unsigned ulen)
{
    uint8_t ph[12];
    __builtin_memcpy(ph, ip + 12, 8);   /* source and destination address */
    ph[8] = 0;
    ph[9] = IP_PROTO_UDP;
    put16(ph + 10, (uint16_t)ulen);
    return fold((uint32_t)net_chksum(ph, sizeof(ph)) + net_chksum(udp, (int)ulen)) == 0xffff;
}

bool
net_frame_parse(const void *frame, size_t len, const uint8_t *my_mac, uint32_t my_ip,
                struct net_frame_udp *out)
{
    const uint8_t *f = frame, *ip = f + NET_FRAME_ETH, *udp = ip + NET_FRAME_IP;
    if (len < NET_FRAME_HDR || get16(f + 12) != ETH_TYPE_IP || ip[0] != 0x45 ||
        ip[9] != IP_PROTO_UDP || (get16(ip + 6) & 0x3fff) != 0)
        return false;       /* not IPv4 UDP with a plain header, or a fragment */
    for (int i = 0; i < 6; i++)
        if (f[i] != my_mac[i])
            return false;   /* broadcast, multicast: lwIP's */
    unsigned tot = get16(ip + 2), ulen = get16(udp + 4);
    if (tot < NET_FRAME_IP + NET_FRAME_UDP || tot > len - NET_FRAME_ETH ||
        ulen != tot - NET_FRAME_IP || get32(ip + 16) != my_ip)
        return false;
    if (net_chksum(ip, NET_FRAME_IP) != 0xffff)
        return false;
    if (get16(udp + 6) != 0 && !udp_sum_ok(ip, udp, ulen))
        return false;
    out->src_ip = get32(ip + 12);
    out->src_port = get16(udp);
    out->dst_port = get16(udp + 2);
    out->data = udp + NET_FRAME_UDP;
    out->len = ulen - NET_FRAME_UDP;
    return true;
}
