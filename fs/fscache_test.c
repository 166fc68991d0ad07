/*
 * Tests of the client block cache (fscache.c): hits and misses, the bound
 * and LRU order, referenced and dirty blocks never evicted, -EAGAIN when
 * only those are left, delayed write-back in age order with a block
 * re-dirtied during its write-back staying dirty, dropping a file (and a
 * truncated tail), no frame leaks, and a random run against a model.
 */
// TEST_SRCS: tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_mem.c
#include <stdlib.h>
#include "fs/fscache.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "tests/host/fake_kmalloc.h"
#include "tests/host/test.h"

static long frames_left = -1, frames_out;

uint64_t
mem_frame_alloc(void)
{
    if (frames_left == 0)
        return 0;
    if (frames_left > 0)
        frames_left--;
    frames_out++;
    return (uint64_t)(uintptr_t)aligned_alloc(PAGE_SIZE, PAGE_SIZE);
}

void
mem_frame_free(uint64_t pa)
{
    free((void *)(uintptr_t)pa);
    frames_out--;
}

static struct fscache_block *
add(struct fscache *c, uint64_t f, uint64_t b)
{
    struct fscache_block *blk = NULL;
    EXPECT_EQ(fscache_add(c, f, b, &blk), 0);
    if (blk && !blk->filled) {
        memset(fscache_data(blk), (int)(f * 16 + b), FSCACHE_BLOCK);
        blk->filled = true;
    }
    return blk;
}

static void
test_fscache_hit_miss_lru(void)
{
    struct fscache *c = fscache_new(3);
    EXPECT_TRUE(fscache_get(c, 1, 0) == NULL);
    for (uint64_t b = 0; b < 3; b++)
        fscache_put(c, add(c, 1, b));
    struct fscache_block *x = fscache_get(c, 1, 0);   /* 0 is now most recent */
    EXPECT_TRUE(x && x->filled && ((uint8_t *)fscache_data(x))[100] == 16);
    fscache_put(c, x);
    fscache_put(c, add(c, 2, 7));                       /* evicts 1:1, the LRU */
    EXPECT_TRUE(fscache_get(c, 1, 1) == NULL);
    x = fscache_get(c, 1, 0);
    EXPECT_TRUE(x != NULL);
    fscache_put(c, x);
    struct fscache_stats st;
    fscache_get_stats(c, &st);
    EXPECT_EQ(st.blocks, 3);
    EXPECT_EQ(st.evictions, 1);
    EXPECT_EQ(st.hits, 2);
    EXPECT_EQ(st.misses, 2);
    fscache_destroy(c);
    EXPECT_EQ(frames_out, 0);
}

static void
test_fscache_pinned_and_dirty_stay(void)
{
    struct fscache *c = fscache_new(2);
    struct fscache_block *a = add(c, 1, 0), *b = add(c, 1, 1), *n = NULL;
    fscache_dirty(c, b, 100);
    fscache_put(c, b);
    /* a is referenced, b dirty: nothing can go */
    EXPECT_EQ(fscache_add(c, 1, 2, &n), -EAGAIN);
    EXPECT_TRUE(n == NULL);
    EXPECT_EQ(frames_out, 2);                       /* the spare frame went back */
    fscache_put(c, a);
    n = add(c, 1, 2);                               /* a goes now */
    EXPECT_TRUE(fscache_get(c, 1, 0) == NULL);
    fscache_put(c, n);
    EXPECT_TRUE(fscache_has_dirty(c, 1));
    EXPECT_TRUE(!fscache_has_dirty(c, 2));
    /* same key twice: the same block */
    struct fscache_block *again = NULL;
    EXPECT_EQ(fscache_add(c, 1, 2, &again), 0);
    EXPECT_TRUE(again == n);
    fscache_put(c, again);
    EXPECT_EQ(fscache_drop(c, 1, 0), 0);            /* dirty ones too */
    struct fscache_stats st;
    fscache_get_stats(c, &st);
    EXPECT_EQ(st.blocks, 0);
    EXPECT_EQ(st.dirty_blocks, 0);
    fscache_destroy(c);
    EXPECT_EQ(frames_out, 0);
}

static void
test_fscache_write_back_order_and_redirty(void)
{
    struct fscache *c = fscache_new(16);
    uint64_t when[4] = { 300, 100, 400, 200 };
    for (uint64_t b = 0; b < 4; b++) {
        struct fscache_block *x = add(c, 5, b);
        fscache_dirty(c, x, when[b]);
        fscache_put(c, x);
    }
    struct fscache_block *out[8];
    uint64_t gens[8];
    /* delayed write-back: only what is older than the cutoff, oldest first */
    unsigned n = fscache_take_dirty(c, true, 0, 250, out, gens, 8);
    EXPECT_EQ(n, 2);
    EXPECT_EQ(out[0]->bno, 1);
    EXPECT_EQ(out[1]->bno, 3);
    /* block 3 is written to again while it is on its way */
    fscache_dirty(c, out[1], 500);
    fscache_cleaned(c, out[0], gens[0]);
    fscache_cleaned(c, out[1], gens[1]);
    struct fscache_stats st;
    fscache_get_stats(c, &st);
    EXPECT_EQ(st.dirty_blocks, 3);
    EXPECT_EQ(st.cleaned, 1);
    /* fsync of file 5: everything, and nothing of another file */
    EXPECT_EQ(fscache_take_dirty(c, false, 6, UINT64_MAX, out, gens, 8), 0);
    n = fscache_take_dirty(c, false, 5, UINT64_MAX, out, gens, 8);
    EXPECT_EQ(n, 3);
    /* block 3 stayed dirty since 200 (a block dirtied again keeps its age) */
    EXPECT_EQ(out[0]->bno, 3);
    EXPECT_EQ(out[1]->bno, 0);
    EXPECT_EQ(out[2]->bno, 2);
    for (unsigned i = 0; i < n; i++)
        fscache_cleaned(c, out[i], gens[i]);
    EXPECT_TRUE(!fscache_has_dirty(c, 5));
    /* truncate to one block: blocks 1.. go, 0 stays */
    EXPECT_EQ(fscache_drop(c, 5, 1), 0);
    fscache_get_stats(c, &st);
    EXPECT_EQ(st.blocks, 1);
    fscache_destroy(c);
    EXPECT_EQ(frames_out, 0);
}

static void
test_fscache_no_memory(void)
{
    struct fscache *c = fscache_new(4);
    struct fscache_block *x = NULL;
    frames_left = 0;
    EXPECT_EQ(fscache_add(c, 1, 1, &x), -ENOMEM);
    frames_left = -1;
    fake_kmalloc_fail_after = 0;
    EXPECT_EQ(fscache_add(c, 1, 1, &x), -ENOMEM);
    fake_kmalloc_fail_after = -1;
    EXPECT_EQ(frames_out, 0);
    struct fscache_block *held = add(c, 1, 1);
    EXPECT_EQ(fscache_drop(c, 1, 0), 1);            /* a referenced block stays */
    fscache_put(c, held);
    fscache_destroy(c);
    EXPECT_EQ(frames_out, 0);
}

/* Random adds, gets, dirties and write-backs against a list of what must
 * be cached: a referenced or dirty block is never lost, the bound holds,
 * and a cached block's bytes are its own. */
static void
test_fscache_random(void)
{
    enum { F = 3, B = 20, CAP = 12 };
    struct fscache *c = fscache_new(CAP);
    bool dirty[F][B] = { { false } };
    uint64_t r = 88172645463325252ull;
    for (int i = 0; i < 20000 && !test_cur_failed; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        uint64_t f = r % F, b = (r >> 8) % B;
        struct fscache_block *x = NULL;
        int err = fscache_add(c, f, b, &x);
        if (err == -EAGAIN) {
            struct fscache_block *out[CAP];
            uint64_t gens[CAP];
            unsigned n = fscache_take_dirty(c, true, 0, UINT64_MAX, out, gens, CAP);
            EXPECT_TRUE(n > 0);
            for (unsigned k = 0; k < n; k++) {
                dirty[out[k]->file][out[k]->bno] = false;
                fscache_cleaned(c, out[k], gens[k]);
            }
            continue;
        }
        EXPECT_EQ(err, 0);
        if (x->filled)
            EXPECT_EQ(((uint8_t *)fscache_data(x))[4095], (uint8_t)(f * 16 + b));
        memset(fscache_data(x), (int)(f * 16 + b), FSCACHE_BLOCK);
        x->filled = true;
        if ((r >> 20) % 3 == 0) {
            fscache_dirty(c, x, (uint64_t)i);
            dirty[f][b] = true;
        }
        fscache_put(c, x);
        struct fscache_stats st;
        fscache_get_stats(c, &st);
        EXPECT_TRUE(st.blocks <= CAP);
    }
    for (unsigned f = 0; f < F; f++)
        for (unsigned b = 0; b < B; b++)
            if (dirty[f][b]) {
                struct fscache_block *x = fscache_get(c, f, b);
                EXPECT_TRUE(x && x->dirty);         /* never evicted while dirty */
                if (x)
                    fscache_put(c, x);
            }
    for (unsigned f = 0; f < F; f++)
        fscache_drop(c, f, 0);
    fscache_destroy(c);
    EXPECT_EQ(frames_out, 0);
}

void
tests_run(void)
{
    RUN(test_fscache_hit_miss_lru);
    RUN(test_fscache_pinned_and_dirty_stay);
    RUN(test_fscache_write_back_order_and_redirty);
    RUN(test_fscache_no_memory);
    RUN(test_fscache_random);
}
