/*
 * Calendar arithmetic for the wall clock: decoding the CMOS RTC's
 * registers (read by arch_rtc.c) and a UTC date to seconds since the Unix
 * epoch. Pure functions, tested on the host (time_date_test.c); no
 * time zones, no leap seconds (as the Linux ABI: days of 86400 s).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/time.h"

#define RTC_B_24H    0x02
#define RTC_B_BINARY 0x04
#define RTC_HOUR_PM  0x80

static const uint8_t mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static bool
leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
days_in(int year, int mon)
{
    return mdays[mon - 1] + (mon == 2 && leap(year));
}

int
time_date_to_epoch(int year, int mon, int mday, int hour, int min, int sec, int64_t *out)
{
    if (year < 1970 || year > 9999 || mon < 1 || mon > 12 || mday < 1 ||
        mday > days_in(year, mon) || hour < 0 || hour > 23 || min < 0 || min > 59 || sec < 0 ||
        sec > 60)
        return -EINVAL;
    int64_t days = 0;
    /* Whole 400-year cycles first (146097 days each), so the loop is short. */
    int y = 1970;
    for (; y + 400 <= year; y += 400)
        days += 146097;
    for (; y < year; y++)
        days += leap(y) ? 366 : 365;
    for (int m = 1; m < mon; m++)
        days += days_in(year, m);
    days += mday - 1;
    *out = ((days * 24 + hour) * 60 + min) * 60 + sec;
    return 0;
}

/* A BCD byte as a number, or -1 when a digit is not 0-9. */
static int
bcd(uint8_t v)
{
    if ((v & 0x0f) > 9 || (v >> 4) > 9)
        return -1;
    return (v >> 4) * 10 + (v & 0x0f);
}

int
time_rtc_decode(const uint8_t *raw, int64_t *out)
{
    uint8_t b = raw[ARCH_RTC_STATUS_B];
    bool binary = b & RTC_B_BINARY;
    int v[ARCH_RTC_STATUS_B];
    for (int i = 0; i < ARCH_RTC_STATUS_B; i++) {
        uint8_t r = raw[i];
        if (i == ARCH_RTC_HOUR)
            r &= ~RTC_HOUR_PM;
        v[i] = binary ? r : bcd(r);
    }
    int hour = v[ARCH_RTC_HOUR];
    if (!(b & RTC_B_24H) && hour >= 1 && hour <= 12)
        hour = hour % 12 + ((raw[ARCH_RTC_HOUR] & RTC_HOUR_PM) ? 12 : 0);
    else if (!(b & RTC_B_24H))
        return -EINVAL;
    int cent = v[ARCH_RTC_CENTURY];
    int yy = v[ARCH_RTC_YEAR];
    if (yy < 0 || yy > 99)
        return -EINVAL;
    /* No (or a nonsense) century register: years 70-99 are the 1900s. */
    int year = (cent >= 19 && cent <= 99) ? cent * 100 + yy : (yy >= 70 ? 1900 : 2000) + yy;
    return time_date_to_epoch(year, v[ARCH_RTC_MON], v[ARCH_RTC_MDAY], hour, v[ARCH_RTC_MIN],
                              v[ARCH_RTC_SEC], out);
}
