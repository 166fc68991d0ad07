/*
 * Wisp's network system calls (net/net_sys.h): ping from user space,
 * the interface counters (netstat) and this node's identity (info). A
 * short user buffer gets a prefix of the structure, so older programs keep
 * working when a structure grows. The structures are kernel/wisp_abi.h.
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/net.h"
#include "net/net_int.h"
#include "net/net_sys.h"

#define PING_DEFAULT_NS  1000000000ull
#define PING_MAX_NS     60000000000ull

/* The RPC layer's boot id, when it is linked in (net/rpc/). */
__attribute__((weak)) uint32_t rpc_boot_id(void);

/* Copy the first min(size, n) bytes of src out; the count or -errno. */
static long
copy_prefix(uint64_t ubuf, long size, const void *src, size_t n)
{
    if (size < 0)
        return -EINVAL;
    size_t len = MIN((size_t)size, n);
    if (copyout(ubuf, src, len) != 0)
        return -EFAULT;
    return (long)len;
}

long
sys_wisp_ping(uint64_t ip, long seq, long payload, uint64_t timeout_ns, uint64_t urtt)
{
    uint64_t rtt = 0;
    if (ip == 0 || ip > 0xffffffffull || payload < 0 || seq < 0 || seq > 0xffff)
        return -EINVAL;
    if (timeout_ns == 0)
        timeout_ns = PING_DEFAULT_NS;
    if (timeout_ns > PING_MAX_NS)
        timeout_ns = PING_MAX_NS;
    int err = net_ping((uint32_t)ip, (uint16_t)seq, (size_t)payload, timeout_ns, &rtt);
    if (err)
        return err;
    if (urtt && copyout(urtt, &rtt, sizeof rtt) != 0)
        return -EFAULT;
    return 0;
}

long
sys_wisp_netstat(uint64_t ubuf, long size)
{
    struct wisp_netstat ns;
    struct net_stats s;
    memset(&ns, 0, sizeof ns);
    net_get_stats(&s);
    ns.rx_frames = s.rx_frames;
    ns.rx_bytes = s.rx_bytes;
    ns.tx_frames = s.tx_frames;
    ns.tx_bytes = s.tx_bytes;
    ns.rx_dropped = s.rx_dropped;
    ns.tx_dropped = s.tx_dropped;
    ns.injected_drop = s.injected_drop;
    ns.injected_dup = s.injected_dup;
    ns.injected_reorder = s.injected_reorder;
    ns.irqs = s.irqs;
    ns.polls = s.polls;
    ns.notifies = s.notifies;
    ns.notifies_saved = s.notifies_saved;
    ns.rx_rescues = s.rx_rescues;
    ns.cyc_rx = s.cyc_rx;
    ns.cyc_tx = s.cyc_tx;
    ns.cyc_other = s.cyc_other;
    ns.cyc_send = s.cyc_send;
    const struct net_dev *d = net_first_dev();
    if (d) {
        k_strlcpy(ns.nic, d->name, sizeof ns.nic);
        memcpy(ns.mac, d->mac, sizeof ns.mac);
    }
    return copy_prefix(ubuf, size, &ns, sizeof ns);
}

long
sys_wisp_info(uint64_t ubuf, long size)
{
    struct wisp_info in;
    uint64_t nodes = 0;
    const struct cmdline *c = net_cmdline();
    memset(&in, 0, sizeof in);
    if (c && cmdline_get_u64(c, "nodes", 0, &nodes) != 0)
        nodes = 0;
    in.node = main_node_id();
    in.nodes = (int32_t)MIN(nodes, 2048u);
    in.boot_id = rpc_boot_id ? rpc_boot_id() : 0;
    in.ip = net_self_ip();
    return copy_prefix(ubuf, size, &in, sizeof in);
}
