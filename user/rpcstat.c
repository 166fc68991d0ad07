/*
 * rpcstat: print every counter of this node's RPC layer (struct
 * wisp_rpcstat, kernel/wisp_abi.h), one "name value" per line, in the
 * order of the struct. The counters are explained in docs/rpc.md.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include "wisp.h"

#define F(x) { #x, offsetof(struct wisp_rpcstat, x) }

static const struct {
    const char *name;
    size_t off;
} fields[] = {
    F(calls), F(replies), F(timeouts), F(hostdown), F(retransmits), F(frag_retransmits),
    F(acks_sent), F(acks_received), F(requests), F(duplicates), F(replays), F(rx_packets),
    F(tx_packets), F(bad_magic), F(bad_version), F(bad_length), F(bad_op), F(bad_other),
    F(stale_boot), F(peer_up_events), F(peer_down_events),
    F(bad_auth), F(unconfirmed), F(pings_sent), F(pings_received),
};

int
main(void)
{
    struct wisp_rpcstat s;
    memset(&s, 0, sizeof(s));
    if (wisp_rpcstat(&s, sizeof(s)) < 0) {
        fprintf(stderr, "rpcstat: %s\n", strerror(errno));
        return 1;
    }
    _Static_assert(sizeof(fields) / sizeof(fields[0]) * 8 == sizeof(struct wisp_rpcstat),
                   "every counter is printed");
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        uint64_t v;
        memcpy(&v, (const char *)&s + fields[i].off, sizeof(v));
        printf("%-18s %llu\n", fields[i].name, (unsigned long long)v);
    }
    return 0;
}
