/*
 * The contents of tmpfs regular files: a fixed-depth radix index of
 * physical pages (three levels of 512-entry index pages above the data
 * pages, so files reach 512 GiB), read, write with sparse growth (holes
 * are absent pages and read as zeros), and truncation. Every page, index
 * or data, comes from the frame allocator and is charged to the mount's
 * limit first: a full mount or an empty allocator gives -ENOSPC, never a
 * kernel out-of-memory. The caller holds the mount's lock (fs_tmp.h).
 */
#include "fs/fs_tmp.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

/* Pages one entry at depth d covers: depth 0 is the slot n->index (the
 * whole file), depth TMP_LEVELS a data page. */
static uint64_t
span(int depth)
{
    uint64_t s = TMP_MAX_PAGES;
    for (int i = 0; i < depth; i++)
        s /= TMP_FANOUT;
    return s;
}

/* A zeroed page charged to the mount, stored in *slot. */
static int
page_new(struct tmp_mount *m, uint64_t *slot)
{
    int err = tmp_charge(m, 1, 0);
    if (err)
        return err;
    uint64_t pa = mem_frame_alloc_zero();
    if (!pa) {
        tmp_uncharge(m, 1, 0);
        return -ENOSPC;
    }
    *slot = pa;
    return 0;
}

/* The slot holding data page pg: NULL when an index page on the way is
 * missing and alloc is false, or when allocating one failed (*err). */
static uint64_t *
page_slot(struct tmp_node *n, uint64_t pg, bool alloc, int *err)
{
    uint64_t *slot = &n->index;
    for (int d = 0; d < TMP_LEVELS; d++) {
        if (!*slot) {
            if (!alloc)
                return NULL;
            *err = page_new(n->mnt, slot);
            if (*err)
                return NULL;
        }
        uint64_t *table = mem_p2v(*slot);
        slot = &table[(pg / span(d + 1)) % TMP_FANOUT];
    }
    return slot;
}

long
tmp_data_read(struct tmp_node *n, void *buf, size_t len, uint64_t off)
{
    if (off >= n->vn.size)
        return 0;
    len = (size_t)MIN((uint64_t)len, n->vn.size - off);
    size_t done = 0;
    while (done < len) {
        uint64_t pos = off + done;
        size_t in = (size_t)(pos % PAGE_SIZE);
        size_t chunk = MIN(len - done, (size_t)PAGE_SIZE - in);
        uint64_t *slot = page_slot(n, pos / PAGE_SIZE, false, NULL);
        if (slot && *slot)
            memcpy((char *)buf + done, (char *)mem_p2v(*slot) + in, chunk);
        else
            memset((char *)buf + done, 0, chunk);
        done += chunk;
    }
    return (long)done;
}

long
tmp_data_write(struct tmp_node *n, const void *buf, size_t len, uint64_t off)
{
    if (off >= TMP_MAX_SIZE)
        return -EFBIG;
    len = (size_t)MIN((uint64_t)len, TMP_MAX_SIZE - off);
    size_t done = 0;
    int err = 0;
    while (done < len) {
        uint64_t pos = off + done;
        size_t in = (size_t)(pos % PAGE_SIZE);
        size_t chunk = MIN(len - done, (size_t)PAGE_SIZE - in);
        uint64_t *slot = page_slot(n, pos / PAGE_SIZE, true, &err);
        if (!slot)
            break;
        if (!*slot) {
            err = page_new(n->mnt, slot);
            if (err)
                break;
            n->vn.blocks += PAGE_SIZE / 512;
        }
        memcpy((char *)mem_p2v(*slot) + in, (const char *)buf + done, chunk);
        done += chunk;
    }
    if (off + done > n->vn.size)
        n->vn.size = off + done;
    return done ? (long)done : err;
}

/* Free the pages at or past page first under *slot (depth d, first page
 * base), and each index page left covering nothing below first. */
static void
trim(struct tmp_node *n, uint64_t *slot, int d, uint64_t base, uint64_t first)
{
    if (!*slot || base + span(d) <= first)
        return;
    if (d < TMP_LEVELS) {
        uint64_t *table = mem_p2v(*slot);
        uint64_t sub = span(d + 1);
        for (uint64_t i = 0; i < TMP_FANOUT; i++)
            trim(n, &table[i], d + 1, base + i * sub, first);
        if (base < first)
            return;
    } else {
        n->vn.blocks -= PAGE_SIZE / 512;
    }
    mem_frame_free(*slot);
    *slot = 0;
    tmp_uncharge(n->mnt, 1, 0);
}

int
tmp_data_truncate(struct tmp_node *n, uint64_t size)
{
    if (size > TMP_MAX_SIZE)
        return -EFBIG;
    if (size <= n->vn.size) {       /* also frees what a failed write left past the end */
        trim(n, &n->index, 0, 0, (size + PAGE_SIZE - 1) / PAGE_SIZE);
        size_t in = (size_t)(size % PAGE_SIZE);
        uint64_t *slot = in ? page_slot(n, size / PAGE_SIZE, false, NULL) : NULL;
        if (slot && *slot)      /* a later growth must read zeros here */
            memset((char *)mem_p2v(*slot) + in, 0, (size_t)PAGE_SIZE - in);
    }
    n->vn.size = size;
    return 0;
}
