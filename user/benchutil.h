/*
 * Helpers shared by the benchmark programs (user/bench*.c): the cycle
 * counter, a monotonic clock in nanoseconds, the median of a set of runs,
 * and the one output format the harness parses:
 *     BENCH <name> <value> <unit>
 * Output goes straight to write(2) so nothing sits in a stdio buffer across
 * fork. Only calls Wisp implements are used (write, clock_gettime, getpid,
 * pipe, fork, execve, wait4, exit).
 */
#pragma once
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define BENCH_RUNS_MAX 31

static inline uint64_t
bench_rdtsc(void)
{
    uint32_t lo, hi;

    __asm__ __volatile__("lfence; rdtsc" : "=a"(lo), "=d"(hi) : : "memory");
    return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t
bench_now_ns(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Writes a whole formatted line with one write(2); ignores short writes. */
static inline void
bench_printf(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    (void)!write(1, buf, (size_t)n);
}

static inline void
bench_emit(const char *name, double value, const char *unit)
{
    bench_printf("BENCH %s %.1f %s\n", name, value, unit);
}

/* Median of v[0..n-1]; sorts v in place (n is small). */
static inline double
bench_median(double *v, int n)
{
    for (int i = 1; i < n; i++) {
        double x = v[i];
        int j = i - 1;
        while (j >= 0 && v[j] > x) {
            v[j + 1] = v[j];
            j--;
        }
        v[j + 1] = x;
    }
    if (n == 0)
        return 0;
    return (n & 1) ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Iterations needed for one run to last about target_ns, given that iters
 * iterations took took_ns; at least lo, at most hi. */
static inline long
bench_scale(long iters, uint64_t took_ns, uint64_t target_ns, long lo, long hi)
{
    double n;

    if (took_ns == 0)
        return hi;
    n = (double)iters * (double)target_ns / (double)took_ns;
    if (n < lo)
        return lo;
    if (n > hi)
        return hi;
    return (long)n;
}

/* Integer option from argv[i] or the environment, else def. */
static inline long
bench_arg(int argc, char **argv, int i, const char *env, long def)
{
    const char *s = (i < argc) ? argv[i] : getenv(env);

    if (s == NULL || *s == '\0')
        return def;
    return strtol(s, NULL, 0);
}
