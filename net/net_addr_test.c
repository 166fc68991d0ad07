/*
 * Tests of the node <-> address rule and ip= parsing (net_addr.c): the
 * default 10.77.0.(K+1) mapping both ways, its edges, and malformed
 * addresses, which must be rejected rather than half-parsed.
 */
// TEST_SRCS: kernel/lib_printf.c
#include "kernel/errno.h"
#include "net/net.h"
#include "net/net_int.h"
#include "tests/host/test.h"

static void
test_addr_node_rule_both_ways(void)
{
    EXPECT_EQ(net_node_ip(0), 0x0a4d0001);
    EXPECT_EQ(net_node_ip(1), 0x0a4d0002);
    EXPECT_EQ(net_node_ip(253), 0x0a4d00fe);
    for (int k = 0; k < 254; k++)
        EXPECT_EQ(net_ip_node(net_node_ip(k)), k);
}

static void
test_addr_node_rule_edges(void)
{
    EXPECT_EQ(net_node_ip(-1), 0);
    EXPECT_EQ(net_node_ip(254), 0);
    EXPECT_EQ(net_ip_node(0x0a4d0000), -1);   /* network address */
    EXPECT_EQ(net_ip_node(0x0a4d00ff), -1);   /* broadcast */
    EXPECT_EQ(net_ip_node(0x0a4e0001), -1);   /* another subnet */
    EXPECT_EQ(net_ip_node(0xc0a80001), -1);
}

static void
test_addr_parse_good(void)
{
    uint32_t ip = 0;
    int prefix = 0;
    EXPECT_EQ(net_addr_parse("10.77.0.5/24", &ip, &prefix), 0);
    EXPECT_EQ(ip, 0x0a4d0005);
    EXPECT_EQ(prefix, 24);
    EXPECT_EQ(net_addr_parse("192.168.1.200/16", &ip, &prefix), 0);
    EXPECT_EQ(ip, 0xc0a801c8);
    EXPECT_EQ(prefix, 16);
    EXPECT_EQ(net_addr_parse("1.2.3.4", &ip, &prefix), 0);
    EXPECT_EQ(ip, 0x01020304);
    EXPECT_EQ(prefix, NET_ADDR_DEFAULT_PREFIX);
    EXPECT_EQ(net_addr_parse("255.255.255.255/32", &ip, NULL), 0);
    EXPECT_EQ(ip, 0xffffffff);
}

static void
test_addr_parse_bad(void)
{
    static const char *bad[] = {
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.4/33", "1.2.3.4/0", "1.2.3.4/",
        "a.b.c.d", "1..2.3", "1.2.3.4 ", "01234.1.1.1", "1.2.3.4/24x", "-1.2.3.4",
    };
    uint32_t ip = 7;
    int prefix = 7;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (net_addr_parse(bad[i], &ip, &prefix) != -EINVAL)
            TEST_FAIL_("\"%s\" was accepted", bad[i]);
    }
    EXPECT_EQ(net_addr_parse(NULL, &ip, &prefix), -EINVAL);
    EXPECT_EQ(ip, 7);       /* untouched on error */
    EXPECT_EQ(prefix, 7);
}

static void
test_addr_format_and_mask(void)
{
    char buf[16];
    EXPECT_STREQ(net_addr_format(0x0a4d0002, buf, sizeof buf), "10.77.0.2");
    EXPECT_STREQ(net_addr_format(0xffffffff, buf, sizeof buf), "255.255.255.255");
    EXPECT_EQ(net_addr_mask(24), 0xffffff00);
    EXPECT_EQ(net_addr_mask(32), 0xffffffff);
    EXPECT_EQ(net_addr_mask(1), 0x80000000);
    EXPECT_EQ(net_addr_mask(0), 0);
}

static void
test_addr_self(void)
{
    net_addr_set_self(0x0a4d0003, 24);
    EXPECT_EQ(net_self_ip(), 0x0a4d0003);
    EXPECT_EQ(net_addr_self_prefix(), 24);
}

void
tests_run(void)
{
    RUN(test_addr_node_rule_both_ways);
    RUN(test_addr_node_rule_edges);
    RUN(test_addr_parse_good);
    RUN(test_addr_parse_bad);
    RUN(test_addr_format_and_mask);
    RUN(test_addr_self);
}
