/*
 * migtest: a self-checking process for migration tests.
 *   migtest [-r ROUNDS] [-d MS] [-s STRATEGY] [-b] [-p N] MIB [NODE ...]
 * Allocates MIB MiB of heap and, for ROUNDS rounds (MS ms apart), rewrites
 * some pages with a pattern derived from (page, version), checks a sample
 * each round and every page at the end, and keeps a floating-point and an
 * integer running sum (the FPU/SSE state and registers must survive a
 * move). With NODEs it migrates itself through them, evenly spread over
 * the rounds. With -b it runs until it is back on the node it started on
 * after being moved away (ROUNDS is then only a cap), so a test that moves
 * it from outside does not race its end. Prints a progress line with its
 * pid and node every N rounds (10); exits 0 and
 * prints "migtest: PASS" only when every check passed.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "wisp.h"

#define PAGE 4096
#define WORDS (PAGE / 8)

static uint64_t *mem;
static uint32_t *ver;
static size_t npages;
static int failures;

static int
node_now(void)
{
    struct wisp_info in;
    memset(&in, 0, sizeof(in));
    return wisp_info(&in, sizeof(in)) < 0 ? -1 : in.node;
}

static uint64_t
word(size_t pg, uint32_t v, size_t i)
{
    uint64_t x = (uint64_t)pg * 0x9e3779b97f4a7c15ull ^ (uint64_t)v << 32 ^ i;
    x ^= x >> 31;
    return x * 0xbf58476d1ce4e5b9ull;
}

static void
fill(size_t pg)
{
    for (size_t i = 0; i < WORDS; i++)
        mem[pg * WORDS + i] = word(pg, ver[pg], i);
}

static void
check(size_t pg, int round)
{
    for (size_t i = 0; i < WORDS; i++) {
        if (mem[pg * WORDS + i] != word(pg, ver[pg], i)) {
            printf("migtest: FAIL pid %d node %d round %d: page %zu word %zu is wrong\n",
                   getpid(), node_now(), round, pg, i);
            failures++;
            return;
        }
    }
}

static uint64_t rng = 88172645463325252ull;
static uint64_t
next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

int
main(int argc, char **argv)
{
    int rounds = 100, delay_ms = 20, every = 10, opt;
    bool until_home = false;
    long strategy = -1;
    setvbuf(stdout, NULL, _IOLBF, 0);   /* lines, even into a file */
    while ((opt = getopt(argc, argv, "r:d:s:bp:")) != -1) {
        if (opt == 'b')
            until_home = true;
        else if (opt == 'p')
            every = atoi(optarg) > 0 ? atoi(optarg) : 10;
        else if (opt == 'r')
            rounds = atoi(optarg);
        else if (opt == 'd')
            delay_ms = atoi(optarg);
        else if (opt == 's')
            strategy = strcmp(optarg, "precopy") == 0 ? 1 : strcmp(optarg, "lazy") == 0 ? 2
                     : strcmp(optarg, "flush") == 0 ? 3 : 0;
        else
            return 2;
    }
    if (optind >= argc) {
        fprintf(stderr, "usage: migtest [-r ROUNDS] [-d MS] [-s STRATEGY] [-b] [-p N] MIB "
                        "[NODE ...]\n");
        return 2;
    }
    npages = (size_t)(atof(argv[optind]) * 256);
    if (npages == 0)
        npages = 1;
    int nnodes = argc - optind - 1, hop = 0;
    mem = malloc(npages * PAGE);
    ver = calloc(npages, sizeof(*ver));
    if (!mem || !ver) {
        printf("migtest: FAIL: no memory for %zu pages\n", npages);
        return 1;
    }
    for (size_t pg = 0; pg < npages; pg++)
        fill(pg);
    double fsum = 0;
    uint64_t isum = 0, vsum = 0;
    int home = node_now();
    bool left = false;
    printf("migtest: pid %d node %d start: %zu pages, %d rounds\n", getpid(), home, npages,
           rounds);
    for (int r = 1; r <= rounds; r++) {
        if (until_home) {
            int here = node_now();
            left |= here != home;
            if (left && here == home) {
                rounds = r;
                printf("migtest: pid %d back on node %d after %d rounds\n", getpid(), here, r);
                break;
            }
        }
        for (int k = 0; k < 16; k++) {
            size_t pg = next() % npages;
            ver[pg]++;
            vsum++;
            fill(pg);
        }
        for (int k = 0; k < 8; k++)
            check(next() % npages, r);
        fsum += 0.25;
        isum += (uint64_t)r;
        if (fsum != r * 0.25 || isum != (uint64_t)r * (r + 1) / 2) {
            printf("migtest: FAIL pid %d round %d: running sums wrong\n", getpid(), r);
            failures++;
        }
        if (nnodes && hop < nnodes && r == (hop + 1) * rounds / (nnodes + 1)) {
            long node = atol(argv[optind + 1 + hop++]);
            struct wisp_migrate st;
            memset(&st, 0, sizeof(st));
            long rc;
            /* EBUSY: a lazy move's pages are still arriving; try again. */
            for (int t = 0; (rc = wisp_migrate(0, node, strategy, &st)) < 0 && errno == EBUSY &&
                            t < 100; t++)
                usleep(100000);
            if (rc < 0) {
                printf("migtest: FAIL pid %d: migrate to node %ld: %s\n", getpid(), node,
                       strerror(errno));
                failures++;
            } else {
                printf("migtest: pid %d moved to node %d (%d -> %d), %llu pages\n", getpid(),
                       node_now(), st.source, st.target, (unsigned long long)st.pages);
            }
        }
        if (r % every == 0 || r == rounds)
            printf("migtest: pid %d node %d round %d ok=%d\n", getpid(), node_now(), r,
                   failures == 0);
        if (delay_ms) {
            struct timespec ts = { delay_ms / 1000, (delay_ms % 1000) * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    uint64_t vs = 0;
    for (size_t pg = 0; pg < npages; pg++) {
        check(pg, rounds);
        vs += ver[pg];
    }
    if (vs != vsum) {
        printf("migtest: FAIL pid %d: versions sum %llu, want %llu\n", getpid(),
               (unsigned long long)vs, (unsigned long long)vsum);
        failures++;
    }
    if (failures) {
        printf("migtest: FAIL pid %d node %d: %d checks failed\n", getpid(), node_now(),
               failures);
        return 1;
    }
    printf("migtest: PASS pid %d node %d\n", getpid(), node_now());
    return 0;
}
