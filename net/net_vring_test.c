/*
 * Tests of the split virtqueue helpers (net_vring.c): the legacy-compatible
 * layout, publishing into the available ring across the 16-bit index wrap,
 * and harvesting the used ring, including an id the device made up.
 * The "device" here is the test writing the used ring by hand.
 */
#include <stdlib.h>
#include "net/net_drv.h"
#include "tests/host/test.h"

static void *
ring_mem(uint16_t size)
{
    void *m = aligned_alloc(4096, net_vring_bytes(size));
    memset(m, 0xa5, net_vring_bytes(size));     /* init must zero it */
    return m;
}

static void
test_layout_matches_legacy_rule(void)
{
    /* 256 entries: 4096 bytes of descriptors, avail 518, used on the next page. */
    EXPECT_EQ(net_vring_avail_off(256), 4096);
    EXPECT_EQ(net_vring_used_off(256), 8192);
    EXPECT_EQ(net_vring_bytes(256), 12288);
    EXPECT_EQ(net_vring_avail_off(8), 128);
    EXPECT_EQ(net_vring_used_off(8), 4096);
    EXPECT_EQ(net_vring_bytes(8), 8192);
}

static void
test_init_zeroes_and_points(void)
{
    struct net_vring r;
    uint8_t *m = ring_mem(16);
    net_vring_init(&r, m, 16);
    EXPECT_TRUE((void *)r.desc == m);
    EXPECT_TRUE((uint8_t *)r.avail == m + net_vring_avail_off(16));
    EXPECT_TRUE((uint8_t *)r.used == m + net_vring_used_off(16));
    EXPECT_EQ(r.avail->idx, 0);
    EXPECT_EQ(r.used->idx, 0);
    EXPECT_EQ(r.desc[15].addr, 0);
    free(m);
}

static void
test_push_fills_ring_and_wraps_index(void)
{
    struct net_vring r;
    void *m = ring_mem(4);
    net_vring_init(&r, m, 4);
    r.avail_idx = 65534;        /* as after a long run */
    net_vring_set(&r, 2, 0x1000, 60, NET_VRING_F_WRITE, 0);
    net_vring_push(&r, 2);
    net_vring_push(&r, 3);
    net_vring_push(&r, 1);
    EXPECT_EQ(r.avail->idx, 1);             /* 65534 + 3 wraps to 1 */
    EXPECT_EQ(r.avail->ring[65534 & 3], 2);
    EXPECT_EQ(r.avail->ring[65535 & 3], 3);
    EXPECT_EQ(r.avail->ring[0], 1);
    EXPECT_EQ(r.desc[2].addr, 0x1000);
    EXPECT_EQ(r.desc[2].len, 60);
    EXPECT_EQ(r.desc[2].flags, NET_VRING_F_WRITE);
    free(m);
}

static void
test_pop_returns_used_in_order(void)
{
    struct net_vring r;
    uint16_t id;
    uint32_t len;
    void *m = ring_mem(4);
    net_vring_init(&r, m, 4);
    EXPECT_TRUE(!net_vring_pop(&r, &id, &len));
    r.used->ring[0].id = 3;
    r.used->ring[0].len = 1526;
    r.used->ring[1].id = 0;
    r.used->ring[1].len = 72;
    r.used->idx = 2;
    EXPECT_TRUE(net_vring_pop(&r, &id, &len));
    EXPECT_EQ(id, 3);
    EXPECT_EQ(len, 1526);
    EXPECT_TRUE(net_vring_pop(&r, &id, &len));
    EXPECT_EQ(id, 0);
    EXPECT_EQ(len, 72);
    EXPECT_TRUE(!net_vring_pop(&r, &id, &len));
    free(m);
}

static void
test_pop_across_wrap_and_rejects_bad_id(void)
{
    struct net_vring r;
    uint16_t id;
    uint32_t len;
    void *m = ring_mem(4);
    net_vring_init(&r, m, 4);
    r.last_used = 65535;
    r.used->ring[3].id = 9;     /* beyond the ring: a broken device */
    r.used->ring[0].id = 1;
    r.used->idx = 1;
    EXPECT_TRUE(net_vring_pop(&r, &id, &len));
    EXPECT_EQ(id, 0xffff);
    EXPECT_TRUE(net_vring_pop(&r, &id, &len));
    EXPECT_EQ(id, 1);
    EXPECT_TRUE(!net_vring_pop(&r, &id, &len));
    free(m);
}

static void
test_event_index_rule_and_fields(void)
{
    /* Kick when the entries published, old .. new, pass the device's event. */
    EXPECT_TRUE(net_vring_need_event(5, 6, 5));     /* it asked for index 5 */
    EXPECT_TRUE(!net_vring_need_event(7, 6, 5));    /* not there yet */
    EXPECT_TRUE(!net_vring_need_event(2, 6, 5));    /* stale: the device is busy */
    EXPECT_TRUE(net_vring_need_event(0xffff, 3, 0xfffe));   /* across the wrap */
    EXPECT_TRUE(!net_vring_need_event(4, 3, 0xfffe));

    struct net_vring r;
    void *m = ring_mem(8);
    net_vring_init(&r, m, 8);
    net_vring_push(&r, 0);
    net_vring_push(&r, 1);
    *(volatile uint16_t *)&r.used->ring[8] = 1;   /* avail_event: after the 8 used entries */
    EXPECT_TRUE(net_vring_kick_needed(&r, 0));      /* entries 0 and 1 pass event 1 */
    EXPECT_TRUE(!net_vring_kick_needed(&r, 2));
    *(volatile uint16_t *)&r.used->ring[8] = 5;
    EXPECT_TRUE(!net_vring_kick_needed(&r, 0));
    net_vring_set_used_event(&r, 0x1234);
    EXPECT_EQ(r.avail->ring[8], 0x1234);            /* used_event follows avail's entries */
    free(m);
}

void
tests_run(void)
{
    RUN(test_layout_matches_legacy_rule);
    RUN(test_init_zeroes_and_points);
    RUN(test_push_fills_ring_and_wraps_index);
    RUN(test_pop_returns_used_in_order);
    RUN(test_pop_across_wrap_and_rejects_bad_id);
    RUN(test_event_index_rule_and_fields);
}
