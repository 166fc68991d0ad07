/*
 * The Internet checksum a word at a time: net_chksum (lwIP's LWIP_CHKSUM)
 * sums 8 bytes per step instead of lwIP's 2. (Copies need nothing of their
 * own: the kernel's memcpy moves words at any alignment.) Under TCG every guest
 * instruction costs many host ones, so per-byte loops dominate a frame's
 * cost (docs/net.md, "Where a fragment's time goes"). Pure functions:
 * net/net_copy_test.c checks them against plain byte loops.
 */
#include "kernel/compiler.h"
#include "net/net_copy.h"

typedef uint64_t __attribute__((may_alias, aligned(1))) uword64;
typedef uint16_t __attribute__((may_alias, aligned(1))) uword16;

/* The Internet checksum's one's-complement sum of len bytes at data, not
 * inverted, in memory byte order (what lwIP's lwip_standard_chksum
 * returns): little-endian 64-bit words added as 32-bit halves into a
 * 64-bit accumulator (no carry is lost below 2^32 words), then folded. */
uint16_t
net_chksum(const void *data, int len)
{
    const uint8_t *p = data;
    uint64_t sum = 0;
    for (; len >= 8; len -= 8, p += 8) {
        uint64_t w = *(const uword64 *)p;
        sum += (w & 0xffffffffu) + (w >> 32);
    }
    for (; len >= 2; len -= 2, p += 2)
        sum += *(const uword16 *)p;
    if (len == 1)
        sum += *p;              /* the odd byte is the high one in network order */
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}
