/*
 * Writes the seed corpora for the libFuzzer targets: valid RPC datagrams of
 * every kind (requests, fragments, replies, acks) without their tag (the
 * target tags its input itself) and a few command lines.
 * The ELF target is seeded with real musl binaries by hostfuzz.sh.
 * Usage: fuzz_seeds DIR_RPC DIR_CMDLINE
 */
#include <stdio.h>
#include <string.h>
#include "net/rpc/rpc_wire.h"

static int n;

static void
put(const char *dir, const void *buf, size_t len)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/seed%03d", dir, n++);
    FILE *f = fopen(path, "wb");
    if (!f) {
        perror(path);
        return;
    }
    fwrite(buf, 1, len, f);
    fclose(f);
}

int
main(int argc, char **argv)
{
    static uint8_t pkt[RPC_MAX_PAYLOAD + 64], data[RPC_MAX_PAYLOAD];
    static const uint32_t totals[] = { 0, 1, 100, RPC_FRAG_DATA, RPC_FRAG_DATA + 1, 65536 };
    static const char *const lines[] = {
        "node=2 nodes=4 ip=10.77.0.3/24 console=ttyS0",
        "test=boot initargs=\"sh -c true\"",
        "netdrop=10 netdup=5 netreorder=5 netseed=7 strace",
    };
    if (argc != 3)
        return 2;
    memset(data, 0x5a, sizeof(data));
    for (size_t t = 0; t < sizeof(totals) / sizeof(totals[0]); t++) {
        for (int kind = 0; kind < 3; kind++) {
            struct rpc_hdr h = {
                .version = RPC_PROTO_VERSION, .op = RPC_OP_ECHO, .client = 1, .server = 2,
                .channel = 3, .seq = 42, .boot_id = 0x1234, .dst_boot = 0x5678,
            };
            h.total_len = totals[t];
            h.frag_count = (uint8_t)rpc_frag_count(totals[t]);
            h.flags = kind == 0 ? RPC_F_REQUEST : kind == 1 ? RPC_F_REPLY : RPC_F_REQUEST;
            if (h.frag_count > 1)
                h.flags |= RPC_F_FRAG;
            h.frag_index = (uint8_t)(h.frag_count - 1);
            h.payload_len = (uint16_t)rpc_frag_len(totals[t], h.frag_index);
            struct rpc_mac_key key = { 1, 2 };
            size_t len = rpc_wire_encode(&key, &h, data, pkt, sizeof(pkt));
            if (len)
                put(argv[1], pkt, len - RPC_TAG_LEN);
        }
    }
    n = 0;
    for (size_t i = 0; i < sizeof(lines) / sizeof(lines[0]); i++)
        put(argv[2], lines[i], strlen(lines[i]));
    return 0;
}
