/*
 * benchloop: the loops of Sprite's Fig. 3 (DO91: slowdown of a program run
 * on another host than its home) and the forwarded-call figure of the
 * migration experiments (scripts/bench_migrate.py). Each mode runs its loop
 * N times and prints
 *     BENCH loop_<mode>_us <total> us
 *     BENCH loop_<mode>_ns <per iteration> ns
 * Modes:
 *   getppid N   the raw getppid system call (forwarded home when the process
 *               runs away from home: Wisp's HOME row)
 *   getpid N    the raw getpid call (answered where the process runs)
 *   gettime N   gettimeofday (Sprite's "gettime loop")
 *   fork N      fork, the child exits at once, wait4 (Sprite's fork loop)
 *   cpu N       N rounds of integer arithmetic, no system call
 *   exec N      fork, execve of $BENCH_TRUE (default /usr/lib/wisp/bin/true)
 *               in the child, wait4: local fork+exec+wait
 *   rexec N     wisp_rexec of the same program on node $BENCH_NODE (default
 *               1), wait4: Sprite's "fork + remote exec + wait" (Wisp only)
 * Static musl; runs unmodified on Wisp and Linux. Usage: benchloop MODE N
 */
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <stdlib.h>
#include <unistd.h>
#include "benchutil.h"
#include "wisp.h"

extern char **environ;

static const char *
true_path(void)
{
    const char *t = getenv("BENCH_TRUE");
    return t && *t ? t : "/usr/lib/wisp/bin/true";
}

/* Waits for pid; 0 when it exited with status 0. */
static int
reap(pid_t pid)
{
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
        return -1;
    return 0;
}

static int
loop_exec(long n)
{
    char *argv[] = { (char *)true_path(), NULL };
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            execve(argv[0], argv, environ);
            _exit(127);
        }
        if (reap(pid) != 0)
            return -1;
    }
    return 0;
}

/* Where a remote exec's time goes: the call (the program started there)
 * and the wait (it ran, its exit came home, the wait woke). */
static uint64_t rexec_call_ns, rexec_wait_ns;

static int
loop_rexec(long n)
{
    const char *node = getenv("BENCH_NODE");
    char *argv[] = { (char *)true_path(), NULL };
    for (long i = 0; i < n; i++) {
        uint64_t t0 = bench_now_ns();
        long pid = wisp_rexec(node ? atol(node) : 1, argv[0], argv, environ);
        uint64_t t1 = bench_now_ns();
        if (reap((pid_t)pid) != 0)
            return -1;
        rexec_call_ns += t1 - t0;
        rexec_wait_ns += bench_now_ns() - t1;
    }
    return 0;
}

static int
loop_getppid(long n)
{
    for (long i = 0; i < n; i++)
        syscall(SYS_getppid);
    return 0;
}

static int
loop_getpid(long n)
{
    for (long i = 0; i < n; i++)
        syscall(SYS_getpid);
    return 0;
}

static int
loop_gettime(long n)
{
    struct timeval tv;

    for (long i = 0; i < n; i++)
        gettimeofday(&tv, NULL);
    return 0;
}

static int
loop_fork(long n)
{
    for (long i = 0; i < n; i++) {
        int st = 0;
        pid_t pid = fork();
        if (pid < 0)
            return -1;
        if (pid == 0)
            _exit(0);
        if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
            return -1;
    }
    return 0;
}

static volatile uint64_t sink;

static int
loop_cpu(long n)
{
    uint64_t x = 88172645463325252ull;

    for (long i = 0; i < n; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
    }
    sink = x;
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(long);
} modes[] = {
    { "getppid", loop_getppid }, { "getpid", loop_getpid }, { "gettime", loop_gettime },
    { "fork", loop_fork },       { "cpu", loop_cpu },         { "exec", loop_exec },
    { "rexec", loop_rexec },
};

int
main(int argc, char **argv)
{
    long n = bench_arg(argc, argv, 2, "BENCH_LOOP_N", 10000);

    if (argc < 2 || n < 1) {
        bench_printf("usage: benchloop getppid|getpid|gettime|fork|cpu|exec|rexec N\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
        if (strcmp(argv[1], modes[i].name) != 0)
            continue;
        uint64_t t0 = bench_now_ns();
        int rc = modes[i].fn(n);
        uint64_t t1 = bench_now_ns();
        if (rc != 0) {
            bench_printf("BENCH error loop_%s failed\n", modes[i].name);
            return 1;
        }
        bench_printf("BENCH loop_%s_us %.1f us\n", modes[i].name, (double)(t1 - t0) / 1e3);
        bench_printf("BENCH loop_%s_ns %.1f ns\n", modes[i].name, (double)(t1 - t0) / (double)n);
        if (modes[i].fn == loop_rexec) {
            bench_printf("BENCH loop_rexec_call_ns %.1f ns\n", (double)rexec_call_ns / (double)n);
            bench_printf("BENCH loop_rexec_wait_ns %.1f ns\n", (double)rexec_wait_ns / (double)n);
        }
        return 0;
    }
    bench_printf("benchloop: unknown mode %s\n", argv[1]);
    return 2;
}
