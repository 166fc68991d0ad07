/*
 * nodes: the nodes this node knows of, as the RPC layer's recov module
 * sees them: node id, state (up, down, unknown), boot id, address, and
 * how long ago it was last heard from. Nodes of the cluster (nodes= on the
 * kernel command line) never heard from are listed as unknown.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "wisp.h"

#define MAXN 256

static const char *
state_name(int s)
{
    return s == WISP_NODE_UP ? "up" : s == WISP_NODE_DOWN ? "down" : "unknown";
}

int
main(void)
{
    static struct wisp_node v[MAXN];
    struct wisp_info info;
    struct timespec ts;
    int known[MAXN] = { 0 };

    long n = wisp_nodes(v, MAXN);
    if (n < 0) {
        fprintf(stderr, "nodes: %s\n", strerror(errno));
        return 1;
    }
    memset(&info, 0, sizeof(info));
    if (wisp_info(&info, sizeof(info)) < 0)
        info.nodes = 0;                 /* older kernel: list only what is known */
    clock_gettime(CLOCK_MONOTONIC, &ts);
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;

    printf("%-5s %-8s %-10s %-15s %s\n", "NODE", "STATE", "BOOT_ID", "ADDRESS", "LAST_HEARD");
    for (long i = 0; i < n; i++) {
        char ip[16], heard[32];
        uint32_t a = v[i].ip ? v[i].ip : wisp_node_ip(v[i].node);
        snprintf(ip, sizeof(ip), "%u.%u.%u.%u", a >> 24, (a >> 16) & 255, (a >> 8) & 255,
                 a & 255);
        if (v[i].last_heard_ns == 0)
            snprintf(heard, sizeof(heard), "never");
        else if (v[i].last_heard_ns <= now)
            snprintf(heard, sizeof(heard), "%.1fs ago", (now - v[i].last_heard_ns) / 1e9);
        else
            snprintf(heard, sizeof(heard), "now");
        printf("%-5d %-8s %08x   %-15s %s%s\n", v[i].node, state_name(v[i].state),
               v[i].boot_id, ip, heard, v[i].node == info.node && info.nodes ? " (self)" : "");
        if (v[i].node >= 0 && v[i].node < MAXN)
            known[v[i].node] = 1;
    }
    for (int k = 0; k < info.nodes && k < MAXN; k++) {
        if (known[k])
            continue;
        uint32_t a = wisp_node_ip(k);
        printf("%-5d %-8s %08x   %u.%u.%u.%-7u %s\n", k, "unknown", 0u, a >> 24,
               (a >> 16) & 255, (a >> 8) & 255, a & 255, "never");
    }
    return 0;
}
