/*
 * The block layer: disks the file server stores its image on. A driver
 * (fs/blk_virtio.c) registers a struct blk_dev; callers either submit
 * asynchronous requests (blk_submit, a scatter list of kernel buffers and a
 * completion callback) or use the sleeping helpers blk_read, blk_write and
 * blk_flush, which split a transfer into requests, keep several in flight
 * and wait for them all. Requests the device has no room for wait in the
 * device's FIFO (fs/blk_core.c) and start as earlier ones complete.
 * Booting without a disk is normal: blk_get(0) is then NULL. docs/blk.md.
 */
#pragma once
#include "kernel/compiler.h"
#include "kernel/sync.h"

#define BLK_SECTOR    512u
#define BLK_SEG_MAX   16        /* caller's segments per request */
#define BLK_DEV_MAX   4
#define BLK_REQ_BYTES (256u << 10)  /* the largest request any driver is asked for */

enum blk_op { BLK_OP_READ = 0, BLK_OP_WRITE = 1, BLK_OP_FLUSH = 2 };

/* One piece of a request's data: kernel memory the device can reach by
 * DMA (kmalloc, frames through the direct map, or the kernel image; not a
 * user address). */
struct blk_seg {
    void *buf;
    uint32_t len;           /* a multiple of BLK_SECTOR */
};

struct blk_req;
/* Completion callback. Runs in interrupt context (the driver's interrupt
 * handler) with no lock held: it must not sleep; it may call blk_submit. */
typedef void (*blk_done_fn)(struct blk_req *r);

struct blk_req {
    /* Filled in by the caller; untouched by the layer until done runs. */
    uint8_t op;             /* enum blk_op */
    uint64_t sector;        /* first sector (ignored for a flush) */
    struct blk_seg seg[BLK_SEG_MAX];
    int nseg;               /* 0 for a flush */
    blk_done_fn done;
    void *priv;             /* the caller's */

    /* Set by the layer. */
    int status;             /* when done runs: 0 or -EIO */
    struct blk_req *next;   /* the layer's and the driver's queue link */
};

struct blk_stats {
    uint64_t reads, writes, flushes;    /* requests completed, by kind */
    uint64_t bytes_read, bytes_written;
    uint64_t errors;        /* requests completed with -EIO */
    uint64_t rejected;      /* blk_submit refused (bad range, read-only, malformed) */
    uint64_t queued;        /* requests that waited for room on the device */
    uint32_t inflight;      /* on the device now */
    uint32_t inflight_max;  /* the most ever on the device at once */
};

struct blk_dev;

/* What the core asks of a driver. Both are called with d->lock held
 * (interrupts off). */
struct blk_dev_ops {
    /* Hand r to the device. 0, or -EBUSY when it has no room now (the core
     * retries after the next completion). Any other error completes r with
     * it. */
    int (*start)(struct blk_dev *d, struct blk_req *r);
};

struct blk_dev {
    /* Set by the driver before blk_register; constant afterwards. */
    char name[12];
    uint64_t sectors;       /* capacity in BLK_SECTOR units */
    bool read_only;
    bool has_flush;         /* the device has a write cache that flush empties */
    uint32_t max_bytes;     /* the largest request (<= BLK_REQ_BYTES) */
    uint16_t queue_size;    /* for logs and blkstat */
    uint64_t features;      /* the driver's negotiated feature bits, for logs */
    const struct blk_dev_ops *ops;
    void *priv;

    struct spinlock lock;   /* protects the fields below and the driver's queue */
    struct blk_req *wait_head;  /* FIFO of requests waiting for room */
    struct blk_req *wait_tail;
    struct blk_stats stats;
};

/* Probe PCI for disks and register them; logs each. 0 or -ENODEV (none).
 * Boot time, once. */
int blk_init(void);

/* Make d known (blk_get). Initialises d->lock and the counters. 0 or
 * -ENOSPC (BLK_DEV_MAX reached). */
int blk_register(struct blk_dev *d);
/* The i-th registered device; NULL when there is none. */
struct blk_dev *blk_get(int i);
int blk_count(void);

/* Start r asynchronously. 0: r->done will run exactly once, later, from
 * interrupt context. Errors (done never runs): -EINVAL (bad op, length not
 * a multiple of BLK_SECTOR, more than d->max_bytes, no data, or past the
 * end of the device), -EROFS (write to a read-only device), -EOPNOTSUPP
 * (flush on a device without a write cache: nothing to do). Never sleeps;
 * callable from interrupt context. */
MUST_CHECK int blk_submit(struct blk_dev *d, struct blk_req *r);

/* For drivers: r finished with status (0 or -EIO). Updates the counters,
 * starts waiting requests, then calls r->done. Caller holds no lock
 * (interrupt context). */
void blk_complete(struct blk_dev *d, struct blk_req *r, int status);

/* Read or write len bytes (a multiple of BLK_SECTOR) at sector, from or to
 * buf (DMA-able kernel memory, see struct blk_seg), as requests of up to
 * d->max_bytes, several in flight. 0, -EINVAL, -EROFS, -ENOMEM or -EIO
 * (some request failed; the others still completed). Sleeps until every
 * request is done (uninterruptibly: the device owns buf meanwhile). */
MUST_CHECK int blk_read(struct blk_dev *d, uint64_t sector, void *buf, size_t len);
MUST_CHECK int blk_write(struct blk_dev *d, uint64_t sector, const void *buf, size_t len);
/* Every completed write is on stable storage when this returns 0. 0 at
 * once on a device without a write cache; else 0 or -EIO. Sleeps. */
MUST_CHECK int blk_flush(struct blk_dev *d);

/* A consistent copy of d's counters. */
void blk_get_stats(struct blk_dev *d, struct blk_stats *out);

/* ---- portable helpers, exported for the drivers and host tests ---- */

/* A physically contiguous piece of a request, as the device sees it. */
struct blk_phys {
    uint64_t pa;
    uint32_t len;
};
/* Translate r's segments page by page with v2p into at most max pieces
 * of at most size_max bytes each (0: no limit), merging pieces that are
 * physically adjacent. Returns how many, or -E2BIG when they do not fit. */
int blk_sg_map(const struct blk_req *r, uint64_t (*v2p)(const void *va), uint32_t size_max,
               struct blk_phys *out, int max);
/* Bytes of data r carries (the sum of its segments). */
uint64_t blk_req_bytes(const struct blk_req *r);
