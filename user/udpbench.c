/*
 * udpbench: raw UDP figures between two Linux guests, the peer that
 * `make bench-net` sets Wisp's network beside (scripts/bench-net.sh).
 *     udpbench sink PORT                 count data, answer markers, echo
 *     udpbench send ADDR PORT TOTAL DGRAM   blast TOTAL bytes as DGRAM-byte
 *                                        datagrams; goodput in MB/s (10^6)
 *     udpbench rr ADDR PORT SIZE N       N request/response round trips of
 *                                        SIZE-byte datagrams; median in us
 *     udpbench ping ADDR SIZE N          N ICMP echoes with SIZE data bytes,
 *                                        back to back, timed as rr (raw socket)
 * The sink tells datagrams apart by their first bytes: data and end
 * markers start with a 16-byte header (magic "UDPB"), anything else is
 * echoed back as it came (rr sends zeros, so never the magic). Results are
 * "BENCH <name> <value> <unit>" lines. Built into Wisp's initrd like every
 * user program, but it needs the socket calls, so it runs on Linux.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdbool.h>
#include <sys/socket.h>
#include "benchutil.h"

#define UB_MAGIC    0x42504455u     /* "UDPB" little-endian */
#define UB_DATA     1u
#define UB_END      2u
#define UB_RESULT   3u
#define UB_MAX      65507           /* largest UDP payload over IPv4 */
#define UB_TRIES    20              /* end-marker / request retries */
#define UB_WAIT_MS  500
#define UB_RR_MAX   10000

struct ub_hdr {
    uint32_t magic;
    uint32_t type;
    uint64_t run;       /* the send run a datagram belongs to */
    uint64_t bytes;     /* UB_RESULT: payload bytes of the run's data */
    uint64_t dgrams;    /* UB_RESULT: data datagrams of the run */
};

static unsigned char buf[UB_MAX + 1];

static int
die(const char *what)
{
    bench_printf("BENCH error udpbench: %s: %s\n", what, strerror(errno));
    return 1;
}

static void
bigbuf(int fd, int opt_force, int opt)
{
    int sz = 4 << 20;

    if (setsockopt(fd, SOL_SOCKET, opt_force, &sz, sizeof(sz)) != 0)
        (void)setsockopt(fd, SOL_SOCKET, opt, &sz, sizeof(sz));
}

static int
open_peer(const char *addr, const char *port)
{
    struct sockaddr_in sa;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)atoi(port));
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) {
        errno = EINVAL;
        return -1;
    }
    if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return -1;
    bigbuf(fd, SO_SNDBUFFORCE, SO_SNDBUF);
    bigbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    return fd;
}

/* Waits up to ms for a datagram; its length, or -1 on timeout or error. */
static long
recv_wait(int fd, void *p, size_t cap, int ms)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };

    if (poll(&pfd, 1, ms) <= 0)
        return -1;
    return recv(fd, p, cap, 0);
}

static int
sink(const char *port)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    struct sockaddr_in from;
    socklen_t fl;
    struct ub_hdr h, r;
    uint64_t run = 0, bytes = 0, dgrams = 0;
    long n;
    int fd = socket(AF_INET, SOCK_DGRAM, 0);

    sa.sin_port = htons((uint16_t)atoi(port));
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
        return die("sink socket");
    bigbuf(fd, SO_RCVBUFFORCE, SO_RCVBUF);
    bench_printf("udpbench: sink on port %s\n", port);
    for (;;) {
        fl = sizeof(from);
        n = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &fl);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return die("recvfrom");
        }
        if (n >= (long)sizeof(h)) {
            memcpy(&h, buf, sizeof(h));
            if (h.magic == UB_MAGIC && h.type == UB_DATA) {
                if (h.run != run) {
                    run = h.run;
                    bytes = dgrams = 0;
                }
                bytes += (uint64_t)n;
                dgrams++;
                continue;
            }
            if (h.magic == UB_MAGIC && h.type == UB_END) {
                r = (struct ub_hdr){ .magic = UB_MAGIC, .type = UB_RESULT, .run = h.run };
                if (h.run == run) {
                    r.bytes = bytes;
                    r.dgrams = dgrams;
                }
                (void)sendto(fd, &r, sizeof(r), 0, (struct sockaddr *)&from, fl);
                continue;
            }
        }
        (void)sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, fl);
    }
}

/* Sends run's end marker until the sink answers; 0 and *res, or -1. */
static int
end_marker(int fd, uint64_t run, struct ub_hdr *res)
{
    struct ub_hdr e = { .magic = UB_MAGIC, .type = UB_END, .run = run };
    long n;

    for (int i = 0; i < UB_TRIES; i++) {
        if (send(fd, &e, sizeof(e), 0) < 0 && errno != ENOBUFS)
            return -1;
        uint64_t until = bench_now_ns() + UB_WAIT_MS * 1000000ull;
        while (bench_now_ns() < until) {
            n = recv_wait(fd, buf, sizeof(buf), UB_WAIT_MS);
            if (n < 0)
                break;
            if (n >= (long)sizeof(*res)) {
                memcpy(res, buf, sizeof(*res));
                if (res->magic == UB_MAGIC && res->type == UB_RESULT && res->run == run)
                    return 0;
            }
        }
    }
    errno = ETIMEDOUT;
    return -1;
}

static int
sender(const char *addr, const char *port, long total, long dgram)
{
    struct ub_hdr h = { .magic = UB_MAGIC, .type = UB_DATA }, res;
    uint64_t t0, t1, sent = 0, count = 0;
    int fd = open_peer(addr, port);

    if (fd < 0)
        return die("send socket");
    if (dgram < (long)sizeof(h) || dgram > UB_MAX || total < dgram) {
        bench_printf("BENCH error udpbench: need %d <= DGRAM <= %d <= TOTAL\n",
                     (int)sizeof(h), UB_MAX);
        return 1;
    }
    /* A handshake first: ARP is resolved and the sink is known to listen. */
    h.run = bench_now_ns() | 1;
    if (end_marker(fd, h.run - 1, &res) != 0)
        return die("no answer from the sink");
    memset(buf, 0x5a, (size_t)dgram);
    memcpy(buf, &h, sizeof(h));
    t0 = bench_now_ns();
    while (sent < (uint64_t)total) {
        if (send(fd, buf, (size_t)dgram, 0) < 0) {
            if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
                continue;
            return die("send");
        }
        sent += (uint64_t)dgram;
        count++;
    }
    if (end_marker(fd, h.run, &res) != 0)
        return die("no answer to the end marker");
    t1 = bench_now_ns();
    bench_printf("udpbench: dgram %ld: sent %llu B in %llu dgrams, sink got %llu B in "
                 "%llu dgrams (loss %.1f%%) in %.1f ms\n", dgram,
                 (unsigned long long)sent, (unsigned long long)count,
                 (unsigned long long)res.bytes, (unsigned long long)res.dgrams,
                 100.0 * (double)(count - res.dgrams) / (double)count, (t1 - t0) / 1e6);
    bench_printf("BENCH udp_tput_mbs %.3f MB/s\n", (double)res.bytes * 1e3 / (double)(t1 - t0));
    bench_printf("BENCH udp_send_mbs %.3f MB/s\n", (double)sent * 1e3 / (double)(t1 - t0));
    bench_printf("BENCH udp_loss_pct %.2f %%\n",
                 100.0 * (double)(count - res.dgrams) / (double)count);
    return 0;
}

/* Whether a received datagram answers the request in buf: for UDP, the
 * same size; for ICMP (IP header first), an echo reply with its id and seq. */
static bool
is_answer(bool icmp, const unsigned char *rep, long n, long size)
{
    const struct icmphdr *q = (const struct icmphdr *)buf, *r;
    long hl;

    if (!icmp)
        return n == size;
    if (n < 20)
        return false;
    hl = (rep[0] & 0x0f) * 4;
    if (n < hl + (long)sizeof(*r))
        return false;
    r = (const struct icmphdr *)(rep + hl);
    return r->type == ICMP_ECHOREPLY && r->un.echo.id == q->un.echo.id &&
           r->un.echo.sequence == q->un.echo.sequence;
}

static uint16_t
cksum(const unsigned char *p, long n)
{
    uint32_t sum = 0;

    for (long i = 0; i + 1 < n; i += 2)
        sum += (uint32_t)(p[i] | p[i + 1] << 8);
    if (n & 1)
        sum += p[n - 1];
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* Numbers the ICMP echo request in buf (size bytes in all) afresh. */
static void
next_echo(long size)
{
    struct icmphdr *q = (struct icmphdr *)buf;

    q->un.echo.sequence = htons((uint16_t)(ntohs(q->un.echo.sequence) + 1));
    q->checksum = 0;
    q->checksum = cksum(buf, size);
}

/* One round trip of size bytes; its time in ns, or 0 if no answer came. */
static uint64_t
round_trip(int fd, bool icmp, long size, long *lost)
{
    static unsigned char rep[UB_MAX + 1];

    for (int i = 0; i < UB_TRIES; i++) {
        if (icmp)
            next_echo(size);
        uint64_t t0 = bench_now_ns();
        if (send(fd, buf, (size_t)size, 0) < 0 && errno != ENOBUFS)
            return 0;
        uint64_t until = t0 + UB_WAIT_MS * 1000000ull;
        while (bench_now_ns() < until) {
            long n = recv_wait(fd, rep, sizeof(rep), UB_WAIT_MS);
            if (n < 0)
                break;
            if (is_answer(icmp, rep, n, size))
                return bench_now_ns() - t0;
        }
        (*lost)++;
    }
    return 0;
}

/* rr and ping: n timed round trips after 3 untimed ones. For ICMP, size
 * counts the data bytes after the 8-byte ICMP header, as ping -s does. */
static int
rr(const char *addr, const char *port, long size, long n)
{
    static double us[UB_RR_MAX];
    double sum = 0, lo, hi;
    long lost = 0;
    bool icmp = port == NULL;
    int fd = icmp ? socket(AF_INET, SOCK_RAW, IPPROTO_ICMP) : open_peer(addr, port);

    if (fd < 0)
        return die("rr socket");
    if (icmp) {
        struct sockaddr_in sa = { .sin_family = AF_INET };
        if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1 ||
            connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
            return die("ping address");
        size += sizeof(struct icmphdr);
    }
    if (size < 0 || size > UB_MAX || n < 1 || n > UB_RR_MAX) {
        bench_printf("BENCH error udpbench: need 0 <= SIZE <= %d, 1 <= N <= %d\n",
                     UB_MAX, UB_RR_MAX);
        return 1;
    }
    memset(buf, 0, (size_t)size);
    if (icmp) {
        struct icmphdr *q = (struct icmphdr *)buf;
        q->type = ICMP_ECHO;
        q->un.echo.id = htons((uint16_t)getpid());
    }
    for (int i = 0; i < 3; i++)
        if (round_trip(fd, icmp, size, &lost) == 0)
            return die("no answer from the peer");
    lost = 0;
    for (long i = 0; i < n; i++) {
        uint64_t t = round_trip(fd, icmp, size, &lost);
        if (t == 0)
            return die("no answer from the peer");
        us[i] = (double)t / 1e3;
        sum += us[i];
    }
    double med = bench_median(us, (int)n);
    lo = us[0];
    hi = us[n - 1];
    bench_printf("udpbench: %s %ld B x %ld: min %.1f avg %.1f max %.1f us, %ld retries\n",
                 icmp ? "ping" : "rr", icmp ? size - (long)sizeof(struct icmphdr) : size, n,
                 lo, sum / (double)n, hi, lost);
    bench_printf("BENCH %s %.1f us\n", icmp ? "icmp_rtt_us" : "udp_rr_us", med);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sink") == 0)
        return sink(argv[2]);
    if (argc == 6 && strcmp(argv[1], "send") == 0)
        return sender(argv[2], argv[3], strtol(argv[4], NULL, 0), strtol(argv[5], NULL, 0));
    if (argc == 6 && strcmp(argv[1], "rr") == 0)
        return rr(argv[2], argv[3], strtol(argv[4], NULL, 0), strtol(argv[5], NULL, 0));
    if (argc == 5 && strcmp(argv[1], "ping") == 0)
        return rr(argv[2], NULL, strtol(argv[3], NULL, 0), strtol(argv[4], NULL, 0));
    bench_printf("usage: udpbench sink PORT | send ADDR PORT TOTAL DGRAM | "
                 "rr ADDR PORT SIZE N | ping ADDR SIZE N\n");
    return 2;
}
