/*
 * SipHash-2-4 with 128-bit output, written from the algorithm's
 * description: four 64-bit state words initialised from the key and the
 * constants "somepseudorandomlygeneratedbytes", two ARX rounds per 8-byte
 * message word, the length in the last word's top byte, 0xee folded into
 * v1 at the start and into v2 before the four finalisation rounds, 0xdd
 * into v1 before the four rounds that give the second half of the output.
 * The body reads whole little-endian 64-bit words (one unaligned load
 * each, no per-byte loop), which keeps it cheap under TCG. Key parsing for
 * the command line (rpckey=) lives here too.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "net/rpc/rpc_mac.h"

/* An unaligned, alias-safe 64-bit load: x86_64 and the host are little-endian. */
typedef uint64_t __attribute__((may_alias, aligned(1))) rpc_u64_unaligned;

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "SipHash words are little-endian");

struct sip {
    uint64_t v0, v1, v2, v3;
};

static inline uint64_t
rotl(uint64_t x, int b)
{
    return (x << b) | (x >> (64 - b));
}

static inline void
sip_round(struct sip *s)
{
    s->v0 += s->v1;
    s->v1 = rotl(s->v1, 13) ^ s->v0;
    s->v0 = rotl(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl(s->v3, 16) ^ s->v2;
    s->v0 += s->v3;
    s->v3 = rotl(s->v3, 21) ^ s->v0;
    s->v2 += s->v1;
    s->v1 = rotl(s->v1, 17) ^ s->v2;
    s->v2 = rotl(s->v2, 32);
}

/* Two compression rounds for one message word. */
static inline void
sip_word(struct sip *s, uint64_t m)
{
    s->v3 ^= m;
    sip_round(s);
    sip_round(s);
    s->v0 ^= m;
}

static uint64_t
sip_out(struct sip *s)
{
    for (int i = 0; i < 4; i++)
        sip_round(s);
    return s->v0 ^ s->v1 ^ s->v2 ^ s->v3;
}

/* The last 0..7 bytes, little-endian, with len's low byte on top. */
static uint64_t
last_word(const uint8_t *p, size_t rest, size_t len)
{
    uint64_t b = (uint64_t)(len & 0xff) << 56;
    for (size_t i = 0; i < rest; i++)
        b |= (uint64_t)p[i] << (8 * i);
    return b;
}

void
rpc_mac_key_set(struct rpc_mac_key *k, const uint8_t bytes[RPC_KEY_LEN])
{
    k->k0 = *(const rpc_u64_unaligned *)bytes;
    k->k1 = *(const rpc_u64_unaligned *)(bytes + 8);
}

void
rpc_mac_tag(const struct rpc_mac_key *k, const void *msg, size_t len, uint8_t out[RPC_TAG_LEN])
{
    const uint8_t *p = msg;
    struct sip s = {
        .v0 = k->k0 ^ 0x736f6d6570736575ull,
        .v1 = k->k1 ^ 0x646f72616e646f6dull ^ 0xee,
        .v2 = k->k0 ^ 0x6c7967656e657261ull,
        .v3 = k->k1 ^ 0x7465646279746573ull,
    };
    size_t words = len / 8;

    for (size_t i = 0; i < words; i++)
        sip_word(&s, ((const rpc_u64_unaligned *)p)[i]);
    sip_word(&s, last_word(p + words * 8, len % 8, len));
    s.v2 ^= 0xee;
    uint64_t h0 = sip_out(&s);
    s.v1 ^= 0xdd;
    uint64_t h1 = sip_out(&s);
    *(rpc_u64_unaligned *)out = h0;
    *(rpc_u64_unaligned *)(out + 8) = h1;
}

bool
rpc_mac_verify(const struct rpc_mac_key *k, const void *msg, size_t len,
               const uint8_t tag[RPC_TAG_LEN])
{
    uint8_t want[RPC_TAG_LEN];
    uint8_t diff = 0;

    rpc_mac_tag(k, msg, len, want);
    for (int i = 0; i < RPC_TAG_LEN; i++)
        diff |= want[i] ^ tag[i];
    return diff == 0;
}

static int
hex_digit(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int
rpc_mac_parse_key(const char *s, uint8_t out[RPC_KEY_LEN])
{
    memset(out, 0, RPC_KEY_LEN);
    if (!s)
        return -EINVAL;
    for (int i = 0; i < 2 * RPC_KEY_LEN; i++) {
        int d = hex_digit(s[i]);
        if (d < 0)
            return -EINVAL;             /* also a string shorter than 32 */
        out[i / 2] = (uint8_t)(out[i / 2] << 4 | d);
    }
    if (s[2 * RPC_KEY_LEN] != 0) {
        memset(out, 0, RPC_KEY_LEN);
        return -EINVAL;
    }
    return 0;
}
