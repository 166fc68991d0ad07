/*
 * Node ids <-> IPv4 addresses, and this node's own address. The cluster
 * rule is fixed and pure: node K is 10.77.0.(K+1)/24 for K = 0..253, so any
 * node can name any other without asking. ip=A.B.C.D/NN on the command line
 * changes only this node's address (net_core.c reads it). No lwIP here, so
 * net_addr_test.c runs on the host.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "net/net.h"
#include "net/net_int.h"

#define NET_ADDR_BASE  0x0a4d0000u   /* 10.77.0.0 */
#define NET_ADDR_NODES 254           /* .1 .. .254; .255 is broadcast */

static uint32_t self_ip;              /* set once by net_init, read-only after */
static int self_prefix = NET_ADDR_DEFAULT_PREFIX;

uint32_t
net_node_ip(int node)
{
    if (node < 0 || node >= NET_ADDR_NODES)
        return 0;
    return NET_ADDR_BASE + (uint32_t)node + 1;
}

int
net_ip_node(uint32_t ip)
{
    if ((ip & 0xffffff00u) != NET_ADDR_BASE)
        return -1;
    uint32_t host = ip & 0xff;
    if (host == 0 || host > NET_ADDR_NODES)
        return -1;
    return (int)host - 1;
}

uint32_t
net_self_ip(void)
{
    return self_ip;
}

int
net_addr_self_prefix(void)
{
    return self_prefix;
}

void
net_addr_set_self(uint32_t ip, int prefix)
{
    self_ip = ip;
    self_prefix = prefix;
}

uint32_t
net_addr_mask(int prefix)
{
    if (prefix <= 0)
        return 0;
    if (prefix >= 32)
        return 0xffffffffu;
    return ~((1u << (32 - prefix)) - 1);
}

/* A decimal number of at most 3 digits, at most max; advances *s. */
static int
parse_num(const char **s, unsigned max, unsigned *out)
{
    const char *p = *s;
    unsigned v = 0;
    int digits = 0;
    while (*p >= '0' && *p <= '9' && digits < 4) {
        v = v * 10 + (unsigned)(*p++ - '0');
        digits++;
    }
    if (digits == 0 || digits > 3 || v > max)
        return -EINVAL;
    *s = p;
    *out = v;
    return 0;
}

int
net_addr_parse(const char *s, uint32_t *ip, int *prefix)
{
    uint32_t v = 0;
    unsigned part;
    unsigned plen = NET_ADDR_DEFAULT_PREFIX;

    if (!s)
        return -EINVAL;
    for (int i = 0; i < 4; i++) {
        if (i > 0 && *s++ != '.')
            return -EINVAL;
        if (parse_num(&s, 255, &part) != 0)
            return -EINVAL;
        v = v << 8 | part;
    }
    if (*s == '/') {
        s++;
        if (parse_num(&s, 32, &plen) != 0 || plen == 0)
            return -EINVAL;
    }
    if (*s != '\0')
        return -EINVAL;
    *ip = v;
    if (prefix)
        *prefix = (int)plen;
    return 0;
}

char *
net_addr_format(uint32_t ip, char *buf, size_t size)
{
    k_snprintf(buf, size, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 0xff, (ip >> 8) & 0xff,
               ip & 0xff);
    return buf;
}
