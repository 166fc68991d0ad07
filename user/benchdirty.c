/*
 * benchdirty: the program the migration benchmarks move (scripts/
 * bench_migrate.py). It dirties N MiB of anonymous memory with a known
 * pattern (each 64-bit word a function of its index), then loops: every
 * period it re-reads the whole area, checks every word and prints
 *     benchdirty: tick K sum S ok
 * (or `bad` with the first wrong word), so a process checkpointed or
 * migrated mid-run shows on its new machine that it continues where it
 * stopped (K goes on from the last value, never back to 0) with its memory
 * intact (same S, ok). Before the loop it prints
 *     benchdirty: pid P mib N files F ready sum S
 * where F extra streams are open on /dev/null (read-write): they give the
 * migration cost model its per-stream term. It runs unmodified on Wisp and
 * on Linux (static musl; only mmap, open, write, nanosleep, clock_gettime,
 * getpid).
 *
 * Usage: benchdirty MiB [period_ms [ticks [files]]]  (ticks 0: for ever)
 *        benchdirty now     prints the monotonic clock in microseconds, for
 *                           shell scripts that time commands (busybox's
 *                           date has no %N)
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

/* The pattern: a cheap mix of the word's index (never 0 for small i). */
static uint64_t
pattern(uint64_t i)
{
    uint64_t x = (i + 1) * 0x9e3779b97f4a7c15ull;

    return x ^ (x >> 29);
}

/* One line, one write(2): nothing waits in a stdio buffer at a checkpoint. */
static void __attribute__((format(printf, 1, 2)))
say(const char *fmt, ...)
{
    char buf[160];
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > 0)
        (void)!write(1, buf, (size_t)(n < (int)sizeof(buf) ? n : (int)sizeof(buf) - 1));
}

static uint64_t
now_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000ull + (uint64_t)ts.tv_nsec / 1000;
}

static uint64_t
fill(uint64_t *w, size_t n)
{
    uint64_t sum = 0;

    for (size_t i = 0; i < n; i++) {
        w[i] = pattern(i);
        sum += w[i];
    }
    return sum;
}

/* Checks every word; returns the index of the first bad one, or n. */
static size_t
check(const uint64_t *w, size_t n, uint64_t *sum)
{
    uint64_t s = 0;

    for (size_t i = 0; i < n; i++) {
        if (w[i] != pattern(i))
            return i;
        s += w[i];
    }
    *sum = s;
    return n;
}

static void
nap_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Opens n streams on /dev/null; -1 if one fails. */
static int
open_files(long n)
{
    for (long i = 0; i < n; i++) {
        if (open("/dev/null", O_RDWR) < 0) {
            say("benchdirty: open /dev/null failed\n");
            return -1;
        }
    }
    return 0;
}

static int
run(long mib, long period, long ticks, long files)
{
    size_t n = (size_t)mib * (1u << 20) / sizeof(uint64_t);
    uint64_t *w = NULL, sum0 = 0, sum = 0;

    if (n > 0) {
        w = mmap(NULL, n * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (w == MAP_FAILED) {
            say("benchdirty: mmap %ld MiB failed\n", mib);
            return 1;
        }
        sum0 = fill(w, n);
    }
    if (open_files(files) != 0)
        return 1;
    say("benchdirty: pid %d mib %ld files %ld ready sum %llu\n", (int)getpid(), mib, files,
        (unsigned long long)sum0);
    for (long k = 1; ticks == 0 || k <= ticks; k++) {
        nap_ms(period);
        size_t bad = check(w, n, &sum);
        if (bad < n) {
            say("benchdirty: tick %ld bad word %zu of %zu\n", k, bad, n);
            return 2;
        }
        say("benchdirty: tick %ld sum %llu %s\n", k, (unsigned long long)sum,
            sum == sum0 ? "ok" : "changed");
    }
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "now") == 0) {
        say("%llu\n", (unsigned long long)now_us());
        return 0;
    }
    if (argc < 2) {
        say("usage: benchdirty MiB [period_ms [ticks [files]]] | benchdirty now\n");
        return 1;
    }
    long mib = atol(argv[1]);
    long period = argc > 2 ? atol(argv[2]) : 500;
    long ticks = argc > 3 ? atol(argv[3]) : 0;
    long files = argc > 4 ? atol(argv[4]) : 0;
    if (mib < 0 || mib > 4096 || period < 1 || files < 0 || files > 1000)
        return 1;
    return run(mib, period, ticks, files);
}
