/*
 * One file's mapped pages on this node: a flat table indexed by page
 * number (grown by doubling as higher pages are faulted in), each slot a
 * frame with its dirty bit. fs_mmap.c owns the frames and the locking;
 * this is the bookkeeping only, so it is tested on the host.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "fs/fs_pagemap.h"

uint64_t
fs_pagemap_get(const struct fs_pagemap *t, uint64_t idx)
{
    return idx < t->cap ? t->slot[idx] & ~(uint64_t)(PAGE_SIZE - 1) : 0;
}

static int
grow(struct fs_pagemap *t, uint64_t idx)
{
    uint64_t cap = t->cap ? t->cap : 16;
    while (cap <= idx)
        cap *= 2;
    cap = MIN(cap, FS_PGMAP_MAX);
    uint64_t *n = kzalloc(cap * sizeof(*n));
    if (!n)
        return -ENOMEM;
    if (t->cap)
        memcpy(n, t->slot, t->cap * sizeof(*n));
    kfree(t->slot);
    t->slot = n;
    t->cap = cap;
    return 0;
}

int
fs_pagemap_set(struct fs_pagemap *t, uint64_t idx, uint64_t pa)
{
    if (idx >= FS_PGMAP_MAX)
        return -EFBIG;
    ASSERT(pa && !(pa & (PAGE_SIZE - 1)), "a page map holds page frames");
    if (idx >= t->cap && grow(t, idx))
        return -ENOMEM;
    ASSERT(t->slot[idx] == 0, "a page is filled once");
    t->slot[idx] = pa;
    t->npages++;
    return 0;
}

void
fs_pagemap_dirty(struct fs_pagemap *t, uint64_t idx)
{
    if (idx < t->cap && t->slot[idx])
        t->slot[idx] |= FS_PGMAP_DIRTY;
}

bool
fs_pagemap_is_dirty(const struct fs_pagemap *t, uint64_t idx)
{
    return idx < t->cap && (t->slot[idx] & FS_PGMAP_DIRTY);
}

void
fs_pagemap_clean(struct fs_pagemap *t, uint64_t idx)
{
    if (idx < t->cap)
        t->slot[idx] &= ~FS_PGMAP_DIRTY;
}

bool
fs_pagemap_next_dirty(const struct fs_pagemap *t, uint64_t *idx, uint64_t end)
{
    for (uint64_t i = *idx; i < MIN(end, t->cap); i++) {
        if (t->slot[i] & FS_PGMAP_DIRTY) {
            *idx = i;
            return true;
        }
    }
    return false;
}

uint64_t
fs_pagemap_clear(struct fs_pagemap *t, void (*drop)(uint64_t pa))
{
    uint64_t n = 0;
    for (uint64_t i = 0; i < t->cap; i++) {
        uint64_t pa = t->slot[i] & ~(uint64_t)(PAGE_SIZE - 1);
        if (!pa)
            continue;
        if (drop)
            drop(pa);
        n++;
    }
    kfree(t->slot);
    t->slot = NULL;
    t->cap = t->npages = 0;
    return n;
}
