/*
 * Wall-clock time: the monotonic clock plus an offset to the epoch. The
 * offset comes from the CMOS RTC at boot (made exact to a few ms at its
 * next seconds edge by the clock thread) and is then corrected by the
 * cluster time sync (time_sync.c) through time_adjust: a step at boot or
 * for a large error, otherwise a slew of at most TIME_SLEW_PPM, so the
 * wall clock never runs backwards. The clock thread also refines the TSC
 * rate (arch_clock_refine). Calendar decoding is time_date.c's.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/cmdline.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/time.h"

#define NS 1000000000ll

static struct spinlock rt_lock = { .name = "time.realtime", .cpu = -1 };  /* protects: */
static int64_t rt_off;          /* realtime - monotonic, not counting the slew */
static uint64_t slew_start;     /* monotonic ns when the slew began */
static int64_t slew_left;       /* ns the slew is to add in all (negative: take away) */
static bool precise;            /* the RTC edge was seen, or a sync set the clock */

/* The part of the slew applied by monotonic time now. Caller holds rt_lock. */
static int64_t
slewed(uint64_t now)
{
    uint64_t el = now > slew_start ? now - slew_start : 0;
    int64_t most = (int64_t)(el / 1000000 * TIME_SLEW_PPM);
    if (slew_left >= 0)
        return MIN(slew_left, most);
    return -MIN(-slew_left, most);
}

uint64_t
time_realtime_ns(void)
{
    spin_lock(&rt_lock);
    uint64_t now = arch_time_ns();
    int64_t v = (int64_t)now + rt_off + slewed(now);
    spin_unlock(&rt_lock);
    return v > 0 ? (uint64_t)v : 0;
}

void
time_adjust(int64_t delta_ns, bool step)
{
    spin_lock(&rt_lock);
    uint64_t now = arch_time_ns();
    int64_t done = slewed(now);
    rt_off += done;             /* keep what the old slew already applied */
    slew_start = now;
    if (step) {
        rt_off += delta_ns;
        slew_left = 0;
    } else {
        slew_left = delta_ns;
    }
    precise = true;
    spin_unlock(&rt_lock);
}

bool
time_is_precise(void)
{
    return __atomic_load_n(&precise, __ATOMIC_RELAXED);
}

/* timeskew=[-]SECONDS: a deliberately wrong RTC, for the sync tests. */
static int64_t
skew_s(void)
{
    const char *s = cmdline_get(main_cmdline(), "timeskew");
    int64_t v = 0;
    bool neg = s && *s == '-';
    for (s = s ? s + neg : ""; *s >= '0' && *s <= '9' && v < 1000000000; s++)
        v = v * 10 + (*s - '0');
    return neg ? -v : v;
}

/* The RTC as seconds since the epoch, and the monotonic time it was read. */
static bool
rtc_now(int64_t *sec, uint64_t *at)
{
    uint8_t raw[ARCH_RTC_NREGS];
    if (!arch_rtc_read(raw))
        return false;
    *at = arch_time_ns();
    if (time_rtc_decode(raw, sec) != 0)
        return false;
    *sec += skew_s();
    return true;
}

static void
set_from_rtc(int64_t sec, uint64_t at, bool edge)
{
    spin_lock(&rt_lock);
    if (!precise) {
        rt_off = sec * NS - (int64_t)at + (edge ? 0 : NS / 2);  /* mid-second if no edge */
        slew_left = 0;
        precise = edge;
    }
    spin_unlock(&rt_lock);
}

/* Poll the RTC every millisecond until its seconds change: that instant
 * is a whole second. Gives up after 3 s (a stopped RTC). */
static void
rtc_edge(void)
{
    int64_t first, sec;
    uint64_t at;
    if (!rtc_now(&first, &at))
        goto out;
    for (int i = 0; i < 3000; i++) {
        if (sched_sleep_ns(1000000) != 0)
            continue;
        if (rtc_now(&sec, &at) && sec != first) {
            set_from_rtc(sec, at, true);
            return;
        }
    }
out:
    __atomic_store_n(&precise, true, __ATOMIC_RELAXED);   /* as good as it gets */
}

static void
clock_thread(void *arg)
{
    rtc_edge();
    for (;;) {
        if (sched_sleep_ns(1000000000ull) != 0)
            continue;
        arch_clock_refine();
    }
}

void
time_init(void)
{
    int64_t sec;
    uint64_t at;
    if (rtc_now(&sec, &at))
        set_from_rtc(sec, at, false);
    else
        kprintf("wisp: the CMOS RTC did not answer sensibly; the date starts at 1970\n");
    if (!sched_spawn("clock", clock_thread, NULL))
        kprintf("wisp: no clock thread: the TSC rate stays as calibrated at boot\n");
}
