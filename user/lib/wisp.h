/*
 * Wrappers for Wisp's own system calls (kernel/wisp_abi.h) for user
 * programs: static inline over musl's syscall(), so nothing needs linking.
 * Each returns what syscall() returns: the result, or -1 with errno set.
 * wisp_node_ip is the cluster's address rule (net/net_addr.c) for tools
 * that accept a node id where an address is expected.
 */
#pragma once
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "../../kernel/wisp_abi.h"

static inline long
wisp_nodes(struct wisp_node *buf, long max)
{
    return syscall(WISP_SYS_NODES, buf, max);
}

/* One ICMP echo to ip (host byte order); *rtt_ns on success. */
static inline long
wisp_ping(uint32_t ip, long seq, long payload, uint64_t timeout_ns, uint64_t *rtt_ns)
{
    return syscall(WISP_SYS_PING, (long)ip, seq, payload, timeout_ns, rtt_ns);
}

static inline long
wisp_fsstat(struct wisp_fsstat *buf, long size)
{
    return syscall(WISP_SYS_FSSTAT, buf, size);
}

static inline long
wisp_fsmigstat(struct wisp_fsmigstat *buf, long size)
{
    return syscall(WISP_SYS_FSMIGSTAT, buf, size);
}

static inline long
wisp_fsraw(long op, const void *req, long len)
{
    return syscall(WISP_SYS_FSRAW, op, req, len);
}

static inline long
wisp_rpcstat(struct wisp_rpcstat *buf, long size)
{
    return syscall(WISP_SYS_RPCSTAT, buf, size);
}

static inline long
wisp_rpc_echo(long node, const void *in, long len, void *out, long cap, uint64_t *rtt)
{
    return syscall(WISP_SYS_RPC_ECHO, node, in, len, out, cap, rtt);
}

static inline long
wisp_rpc_count(long node, uint64_t *value)
{
    return syscall(WISP_SYS_RPC_COUNT, node, value);
}

static inline long
wisp_rpc_sink(long node, const void *in, long len, long count)
{
    return syscall(WISP_SYS_RPC_SINK, node, in, len, count);
}

static inline long
wisp_netstat(struct wisp_netstat *buf, long size)
{
    return syscall(WISP_SYS_NETSTAT, buf, size);
}

static inline long
wisp_udp_blast(long node, long total, long dgram, struct wisp_blast *out)
{
    return syscall(WISP_SYS_UDP_BLAST, node, total, dgram, out);
}

static inline long
wisp_rpc_stream(long node, long size, long count, long flags, struct wisp_rpcstream *out)
{
    return syscall(WISP_SYS_RPC_STREAM, node, size, count, flags, out);
}

static inline long
wisp_info(struct wisp_info *buf, long size)
{
    return syscall(WISP_SYS_INFO, buf, size);
}

static inline long
wisp_timesync(struct wisp_timesync *buf, long size, long flags)
{
    return syscall(WISP_SYS_TIMESYNC, buf, size, flags);
}

static inline long
wisp_mac_bench(long size, long n)
{
    return syscall(WISP_SYS_MAC_BENCH, size, n);
}

/* Node K is 10.77.0.(K+1) (net/net_addr.c); 0 when K is out of range. */
static inline uint32_t
wisp_node_ip(int node)
{
    if (node < 0 || node > 253)
        return 0;
    return 0x0a4d0000u + (uint32_t)node + 1;
}

/* Start path on node with argv/envp: the child's pid (its home is this
 * node, its parent the caller). */
static inline long
wisp_rexec(long node, const char *path, char *const argv[], char *const envp[])
{
    return syscall(WISP_SYS_REXEC, node, path, argv, envp);
}

/* Node's process table (node -1: this one): up to max entries. */
static inline long
wisp_proc_list(long node, struct wisp_proc *buf, long max)
{
    return syscall(WISP_SYS_PROC_LIST, node, buf, max);
}

/* Streams across nodes: the export counters. */

static inline long
wisp_streamstat(struct wisp_streamstat *buf, long size)
{
    return syscall(WISP_SYS_STREAMSTAT, buf, size);
}

/* Process migration (docs/migration.md). */
static inline long
wisp_migrate(long pid, long node, long strategy, struct wisp_migrate *stats)
{
    return syscall(WISP_SYS_MIGRATE, pid, node, strategy, stats);
}

static inline long
wisp_evict(void)
{
    return syscall(WISP_SYS_EVICT);
}

static inline long
wisp_migstat(struct wisp_migstat *buf, long size)
{
    return syscall(WISP_SYS_MIGSTAT, buf, size);
}

static inline long
wisp_migprobe(long node)
{
    return syscall(WISP_SYS_MIGPROBE, node);
}
