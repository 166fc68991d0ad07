/*
 * benchnull: the null system call. Times getpid, issued with
 * syscall(SYS_getpid) so no C library can cache it, in cycles (rdtsc) and
 * in nanoseconds (CLOCK_MONOTONIC). Each run lasts about 50 ms; the median
 * of the runs is printed as
 *     BENCH getpid_cycles <v> cycles
 *     BENCH getpid_ns <v> ns
 * Usage: benchnull [runs]   (or BENCH_RUNS in the environment)
 */
#include <sys/syscall.h>
#include "benchutil.h"

#define TARGET_NS 50000000ull

static void
loop(long n)
{
    for (long i = 0; i < n; i++)
        syscall(SYS_getpid);
}

int
main(int argc, char **argv)
{
    double cyc[BENCH_RUNS_MAX], ns[BENCH_RUNS_MAX];
    long runs = bench_arg(argc, argv, 1, "BENCH_RUNS", 7);
    long iters = 1000;
    uint64_t t0, t1, c0, c1;

    if (runs < 1 || runs > BENCH_RUNS_MAX)
        runs = 7;
    /* Warm up, then size the runs from the warm-up's speed. */
    t0 = bench_now_ns();
    loop(iters);
    t1 = bench_now_ns();
    iters = bench_scale(iters, t1 - t0, TARGET_NS, 1000, 20000000);

    for (long r = 0; r < runs; r++) {
        t0 = bench_now_ns();
        c0 = bench_rdtsc();
        loop(iters);
        c1 = bench_rdtsc();
        t1 = bench_now_ns();
        cyc[r] = (double)(c1 - c0) / (double)iters;
        ns[r] = (double)(t1 - t0) / (double)iters;
    }
    bench_printf("# benchnull: %ld runs x %ld getpid\n", runs, iters);
    bench_emit("getpid_cycles", bench_median(cyc, (int)runs), "cycles");
    bench_emit("getpid_ns", bench_median(ns, (int)runs), "ns");
    return 0;
}
