/*
 * Raw UDP throughput, the baseline RPC throughput is compared with: a sink
 * on port NET_UDP_PORT_RPC + 1 counts the bytes it receives, the sender
 * pushes datagrams at it as fast as the network core takes them, and an
 * RPC (SINK_COUNT) then asks the sink how many arrived, resetting it.
 * The system call is in rpc_sys.c. Also the SINK op (request bytes, empty
 * reply: one-way RPC throughput) and its system call.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/net.h"
#include "net/rpc/rpc_int.h"
#include "net/rpc/rpc_sys.h"

#define BLAST_PORT      (NET_UDP_PORT_RPC + 1)
#define BLAST_SETTLE_NS (200 * 1000000ull)   /* for the last datagrams to land */
#define BLAST_MAX_STALL 100000               /* consecutive full-queue retries */

/* The net thread runs sink_rx and (an inline op) SINK_COUNT, so these need
 * no lock; SINK_COUNT's handler may also run in a server thread when it is
 * called locally, hence the atomics. */
static uint64_t sink_bytes;    /* since the last SINK_COUNT */
static uint64_t sink_first_ns, sink_last_ns;   /* arrival of the first and last datagram */

static void
sink_rx(void *arg, uint32_t src_ip, uint16_t src_port, const void *data, size_t len)
{
    uint64_t now = arch_time_ns();
    if (__atomic_load_n(&sink_first_ns, __ATOMIC_RELAXED) == 0)
        __atomic_store_n(&sink_first_ns, now, __ATOMIC_RELAXED);
    __atomic_store_n(&sink_last_ns, now, __ATOMIC_RELAXED);
    __atomic_add_fetch(&sink_bytes, len, __ATOMIC_RELAXED);
}

int
rpc_blast_init(void)
{
    return net_udp_bind(BLAST_PORT, sink_rx, NULL);
}

int
rpc_rpc_sink_count(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    if (*replen < 16)
        return -EMSGSIZE;
    uint64_t first = __atomic_exchange_n(&sink_first_ns, 0, __ATOMIC_SEQ_CST);
    uint64_t last = __atomic_load_n(&sink_last_ns, __ATOMIC_SEQ_CST);
    rpc_put_u64(rep, __atomic_exchange_n(&sink_bytes, 0, __ATOMIC_SEQ_CST));
    rpc_put_u64((uint8_t *)rep + 8, first && last > first ? last - first : 0);
    *replen = 16;
    return 0;
}

/* Bytes the sink counted since last asked, and the time from the first to
 * the last of their arrivals (the receiver's own view of the blast). */
static int
sink_take(int node, uint64_t *bytes, uint64_t *span_ns)
{
    uint8_t rep[16];
    size_t len;
    int err = rpc_call(node, RPC_OP_SINK_COUNT, NULL, 0, rep, sizeof(rep), &len);
    if (err)
        return err;
    if (len != 16)
        return -EPROTO;
    *bytes = rpc_get_u64(rep);
    *span_ns = rpc_get_u64(rep + 8);
    return 0;
}

int
rpc_blast(int node, uint64_t total, uint32_t dgram, struct wisp_blast *out)
{
    uint64_t ignored, ignored_ns, sent = 0;
    int err, stall = 0;

    memset(out, 0, sizeof(*out));
    if (dgram == 0 || dgram > RPC_MAX_PAYLOAD || node < 0 || node >= RPC_MAX_NODES)
        return -EINVAL;
    err = sink_take(node, &ignored, &ignored_ns);    /* zero the sink; proves the node is there */
    if (err)
        return err;
    uint8_t *buf = kmalloc(dgram);
    if (!buf)
        return -ENOMEM;
    for (uint32_t i = 0; i < dgram; i++)
        buf[i] = (uint8_t)i;
    uint32_t ip = net_node_ip(node);
    uint64_t t0 = arch_time_ns();
    while (sent < total) {
        size_t len = (size_t)MIN((uint64_t)dgram, total - sent);
        err = net_udp_send(BLAST_PORT, ip, BLAST_PORT, buf, len);
        if (err == -ENOMEM || err == -EAGAIN) {
            if (++stall > BLAST_MAX_STALL)
                break;
            sched_yield();              /* let the net thread drain its queue */
            continue;
        }
        if (err)
            break;
        stall = 0;
        sent += len;
    }
    /* The sends above only queue: the time that counts ends when the last
     * datagram has reached the NIC, not when it was queued. */
    int ferr = net_flush();
    (void)ferr;
    out->elapsed_ns = arch_time_ns() - t0;
    out->sent_bytes = sent;
    kfree(buf);
    if (err && err != -ENOMEM && err != -EAGAIN)
        return err;
    int serr = sched_sleep_ns(BLAST_SETTLE_NS);
    (void)serr;
    return sink_take(node, &out->received_bytes, &out->rx_span_ns);
}

/* SINK: the one-way bulk op; the request is consumed, the reply is empty. */
int
rpc_rpc_sink(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    *replen = 0;
    return 0;
}

long
sys_wisp_rpc_sink(long node, uint64_t uin, long len, long count)
{
    size_t replen = 0;
    if (count == 0)
        count = 1;
    if (len < 0 || count < 0 || count > 1000000)
        return -EINVAL;
    if (len > RPC_MAX_DATA)
        return -EMSGSIZE;
    uint8_t *in = kmalloc(len ? (size_t)len : 1);
    if (!in)
        return -ENOMEM;
    /* count > 1: the calls a kernel client (migration, the file system)
     * makes back to back, without a system call and a copy each. */
    long ret = copyin(in, uin, (size_t)len), done = 0;
    while (ret == 0 && done < count) {
        ret = rpc_call((int)node, RPC_OP_SINK, in, (size_t)len, NULL, 0, &replen);
        if (ret == 0)
            done++;
    }
    kfree(in);
    return ret ? ret : done;
}
