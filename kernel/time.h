/*
 * Wall-clock time (kernel/time.c). arch_time_ns() is the monotonic clock
 * (ns since boot, the calibrated TSC); time_realtime_ns() is ns since the
 * Unix epoch: the CMOS RTC read at boot, kept in step with the cluster's
 * time source node (docs/time.md). Safe from any context.
 */
#pragma once
#include "kernel/compiler.h"

/* Nanoseconds since 1970-01-01 00:00:00 UTC. */
uint64_t time_realtime_ns(void);
