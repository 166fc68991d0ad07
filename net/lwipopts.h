/*
 * lwIP configuration for Wisp (docs/net.md): NO_SYS=1, because every lwIP
 * call runs in the one "net" kernel thread (net/net_core.c); IPv4 with
 * ARP, ICMP, raw and UDP; no TCP, DHCP, DNS or IPv6 (the cluster uses
 * static addresses and kernel RPC over UDP). Memory comes from kmalloc.
 * Read only by lwIP and net/net_*.c; the rest of the kernel uses net/net.h.
 */
#pragma once

#define NO_SYS                      1
#define SYS_LIGHTWEIGHT_PROT        0   /* one thread owns lwIP: nothing to protect */
#define LWIP_NETCONN                0
#define LWIP_SOCKET                 0
#define LWIP_TIMERS                 1

/* Memory: the heap and the pools from kmalloc (net/arch/cc.h). */
#define MEM_LIBC_MALLOC             1
#define MEMP_MEM_MALLOC             1
#define MEM_ALIGNMENT               8
#define mem_clib_malloc             kmalloc
#define mem_clib_free               kfree
#define mem_clib_calloc             net_lwip_calloc
#define MEMP_NUM_PBUF               256
#define MEMP_NUM_RAW_PCB            4
#define MEMP_NUM_UDP_PCB            16
#define MEMP_NUM_ARP_QUEUE          64
#define PBUF_POOL_SIZE              256
#define PBUF_POOL_BUFSIZE           1536

/* Protocols. */
#define LWIP_IPV4                   1
#define LWIP_IPV6                   0
#define LWIP_ARP                    1
#define LWIP_ETHERNET               1
#define LWIP_ICMP                   1
#define LWIP_RAW                    1
#define LWIP_UDP                    1
#define LWIP_TCP                    0
#define LWIP_DHCP                   0
#define LWIP_AUTOIP                 0
#define LWIP_IGMP                   0
#define LWIP_DNS                    0
#define LWIP_BROADCAST_PING         1
#define IP_REASSEMBLY               1   /* RPC fragments itself; keep IP's for large pings */
#define IP_FRAG                     1
#define IP_REASS_MAX_PBUFS          64
#define ARP_QUEUEING                1   /* the first packet to a node waits for ARP */
#define ARP_QUEUE_LEN               32  /* lwIP's 3 dropped a first ping behind RPC's boot
                                           handshake (challenges, PING answers) */
#define ARP_TABLE_SIZE              32
#define ETHARP_SUPPORT_STATIC_ENTRIES 0
#define LWIP_NETIF_STATUS_CALLBACK  0
#define LWIP_NETIF_LINK_CALLBACK    0
#define LWIP_SINGLE_NETIF           0
#define LWIP_NETIF_LOOPBACK         1   /* ping and UDP to our own address */
#define LWIP_HAVE_LOOPIF            0

/* Checksums in software (the drivers offload nothing). */
#define CHECKSUM_GEN_IP             1
#define CHECKSUM_GEN_UDP            1
#define CHECKSUM_GEN_ICMP           1
#define CHECKSUM_CHECK_IP           1
#define CHECKSUM_CHECK_UDP          1
#define CHECKSUM_CHECK_ICMP         1

/* Statistics and debugging: Wisp keeps its own counters (struct net_stats). */
#define LWIP_STATS                  0
#define LWIP_DEBUG                  0
#define LWIP_PERF                   0
#define LWIP_RAND()                 net_lwip_rand()

/* Checksums a word at a time (net/net_copy.c): lwIP's own loop goes 16
 * bits at a time, which dominates a frame's cost under TCG. (Its copies are
 * the kernel's memcpy, which moves words at any alignment.) */
#include "net/net_copy.h"
#define LWIP_CHKSUM                 net_chksum
