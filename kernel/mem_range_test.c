/*
 * Tests of mem_ranges_usable (mem_range.c): hand-written boot memory maps,
 * then random maps checked against a byte-by-byte model of the rule.
 */
#include <stdlib.h>
#include "kernel/mem.h"
#include "tests/host/test.h"

#define P PAGE_SIZE
static struct mem_range out[64];

#define R(b, l) {(b), (l)}

static void
expect_ranges(int n, const struct mem_range *want, int nwant)
{
    EXPECT_EQ(n, nwant);
    for (int i = 0; i < n && i < nwant; i++) {
        EXPECT_EQ(out[i].base, want[i].base);
        EXPECT_EQ(out[i].len, want[i].len);
    }
}

static void
test_range_typical_pc_map(void)
{
    struct mem_range avail[] = {R(0, 0x9fc00), R(0x100000, 0x7ee0000)};
    struct mem_range resv[] = {R(0x100000, 0x234567) /* kernel */, R(0x500000, 0x1000) /* initrd */};
    struct mem_range want[] = {R(0, 0x9f000), R(0x335000, 0x500000 - 0x335000),
                               R(0x501000, 0x7fe0000 - 0x501000)};
    int n = mem_ranges_usable(avail, 2, resv, 2, out, 64);
    expect_ranges(n, want, 3);
}

static void
test_range_overlapping_reserved(void)
{
    struct mem_range avail[] = {R(0, 100 * P)};
    struct mem_range resv[] = {R(10 * P, 10 * P), R(15 * P, 10 * P), R(12 * P, 1), R(50 * P, 0),
                               R(24 * P + 5, 2 * P)};
    struct mem_range want[] = {R(0, 10 * P), R(27 * P, 73 * P)};
    expect_ranges(mem_ranges_usable(avail, 1, resv, 5, out, 64), want, 2);
}

static void
test_range_unaligned_edges(void)
{
    struct mem_range avail[] = {R(P + 1, 3 * P), R(10 * P + 100, P - 100), R(20 * P, P - 1)};
    struct mem_range resv[] = {R(3 * P + 7, 1)};
    /* [P+1, 3P+7) aligns to [2P, 3P); the others hold no whole page */
    struct mem_range want[] = {R(2 * P, P)};
    expect_ranges(mem_ranges_usable(avail, 3, resv, 1, out, 64), want, 1);
}

static void
test_range_out_of_order_and_merging(void)
{
    struct mem_range avail[] = {R(30 * P, 10 * P), R(0x800, 10 * P), R(10 * P + 0x800, 5 * P),
                                R(32 * P, 2 * P), R(40 * P, P)};
    struct mem_range resv[] = {R(45 * P, P), R(0, 0x100)};
    /* the first two meet at 10P+0x800; 30P..41P is one piece */
    struct mem_range want[] = {R(P, 14 * P), R(30 * P, 11 * P)};
    expect_ranges(mem_ranges_usable(avail, 5, resv, 2, out, 64), want, 2);
}

static void
test_range_empty_results(void)
{
    struct mem_range avail[] = {R(0, 10 * P)};
    struct mem_range resv[] = {R(0, 100 * P)};
    EXPECT_EQ(mem_ranges_usable(avail, 1, resv, 1, out, 64), 0);
    EXPECT_EQ(mem_ranges_usable(avail, 0, resv, 0, out, 64), 0);
    EXPECT_EQ(mem_ranges_usable(avail, 1, resv, 0, out, 0), 0);
    struct mem_range tiny[] = {R(100, 200), R(P + 1, P - 1), R(7 * P, 0)};
    EXPECT_EQ(mem_ranges_usable(tiny, 3, NULL, 0, out, 64), 0);
}

static void
test_range_maxout_truncation(void)
{
    struct mem_range avail[] = {R(0, 100 * P)};
    struct mem_range resv[] = {R(10 * P, P), R(20 * P, P), R(30 * P, P)};
    struct mem_range want[] = {R(0, 10 * P), R(11 * P, 9 * P)};
    out[2].base = 0xdead;
    expect_ranges(mem_ranges_usable(avail, 1, resv, 3, out, 2), want, 2);
    EXPECT_EQ(out[2].base, 0xdead);   /* nothing written past maxout */
}

static void
test_range_top_of_address_space(void)
{
    struct mem_range avail[] = {R(UINT64_MAX - 3 * P + 1, UINT64_MAX), R(UINT64_MAX - 10, 10)};
    struct mem_range resv[] = {R(UINT64_MAX - P, 5 * P)};
    int n = mem_ranges_usable(avail, 2, resv, 1, out, 64);
    EXPECT_EQ(n, 1);
    EXPECT_EQ(out[0].base, UINT64_MAX - 3 * P + 1);
    EXPECT_EQ(out[0].len, P);
}

/* Model: a page is usable when each of its bytes is available and none is
 * reserved. Maps live in 64 pages so the model is a byte array. */
#define MODEL_PAGES 64
static uint8_t model[MODEL_PAGES * 4096];

static void
random_map(struct mem_range *r, int n, unsigned max_len)
{
    for (int i = 0; i < n; i++) {
        r[i].base = (uint64_t)rand() % (MODEL_PAGES * P);
        r[i].len = (uint64_t)rand() % max_len;
        if (r[i].base + r[i].len > MODEL_PAGES * P)
            r[i].len = MODEL_PAGES * P - r[i].base;
        if (rand() % 3 == 0)
            r[i].base = ALIGN_DOWN(r[i].base, P);   /* plenty of aligned edges too */
    }
}

static void
test_range_random_against_model(void)
{
    srand(42);
    for (int iter = 0; iter < 400; iter++) {
        struct mem_range avail[8], resv[8];
        int na = 1 + rand() % 8, nr = rand() % 8;
        random_map(avail, na, 20 * P);
        random_map(resv, nr, 3 * P);
        memset(model, 0, sizeof model);
        for (int i = 0; i < na; i++)
            memset(model + avail[i].base, 1, avail[i].len);
        for (int i = 0; i < nr; i++)
            memset(model + resv[i].base, 0, resv[i].len);
        struct mem_range want[MODEL_PAGES];
        int nw = 0;
        for (uint64_t pg = 0; pg < MODEL_PAGES; pg++) {
            bool ok = memchr(model + pg * P, 0, P) == NULL;
            if (ok && nw && want[nw - 1].base + want[nw - 1].len == pg * P)
                want[nw - 1].len += P;
            else if (ok)
                want[nw++] = (struct mem_range){pg * P, P};
        }
        int n = mem_ranges_usable(avail, na, resv, nr, out, 64);
        expect_ranges(n, want, nw);
        if (test_cur_failed) {
            fprintf(stderr, "  iteration %d\n", iter);
            break;
        }
    }
}

void
tests_run(void)
{
    RUN(test_range_typical_pc_map);
    RUN(test_range_overlapping_reserved);
    RUN(test_range_unaligned_edges);
    RUN(test_range_out_of_order_and_merging);
    RUN(test_range_empty_results);
    RUN(test_range_maxout_truncation);
    RUN(test_range_top_of_address_space);
    RUN(test_range_random_against_model);
}
