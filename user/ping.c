/*
 * ping [-c N] [-i SECS] [-s SIZE] NODE|A.B.C.D: ICMP echo through the
 * kernel's WISP_SYS_PING (net/net_icmp.c), printed like Linux's ping. A
 * number alone is a node id (node K is 10.77.0.(K+1)). Without -c it runs
 * until interrupted. Exit 0 when any reply came back, 1 when none did, 2
 * on a usage or system error.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "wisp.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void)sig;
    stop = 1;
}

static void
usage(void)
{
    fprintf(stderr, "usage: ping [-c COUNT] [-i SECONDS] [-s SIZE] NODE|A.B.C.D\n");
    exit(2);
}

/* A node id ("3") or a dotted quad; 0 when neither. */
static uint32_t
parse_target(const char *s)
{
    unsigned a, b, c, d;
    char extra;
    if (sscanf(s, "%u.%u.%u.%u%c", &a, &b, &c, &d, &extra) == 4) {
        if (a > 255 || b > 255 || c > 255 || d > 255)
            return 0;
        return a << 24 | b << 16 | c << 8 | d;
    }
    char *end;
    long node = strtol(s, &end, 10);
    if (end == s || *end != '\0')
        return 0;
    return wisp_node_ip((int)node);
}

static double
now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void
sleep_ms(double ms)
{
    if (ms <= 0)
        return;
    struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
                           .tv_nsec = (long)((ms - (double)(time_t)(ms / 1000) * 1000) * 1e6) };
    while (!stop && nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

int
main(int argc, char **argv)
{
    long count = -1, size = 56;
    double interval = 1.0;
    int opt;

    while ((opt = getopt(argc, argv, "c:i:s:")) != -1) {
        char *end;
        switch (opt) {
        case 'c':
            count = strtol(optarg, &end, 10);
            if (*end || count <= 0)
                usage();
            break;
        case 'i':
            interval = strtod(optarg, &end);
            if (*end || interval < 0 || interval != interval)
                usage();
            break;
        case 's':
            size = strtol(optarg, &end, 10);
            if (*end || size < 0 || size > 65507)
                usage();
            break;
        default:
            usage();
        }
    }
    if (optind != argc - 1)
        usage();
    uint32_t ip = parse_target(argv[optind]);
    if (!ip) {
        fprintf(stderr, "ping: %s: not a node id or an IPv4 address\n", argv[optind]);
        return 2;
    }
    char addr[16];
    snprintf(addr, sizeof addr, "%u.%u.%u.%u", ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
             ip & 255);
    signal(SIGINT, on_signal);
    signal(SIGTERM, on_signal);
    printf("PING %s (%s) %ld(%ld) bytes of data.\n", addr, addr, size, size + 28);
    fflush(stdout);

    long sent = 0, got = 0;
    double min = 0, max = 0, sum = 0;
    uint64_t timeout_ns = interval > 1.0 ? (uint64_t)(interval * 1e9) : 1000000000ull;
    for (long seq = 1; !stop && (count < 0 || seq <= count); seq++) {
        double t0 = now_ms();
        uint64_t rtt = 0;
        sent++;
        long r = wisp_ping(ip, seq & 0xffff, size, timeout_ns, &rtt);
        if (r == 0) {
            double ms = rtt / 1e6;
            got++;
            sum += ms;
            if (got == 1 || ms < min)
                min = ms;
            if (ms > max)
                max = ms;
            printf("%ld bytes from %s: icmp_seq=%ld time=%.3f ms\n", size + 8, addr, seq, ms);
        } else if (errno == ETIMEDOUT) {
            printf("no answer yet for icmp_seq=%ld\n", seq);
        } else if (errno == EINTR) {
            sent--;
            break;
        } else {
            fprintf(stderr, "ping: %s: %s\n", addr, strerror(errno));
            return 2;
        }
        fflush(stdout);
        if (count < 0 || seq < count)
            sleep_ms(interval * 1000 - (now_ms() - t0));
    }
    printf("\n--- %s ping statistics ---\n", addr);
    printf("%ld packets transmitted, %ld received, %g%% packet loss\n", sent, got,
           sent ? (sent - got) * 100.0 / sent : 0.0);
    if (got)
        printf("rtt min/avg/max = %.3f/%.3f/%.3f ms\n", min, sum / got, max);
    return got ? 0 : 1;
}
