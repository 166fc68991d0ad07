/*
 * The block layer's system calls, for tests and tools: wisp_blkstat (a
 * device's geometry and counters) and wisp_blkio (root only: read, write or
 * flush sectors from user space through a kernel bounce buffer, with the
 * same checks as blk_read/blk_write). The layer itself is fs/blk_core.c;
 * user/blktest.c is the program that drives these.
 */
#include "fs/blk.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"

long
sys_wisp_blkstat(long dev, uint64_t ubuf, long size)
{
    struct blk_dev *d = dev >= 0 && dev < BLK_DEV_MAX ? blk_get((int)dev) : NULL;
    if (!d)
        return -ENODEV;
    if (size < 0)
        return -EINVAL;
    struct blk_stats s;
    blk_get_stats(d, &s);
    struct wisp_blkstat o = {
        .sectors = d->sectors, .queue_size = d->queue_size, .max_bytes = d->max_bytes,
        .read_only = d->read_only, .has_flush = d->has_flush, .features = d->features,
        .reads = s.reads, .writes = s.writes, .flushes = s.flushes,
        .bytes_read = s.bytes_read, .bytes_written = s.bytes_written, .errors = s.errors,
        .rejected = s.rejected, .queued = s.queued, .inflight = s.inflight,
        .inflight_max = s.inflight_max,
    };
    size_t n = MIN((size_t)size, sizeof(o));
    int err = copyout(ubuf, &o, n);
    return err ? err : (long)n;
}

long
sys_wisp_blkio(long dev, long op, uint64_t sector, uint64_t ubuf, long len)
{
    if (sys_geteuid() != 0)
        return -EPERM;
    struct blk_dev *d = dev >= 0 && dev < BLK_DEV_MAX ? blk_get((int)dev) : NULL;
    if (!d)
        return -ENODEV;
    if (op == WISP_BLKIO_FLUSH)
        return blk_flush(d);
    if (op != WISP_BLKIO_READ && op != WISP_BLKIO_WRITE)
        return -EINVAL;
    if (len <= 0 || len > WISP_BLKIO_MAX || len % BLK_SECTOR)
        return -EINVAL;
    if (sector >= d->sectors || (uint64_t)len / BLK_SECTOR > d->sectors - sector)
        return -EINVAL;
    char *kbuf = kmalloc((size_t)len);
    if (!kbuf)
        return -ENOMEM;
    int err;
    if (op == WISP_BLKIO_WRITE) {
        err = copyin(kbuf, ubuf, (size_t)len);
        if (!err)
            err = blk_write(d, sector, kbuf, (size_t)len);
    } else {
        err = blk_read(d, sector, kbuf, (size_t)len);
        if (!err)
            err = copyout(ubuf, kbuf, (size_t)len);
    }
    kfree(kbuf);
    return err;
}
