/*
 * Host fake of the fs module's file maps (tests/host/fake_fsmap.h): the
 * same page table (fs/fs_pagemap.c) and the same rules as fs/fs_mmap.c --
 * one frame per file page, read in on demand, -ENXIO past EOF, sticky
 * dirty bits written back by fs_map_sync and by the last fs_map_put --
 * over a byte array instead of a vnode.
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "fs/fs.h"
#include "fs/fs_pagemap.h"
#include "tests/host/fake_fsmap.h"

struct fs_map {
    uint32_t refs;
    uint8_t *data;
    size_t size;
    struct fs_pagemap pages;
    uint64_t reads, writes;
};

int fake_fsmap_freed;

struct fs_map *
fake_fsmap_new(const void *data, size_t size)
{
    struct fs_map *m = calloc(1, sizeof(*m));
    m->data = malloc(size ? size : 1);
    memcpy(m->data, data, size);
    m->size = size;
    m->refs = 1;
    return m;
}

uint8_t *fake_fsmap_bytes(struct fs_map *m) { return m->data; }
uint32_t fake_fsmap_refs(struct fs_map *m) { return m->refs; }
uint64_t fake_fsmap_reads(struct fs_map *m) { return m->reads; }
uint64_t fake_fsmap_writes(struct fs_map *m) { return m->writes; }

void
fs_map_ref(struct fs_map *m)
{
    m->refs++;
}

static void
drop(uint64_t pa)
{
    mem_frame_unref(pa);
}

void
fs_map_put(struct fs_map *m)
{
    if (m->refs == 1)
        (void)fs_map_sync(m, 0, FS_PGMAP_MAX, false);
    if (--m->refs)
        return;
    fs_pagemap_clear(&m->pages, drop);
    free(m->data);
    free(m);
    fake_fsmap_freed++;
}

int
fs_map_page(struct fs_map *m, uint64_t idx, uint64_t *pa)
{
    uint64_t f = fs_pagemap_get(&m->pages, idx);
    if (!f) {
        if (idx * PAGE_SIZE >= m->size)
            return -ENXIO;
        f = mem_frame_alloc_zero();
        if (!f)
            return -ENOMEM;
        size_t n = m->size - idx * PAGE_SIZE < PAGE_SIZE ? m->size - idx * PAGE_SIZE : PAGE_SIZE;
        memcpy(mem_p2v(f), m->data + idx * PAGE_SIZE, n);
        if (fs_pagemap_set(&m->pages, idx, f)) {
            mem_frame_free(f);
            return -ENOMEM;
        }
        m->reads++;
    }
    mem_frame_ref(f);
    *pa = f;
    return 0;
}

void
fs_map_dirty(struct fs_map *m, uint64_t idx)
{
    fs_pagemap_dirty(&m->pages, idx);
}

int
fs_map_sync(struct fs_map *m, uint64_t lo, uint64_t hi, bool durable)
{
    for (uint64_t i = lo; fs_pagemap_next_dirty(&m->pages, &i, hi); i++) {
        if (i * PAGE_SIZE >= m->size)
            continue;
        size_t n = m->size - i * PAGE_SIZE < PAGE_SIZE ? m->size - i * PAGE_SIZE : PAGE_SIZE;
        memcpy(m->data + i * PAGE_SIZE, mem_p2v(fs_pagemap_get(&m->pages, i)), n);
        m->writes++;
    }
    return 0;
}

long
fs_map_read(struct fs_map *m, void *buf, size_t n, uint64_t off)
{
    if (off >= m->size)
        return 0;
    n = n < m->size - off ? n : m->size - off;
    memcpy(buf, m->data + off, n);
    return (long)n;
}

uint64_t
fs_map_size(struct fs_map *m)
{
    return m->size;
}
