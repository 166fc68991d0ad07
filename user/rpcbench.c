/*
 * rpcbench: exercises and measures the kernel RPC layer (docs/rpc.md)
 * through Wisp's system calls. Every mode exits non-zero on any failed
 * call or wrong reply, so cluster tests can rely on its status, and prints
 * machine-readable "BENCH name value unit" lines besides the prose.
 *   rpcbench echo NODE SIZE N        N echo calls; checks every reply byte
 *   rpcbench count NODE N            N at-most-once increments of NODE's counter
 *   rpcbench tput NODE SIZE SECS [C] echo throughput with C (1..8) callers (fork)
 *   rpcbench put NODE SIZE SECS [C [B]]  one-way throughput: SIZE-byte requests, empty
 *                                    replies; B calls per system call, made back to back
 *                                    by the kernel as its own clients do (default 1)
 *   rpcbench blast NODE TOTAL DGRAM  raw UDP throughput to NODE's sink
 *   rpcbench stream NODE SIZE N [corrupt]  N streams of SIZE bytes (more than one
 *                                    call each), every byte checked by NODE; with
 *                                    corrupt, one byte is wrong and NODE must refuse
 *   rpcbench mac SIZE N              the RPC MAC's cost: tag SIZE bytes N times in the kernel
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "wisp.h"

#define MAX_DATA (64 * 1024)

static uint64_t
now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static long
arg(const char *s, const char *what, long lo, long hi)
{
    char *end;
    long v = strtol(s, &end, 0);
    if (*s == 0 || *end != 0 || v < lo || v > hi) {
        fprintf(stderr, "rpcbench: bad %s '%s' (%ld..%ld)\n", what, s, lo, hi);
        exit(2);
    }
    return v;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static void
fill(uint8_t *p, long n, long seed)
{
    for (long i = 0; i < n; i++)
        p[i] = (uint8_t)(i * 31 + seed * 7 + (i >> 8));
}

static int
echo(long node, long size, long n)
{
    static uint8_t in[MAX_DATA], out[MAX_DATA];
    uint64_t *t = calloc((size_t)n, sizeof(*t));
    uint64_t *kt = calloc((size_t)n, sizeof(*kt));   /* as the kernel timed them */
    if (!t || !kt)
        return 1;
    for (long i = 0; i < n; i++) {
        fill(in, size, i);
        memset(out, 0xee, (size_t)size);
        uint64_t t0 = now_ns();
        long r = wisp_rpc_echo(node, in, size, out, MAX_DATA, &kt[i]);
        t[i] = now_ns() - t0;
        if (r < 0) {
            printf("rpcbench: echo call %ld to node %ld failed: %s\n", i, node, strerror(errno));
            return 1;
        }
        if (r != size || memcmp(in, out, (size_t)size) != 0) {
            printf("rpcbench: echo call %ld to node %ld: reply differs (%ld bytes back)\n", i,
                   node, r);
            return 1;
        }
    }
    qsort(t, (size_t)n, sizeof(*t), cmp_u64);
    uint64_t sum = 0;
    for (long i = 0; i < n; i++)
        sum += t[i];
    double avg = sum / 1e3 / n;
    printf("echo: %ld calls of %ld bytes to node %ld ok: min %.1f avg %.1f p50 %.1f p99 %.1f "
           "max %.1f us\n", n, size, node, t[0] / 1e3, avg, t[n / 2] / 1e3,
           t[(n * 99) / 100 < n ? (n * 99) / 100 : n - 1] / 1e3, t[n - 1] / 1e3);
    printf("BENCH rpc_echo_%ld_avg %.1f us\n", size, avg);
    printf("BENCH rpc_echo_%ld_p50 %.1f us\n", size, t[n / 2] / 1e3);
    printf("BENCH rpc_echo_%ld_min %.1f us\n", size, t[0] / 1e3);
    /* In the kernel, from the call's start to its reply, as ping times ICMP. */
    qsort(kt, (size_t)n, sizeof(*kt), cmp_u64);
    printf("echo: in the kernel: min %.1f p50 %.1f us\n", kt[0] / 1e3, kt[n / 2] / 1e3);
    printf("BENCH rpc_echo_%ld_kern_p50 %.1f us\n", size, kt[n / 2] / 1e3);
    free(t);
    free(kt);
    return 0;
}

static int
count(long node, long n)
{
    uint64_t v = 0, first = 0;
    for (long i = 0; i < n; i++) {
        uint64_t prev = v;
        if (wisp_rpc_count(node, &v) < 0) {
            printf("rpcbench: count call %ld to node %ld failed: %s\n", i, node, strerror(errno));
            return 1;
        }
        if (i == 0)
            first = v;
        else if (v <= prev) {
            printf("rpcbench: count call %ld: counter went from %llu to %llu\n", i,
                   (unsigned long long)prev, (unsigned long long)v);
            return 1;
        }
    }
    printf("count: %ld calls to node %ld ok, counter now %llu (first reply %llu)\n", n, node,
           (unsigned long long)v, (unsigned long long)first);
    printf("BENCH rpc_count_calls %ld calls\n", n);
    return 0;
}

/* One caller of tput (echo) or put (one-way SINK): call until the
 * deadline, report calls and errors. */
static long batch = 1;    /* put: SINK calls per system call (made by the kernel) */

static void
tput_child(int fd, long node, long size, uint64_t until, bool oneway)
{
    static uint8_t in[MAX_DATA], out[MAX_DATA];
    uint64_t res[2] = { 0, 0 };
    fill(in, size, getpid());
    while (now_ns() < until) {
        bool ok;
        if (oneway) {
            long r = wisp_rpc_sink(node, in, size, batch);
            ok = r == batch;
            if (ok) {
                res[0] += (uint64_t)batch;
                continue;
            }
        } else {
            long r = wisp_rpc_echo(node, in, size, out, MAX_DATA, NULL);
            ok = r == size && memcmp(in, out, (size_t)size) == 0;
        }
        res[ok ? 0 : 1]++;
    }
    if (write(fd, res, sizeof(res)) != sizeof(res))
        _exit(1);
    _exit(0);
}

static int
tput(long node, long size, long secs, long callers, bool oneway)
{
    int fds[2];
    if (pipe(fds) < 0)
        return 1;
    uint64_t t0 = now_ns(), until = t0 + (uint64_t)secs * 1000000000ull;
    for (long c = 0; c < callers; c++) {
        pid_t p = fork();
        if (p < 0) {
            perror("rpcbench: fork");
            return 1;
        }
        if (p == 0)
            tput_child(fds[1], node, size, until, oneway);
    }
    close(fds[1]);
    uint64_t calls = 0, errs = 0, res[2];
    for (long c = 0; c < callers; c++) {
        if (read(fds[0], res, sizeof(res)) != sizeof(res))
            break;
        calls += res[0];
        errs += res[1];
    }
    while (wait(NULL) > 0)
        ;
    double el = (now_ns() - t0) / 1e9;
    double cps = calls / el, mbs = calls * (double)size / el / 1e6;
    const char *name = oneway ? "put" : "tput";
    printf("%s: %ld callers, %ld bytes, %.1f s: %llu calls (%llu failed), %.1f calls/s, "
           "%.2f MB/s %s", name, callers, size, el, (unsigned long long)calls,
           (unsigned long long)errs, cps, mbs, oneway ? "one way" : "each way");
    if (oneway)
        printf(", %ld call%s per system call", batch, batch == 1 ? "" : "s");
    printf("\n");
    printf("BENCH rpc_%s_%ld_c%ld_calls %.1f calls/s\n", name, size, callers, cps);
    printf("BENCH rpc_%s_%ld_c%ld_bw %.2f MB/s\n", name, size, callers, mbs);
    return errs ? 1 : 0;
}

static int
blast(long node, long total, long dgram)
{
    struct wisp_blast b;
    if (wisp_udp_blast(node, total, dgram, &b) < 0) {
        printf("rpcbench: blast to node %ld failed: %s\n", node, strerror(errno));
        return 1;
    }
    /* The receiver's rate: bytes over the sink's time from the first
     * arrival to the last. The sender's time is shorter by whatever the
     * receiver's rings still held when the sender was done. */
    double el = b.elapsed_ns / 1e9, span = b.rx_span_ns / 1e9;
    double mbs = span > 0 ? b.received_bytes / span / 1e6 : 0;
    double loss = b.sent_bytes ? 100.0 * (1.0 - (double)b.received_bytes / b.sent_bytes) : 0;
    printf("blast: %llu bytes sent in %ld-byte datagrams in %.3f s, %llu received in %.3f s "
           "(%.1f%% lost), %.2f MB/s at the receiver\n", (unsigned long long)b.sent_bytes, dgram,
           el, (unsigned long long)b.received_bytes, span, loss, mbs);
    printf("BENCH udp_blast_%ld_bw %.2f MB/s\n", dgram, mbs);
    printf("BENCH udp_blast_%ld_loss %.1f %%\n", dgram, loss);
    return 0;
}

static int
stream(long node, long size, long n, bool corrupt)
{
    struct wisp_rpcstream r;
    long err = wisp_rpc_stream(node, size, n, corrupt ? WISP_STREAM_CORRUPT : 0, &r);
    if (corrupt) {
        if (err == 0 || errno != EBADMSG) {
            printf("rpcbench: a corrupt stream to node %ld was %s\n", node,
                   err == 0 ? "accepted" : strerror(errno));
            return 1;
        }
        printf("stream: node %ld refused the corrupt stream (EBADMSG)\n", node);
        return 0;
    }
    if (err < 0) {
        printf("rpcbench: stream to node %ld failed: %s\n", node, strerror(errno));
        return 1;
    }
    double el = r.elapsed_ns / 1e9;
    double mbs = el > 0 ? r.bytes / el / 1e6 : 0;
    printf("stream: %ld streams of %ld bytes to node %ld checked ok: %llu calls, %.3f s, "
           "%.2f MB/s\n", n, size, node, (unsigned long long)r.pieces, el, mbs);
    printf("BENCH rpc_stream_%ld_bw %.2f MB/s\n", size, mbs);
    return 0;
}

static int
mac(long size, long n)
{
    long ns = wisp_mac_bench(size, n);
    if (ns < 0) {
        printf("rpcbench: mac bench failed: %s\n", strerror(errno));
        return 1;
    }
    double per_kib = size ? (double)ns / n / size * 1024 : 0;
    double mbs = (double)size * n / ((double)ns / 1e9) / 1e6;
    printf("mac: %ld tags of %ld bytes in %.3f ms: %.0f ns per tag\n", n, size, ns / 1e6,
           (double)ns / n);
    printf("BENCH mac_ns_per_kib %.0f ns\n", per_kib);
    printf("BENCH mac_mbs %.2f MB/s\n", mbs);
    return 0;
}

static int
usage(void)
{
    fprintf(stderr, "usage: rpcbench echo NODE SIZE N\n"
                    "       rpcbench count NODE N\n"
                    "       rpcbench tput NODE SIZE SECONDS [CALLERS]\n"
                    "       rpcbench put NODE SIZE SECONDS [CALLERS [BATCH]]\n"
                    "       rpcbench blast NODE TOTAL DGRAM\n"
                    "       rpcbench stream NODE SIZE N [corrupt]\n"
                    "       rpcbench mac SIZE N\n");
    return 2;
}

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3)
        return usage();
    if (strcmp(argv[1], "mac") == 0 && argc == 4)
        return mac(arg(argv[2], "size", 0, MAX_DATA), arg(argv[3], "count", 1, 100000000));
    long node = arg(argv[2], "node", 0, 255);
    if (strcmp(argv[1], "echo") == 0 && argc == 5)
        return echo(node, arg(argv[3], "size", 0, MAX_DATA), arg(argv[4], "count", 1, 10000000));
    if (strcmp(argv[1], "count") == 0 && argc == 4)
        return count(node, arg(argv[3], "count", 1, 100000000));
    bool oneway = strcmp(argv[1], "put") == 0;
    if (oneway && argc == 7)
        batch = arg(argv[6], "batch", 1, 1000);
    if ((oneway || strcmp(argv[1], "tput") == 0) && (argc == 5 || argc == 6 || (oneway && argc == 7)))
        return tput(node, arg(argv[3], "size", 0, MAX_DATA), arg(argv[4], "seconds", 1, 3600),
                    argc >= 6 ? arg(argv[5], "callers", 1, 8) : 1, oneway);
    if (strcmp(argv[1], "blast") == 0 && argc == 5)
        return blast(node, arg(argv[3], "total", 1, 1L << 34), arg(argv[4], "dgram", 1, 1472));
    if (strcmp(argv[1], "stream") == 0 && (argc == 5 || argc == 6))
        return stream(node, arg(argv[3], "size", 0, WISP_STREAM_MAX),
                      arg(argv[4], "count", 1, 100000),
                      argc == 6 && strcmp(argv[5], "corrupt") == 0);
    return usage();
}
