/*
 * Tests of the fault injector's pure decisions (net_fault.c): a seed fixes
 * the sequence, the rates come out near the asked percentages, 0 and 100
 * are exact, streams differ per direction, and knob parsing.
 */
#include "kernel/errno.h"
#include "net/net_int.h"
#include "tests/host/test.h"

#define TRIALS 100000

static void
count(uint64_t seed, unsigned drop, unsigned dup, unsigned reorder, unsigned n[4])
{
    uint64_t s = seed;
    n[0] = n[1] = n[2] = n[3] = 0;
    for (int i = 0; i < TRIALS; i++)
        n[net_fault_decide(&s, drop, dup, reorder)]++;
}

static void
test_fault_same_seed_same_fates(void)
{
    uint64_t a = 42, b = 42, c = 43;
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        enum net_fault_action x = net_fault_decide(&a, 30, 10, 10);
        EXPECT_EQ(x, net_fault_decide(&b, 30, 10, 10));
        differ += x != net_fault_decide(&c, 30, 10, 10);
    }
    EXPECT_TRUE(differ > 100);
}

static void
test_fault_rates_near_percent(void)
{
    unsigned n[4];
    count(1, 30, 0, 0, n);
    EXPECT_TRUE(n[NET_FAULT_DROP] > TRIALS * 28 / 100 && n[NET_FAULT_DROP] < TRIALS * 32 / 100);
    EXPECT_EQ(n[NET_FAULT_DUP] + n[NET_FAULT_REORDER], 0);
    count(2, 10, 20, 5, n);
    EXPECT_TRUE(n[NET_FAULT_DROP] > TRIALS * 9 / 100 && n[NET_FAULT_DROP] < TRIALS * 11 / 100);
    EXPECT_TRUE(n[NET_FAULT_DUP] > TRIALS * 19 / 100 && n[NET_FAULT_DUP] < TRIALS * 21 / 100);
    EXPECT_TRUE(n[NET_FAULT_REORDER] > TRIALS * 4 / 100 &&
                n[NET_FAULT_REORDER] < TRIALS * 6 / 100);
}

static void
test_fault_zero_and_hundred_exact(void)
{
    unsigned n[4];
    uint64_t s = 9;
    count(3, 0, 0, 0, n);
    EXPECT_EQ(n[NET_FAULT_PASS], TRIALS);
    EXPECT_EQ(net_fault_decide(&s, 0, 0, 0), NET_FAULT_PASS);
    EXPECT_EQ(s, 9);   /* no draw when the injector is off */
    count(4, 100, 50, 50, n);
    EXPECT_EQ(n[NET_FAULT_DROP], TRIALS);
    count(5, 0, 100, 0, n);
    EXPECT_EQ(n[NET_FAULT_DUP], TRIALS);
    count(6, 0, 60, 60, n);   /* over 100 in total: nothing passes */
    EXPECT_EQ(n[NET_FAULT_PASS], 0);
}

static void
test_fault_streams_differ(void)
{
    EXPECT_TRUE(net_fault_stream(7, 0) != net_fault_stream(7, 1));
    EXPECT_EQ(net_fault_stream(7, 1), net_fault_stream(7, 1));
    EXPECT_TRUE(net_fault_stream(0, 0) != 0);
}

static void
test_fault_parse_percent(void)
{
    unsigned v = 77;
    EXPECT_EQ(net_fault_parse_percent("0", &v), 0);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(net_fault_parse_percent("30", &v), 0);
    EXPECT_EQ(v, 30);
    EXPECT_EQ(net_fault_parse_percent("100%", &v), 0);
    EXPECT_EQ(v, 100);
    v = 77;
    EXPECT_EQ(net_fault_parse_percent("101", &v), -EINVAL);
    EXPECT_EQ(net_fault_parse_percent("", &v), -EINVAL);
    EXPECT_EQ(net_fault_parse_percent("3x", &v), -EINVAL);
    EXPECT_EQ(net_fault_parse_percent("-3", &v), -EINVAL);
    EXPECT_EQ(net_fault_parse_percent("0100", &v), -EINVAL);
    EXPECT_EQ(net_fault_parse_percent(NULL, &v), -EINVAL);
    EXPECT_EQ(v, 77);
}

void
tests_run(void)
{
    RUN(test_fault_same_seed_same_fates);
    RUN(test_fault_rates_near_percent);
    RUN(test_fault_zero_and_hundred_exact);
    RUN(test_fault_streams_differ);
    RUN(test_fault_parse_percent);
}
