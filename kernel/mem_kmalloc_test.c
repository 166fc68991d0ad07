/*
 * Tests of the kernel heap (mem_kmalloc.c) over the real frame allocator
 * on a host arena: alignment, random alloc/free against a shadow copy of
 * every block's contents, large blocks, exhaustion, stats, and the
 * ASSERTs on misuse (in forked children).
 */
// TEST_SRCS: kernel/mem_frame.c tests/host/fake_sync.c tests/host/fake_mem.c
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/wait.h>
#include "kernel/mem.h"
#include "kernel/mem_int.h"
#include "tests/host/fake_mem.h"
#include "tests/host/test.h"

#define P PAGE_SIZE
#define ARENA_PAGES 2048

static uint8_t *arena;
static struct mem_stats st;

static void
setup(size_t pages)
{
    free(arena);
    arena = fake_mem_arena(pages * P);
    struct mem_range r = {(uintptr_t)arena, pages * P};
    EXPECT_EQ(mem_frame_init(&r, 1), 0);
}

static uint64_t
usable(size_t n)
{
    static const unsigned cls[] = {16, 32, 64, 128, 256, 512, 1008, 2032};
    for (size_t i = 0; i < ARRAY_SIZE(cls); i++)
        if (n <= cls[i])
            return cls[i];
    return ALIGN_UP(n + 16, P) - 16;
}

static void
test_kmalloc_alignment_every_size(void)
{
    setup(ARENA_PAGES);
    for (size_t n = 0; n <= 3 * P; n += (n < 2100 ? 1 : 61)) {
        uint8_t *p = kmalloc(n);
        EXPECT_TRUE(p != NULL);
        EXPECT_EQ((uintptr_t)p % 16, 0);
        memset(p, 0x3c, n);   /* ASan would catch writing past the block's arena */
        mem_get_stats(&st);
        EXPECT_EQ(st.kmalloc_bytes, usable(n));
        kfree(p);
    }
    mem_get_stats(&st);
    EXPECT_EQ(st.kmalloc_bytes, 0);
}

struct blk {
    uint8_t *p;
    size_t n;
    uint8_t tag;
};

static int
cmp_blk(const void *a, const void *b)
{
    uintptr_t x = (uintptr_t)((const struct blk *)a)->p, y = (uintptr_t)((const struct blk *)b)->p;
    return (x > y) - (x < y);
}

static bool
intact(const struct blk *b)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->p[i] != (uint8_t)(b->tag + i))
            return false;
    return true;
}

static size_t
random_size(void)
{
    int r = rand() % 100;
    if (r < 60)
        return (size_t)rand() % 129;
    if (r < 95)
        return (size_t)rand() % 2100;
    return (size_t)rand() % (5 * P);
}

/* Each live block holds its own pattern: an overlap or a stray write by the
 * allocator shows up as a changed pattern. */
static void
test_kmalloc_random_against_shadow(void)
{
    enum { LIVE = 600, OPS = 30000 };
    static struct blk live[LIVE];
    int nlive = 0;
    uint64_t bytes = 0;

    setup(ARENA_PAGES);
    mem_get_stats(&st);
    uint64_t free0 = st.free_frames;
    srand(7);
    for (int op = 0; op < OPS && !test_cur_failed; op++) {
        if (nlive < LIVE && (nlive == 0 || rand() % 100 < 55)) {
            struct blk b = {.n = random_size(), .tag = (uint8_t)rand()};
            b.p = kmalloc(b.n);
            if (!b.p)
                continue;   /* the arena can run dry; that is allowed */
            EXPECT_EQ((uintptr_t)b.p % 16, 0);
            for (size_t i = 0; i < b.n; i++)
                b.p[i] = (uint8_t)(b.tag + i);
            bytes += usable(b.n);
            live[nlive++] = b;
        } else {
            int i = rand() % nlive;
            EXPECT_TRUE(intact(&live[i]));
            kfree(live[i].p);
            bytes -= usable(live[i].n);
            live[i] = live[--nlive];
        }
        if (op % 1000 == 0) {
            mem_get_stats(&st);
            EXPECT_EQ(st.kmalloc_bytes, bytes);
            qsort(live, (size_t)nlive, sizeof live[0], cmp_blk);
            for (int i = 1; i < nlive; i++)
                EXPECT_TRUE(live[i - 1].p + live[i - 1].n <= live[i].p);
        }
    }
    while (nlive > 0) {
        EXPECT_TRUE(intact(&live[nlive - 1]));
        kfree(live[--nlive].p);
    }
    mem_get_stats(&st);
    EXPECT_EQ(st.kmalloc_bytes, 0);
    mem_kmalloc_reclaim();   /* freed large blocks are cached until reclaimed */
    mem_get_stats(&st);
    EXPECT_TRUE(st.free_frames + 8 >= free0);   /* at most one cached empty slab per class */
}

static void
test_kmalloc_large_blocks(void)
{
    setup(ARENA_PAGES);
    mem_get_stats(&st);
    uint64_t free0 = st.free_frames;
    uint8_t *p = kmalloc(100000);
    EXPECT_TRUE(p != NULL);
    memset(p, 1, 100000);
    mem_get_stats(&st);
    EXPECT_EQ(free0 - st.free_frames, ALIGN_UP(100000 + 16, P) / P);
    EXPECT_EQ(st.kmalloc_bytes, usable(100000));
    kfree(p);
    mem_get_stats(&st);
    EXPECT_EQ(st.free_frames, free0);
    EXPECT_TRUE(kmalloc(ARENA_PAGES * P) == NULL);   /* more than there is */
    EXPECT_TRUE(kmalloc(SIZE_MAX) == NULL);
    EXPECT_TRUE(kmalloc(SIZE_MAX - 8) == NULL);
    kfree(NULL);
}

static void
test_kmalloc_kzalloc_zeroes(void)
{
    setup(64);
    for (size_t n = 1; n < 3000; n += 97) {
        uint8_t *p = kzalloc(n);
        for (size_t i = 0; i < n; i++)
            EXPECT_EQ(p[i], 0);
        memset(p, 0xee, n);   /* dirty it for the next round */
        kfree(p);
    }
}

static void
test_kmalloc_exhaustion_and_recovery(void)
{
    setup(32);
    static void *v[32 * 256];
    int n = 0;
    while ((v[n] = kmalloc(16)) != NULL)
        n++;
    EXPECT_EQ(n, (32 - 1) * 254);   /* every frame but the metadata, 254 per slab */
    EXPECT_TRUE(kmalloc(5000) == NULL);
    while (n > 0)
        kfree(v[--n]);
    void *big = kmalloc(20 * P);    /* emptied slabs went back to the frames */
    EXPECT_TRUE(big != NULL);
    kfree(big);
}

static void free_it(uint64_t p) { kfree((void *)(uintptr_t)p); }

static void
test_kmalloc_misuse_asserts(void)
{
    setup(64);
    uint8_t *keep = kmalloc(64);   /* keeps the slab alive after the free below */
    uint8_t *small = kmalloc(64);
    uint8_t *big = kmalloc(3 * P);
    kfree(small);
    kfree(big);
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)small));                 /* double free, slab */
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)big));                   /* double free, large */
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)(keep + 16)));             /* inside an object */
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)(keep + 1)));              /* unaligned */
    uint64_t frame = mem_frame_alloc();
    memset((void *)(uintptr_t)frame, 0x11, P);
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)(frame + 48)));  /* bad magic */
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)frame));         /* page-aligned */
    /* an object whose owner wrote the poison value is not a double free */
    uint64_t *o = kmalloc(32);
    o[1] = 0xf4eef4eef4eef4eeull;
    EXPECT_TRUE(!test_aborts(free_it, (uintptr_t)o));
    kfree(o);
    kfree(keep);
}

/* A freed large block is reused as is (no new contiguous run is searched
 * for), and reclaim hands every cached block back. */
static void
test_kmalloc_large_cache_reuse_and_reclaim(void)
{
    struct mem_stats a, b;
    setup(ARENA_PAGES);
    void *p = kmalloc(16384);
    EXPECT_TRUE(p != NULL);
    kfree(p);
    mem_get_stats(&a);
    void *q = kmalloc(16384);
    mem_get_stats(&b);
    EXPECT_TRUE(q == p);
    EXPECT_EQ(b.free_frames, a.free_frames);
    kfree(q);
    mem_kmalloc_reclaim();
    mem_get_stats(&b);
    EXPECT_EQ(b.free_frames, a.free_frames + 5);
}

void
tests_run(void)
{
    RUN(test_kmalloc_large_cache_reuse_and_reclaim);
    RUN(test_kmalloc_alignment_every_size);
    RUN(test_kmalloc_random_against_shadow);
    RUN(test_kmalloc_large_blocks);
    RUN(test_kmalloc_kzalloc_zeroes);
    RUN(test_kmalloc_exhaustion_and_recovery);
    RUN(test_kmalloc_misuse_asserts);
    free(arena);
}
