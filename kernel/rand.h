/*
 * The kernel's random numbers: a ChaCha20 generator (RFC 8439's block
 * function, rand_chacha.c) keyed from the CPU's RDSEED/RDRAND where CPUID
 * has them and from cycle-counter jitter, rekeyed after every request (so
 * output already handed out cannot be recomputed from the state) and
 * reseeded from fresh entropy every RAND_RESEED_NS. Serves getrandom(2)
 * (sys_random.c) and /dev/urandom, /dev/random (fs/fs_dev.c).
 */
#pragma once
#include "kernel/compiler.h"

#define RAND_RESEED_NS (60ull * 1000000000ull)

/* Fill buf with n random bytes. Seeds itself on first use. Never sleeps;
 * takes the generator's spinlock for at most 256 bytes at a time. */
void rand_bytes(void *buf, size_t n);

/* Mix n bytes from an unpredictable source into the key. */
void rand_add_entropy(const void *p, size_t n);

/* ChaCha20 (RFC 8439 2.3): the 64-byte block for key, 32-bit block counter
 * and 96-bit nonce. Pure function. */
void rand_chacha_block(const uint32_t key[8], uint32_t counter, const uint32_t nonce[3],
                       uint8_t out[64]);
