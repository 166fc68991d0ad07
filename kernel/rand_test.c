/*
 * The generator of rand.c on the host, with its arch sources faked here: it
 * seeds at first use from the CPU's random instructions and the cycle
 * counter, never repeats its output, reseeds once RAND_RESEED_NS have
 * passed, and takes written entropy into account. ChaCha20 itself is
 * checked against RFC 8439 in rand_chacha_test.c.
 */
// TEST_SRCS: kernel/rand_chacha.c tests/host/fake_sync.c tests/host/fake_console.c
#include "kernel/arch.h"
#include "kernel/rand.h"
#include "tests/host/test.h"

static uint64_t fake_ns, fake_cycles;
static int hw_calls;
static bool hw_present = true;

uint64_t
arch_time_ns(void)
{
    return fake_ns;
}

uint64_t
arch_cycles(void)
{
    return fake_cycles += 37;
}

bool
arch_random_u64(uint64_t *out)
{
    hw_calls++;
    *out = 0x0123456789abcdefull * (uint64_t)hw_calls;
    return hw_present;
}

static bool
all_zero(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

static void
test_rand_seeds_at_first_use_and_never_repeats(void)
{
    uint8_t a[100], b[100];
    rand_bytes(a, sizeof(a));
    EXPECT_TRUE(hw_calls >= 8);                 /* seeded from the CPU */
    rand_bytes(b, sizeof(b));
    EXPECT_TRUE(!all_zero(a, sizeof(a)));
    EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
    EXPECT_TRUE(memcmp(a, a + 50, 50) != 0);
}

static void
test_rand_long_request_spans_chunks(void)
{
    static uint8_t big[1000];
    rand_bytes(big, sizeof(big));
    /* Each 256-byte chunk comes from a fresh nonce: no chunk repeats. */
    EXPECT_TRUE(memcmp(big, big + 256, 256) != 0);
    EXPECT_TRUE(memcmp(big + 256, big + 512, 256) != 0);
    EXPECT_TRUE(!all_zero(big + 768, 232));
}

static void
test_rand_reseeds_after_the_interval(void)
{
    uint8_t x[16];
    rand_bytes(x, sizeof(x));
    int before = hw_calls;
    fake_ns += RAND_RESEED_NS / 2;
    rand_bytes(x, sizeof(x));
    EXPECT_EQ(hw_calls, before);
    fake_ns += RAND_RESEED_NS;
    rand_bytes(x, sizeof(x));
    EXPECT_TRUE(hw_calls > before);
}

static void
test_rand_works_without_hardware_entropy(void)
{
    uint8_t a[32], b[32];
    hw_present = false;
    fake_ns += 2 * RAND_RESEED_NS;
    rand_bytes(a, sizeof(a));
    rand_add_entropy("typed by a user", 15);
    rand_bytes(b, sizeof(b));
    EXPECT_TRUE(memcmp(a, b, sizeof(a)) != 0);
    hw_present = true;
}

void
tests_run(void)
{
    RUN(test_rand_seeds_at_first_use_and_never_repeats);
    RUN(test_rand_long_request_spans_chunks);
    RUN(test_rand_reseeds_after_the_interval);
    RUN(test_rand_works_without_hardware_entropy);
}
