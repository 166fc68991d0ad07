/*
 * timesync: how this node keeps time (docs/time.md). Without arguments:
 * the time source node, the offset and error bound of the last sync and
 * its age, and the TSC calibration (rate, reference, windows, refinement).
 * `timesync probe` also measures the offset to the source now (without
 * correcting it); `timesync clock SECS` prints the monotonic and wall
 * clocks every 200 ms for SECS seconds (tests/qemu/time_calibration.sh
 * compares them with the host's clock).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wisp.h"

static const char *
state_name(int s)
{
    switch (s) {
    case WISP_TS_SOURCE: return "source";
    case WISP_TS_SYNCED: return "synced";
    case WISP_TS_TRYING: return "trying";
    default: return "none";
    }
}

static uint64_t
ns_of(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Print both clocks every 200 ms (of this node's clock) for secs seconds. */
static int
clock_lines(int secs)
{
    uint64_t start = ns_of(CLOCK_MONOTONIC);
    for (int i = 0; i <= secs * 5; i++) {
        uint64_t due = start + (uint64_t)i * 200000000ull, now;
        while ((now = ns_of(CLOCK_MONOTONIC)) < due) {
            struct timespec d = { 0, (long)(due - now < 100000000ull ? due - now : 100000000ull) };
            nanosleep(&d, NULL);
        }
        printf("clock %llu %llu\n", (unsigned long long)now,
               (unsigned long long)ns_of(CLOCK_REALTIME));
        fflush(stdout);
    }
    return 0;
}

static void
show(const struct wisp_timesync *t, int probe)
{
    time_t now = (time_t)(t->realtime_ns / 1000000000ull);
    struct tm tm;
    char date[64];
    gmtime_r(&now, &tm);
    strftime(date, sizeof(date), "%Y-%m-%d %H:%M:%S UTC", &tm);
    printf("time: %s (%llu s since the epoch)\n", date, (unsigned long long)now);
    if (t->source < 0)
        printf("source: none (no RPC: this node keeps its RTC time)\n");
    else
        printf("source: node %d (%s)\n", t->source, state_name(t->state));
    if (t->state == WISP_TS_SYNCED)
        printf("offset: %+.3f ms, error bound %.3f ms, %.1f s ago, %llu syncs (%llu steps)\n",
               t->offset_ns / 1e6, t->error_ns / 1e6, t->age_ns / 1e9,
               (unsigned long long)t->syncs, (unsigned long long)t->steps);
    if (probe && t->probe_err == 0)
        printf("probe: offset %+.3f ms, error bound %.3f ms\n", t->probe_offset_ns / 1e6,
               t->probe_error_ns / 1e6);
    else if (probe)
        printf("probe: failed: %s\n", strerror(-t->probe_err));
    printf("tsc: %.3f MHz against %s (boot %.3f MHz, %d of %d windows kept; "
           "refined over %.0f s)\n", t->tsc_hz / 1e6, t->ref, t->boot_tsc_hz / 1e6, t->windows,
           t->tried, t->baseline_ns / 1e9);
    printf("lapic: %.3f MHz\n", t->lapic_hz / 1e6);
}

int
main(int argc, char **argv)
{
    struct wisp_timesync t;
    int probe = argc > 1 && strcmp(argv[1], "probe") == 0;
    if (argc > 2 && strcmp(argv[1], "clock") == 0)
        return clock_lines(atoi(argv[2]));
    if (argc > 1 && !probe) {
        fprintf(stderr, "usage: timesync [probe | clock SECS]\n");
        return 2;
    }
    memset(&t, 0, sizeof(t));
    if (wisp_timesync(&t, sizeof(t), probe ? WISP_TIMESYNC_PROBE : 0) < 0) {
        fprintf(stderr, "timesync: %s\n", strerror(errno));
        return 1;
    }
    show(&t, probe);
    return probe && t.probe_err ? 1 : 0;
}
