/*
 * An image file as a struct wfs_dev for the host tools: pread/pwrite of
 * 4096-byte blocks, fsync as the flush, the wall clock as the time. The
 * overlay mode keeps written blocks in a hash table in memory and reads
 * them back from there, for checking without changing the image.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "fs/host/wfs_filedev.h"

struct slot {
    uint32_t blk;
    uint8_t *data;              /* NULL: empty slot */
};

struct filedev {
    int fd;
    bool overlay;
    size_t cap, n;              /* hash slots, used slots */
    struct slot *slots;
};

static struct slot *
find(struct filedev *f, uint32_t blk)
{
    size_t i = (blk * 2654435761u) % f->cap;
    while (f->slots[i].data && f->slots[i].blk != blk)
        i = (i + 1) % f->cap;
    return &f->slots[i];
}

static int
grow(struct filedev *f)
{
    struct filedev g = *f;
    g.cap = f->cap ? f->cap * 2 : 1024;
    g.slots = calloc(g.cap, sizeof(struct slot));
    if (!g.slots)
        return -ENOMEM;
    for (size_t i = 0; i < f->cap; i++)
        if (f->slots[i].data)
            *find(&g, f->slots[i].blk) = f->slots[i];
    free(f->slots);
    *f = g;
    return 0;
}

static int
fd_read(void *ctx, uint32_t blk, void *buf)
{
    struct filedev *f = ctx;
    if (f->overlay && f->cap) {
        struct slot *s = find(f, blk);
        if (s->data) {
            memcpy(buf, s->data, WFS_BLOCK);
            return 0;
        }
    }
    ssize_t r = pread(f->fd, buf, WFS_BLOCK, (off_t)blk * WFS_BLOCK);
    return r == WFS_BLOCK ? 0 : -EIO;
}

static int
fd_write(void *ctx, uint32_t blk, const void *buf)
{
    struct filedev *f = ctx;
    if (!f->overlay) {
        ssize_t r = pwrite(f->fd, buf, WFS_BLOCK, (off_t)blk * WFS_BLOCK);
        return r == WFS_BLOCK ? 0 : -EIO;
    }
    if ((f->n + 1) * 2 > f->cap && grow(f))
        return -ENOMEM;
    struct slot *s = find(f, blk);
    if (!s->data) {
        s->data = malloc(WFS_BLOCK);
        if (!s->data)
            return -ENOMEM;
        s->blk = blk;
        f->n++;
    }
    memcpy(s->data, buf, WFS_BLOCK);
    return 0;
}

static int
fd_flush(void *ctx)
{
    struct filedev *f = ctx;
    return f->overlay || fsync(f->fd) == 0 ? 0 : -EIO;
}

static uint64_t
fd_now(void *ctx)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int
wfs_filedev_open(struct wfs_dev *dev, const char *path, bool readonly)
{
    struct stat st;
    struct filedev *f = calloc(1, sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->fd = open(path, readonly ? O_RDONLY : O_RDWR);
    if (f->fd < 0 || fstat(f->fd, &st) != 0) {
        int e = errno;
        if (f->fd >= 0)
            close(f->fd);
        free(f);
        return -e;
    }
    *dev = (struct wfs_dev){ .ctx = f, .read_block = fd_read, .write_block = fd_write,
                             .flush = fd_flush, .now_ns = fd_now,
                             .nblocks = (uint64_t)st.st_size / WFS_BLOCK };
    return 0;
}

void
wfs_filedev_overlay(struct wfs_dev *dev)
{
    ((struct filedev *)dev->ctx)->overlay = true;
}

void
wfs_filedev_close(struct wfs_dev *dev)
{
    struct filedev *f = dev->ctx;
    for (size_t i = 0; i < f->cap; i++)
        free(f->slots[i].data);
    free(f->slots);
    close(f->fd);
    free(f);
}
