/*
 * Wisp's RPC and cluster system calls (numbers and structures in
 * kernel/wisp_abi.h, rows in kernel/syscall_table.def). Each returns the
 * result or -errno, like the handlers of kernel/sys.h, and may sleep.
 * Implemented in net/rpc/rpc_sys.c; the raw UDP blast in rpc_blast.c.
 */
#pragma once
#include "kernel/compiler.h"

struct wisp_blast;

long sys_wisp_nodes(uint64_t ubuf, long max);
long sys_wisp_rpcstat(uint64_t ubuf, long size);
long sys_wisp_rpc_echo(long node, uint64_t uin, long len, uint64_t uout, long cap,
                       uint64_t urtt);
long sys_wisp_rpc_count(long node, uint64_t uvalue);
long sys_wisp_udp_blast(long node, long total, long dgram, uint64_t uout);
long sys_wisp_rpc_stream(long node, long size, long count, long flags, uint64_t uout);
long sys_wisp_rpc_sink(long node, uint64_t uin, long len, long count);   /* rpc_blast.c */

/* Send total bytes in dgram-byte datagrams to node's UDP sink (port
 * NET_UDP_PORT_RPC + 1) and ask it by RPC how many arrived. 0, -EINVAL,
 * or an RPC or network error. Sleeps. */
MUST_CHECK int rpc_blast(int node, uint64_t total, uint32_t dgram, struct wisp_blast *out);
/* Bind the sink's port. 0 or -errno. */
MUST_CHECK int rpc_blast_init(void);
