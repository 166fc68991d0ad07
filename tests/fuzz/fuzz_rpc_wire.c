/*
 * libFuzzer target: the RPC header decode path (net/rpc/rpc_wire.c). Every
 * datagram decode accepts must satisfy rpc_wire_check and re-encode to the
 * same bytes; anything else must be rejected with a reason, never crash.
 * Built and run, bounded, by tests/qemu/hostfuzz.sh; seeds from fuzz_seeds.c.
 */
#include <stdlib.h>
#include <string.h>
#include "net/rpc/rpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    static uint8_t out[RPC_MAX_PAYLOAD + 64];
    struct rpc_hdr h;
    const void *payload = NULL;

    enum rpc_wire_reason r = rpc_wire_decode(buf, len, &h, &payload);
    if (r != RPC_WIRE_OK)
        return 0;
    if (rpc_wire_check(&h) != RPC_WIRE_OK)
        abort();   /* decode accepted what its own rules refuse */
    if ((const uint8_t *)payload < buf || (const uint8_t *)payload + h.payload_len > buf + len)
        abort();   /* payload outside the datagram */
    size_t n = rpc_wire_encode(&h, payload, out, sizeof(out));
    if (n == 0 || n > len || memcmp(out, buf, n) != 0)
        abort();   /* not a faithful round trip */
    return 0;
}
