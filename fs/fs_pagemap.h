/*
 * The page table of one file's mapped pages on this node (fs_pagemap.c):
 * page index -> frame, with a dirty bit per page. Pure bookkeeping, no
 * locking (fs_mmap.c holds the map's mutex around every call), tested on
 * the host (fs_pagemap_test.c).
 */
#pragma once
#include "kernel/compiler.h"

struct fs_pagemap {
    uint64_t *slot;             /* frame | FS_PGMAP_DIRTY, 0 when absent */
    uint64_t cap;               /* slots allocated */
    uint64_t npages;            /* present pages */
};
#define FS_PGMAP_DIRTY 1ull
/* The most pages a map may index (a 4 GiB file). */
#define FS_PGMAP_MAX (1ull << 20)

/* The frame of page idx, or 0. */
uint64_t fs_pagemap_get(const struct fs_pagemap *t, uint64_t idx);
/* Record frame pa (page-aligned, not 0) for absent page idx, growing the
 * table: 0, -EFBIG (idx >= FS_PGMAP_MAX), -ENOMEM. */
int fs_pagemap_set(struct fs_pagemap *t, uint64_t idx, uint64_t pa);
/* Mark present page idx dirty (nothing when absent). */
void fs_pagemap_dirty(struct fs_pagemap *t, uint64_t idx);
bool fs_pagemap_is_dirty(const struct fs_pagemap *t, uint64_t idx);
void fs_pagemap_clean(struct fs_pagemap *t, uint64_t idx);
/* The first dirty page at or after *idx and below end: true and *idx set. */
bool fs_pagemap_next_dirty(const struct fs_pagemap *t, uint64_t *idx, uint64_t end);
/* Forget every page, calling drop(pa) for each (may be NULL), and free the
 * table. Returns how many pages there were. */
uint64_t fs_pagemap_clear(struct fs_pagemap *t, void (*drop)(uint64_t pa));
