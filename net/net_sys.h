/*
 * The Wisp system calls the network core serves (kernel/wisp_abi.h):
 * WISP_SYS_PING, WISP_SYS_NETSTAT, WISP_SYS_INFO. Rows in
 * kernel/syscall_table.def point here; handlers may sleep. Implemented in
 * net/net_sys.c.
 */
#pragma once
#include "kernel/compiler.h"

/* (uint32_t ip, long seq, long payload, uint64_t timeout_ns, uint64_t *rtt_ns)
 * -> 0, -ETIMEDOUT, -ENETDOWN, -EINVAL, -EFAULT, -EINTR. timeout_ns 0 means
 * one second. */
long sys_wisp_ping(uint64_t ip, long seq, long payload, uint64_t timeout_ns, uint64_t urtt);
/* (struct wisp_netstat *buf, long size) -> bytes written (at most size). */
long sys_wisp_netstat(uint64_t ubuf, long size);
/* (struct wisp_info *buf, long size) -> bytes written (at most size). */
long sys_wisp_info(uint64_t ubuf, long size);
