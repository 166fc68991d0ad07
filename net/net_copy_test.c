/*
 * net_copy and net_chksum against plain byte loops, for every length up
 * to a frame and every alignment of source and destination.
 */
#include <string.h>
#include "net/net_copy.h"
#include "tests/host/test.h"

static uint16_t
ref_chksum(const uint8_t *p, int len)
{
    uint32_t sum = 0;
    for (int i = 0; i + 1 < len; i += 2)
        sum += (uint32_t)(p[i] | p[i + 1] << 8);   /* memory order on a little-endian host */
    if (len & 1)
        sum += p[len - 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)sum;
}

static void
test_net_copy_every_length_and_alignment(void)
{
    static uint8_t src[1600], dst[1600], want[1600];
    for (int i = 0; i < (int)sizeof(src); i++)
        src[i] = (uint8_t)(i * 7 + 3);
    for (int so = 0; so < 8; so++)
        for (int doff = 0; doff < 8; doff++)
            for (int n = 0; n <= 1520; n += (n < 80 ? 1 : 37)) {
                memset(dst, 0xa5, sizeof(dst));
                memcpy(want, dst, sizeof(want));
                memcpy(want + doff, src + so, (size_t)n);
                EXPECT_TRUE(net_copy(dst + doff, src + so, (unsigned long)n) == dst + doff);
                EXPECT_TRUE(memcmp(dst, want, sizeof(dst)) == 0);
            }
}

static void
test_net_chksum_matches_the_byte_sum(void)
{
    static uint8_t buf[1600];
    for (int i = 0; i < (int)sizeof(buf); i++)
        buf[i] = (uint8_t)(i * 131 + (i >> 3));
    for (int off = 0; off < 8; off++)
        for (int n = 0; n <= 1500; n += (n < 70 ? 1 : 29))
            EXPECT_EQ(net_chksum(buf + off, n), ref_chksum(buf + off, n));
    memset(buf, 0xff, sizeof(buf));     /* the most carries */
    EXPECT_EQ(net_chksum(buf, 1500), ref_chksum(buf, 1500));
    EXPECT_EQ(net_chksum(buf, 1501), ref_chksum(buf, 1501));
}

void
tests_run(void)
{
    RUN(test_net_copy_every_length_and_alignment);
    RUN(test_net_chksum_matches_the_byte_sum);
}
