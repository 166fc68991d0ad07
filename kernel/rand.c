/*
 * The kernel's random-number generator (interface and design in rand.h).
 * State is one ChaCha20 key and a request counter used as the nonce. Each
 * request takes block 0 of a fresh nonce as the next key and hands out the
 * following blocks, so the key that produced some output is gone once the
 * output is (fast key erasure). Entropy is XORed into the key and the key
 * is then replaced by a block under it. Seeded at first use, reseeded when
 * RAND_RESEED_NS have passed; the cycle counter is mixed into every request.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "kernel/rand.h"
#include "kernel/sync.h"

#define CHUNK 256                       /* bytes per locked step: 4 blocks */

static struct spinlock lock = { .cpu = -1, .name = "rand.pool" };
/* Protected by lock: */
static uint32_t key[8];
static uint64_t requests;               /* nonce of the next request */
static uint64_t reseed_at;              /* arch_time_ns() of the next reseed; 0: unseeded */

/* Caller holds lock. Replace the key with block 0 under a fresh nonce. */
static void
rekey(uint8_t *spare64)
{
    const uint32_t nonce[3] = { (uint32_t)requests, (uint32_t)(requests >> 32), 0x5eed };
    requests++;
    rand_chacha_block(key, 0, nonce, spare64);
    memcpy(key, spare64, sizeof(key));
    memset(spare64, 0, 64);
}

/* Caller holds lock. */
static void
mix(const void *p, size_t n)
{
    const uint8_t *s = p;
    uint8_t *k = (uint8_t *)key, tmp[64];
    for (size_t i = 0; i < n; i++) {
        k[i % sizeof(key)] ^= s[i];
        if (i % sizeof(key) == sizeof(key) - 1 || i == n - 1)
            rekey(tmp);
    }
}

/* Caller holds lock. Hardware entropy where there is some, and the jitter
 * of the cycle counter across timer reads (it differs per boot and per
 * node, and between emulated and real machines in unpredictable ways). */
static void
seed(void)
{
    uint64_t pool[24];
    int n = 0;
    for (int i = 0; i < 8; i++)
        if (arch_random_u64(&pool[n]))
            n++;
    for (int i = 0; i < 16 && n < 24; i++) {
        uint64_t c0 = arch_cycles();
        uint64_t t = arch_time_ns();
        pool[n++] = (arch_cycles() - c0) ^ (t << 17) ^ (c0 << 3);
    }
    mix(pool, (size_t)n * sizeof(uint64_t));
    memset(pool, 0, sizeof(pool));
    reseed_at = arch_time_ns() + RAND_RESEED_NS;
    if (!reseed_at)
        reseed_at = 1;
}

void
rand_add_entropy(const void *p, size_t n)
{
    spin_lock(&lock);
    mix(p, n);
    spin_unlock(&lock);
}

void
rand_bytes(void *buf, size_t n)
{
    uint8_t *out = buf;
    uint8_t blk[64 + CHUNK];
    while (n) {
        size_t take = MIN(n, (size_t)CHUNK);
        spin_lock(&lock);
        if (!reseed_at || arch_time_ns() >= reseed_at)
            seed();
        uint64_t c = arch_cycles();
        mix(&c, sizeof(c));
        const uint32_t nonce[3] = { (uint32_t)requests, (uint32_t)(requests >> 32), 0 };
        requests++;
        for (uint32_t i = 0; i * 64 < 64 + take; i++)
            rand_chacha_block(key, i, nonce, blk + 64 * i);
        memcpy(key, blk, sizeof(key));  /* block 0: the next key */
        spin_unlock(&lock);
        memcpy(out, blk + 64, take);
        out += take;
        n -= take;
    }
    memset(blk, 0, sizeof(blk));
}
