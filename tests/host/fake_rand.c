/*
 * Host fake of kernel/rand.h's generator for the fs tests (/dev/urandom):
 * a counter, so reads are deterministic and never all zero. The real
 * ChaCha20 block is tested by kernel/rand_chacha_test.c.
 */
#include "kernel/rand.h"

static uint8_t next = 1;

void
rand_bytes(void *buf, size_t n)
{
    uint8_t *p = buf;
    for (size_t i = 0; i < n; i++)
        p[i] = next++;
}

void
rand_add_entropy(const void *p, size_t n)
{
}
