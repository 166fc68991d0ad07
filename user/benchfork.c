/*
 * benchfork: process creation. One iteration is fork, execve of a trivial
 * static program (/bin/true, the same musl binary on every system), its
 * exit, and wait4 in the parent. Each run lasts about 200 ms (at least 5
 * iterations); the median of the runs is printed as
 *     BENCH forkexec_us <v> us
 * A child that fails to exec or exits non-zero is an error, not a figure.
 * Usage: benchfork [runs [program]]   (or BENCH_RUNS, BENCH_TRUE)
 */
#include <sys/wait.h>
#include "benchutil.h"

#define TARGET_NS 200000000ull

/* n iterations; returns 0, or -1 with a message printed. */
static int
spawn(const char *prog, long n)
{
    char *argv[] = { (char *)prog, NULL };
    char *envp[] = { NULL };
    int status;
    pid_t pid;

    for (long i = 0; i < n; i++) {
        pid = fork();
        if (pid < 0) {
            bench_printf("BENCH error benchfork fork\n");
            return -1;
        }
        if (pid == 0) {
            execve(prog, argv, envp);
            _exit(127);
        }
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
            WEXITSTATUS(status) != 0) {
            bench_printf("BENCH error benchfork %s status 0x%x\n", prog, status);
            return -1;
        }
    }
    return 0;
}

int
main(int argc, char **argv)
{
    double us[BENCH_RUNS_MAX];
    long runs = bench_arg(argc, argv, 1, "BENCH_RUNS", 5);
    const char *prog = argc > 2 ? argv[2] : getenv("BENCH_TRUE");
    long iters = 3;
    uint64_t t0, t1;

    if (prog == NULL || *prog == '\0')
        prog = "/bin/true";
    if (runs < 1 || runs > BENCH_RUNS_MAX)
        runs = 5;
    t0 = bench_now_ns();
    if (spawn(prog, iters) != 0)
        return 1;
    t1 = bench_now_ns();
    iters = bench_scale(iters, t1 - t0, TARGET_NS, 5, 100000);

    for (long r = 0; r < runs; r++) {
        t0 = bench_now_ns();
        if (spawn(prog, iters) != 0)
            return 1;
        t1 = bench_now_ns();
        us[r] = (double)(t1 - t0) / (double)iters / 1000;
    }
    bench_printf("# benchfork: %ld runs x %ld fork+exec of %s\n", runs, iters, prog);
    bench_emit("forkexec_us", bench_median(us, (int)runs), "us");
    return 0;
}
