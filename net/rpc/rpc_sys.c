/*
 * Wisp's RPC system calls (kernel/wisp_abi.h): the node list, the RPC
 * counters, an echo and a counting call to another node for tests and
 * benchmarks (user/rpcbench.c), the raw UDP blast, and the MAC's cost. Arguments are
 * checked here and copied with copyin/copyout; the work is rpc_call's.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/net.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc_int.h"
#include "net/rpc/rpc_sys.h"

long
sys_wisp_nodes(uint64_t ubuf, long max)
{
    if (max < 0)
        return -EINVAL;
    max = MIN(max, (long)RPC_MAX_NODES);
    if (max == 0)
        return 0;
    struct wisp_node *v = kmalloc((size_t)max * sizeof(*v));
    if (!v)
        return -ENOMEM;
    int k = recov_list(v, (int)max);
    for (int i = 0; i < k; i++)
        v[i].ip = net_node_ip(v[i].node);
    int err = copyout(ubuf, v, (size_t)k * sizeof(*v));
    kfree(v);
    return err ? err : k;
}

long
sys_wisp_rpcstat(uint64_t ubuf, long size)
{
    struct wisp_rpcstat s;
    if (size < 0)
        return -EINVAL;
    rpc_get_stats(&s);
    size_t n = MIN((size_t)size, sizeof(s));
    int err = copyout(ubuf, &s, n);
    return err ? err : (long)n;
}

long
sys_wisp_rpc_echo(long node, uint64_t uin, long len, uint64_t uout, long cap, uint64_t urtt)
{
    long ret;
    size_t replen = 0;

    if (len < 0 || cap < 0)
        return -EINVAL;
    if (len > RPC_MAX_DATA)
        return -EMSGSIZE;
    /* An echo's reply is as long as its request: a bigger buffer (and a
     * 64 KiB allocation on every null call) would buy nothing. */
    cap = MIN(cap, len);
    uint8_t *in = kmalloc(len ? (size_t)len : 1);
    uint8_t *out = kmalloc(cap ? (size_t)cap : 1);
    if (!in || !out) {
        ret = -ENOMEM;
        goto out_free;
    }
    ret = copyin(in, uin, (size_t)len);
    if (ret)
        goto out_free;
    /* rtt (optional): the round trip as the kernel saw it, from the call's
     * start to its reply, as ping's figure is (no system call, no copies). */
    uint64_t t0 = arch_time_ns();
    ret = rpc_call((int)node, RPC_OP_ECHO, in, (size_t)len, out, (size_t)cap, &replen);
    uint64_t rtt = arch_time_ns() - t0;
    if (ret)
        goto out_free;
    ret = copyout(uout, out, replen);
    if (ret == 0 && urtt)
        ret = copyout(urtt, &rtt, sizeof(rtt));
    if (ret == 0)
        ret = (long)replen;
out_free:
    kfree(in);
    kfree(out);
    return ret;
}

long
sys_wisp_rpc_count(long node, uint64_t uvalue)
{
    uint8_t rep[8];
    size_t len;
    int err = rpc_call((int)node, RPC_OP_COUNT, NULL, 0, rep, sizeof(rep), &len);
    if (err)
        return err;
    if (len != 8)
        return -EPROTO;
    uint64_t v = rpc_get_u64(rep);
    return copyout(uvalue, &v, sizeof(v));
}

long
sys_wisp_udp_blast(long node, long total, long dgram, uint64_t uout)
{
    struct wisp_blast b;
    if (total < 0 || dgram <= 0)
        return -EINVAL;
    int err = rpc_blast((int)node, (uint64_t)total, (uint32_t)MIN(dgram, 65536L), &b);
    if (err)
        return err;
    return copyout(uout, &b, sizeof(b));
}

/* Tag a size-byte buffer n times, as every datagram is tagged, and return
 * the elapsed ns (rpcbench mac). A bench key, not the cluster's. */
long
sys_wisp_mac_bench(long size, long n)
{
    static const uint8_t kb[RPC_KEY_LEN] = "wisp mac bench!";
    struct rpc_mac_key k;
    uint8_t tag[RPC_TAG_LEN];

    if (size < 0 || size > RPC_MAX_DATA || n <= 0 || n > 100000000)
        return -EINVAL;
    uint8_t *buf = kmalloc(size ? (size_t)size : 1);
    if (!buf)
        return -ENOMEM;
    for (long i = 0; i < size; i++)
        buf[i] = (uint8_t)(i * 31 + 7);
    rpc_mac_key_set(&k, kb);
    uint64_t t0 = arch_time_ns();
    for (long i = 0; i < n; i++) {
        rpc_mac_tag(&k, buf, (size_t)size, tag);
        if (size)
            buf[0] ^= tag[0];           /* each tag depends on the last */
    }
    uint64_t el = arch_time_ns() - t0;
    kfree(buf);
    return (long)MAX(el, 1ull);
}
