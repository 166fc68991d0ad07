/*
 * Time and identity calls: nanosleep, clock_gettime, gettimeofday, time,
 * uname. The monotonic clock is the calibrated TSC; the wall clock is
 * time_realtime_ns (kernel/time.c: the RTC at boot, kept in step with the
 * cluster's time source), so time of day is served locally, never
 * forwarded home (docs/time.md).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/migrate.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"

struct k_timespec {
    int64_t sec;
    int64_t nsec;
};

#define CLOCK_REALTIME  0
#define CLOCK_MONOTONIC 1
#define CLOCK_PROCESS_CPUTIME_ID 2
#define CLOCK_THREAD_CPUTIME_ID 3
#define CLOCK_MONOTONIC_RAW 4
#define CLOCK_REALTIME_COARSE 5
#define CLOCK_MONOTONIC_COARSE 6
#define CLOCK_BOOTTIME 7
#define TIMER_ABSTIME 1

static int
sleep_ts(uint64_t ureq, uint64_t urem, bool absolute)
{
    struct k_timespec ts;
    if (copyin(&ts, ureq, sizeof(ts)))
        return -EFAULT;
    if (ts.sec < 0 || ts.nsec < 0 || ts.nsec >= 1000000000)
        return -EINVAL;
    uint64_t ns = (uint64_t)ts.sec > 1000000000ull * 100 ? ~0ull >> 2
                                                         : (uint64_t)ts.sec * 1000000000ull + ts.nsec;
    uint64_t start = arch_time_ns();
    if (absolute)
        ns = ns > start ? ns - start : 0;
    ns = proc_mig_sleep_begin(ns);   /* a restart after a migration: the time left */
    int err = sched_sleep_ns(ns);
    proc_mig_sleep_end();
    if (err && urem && !absolute) {
        uint64_t done = arch_time_ns() - start, left = done < ns ? ns - done : 0;
        struct k_timespec rem = { (int64_t)(left / 1000000000), (int64_t)(left % 1000000000) };
        if (copyout(urem, &rem, sizeof(rem)))
            return -EFAULT;
    }
    return err;
}

long
sys_nanosleep(uint64_t ureq, uint64_t urem)
{
    return sleep_ts(ureq, urem, false);
}

long
sys_clock_nanosleep(int clk, int flags, uint64_t ureq, uint64_t urem)
{
    if (clk != CLOCK_MONOTONIC && clk != CLOCK_REALTIME && clk != CLOCK_BOOTTIME)
        return -EINVAL;
    return sleep_ts(ureq, urem, flags & TIMER_ABSTIME);
}

long
sys_clock_gettime(int clk, uint64_t uts)
{
    uint64_t ns;
    switch (clk) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
        ns = time_realtime_ns();
        break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
        ns = arch_time_ns();
        break;
    case CLOCK_PROCESS_CPUTIME_ID:
    case CLOCK_THREAD_CPUTIME_ID:
        ns = sched_current()->cpu_ns + (arch_time_ns() - sched_current()->run_start);
        break;
    default:
        return -EINVAL;
    }
    struct k_timespec ts = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000) };
    return copyout(uts, &ts, sizeof(ts));
}

long
sys_gettimeofday(uint64_t utv, uint64_t utz)
{
    uint64_t ns = time_realtime_ns();
    struct {
        int64_t sec, usec;
    } tv = { (int64_t)(ns / 1000000000), (int64_t)(ns % 1000000000 / 1000) };
    if (utv && copyout(utv, &tv, sizeof(tv)))
        return -EFAULT;
    if (utz) {
        int32_t tz[2] = { 0, 0 };
        if (copyout(utz, tz, sizeof(tz)))
            return -EFAULT;
    }
    return 0;
}

long
sys_time(uint64_t ut)
{
    int64_t sec = (int64_t)(time_realtime_ns() / 1000000000);
    if (ut && copyout(ut, &sec, sizeof(sec)))
        return -EFAULT;
    return sec;
}

long
sys_uname(uint64_t ubuf)
{
    char u[6][65];
    memset(u, 0, sizeof(u));
    k_strlcpy(u[0], "Wisp", 65);
    k_snprintf(u[1], 65, "node%d", main_node_id());
    k_strlcpy(u[2], WISP_VERSION, 65);
    k_strlcpy(u[3], "wisp " WISP_VERSION, 65);
    k_strlcpy(u[4], "x86_64", 65);
    k_strlcpy(u[5], "(none)", 65);
    return copyout(ubuf, u, sizeof(u));
}
