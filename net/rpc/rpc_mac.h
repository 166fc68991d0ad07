/*
 * The RPC datagrams' message authentication code: SipHash-2-4 with a
 * 128-bit output (Aumasson and Bernstein), keyed with the 16-byte cluster
 * key. Portable (kernel and host tests); implemented in rpc_mac.c, checked
 * against the published 128-bit test vectors by rpc_mac_test.c. The wire
 * use (a tag after every datagram) is rpc_wire.c's; docs/rpc.md.
 */
#pragma once
#include "kernel/compiler.h"

#define RPC_TAG_LEN     16      /* bytes of tag after each datagram */
#define RPC_KEY_LEN     16      /* bytes of key; 32 hex digits on the command line */

/* A key as SipHash uses it: the 16 bytes read as two little-endian words. */
struct rpc_mac_key {
    uint64_t k0, k1;
};

void rpc_mac_key_set(struct rpc_mac_key *k, const uint8_t bytes[RPC_KEY_LEN]);

/* The 16-byte tag of msg[0..len) (SipHash-2-4-128, little-endian output). */
void rpc_mac_tag(const struct rpc_mac_key *k, const void *msg, size_t len,
                 uint8_t out[RPC_TAG_LEN]);

/* Does tag match msg[0..len)? Compares in time independent of where the
 * bytes differ. */
bool rpc_mac_verify(const struct rpc_mac_key *k, const void *msg, size_t len,
                    const uint8_t tag[RPC_TAG_LEN]);

/* Parse exactly 32 hex digits (either case) into out. 0, or -EINVAL for
 * anything else (out is then zeroed). */
int rpc_mac_parse_key(const char *s, uint8_t out[RPC_KEY_LEN]);
