/*
 * The fast path's frames (net_frame.c): a built header carries the right
 * fields and IP checksum and parses back; a frame lwIP would send (UDP
 * checksum set) parses, and with a wrong checksum does not; everything the
 * fast path must leave to lwIP (other addressee, broadcast, ARP, ICMP, IP
 * options, fragments, bad lengths, bad IP checksum) is refused.
 */
#include <string.h>
#include "net/net_copy.h"
#include "net/net_int.h"
#include "tests/host/test.h"
// TEST_SRCS: net/net_copy.c

static const uint8_t me_mac[6] = { 0x52, 0x54, 0x00, 0x77, 0x00, 0x01 };
static const uint8_t peer_mac[6] = { 0x52, 0x54, 0x00, 0x77, 0x00, 0x02 };
#define ME   0x0a4d0001u    /* 10.77.0.1 */
#define PEER 0x0a4d0002u

static uint8_t frame[1600];

/* A frame from PEER to ME of len payload bytes; returns its length. */
static size_t
make(size_t len)
{
    struct net_frame_addr a = { .src_ip = PEER, .dst_ip = ME, .src_port = 7700,
                                .dst_port = 7701 };
    memcpy(a.dst_mac, me_mac, 6);
    memcpy(a.src_mac, peer_mac, 6);
    for (size_t i = 0; i < len; i++)
        frame[NET_FRAME_HDR + i] = (uint8_t)(i * 7 + 3);
    net_frame_build(frame, &a, len, 0x1234);
    return NET_FRAME_HDR + len;
}

static bool
parse(size_t len, struct net_frame_udp *u)
{
    return net_frame_parse(frame, len, me_mac, ME, u);
}

/* The UDP checksum over the pseudo header, as a sender with one computes it. */
static void
set_udp_sum(size_t len)
{
    uint8_t ph[12 + 1500];
    memcpy(ph, frame + 26, 8);
    ph[8] = 0;
    ph[9] = 17;
    ph[10] = (uint8_t)((len + 8) >> 8);
    ph[11] = (uint8_t)(len + 8);
    frame[40] = frame[41] = 0;
    memcpy(ph + 12, frame + 34, len + 8);
    uint16_t s = (uint16_t)~net_chksum(ph, (int)(12 + len + 8));
    memcpy(frame + 40, &s, 2);
}

static void
test_net_frame_build_fields(void)
{
    size_t n = make(1430);
    EXPECT_EQ(n, 1472);
    EXPECT_EQ(frame[12], 0x08);
    EXPECT_EQ(frame[13], 0x00);
    EXPECT_EQ(frame[14], 0x45);
    EXPECT_EQ(frame[16] << 8 | frame[17], 1458);    /* IP total */
    EXPECT_EQ(frame[18] << 8 | frame[19], 0x1234);
    EXPECT_EQ(frame[20], 0x40);                     /* DF */
    EXPECT_EQ(frame[23], 17);
    EXPECT_EQ(net_chksum(frame + 14, 20), 0xffff);
    EXPECT_EQ(frame[34] << 8 | frame[35], 7700);
    EXPECT_EQ(frame[36] << 8 | frame[37], 7701);
    EXPECT_EQ(frame[38] << 8 | frame[39], 1438);    /* UDP length */
    EXPECT_EQ(frame[40] | frame[41], 0);            /* no UDP checksum */
    EXPECT_TRUE(memcmp(frame, me_mac, 6) == 0);
    EXPECT_TRUE(memcmp(frame + 6, peer_mac, 6) == 0);
}

static void
test_net_frame_round_trip(void)
{
    struct net_frame_udp u;
    for (size_t len = 0; len <= 1472; len += (len < 20 ? 1 : 97)) {
        size_t n = make(len);
        EXPECT_TRUE(parse(n, &u));
        EXPECT_EQ(u.src_ip, PEER);
        EXPECT_EQ(u.src_port, 7700);
        EXPECT_EQ(u.dst_port, 7701);
        EXPECT_EQ(u.len, len);
        EXPECT_TRUE(u.data == frame + NET_FRAME_HDR);
        /* Ethernet padding after the datagram is not data. */
        EXPECT_TRUE(parse(n + 18, &u));
        EXPECT_EQ(u.len, len);
    }
}

static void
test_net_frame_udp_checksum(void)
{
    struct net_frame_udp u;
    for (size_t len = 0; len < 40; len += 3) {
        size_t n = make(len);
        set_udp_sum(len);
        EXPECT_TRUE(parse(n, &u));
        if (len) {
            frame[NET_FRAME_HDR + len - 1] ^= 0x10;
            EXPECT_TRUE(!parse(n, &u));
        }
    }
}

static void
test_net_frame_refuses_what_is_lwips(void)
{
    struct net_frame_udp u;
    size_t n = make(100);
    struct { int off; uint8_t val; } bad[] = {
        { 0, 0xff },    /* another (or broadcast) Ethernet address */
        { 12, 0x86 },   /* not IPv4 (ARP would be 0x0806) */
        { 14, 0x46 },   /* IP options */
        { 20, 0x20 },   /* more fragments */
        { 21, 0x01 },   /* a fragment's offset */
        { 23, 1 },      /* ICMP */
        { 33, 0x09 },   /* another IP address */
        { 16, 0x08 },   /* IP total beyond the frame */
        { 39, 0x55 },   /* UDP length not the IP payload's */
        { 24, 0x00 },   /* IP checksum wrong */
    };
    EXPECT_TRUE(parse(n, &u));
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        make(100);
        if (frame[bad[i].off] == bad[i].val)
            frame[bad[i].off] ^= 0x5a;
        else
            frame[bad[i].off] = bad[i].val;
        EXPECT_TRUE(!parse(n, &u));
    }
    make(100);
    EXPECT_TRUE(!parse(NET_FRAME_HDR - 1, &u));    /* short */
    EXPECT_TRUE(!parse(n - 1, &u));                /* cut */
}

void
tests_run(void)
{
    RUN(test_net_frame_build_fields);
    RUN(test_net_frame_round_trip);
    RUN(test_net_frame_udp_checksum);
    RUN(test_net_frame_refuses_what_is_lwips);
}
