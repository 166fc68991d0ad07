/*
 * For the WFS host tests (fs/wfs_*_test.c): an image in memory behind a
 * struct wfs_dev that can crash -- stop writing after a number of writes,
 * as if the power went -- and helpers to format, mount and check it.
 */
#pragma once
#include <stdlib.h>
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "tests/host/test.h"

struct memdev {
    uint8_t *img;
    uint64_t nblocks;
    long writes_left;           /* -1: no crash; 0: every write fails */
    long writes;                /* writes that reached the image */
    long flushes;
    uint64_t now;
};

static int
md_read(void *ctx, uint32_t blk, void *buf)
{
    struct memdev *m = ctx;
    if (blk >= m->nblocks)
        return -EIO;
    memcpy(buf, m->img + (size_t)blk * WFS_BLOCK, WFS_BLOCK);
    return 0;
}

static int
md_write(void *ctx, uint32_t blk, const void *buf)
{
    struct memdev *m = ctx;
    if (blk >= m->nblocks || m->writes_left == 0)
        return -EIO;
    if (m->writes_left > 0)
        m->writes_left--;
    m->writes++;
    memcpy(m->img + (size_t)blk * WFS_BLOCK, buf, WFS_BLOCK);
    return 0;
}

static int
md_flush(void *ctx)
{
    struct memdev *m = ctx;
    m->flushes++;
    return m->writes_left == 0 ? -EIO : 0;
}

static uint64_t
md_now(void *ctx)
{
    struct memdev *m = ctx;
    return m->now += 1000;
}

static inline struct wfs_dev
md_dev(struct memdev *m)
{
    return (struct wfs_dev){ .ctx = m, .read_block = md_read, .write_block = md_write,
                             .flush = md_flush, .now_ns = md_now, .nblocks = m->nblocks };
}

static inline void
md_init(struct memdev *m, uint64_t nblocks)
{
    *m = (struct memdev){ .nblocks = nblocks, .writes_left = -1, .now = 1700000000ull * 1000000000ull };
    m->img = calloc(nblocks, WFS_BLOCK);
}

static inline void
md_free(struct memdev *m)
{
    free(m->img);
    m->img = NULL;
}

/* A formatted, mounted image of nblocks; the caller frees fs and m. */
static inline struct wfs *
md_mkfs_mount(struct memdev *m, uint64_t nblocks)
{
    md_init(m, nblocks);
    struct wfs_dev d = md_dev(m);
    struct wfs *fs = malloc(wfs_size());
    if (wfs_mkfs(&d, 0, "test") != 0 || wfs_mount(fs, &d) != 0) {
        fprintf(stderr, "mkfs/mount failed: %s\n", wfs_error(fs));
        abort();
    }
    return fs;
}

static void
quiet_report(void *arg, const char *line)
{
    if (arg)
        fprintf(stderr, "  fsck: %s\n", line);
}

/* fsck of the image as it is (flags as wfs_fsck). */
static inline int
md_fsck(struct memdev *m, unsigned flags, bool verbose)
{
    struct wfs_dev d = md_dev(m);
    return wfs_fsck(&d, flags, quiet_report, verbose ? (void *)1 : NULL);
}
