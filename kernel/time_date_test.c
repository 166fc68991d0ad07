/*
 * Tests of the RTC decoding and date-to-epoch conversion (time_date.c):
 * known instants, every day of 1970-2199 against the host's timegm, BCD
 * and binary, 12- and 24-hour clocks, the century register, bad values.
 */
#define _DEFAULT_SOURCE
#include <time.h>
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/time.h"
#include "tests/host/test.h"

static int64_t
epoch(int y, int mo, int d, int h, int mi, int s)
{
    int64_t v = -1;
    EXPECT_EQ(time_date_to_epoch(y, mo, d, h, mi, s, &v), 0);
    return v;
}

static void
test_date_known_instants(void)
{
    EXPECT_EQ(epoch(1970, 1, 1, 0, 0, 0), 0);
    EXPECT_EQ(epoch(2000, 2, 29, 12, 0, 0), 951825600);
    EXPECT_EQ(epoch(2038, 1, 19, 3, 14, 8), 2147483648ll);
    EXPECT_EQ(epoch(2026, 12, 1, 15, 11, 13), 1796137873);
}

static void
test_date_every_day_matches_timegm(void)
{
    for (int64_t t = 0; t < 7258118400ll; t += 86400 - 7) {   /* to 2200, drifting the hour */
        time_t tt = (time_t)t;
        struct tm tm;
        gmtime_r(&tt, &tm);
        int64_t v = -1;
        int err = time_date_to_epoch(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                                     tm.tm_min, tm.tm_sec, &v);
        if (err || v != t) {
            EXPECT_EQ(v, t);
            return;
        }
    }
}

static void
test_date_rejects_bad_fields(void)
{
    int64_t v;
    EXPECT_EQ(time_date_to_epoch(2023, 2, 29, 0, 0, 0, &v), -EINVAL);
    EXPECT_EQ(time_date_to_epoch(2024, 13, 1, 0, 0, 0, &v), -EINVAL);
    EXPECT_EQ(time_date_to_epoch(2024, 4, 31, 0, 0, 0, &v), -EINVAL);
    EXPECT_EQ(time_date_to_epoch(2024, 1, 1, 24, 0, 0, &v), -EINVAL);
    EXPECT_EQ(time_date_to_epoch(1969, 12, 31, 23, 59, 59, &v), -EINVAL);
    EXPECT_EQ(time_date_to_epoch(2100, 2, 29, 0, 0, 0, &v), -EINVAL);
}

static int64_t
decode(uint8_t s, uint8_t mi, uint8_t h, uint8_t d, uint8_t mo, uint8_t y, uint8_t c, uint8_t b)
{
    uint8_t raw[ARCH_RTC_NREGS] = { s, mi, h, d, mo, y, c, b };
    int64_t v = -1;
    if (time_rtc_decode(raw, &v) != 0)
        return -1;
    return v;
}

static void
test_rtc_bcd_24h_with_century(void)
{
    EXPECT_EQ(decode(0x13, 0x11, 0x15, 0x01, 0x12, 0x26, 0x20, 0x02), 1796137873);
}

static void
test_rtc_binary_and_12h(void)
{
    int64_t t = 1796137873;   /* 2026-12-01 15:11:13 */
    EXPECT_EQ(decode(13, 11, 15, 1, 12, 26, 20, 0x06), t);
    EXPECT_EQ(decode(13, 11, 0x80 | 3, 1, 12, 26, 20, 0x04), t);      /* 3 PM, binary */
    EXPECT_EQ(decode(0x13, 0x11, 0x83, 0x01, 0x12, 0x26, 0x20, 0x00), t);  /* BCD 12 h */
    EXPECT_EQ(decode(0, 0, 0x12, 0x01, 0x12, 0x26, 0x20, 0x00), t - 15 * 3600 - 11 * 60 - 13);
    EXPECT_EQ(decode(0, 0, 0x92, 0x01, 0x12, 0x26, 0x20, 0x00), t - 3 * 3600 - 11 * 60 - 13);
}

static void
test_rtc_without_century_register(void)
{
    EXPECT_EQ(decode(0x13, 0x11, 0x15, 0x01, 0x12, 0x26, 0x00, 0x02), 1796137873);
    EXPECT_EQ(decode(0, 0, 0, 0x01, 0x01, 0x70, 0xff, 0x02), 0);
}

static void
test_rtc_rejects_garbage(void)
{
    EXPECT_EQ(decode(0x6a, 0x11, 0x15, 0x01, 0x12, 0x26, 0x20, 0x02), -1);  /* bad BCD */
    EXPECT_EQ(decode(0x13, 0x11, 0x15, 0x00, 0x12, 0x26, 0x20, 0x02), -1);  /* day 0 */
    EXPECT_EQ(decode(0x13, 0x11, 0x00, 0x01, 0x12, 0x26, 0x20, 0x00), -1);  /* 12 h, hour 0 */
    EXPECT_EQ(decode(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff), -1);  /* no RTC */
}

void
tests_run(void)
{
    RUN(test_date_known_instants);
    RUN(test_date_every_day_matches_timegm);
    RUN(test_date_rejects_bad_fields);
    RUN(test_rtc_bcd_24h_with_century);
    RUN(test_rtc_binary_and_12h);
    RUN(test_rtc_without_century_register);
    RUN(test_rtc_rejects_garbage);
}
