/*
 * The network path's two byte loops, done a word at a time: net_copy
 * (lwIP's MEMCPY, the drivers' ring copies) moves 8 bytes per step whatever
 * the alignment of either side (x86 allows unaligned loads and stores; a
 * frame's payload sits at odd offsets such as 42 or 90, where a copy that
 * needs both sides aligned falls back to bytes), and net_chksum (lwIP's
 * LWIP_CHKSUM) sums 8 bytes per step instead of 2. Under TCG every guest
 * instruction costs many host ones, so per-byte loops dominate a frame's
 * cost (docs/net.md, "Where a fragment's time goes"). Pure functions:
 * net/net_copy_test.c checks them against plain byte loops.
 */
#include "kernel/compiler.h"
#include "net/net_copy.h"

typedef uint64_t __attribute__((may_alias, aligned(1))) uword64;
typedef uint16_t __attribute__((may_alias, aligned(1))) uword16;

void *
net_copy(void *d, const void *s, unsigned long n)
{
    uint8_t *dp = d;
    const uint8_t *sp = s;
    for (; n >= 32; n -= 32, dp += 32, sp += 32) {
        uint64_t a = ((const uword64 *)sp)[0], b = ((const uword64 *)sp)[1];
        uint64_t c = ((const uword64 *)sp)[2], e = ((const uword64 *)sp)[3];
        ((uword64 *)dp)[0] = a;
        ((uword64 *)dp)[1] = b;
        ((uword64 *)dp)[2] = c;
        ((uword64 *)dp)[3] = e;
    }
    for (; n >= 8; n -= 8, dp += 8, sp += 8)
        *(uword64 *)dp = *(const uword64 *)sp;
    while (n--)
        *dp++ = *sp++;
    return d;
}

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
