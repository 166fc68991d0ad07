/*
 * net_chksum against a plain 16-bit sum, for every length up to a frame
 * and every alignment. (The kernel memcpy's alignments are
 * kernel/lib_string_test.c's.)
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
    RUN(test_net_chksum_matches_the_byte_sum);
}
