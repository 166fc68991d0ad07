/*
 * Wall-clock time: the monotonic clock plus an offset to the epoch.
 * Until the RTC is read, the offset is zero (time starts at the epoch).
 */
#include "kernel/arch.h"
#include "kernel/time.h"

static int64_t realtime_offset_ns;

uint64_t
time_realtime_ns(void)
{
    return (uint64_t)((int64_t)arch_time_ns() + realtime_offset_ns);
}
