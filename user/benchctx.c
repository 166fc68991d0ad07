/*
 * benchctx: context switch between two processes. Parent and child pass a
 * one-byte token back and forth over two pipes; each round trip is two
 * switches (parent -> child -> parent), so one switch is half a round trip.
 * On a single CPU this is the cost of a blocking read, a wake-up and a
 * switch; the harness pins the host run to one CPU to match the guests.
 * Each run lasts about 100 ms; the median of the runs is printed as
 *     BENCH ctxswitch_ns <v> ns
 *     BENCH ctxswitch_cycles <v> cycles
 * Usage: benchctx [runs]   (or BENCH_RUNS in the environment)
 */
#include <sys/wait.h>
#include "benchutil.h"

#define TARGET_NS 100000000ull

/* n round trips; returns 0, or -1 if the pipe broke. */
static int
pingpong(int wfd, int rfd, long n)
{
    char c = 'x';

    for (long i = 0; i < n; i++) {
        if (write(wfd, &c, 1) != 1 || read(rfd, &c, 1) != 1)
            return -1;
    }
    return 0;
}

/* The child: echo every byte until the parent closes its end. */
static void
echo(int rfd, int wfd)
{
    char c;

    while (read(rfd, &c, 1) == 1) {
        if (write(wfd, &c, 1) != 1)
            break;
    }
    _exit(0);
}

int
main(int argc, char **argv)
{
    double ns[BENCH_RUNS_MAX], cyc[BENCH_RUNS_MAX];
    long runs = bench_arg(argc, argv, 1, "BENCH_RUNS", 7);
    long iters = 200;
    int to_child[2], to_parent[2], status;
    uint64_t t0, t1, c0, c1;
    pid_t pid;

    if (runs < 1 || runs > BENCH_RUNS_MAX)
        runs = 7;
    if (pipe(to_child) != 0 || pipe(to_parent) != 0) {
        bench_printf("BENCH error benchctx pipe\n");
        return 1;
    }
    pid = fork();
    if (pid < 0) {
        bench_printf("BENCH error benchctx fork\n");
        return 1;
    }
    if (pid == 0) {
        close(to_child[1]);
        close(to_parent[0]);
        echo(to_child[0], to_parent[1]);
    }
    close(to_child[0]);
    close(to_parent[1]);

    t0 = bench_now_ns();
    if (pingpong(to_child[1], to_parent[0], iters) != 0)
        goto broken;
    t1 = bench_now_ns();
    iters = bench_scale(iters, t1 - t0, TARGET_NS, 100, 2000000);

    for (long r = 0; r < runs; r++) {
        t0 = bench_now_ns();
        c0 = bench_rdtsc();
        if (pingpong(to_child[1], to_parent[0], iters) != 0)
            goto broken;
        c1 = bench_rdtsc();
        t1 = bench_now_ns();
        ns[r] = (double)(t1 - t0) / (double)iters / 2;
        cyc[r] = (double)(c1 - c0) / (double)iters / 2;
    }
    close(to_child[1]);
    waitpid(pid, &status, 0);
    bench_printf("# benchctx: %ld runs x %ld round trips\n", runs, iters);
    bench_emit("ctxswitch_ns", bench_median(ns, (int)runs), "ns");
    bench_emit("ctxswitch_cycles", bench_median(cyc, (int)runs), "cycles");
    return 0;

broken:
    bench_printf("BENCH error benchctx pipe broke\n");
    close(to_child[1]);
    waitpid(pid, &status, 0);
    return 1;
}
