/*
 * Host tests of a file's page table (fs_pagemap.c): absent pages read as
 * 0, the table grows to any index below FS_PGMAP_MAX and refuses past it,
 * dirty bits are per page and found in order, and clear hands every frame
 * to its callback once and leaves an empty table.
 */
// TEST_SRCS: tests/host/fake_sync.c
#include <stdlib.h>
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "fs/fs_pagemap.h"
#include "tests/host/test.h"

void *kmalloc(size_t n) { return malloc(n); }
void *kzalloc(size_t n) { return calloc(1, n); }
void kfree(void *p) { free(p); }

#define P PAGE_SIZE

static uint64_t dropped_sum;
static int dropped;

static void
drop(uint64_t pa)
{
    dropped_sum += pa;
    dropped++;
}

static void
test_pagemap_set_get_grow(void)
{
    struct fs_pagemap t = { 0 };
    EXPECT_EQ(fs_pagemap_get(&t, 0), 0);
    EXPECT_EQ(fs_pagemap_set(&t, 0, 5 * P), 0);
    EXPECT_EQ(fs_pagemap_set(&t, 1000, 7 * P), 0);      /* grows past 16 */
    EXPECT_EQ(fs_pagemap_get(&t, 0), 5 * P);
    EXPECT_EQ(fs_pagemap_get(&t, 1000), 7 * P);
    EXPECT_EQ(fs_pagemap_get(&t, 999), 0);
    EXPECT_EQ(fs_pagemap_get(&t, 1ull << 30), 0);
    EXPECT_EQ(t.npages, 2);
    EXPECT_EQ(fs_pagemap_set(&t, FS_PGMAP_MAX, 9 * P), -EFBIG);
    EXPECT_EQ(fs_pagemap_set(&t, FS_PGMAP_MAX - 1, 9 * P), 0);
    EXPECT_EQ(fs_pagemap_get(&t, FS_PGMAP_MAX - 1), 9 * P);
    dropped = 0;
    dropped_sum = 0;
    EXPECT_EQ(fs_pagemap_clear(&t, drop), 3);
    EXPECT_EQ(dropped, 3);
    EXPECT_EQ(dropped_sum, 21 * P);
    EXPECT_EQ(t.cap, 0);
    EXPECT_EQ(fs_pagemap_get(&t, 0), 0);
}

static void
test_pagemap_dirty_bits(void)
{
    struct fs_pagemap t = { 0 };
    for (uint64_t i = 0; i < 40; i++)
        EXPECT_EQ(fs_pagemap_set(&t, i, (i + 1) * P), 0);
    fs_pagemap_dirty(&t, 3);
    fs_pagemap_dirty(&t, 17);
    fs_pagemap_dirty(&t, 39);
    fs_pagemap_dirty(&t, 500);          /* absent: nothing */
    EXPECT_TRUE(fs_pagemap_is_dirty(&t, 17));
    EXPECT_TRUE(!fs_pagemap_is_dirty(&t, 16));
    EXPECT_EQ(fs_pagemap_get(&t, 17), 18 * P);  /* the bit is not part of the frame */
    uint64_t i = 0, seen[4], n = 0;
    for (; fs_pagemap_next_dirty(&t, &i, 40); i++)
        seen[n++] = i;
    EXPECT_EQ(n, 3);
    EXPECT_EQ(seen[0], 3);
    EXPECT_EQ(seen[1], 17);
    EXPECT_EQ(seen[2], 39);
    i = 4;
    EXPECT_TRUE(fs_pagemap_next_dirty(&t, &i, 18) && i == 17);
    i = 18;
    EXPECT_TRUE(!fs_pagemap_next_dirty(&t, &i, 39));    /* end is exclusive */
    fs_pagemap_clean(&t, 17);
    i = 4;
    EXPECT_TRUE(fs_pagemap_next_dirty(&t, &i, 40) && i == 39);
    fs_pagemap_clear(&t, NULL);
}

void
tests_run(void)
{
    RUN(test_pagemap_set_get_grow);
    RUN(test_pagemap_dirty_bits);
}
