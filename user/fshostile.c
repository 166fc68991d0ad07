/*
 * fshostile [N]: sends the file server N malformed requests through the
 * debug call wisp_fsraw (fs/fs_rmt_raw.c), as a broken or hostile client
 * node would: random bytes of random lengths for every FS op, requests one
 * byte short or long, forged and stale handles, huge offsets and lengths,
 * strings whose length runs past the message. Prints how many the server's
 * decoder refused ("badmsg", which its srv_bad counter must match), how
 * many it answered with another error, and how many it served; exits 1 if
 * a call failed in a way that means the server went away.
 * tests/qemu/fs_hostile.sh runs it.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "wisp.h"

enum { OPS = 27, GETATTR = 7, READ = 5, WALK = 1 };

static uint64_t rng = 0x8f1bbcdcca62c1d6ull;
static long badmsg, refused, served, down;

static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static void
put32(uint8_t *b, uint32_t v)
{
    b[0] = (uint8_t)(v >> 24), b[1] = (uint8_t)(v >> 16), b[2] = (uint8_t)(v >> 8), b[3] = (uint8_t)v;
}

static void
put64(uint8_t *b, uint64_t v)
{
    put32(b, (uint32_t)(v >> 32));
    put32(b + 4, (uint32_t)v);
}

static void
send(long op, const uint8_t *req, long len)
{
    long r = wisp_fsraw(op, req, len);
    if (r == 0)
        served++;
    else if (r < 0 && errno == EBADMSG)
        badmsg++;
    else if (r < 0 && (errno == ETIMEDOUT || errno == EHOSTDOWN))
        down++;
    else
        refused++;
}

int
main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 2000;
    static uint8_t b[70000];
    for (long i = 0; i < n; i++) {
        long op = 1 + (long)(next() % (OPS - 1)), len = (long)(next() % 300);
        if (op >= 20 && op <= 25)
            continue;                    /* no handler on this kernel: not the server's */
        for (long k = 0; k < len; k++)
            b[k] = (uint8_t)next();
        switch (next() % 6) {
        case 0:                          /* a forged or stale handle */
            put32(b, (uint32_t)next() % 8 ? (uint32_t)next() : 1);
            put32(b + 4, (uint32_t)(next() % 4));
            send(GETATTR, b, 8);
            break;
        case 1:                          /* GETATTR one byte short or long */
            send(GETATTR, b, next() % 2 ? 7 : 9);
            break;
        case 2:                          /* READ of the root at a huge offset, a huge length */
            put32(b, 1), put32(b + 4, 0);
            put64(b + 8, ~0ull - (next() % 4096));
            put32(b + 16, next() % 2 ? 0xffffffffu : 4096);
            send(READ, b, 20);
            break;
        case 3:                          /* WALK whose path length runs past the message */
            put32(b, 1), put32(b + 4, 0);
            memset(b + 8, 0, 10);
            put32(b + 18, 0);
            put32(b + 22, 0x7fffffff);
            send(WALK, b, 40);
            break;
        default:
            send(op, b, len);
        }
    }
    printf("fshostile: badmsg %ld refused %ld served %ld down %ld\n", badmsg, refused, served, down);
    return down ? 1 : 0;
}
