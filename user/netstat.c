/*
 * netstat: this node's network counters (WISP_SYS_NETSTAT, summed over its
 * NICs; net/net_sys.c) and identity (WISP_SYS_INFO), one "key value" per
 * line so tests can grep them. Exit 1 when the calls fail.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "wisp.h"

int
main(void)
{
    struct wisp_netstat ns;
    struct wisp_info in;

    memset(&ns, 0, sizeof ns);
    memset(&in, 0, sizeof in);
    if (wisp_info(&in, sizeof in) < 0 || wisp_netstat(&ns, sizeof ns) < 0) {
        fprintf(stderr, "netstat: %s\n", strerror(errno));
        return 1;
    }
    printf("node %d ip %u.%u.%u.%u nic %s mac %02x:%02x:%02x:%02x:%02x:%02x\n", in.node,
           in.ip >> 24, (in.ip >> 16) & 255, (in.ip >> 8) & 255, in.ip & 255,
           ns.nic[0] ? ns.nic : "-", ns.mac[0], ns.mac[1], ns.mac[2], ns.mac[3], ns.mac[4],
           ns.mac[5]);
    printf("rx_frames %llu\nrx_bytes %llu\ntx_frames %llu\ntx_bytes %llu\n",
           (unsigned long long)ns.rx_frames, (unsigned long long)ns.rx_bytes,
           (unsigned long long)ns.tx_frames, (unsigned long long)ns.tx_bytes);
    printf("rx_dropped %llu\ntx_dropped %llu\n", (unsigned long long)ns.rx_dropped,
           (unsigned long long)ns.tx_dropped);
    printf("injected_drop %llu\ninjected_dup %llu\ninjected_reorder %llu\nirqs %llu\n",
           (unsigned long long)ns.injected_drop, (unsigned long long)ns.injected_dup,
           (unsigned long long)ns.injected_reorder, (unsigned long long)ns.irqs);
    printf("polls %llu\nnotifies %llu\nnotifies_saved %llu\n", (unsigned long long)ns.polls,
           (unsigned long long)ns.notifies, (unsigned long long)ns.notifies_saved);
    printf("rx_rescues %llu\n", (unsigned long long)ns.rx_rescues);
    printf("cyc_rx %llu\ncyc_tx %llu\ncyc_other %llu\ncyc_send %llu\n",
           (unsigned long long)ns.cyc_rx, (unsigned long long)ns.cyc_tx,
           (unsigned long long)ns.cyc_other, (unsigned long long)ns.cyc_send);
    return 0;
}
