/*
 * Wall-clock time (kernel/time.c). arch_time_ns() is the monotonic clock
 * (ns since boot, the calibrated TSC); time_realtime_ns() is ns since the
 * Unix epoch: the CMOS RTC read at boot, kept in step with the cluster's
 * time source node (kernel/time_sync.c, docs/time.md). Safe from any
 * context.
 */
#pragma once
#include "kernel/compiler.h"

/* Nanoseconds since 1970-01-01 00:00:00 UTC. */
uint64_t time_realtime_ns(void);

/* Read the RTC (timeskew=SECONDS on the command line shifts it, for
 * tests), and start the clock thread: it finds the RTC's next seconds
 * edge for sub-second precision and refines the TSC rate every second
 * (arch_clock_refine). Call once, from a thread, before the RPC layer. */
void time_init(void);

/* Correct the wall clock by delta_ns: at once (step), or gradually
 * (slew, TIME_SLEW_PPM: the clock never runs backwards). A new call
 * replaces the part of an earlier slew not yet applied. */
#define TIME_SLEW_PPM 1000
void time_adjust(int64_t delta_ns, bool step);

/* True once the wall clock is as good as this node can make it alone:
 * the RTC's seconds edge was seen (or never will be). */
bool time_is_precise(void);

/* Calendar (time_date.c). A UTC date to seconds since the epoch: 0, or
 * -EINVAL for a field out of range or a year before 1970. */
int time_date_to_epoch(int year, int mon, int mday, int hour, int min, int sec, int64_t *out);
/* The RTC's raw registers (arch_rtc_read) to seconds since the epoch:
 * BCD or binary and 12 or 24 hours per status B, the century register
 * when it holds 19-99. 0 or -EINVAL. */
int time_rtc_decode(const uint8_t *raw, int64_t *out);

/* Cluster time sync (time_sync.c): follow node timesrc= (default 0) by
 * RPC, at boot and every TIME_SYNC_PERIOD_S; this node serves the TIME op
 * either way. Call once after rpc_init succeeded. */
#define TIME_SYNC_PERIOD_S 15
void time_sync_start(int self);
