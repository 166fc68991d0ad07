/*
 * libFuzzer target: the RPC header decode path (net/rpc/rpc_wire.c). The
 * input is a datagram's body (header and payload): it is tagged with a
 * fixed key, as a key holder would, so the decoder's rules behind the tag
 * are what gets fuzzed; the input as it stands is also decoded (the tag
 * check must refuse it without crashing). Every datagram decode accepts
 * must satisfy rpc_wire_check and re-encode to the same bytes; anything
 * else must be rejected with a reason, never crash.
 * Built and run, bounded, by tests/qemu/hostfuzz.sh; seeds from fuzz_seeds.c.
 */
#include <stdlib.h>
#include <string.h>
#include "net/rpc/rpc_wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    static const struct rpc_mac_key key = { 0x0123456789abcdefull, 0xfedcba9876543210ull };
    static uint8_t out[RPC_MAX_PAYLOAD + 64], in[RPC_MAX_PAYLOAD + 64];
    struct rpc_hdr h;
    const void *payload = NULL;

    (void)rpc_wire_decode(&key, buf, len, &h, &payload);
    if (len > sizeof(in) - RPC_TAG_LEN)
        return 0;
    memcpy(in, buf, len);
    rpc_mac_tag(&key, in, len, in + len);
    buf = in;
    len += RPC_TAG_LEN;
    enum rpc_wire_reason r = rpc_wire_decode(&key, buf, len, &h, &payload);
    if (r != RPC_WIRE_OK)
        return 0;
    if (rpc_wire_check(&h) != RPC_WIRE_OK)
        abort();   /* decode accepted what its own rules refuse */
    if ((const uint8_t *)payload < buf || (const uint8_t *)payload + h.payload_len > buf + len)
        abort();   /* payload outside the datagram */
    size_t n = rpc_wire_encode(&key, &h, payload, out, sizeof(out));
    if (n == 0 || n > len || memcmp(out, buf, n) != 0)
        abort();   /* not a faithful round trip */
    return 0;
}
