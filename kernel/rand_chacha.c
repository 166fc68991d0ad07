/*
 * The ChaCha20 block function of RFC 8439 section 2.3, written from the
 * RFC's description: a 4x4 matrix of 32-bit words (constants, key, block
 * counter, nonce), 20 rounds of quarter-rounds alternating columns and
 * diagonals, the input added back, serialised little-endian. The generator
 * built on it is rand.c; the RFC's test vectors are in rand_chacha_test.c.
 */
#include "kernel/rand.h"

#define ROTL32(v, n) (((v) << (n)) | ((v) >> (32 - (n))))

static void
quarter(uint32_t *x, int a, int b, int c, int d)
{
    x[a] += x[b]; x[d] ^= x[a]; x[d] = ROTL32(x[d], 16);
    x[c] += x[d]; x[b] ^= x[c]; x[b] = ROTL32(x[b], 12);
    x[a] += x[b]; x[d] ^= x[a]; x[d] = ROTL32(x[d], 8);
    x[c] += x[d]; x[b] ^= x[c]; x[b] = ROTL32(x[b], 7);
}

void
rand_chacha_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                  uint8_t out[64])
{
    /* "expand 32-byte k" as four little-endian words. */
    uint32_t in[16] = { 0x61707865, 0x3320646e, 0x79622d32, 0x6b206574 };
    for (int i = 0; i < 8; i++)
        in[4 + i] = key[i];
    in[12] = counter;
    in[13] = nonce[0];
    in[14] = nonce[1];
    in[15] = nonce[2];
    uint32_t x[16];
    for (int i = 0; i < 16; i++)
        x[i] = in[i];
    for (int round = 0; round < 10; round++) {
        quarter(x, 0, 4, 8, 12);
        quarter(x, 1, 5, 9, 13);
        quarter(x, 2, 6, 10, 14);
        quarter(x, 3, 7, 11, 15);
        quarter(x, 0, 5, 10, 15);
        quarter(x, 1, 6, 11, 12);
        quarter(x, 2, 7, 8, 13);
        quarter(x, 3, 4, 9, 14);
    }
    for (int i = 0; i < 16; i++) {
        uint32_t v = x[i] + in[i];
        out[4 * i] = (uint8_t)v;
        out[4 * i + 1] = (uint8_t)(v >> 8);
        out[4 * i + 2] = (uint8_t)(v >> 16);
        out[4 * i + 3] = (uint8_t)(v >> 24);
    }
}
