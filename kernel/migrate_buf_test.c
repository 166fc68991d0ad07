/*
 * Tests of the migration buffers (migrate_buf.c): round trips, growth,
 * the sticky errors, and truncated or malformed input read safely.
 */
// TEST_SRCS: tests/host/fake_kmalloc.c
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/migrate.h"
#include "tests/host/fake_kmalloc.h"
#include "tests/host/test.h"

static void
test_migbuf_round_trip(void)
{
    struct mig_buf b;
    struct mig_cur c;
    char s[16];
    mig_buf_init(&b);
    mig_put_u64(&b, 0x0102030405060708ull);
    mig_put_u32(&b, 0xdeadbeef);
    mig_put_str(&b, "hello");
    mig_put(&b, "xy", 2);
    EXPECT_EQ(b.err, 0);
    EXPECT_EQ(b.len, 8 + 4 + 4 + 5 + 2);
    EXPECT_EQ(b.data[0], 1);   /* big-endian */
    mig_cur_init(&c, b.data, b.len);
    EXPECT_EQ(mig_get_u64(&c), 0x0102030405060708ull);
    EXPECT_EQ(mig_get_u32(&c), 0xdeadbeef);
    EXPECT_EQ(mig_get_str(&c, s, sizeof s), 5);
    EXPECT_STREQ(s, "hello");
    mig_get(&c, s, 2);
    EXPECT_EQ(c.err, 0);
    EXPECT_EQ(mig_left(&c), 0);
    mig_buf_free(&b);
}

static void
test_migbuf_grows(void)
{
    struct mig_buf b;
    mig_buf_init(&b);
    for (uint32_t i = 0; i < 10000; i++)
        mig_put_u32(&b, i);
    EXPECT_EQ(b.err, 0);
    EXPECT_EQ(b.len, 40000);
    struct mig_cur c;
    mig_cur_init(&c, b.data, b.len);
    uint32_t bad = 0;
    for (uint32_t i = 0; i < 10000; i++)
        bad += mig_get_u32(&c) != i;
    EXPECT_EQ(bad, 0);
    mig_buf_free(&b);
}

static void
test_migbuf_sticky_put_error(void)
{
    struct mig_buf b;
    mig_buf_init(&b);
    fake_kmalloc_fail_after = 0;
    mig_put_u64(&b, 1);
    fake_kmalloc_fail_after = -1;
    EXPECT_EQ(b.err, -ENOMEM);
    mig_put_u64(&b, 2);          /* memory is back, the error stays */
    EXPECT_EQ(b.err, -ENOMEM);
    EXPECT_EQ(b.len, 0);
    mig_buf_free(&b);
    mig_buf_init(&b);
    mig_put(&b, "", MIG_BUF_MAX + 1);
    EXPECT_EQ(b.err, -EMSGSIZE);
    mig_buf_free(&b);
}

static void
test_migbuf_truncated_input(void)
{
    uint8_t d[6] = { 0, 0, 0, 1, 2, 3 };
    struct mig_cur c;
    mig_cur_init(&c, d, sizeof d);
    EXPECT_EQ(mig_get_u64(&c), 0);     /* only 6 bytes */
    EXPECT_EQ(c.err, -EBADMSG);
    EXPECT_EQ(mig_get_u32(&c), 0);     /* sticky, though 4 bytes would fit */
    EXPECT_EQ(mig_left(&c), 0);
    mig_cur_init(&c, NULL, 100);
    EXPECT_EQ(mig_get_u32(&c), 0);
    EXPECT_EQ(c.err, -EBADMSG);
}

static void
test_migbuf_malformed_strings(void)
{
    char s[8];
    struct mig_cur c;
    uint8_t longlen[] = { 0xff, 0xff, 0xff, 0xff, 'a' };
    mig_cur_init(&c, longlen, sizeof longlen);
    EXPECT_EQ(mig_get_str(&c, s, sizeof s), -EBADMSG);
    EXPECT_STREQ(s, "");
    uint8_t toolong[] = { 0, 0, 0, 8, 'a', 'b', 'c', 'd', 'e', 'f', 'g', 'h' };
    mig_cur_init(&c, toolong, sizeof toolong);
    EXPECT_EQ(mig_get_str(&c, s, sizeof s), -EBADMSG);   /* no room for the NUL */
    uint8_t nul[] = { 0, 0, 0, 3, 'a', 0, 'c' };
    mig_cur_init(&c, nul, sizeof nul);
    EXPECT_EQ(mig_get_str(&c, s, sizeof s), -EBADMSG);
    EXPECT_STREQ(s, "");
    uint8_t ok[] = { 0, 0, 0, 0 };
    mig_cur_init(&c, ok, sizeof ok);
    EXPECT_EQ(mig_get_str(&c, s, sizeof s), 0);
    EXPECT_EQ(c.err, 0);
}

void
tests_run(void)
{
    RUN(test_migbuf_round_trip);
    RUN(test_migbuf_grows);
    RUN(test_migbuf_sticky_put_error);
    RUN(test_migbuf_truncated_input);
    RUN(test_migbuf_malformed_strings);
}
