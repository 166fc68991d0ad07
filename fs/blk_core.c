/*
 * The device-independent half of the block layer: the table of devices,
 * checking and queueing requests, completion accounting, scatter-list
 * translation, and the sleeping helpers (blk_read, blk_write, blk_flush)
 * that cut a transfer into requests and wait for them. No device
 * registers here, so it is host-tested (fs/blk_core_test.c) with a fake
 * driver; the virtio driver is fs/blk_virtio.c, the syscalls fs/blk_sys.c.
 *
 * Locking: d->lock (a spinlock; interrupt handlers complete requests)
 * protects the wait FIFO, the counters and whatever the driver's start
 * touches. Callbacks run with it dropped, so a callback may submit again.
 * A sleeping helper's struct io_wait has its own lock, taken only in the
 * callback and by the waiter, never together with d->lock.
 */
#include "fs/blk.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

#define PAGE 4096u
#define IO_BATCH 8              /* requests one sleeping helper keeps in flight */

static struct blk_dev *devs[BLK_DEV_MAX];
static int ndevs;

int
blk_register(struct blk_dev *d)
{
    if (ndevs >= BLK_DEV_MAX)
        return -ENOSPC;
    spin_init(&d->lock, "blk.dev");
    d->wait_head = d->wait_tail = NULL;
    memset(&d->stats, 0, sizeof(d->stats));
    if (d->max_bytes == 0 || d->max_bytes > BLK_REQ_BYTES)
        d->max_bytes = BLK_REQ_BYTES;
    d->max_bytes = ALIGN_DOWN(d->max_bytes, BLK_SECTOR);
    devs[ndevs++] = d;
    return 0;
}

struct blk_dev *
blk_get(int i)
{
    return i >= 0 && i < ndevs ? devs[i] : NULL;
}

int
blk_count(void)
{
    return ndevs;
}

uint64_t
blk_req_bytes(const struct blk_req *r)
{
    uint64_t n = 0;
    for (int i = 0; i < r->nseg && i < BLK_SEG_MAX; i++)
        n += r->seg[i].len;
    return n;
}

/* 0 if r may go to d, else the errno blk_submit returns. */
static int
check(struct blk_dev *d, const struct blk_req *r)
{
    if (r->op == BLK_OP_FLUSH) {
        if (r->nseg != 0)
            return -EINVAL;
        return d->has_flush ? 0 : -EOPNOTSUPP;
    }
    if (r->op != BLK_OP_READ && r->op != BLK_OP_WRITE)
        return -EINVAL;
    if (r->nseg <= 0 || r->nseg > BLK_SEG_MAX)
        return -EINVAL;
    for (int i = 0; i < r->nseg; i++)
        if (r->seg[i].len == 0 || r->seg[i].len % BLK_SECTOR || !r->seg[i].buf)
            return -EINVAL;
    uint64_t n = blk_req_bytes(r) / BLK_SECTOR;
    if (n * BLK_SECTOR > d->max_bytes)
        return -EINVAL;
    if (r->sector >= d->sectors || n > d->sectors - r->sector)
        return -EINVAL;
    if (r->op == BLK_OP_WRITE && d->read_only)
        return -EROFS;
    return 0;
}

/* Caller holds d->lock. Hand r to the driver, or queue it when the device
 * is full. Returns r when it failed at once (the caller completes it
 * after dropping the lock), else NULL. */
static struct blk_req *
start_locked(struct blk_dev *d, struct blk_req *r, bool may_queue)
{
    sync_assert_held(&d->lock);
    int err = d->ops->start(d, r);
    if (err == -EBUSY && may_queue) {
        r->next = NULL;
        if (d->wait_tail)
            d->wait_tail->next = r;
        else
            d->wait_head = r;
        d->wait_tail = r;
        d->stats.queued++;
        return NULL;
    }
    if (err) {
        r->status = -EIO;
        return r;
    }
    if (++d->stats.inflight > d->stats.inflight_max)
        d->stats.inflight_max = d->stats.inflight;
    return NULL;
}

/* Caller holds d->lock. Start waiting requests, in order, while the
 * device takes them; the ones it refused outright go on *failed. */
static void
drain_locked(struct blk_dev *d, struct blk_req **failed)
{
    while (d->wait_head) {
        struct blk_req *r = d->wait_head;
        int err = d->ops->start(d, r);
        if (err == -EBUSY)
            return;
        d->wait_head = r->next;
        if (!d->wait_head)
            d->wait_tail = NULL;
        if (err) {
            r->status = -EIO;
            r->next = *failed;
            *failed = r;
            continue;
        }
        if (++d->stats.inflight > d->stats.inflight_max)
            d->stats.inflight_max = d->stats.inflight;
    }
}

/* Caller holds d->lock. */
static void
count_locked(struct blk_dev *d, const struct blk_req *r)
{
    sync_assert_held(&d->lock);
    uint64_t bytes = blk_req_bytes(r);
    if (r->status)
        d->stats.errors++;
    if (r->op == BLK_OP_READ) {
        d->stats.reads++;
        d->stats.bytes_read += r->status ? 0 : bytes;
    } else if (r->op == BLK_OP_WRITE) {
        d->stats.writes++;
        d->stats.bytes_written += r->status ? 0 : bytes;
    } else {
        d->stats.flushes++;
    }
}

/* Requests that failed without reaching the device: count and call back. */
static void
fail_list(struct blk_dev *d, struct blk_req *r)
{
    while (r) {
        struct blk_req *next = r->next;
        spin_lock(&d->lock);
        count_locked(d, r);
        spin_unlock(&d->lock);
        r->done(r);
        r = next;
    }
}

int
blk_submit(struct blk_dev *d, struct blk_req *r)
{
    int err = check(d, r);
    spin_lock(&d->lock);
    if (err) {
        if (err != -EOPNOTSUPP)
            d->stats.rejected++;
        spin_unlock(&d->lock);
        return err;
    }
    r->status = 0;
    /* Keep FIFO order: while others wait, r waits behind them. */
    struct blk_req *failed = NULL;
    if (d->wait_head) {
        r->next = NULL;
        d->wait_tail->next = r;
        d->wait_tail = r;
        d->stats.queued++;
    } else {
        failed = start_locked(d, r, true);
        if (failed)
            failed->next = NULL;
    }
    spin_unlock(&d->lock);
    fail_list(d, failed);
    return 0;
}

void
blk_complete(struct blk_dev *d, struct blk_req *r, int status)
{
    struct blk_req *failed = NULL;
    spin_lock(&d->lock);
    r->status = status ? -EIO : 0;
    ASSERT(d->stats.inflight > 0, "a completed request was in flight");
    d->stats.inflight--;
    count_locked(d, r);
    drain_locked(d, &failed);
    spin_unlock(&d->lock);
    r->done(r);
    fail_list(d, failed);
}

void
blk_get_stats(struct blk_dev *d, struct blk_stats *out)
{
    spin_lock(&d->lock);
    *out = d->stats;
    spin_unlock(&d->lock);
}

int
blk_sg_map(const struct blk_req *r, uint64_t (*v2p)(const void *va), uint32_t size_max,
           struct blk_phys *out, int max)
{
    int n = 0;
    for (int i = 0; i < r->nseg; i++) {
        const char *va = r->seg[i].buf;
        uint32_t left = r->seg[i].len;
        while (left) {
            uint64_t pa = v2p(va);
            uint32_t piece = MIN(left, PAGE - (uint32_t)(pa & (PAGE - 1)));
            struct blk_phys *last = n ? &out[n - 1] : NULL;
            if (last && last->pa + last->len == pa &&
                (size_max == 0 || last->len + piece <= size_max)) {
                last->len += piece;
            } else {
                if (n == max)
                    return -E2BIG;
                out[n].pa = pa;
                out[n].len = piece;
                n++;
            }
            va += piece;
            left -= piece;
        }
    }
    return n;
}

/* ---- the sleeping helpers ---- */

struct io_wait {
    struct spinlock lock;   /* protects the fields below */
    struct waitq q;
    struct blk_req *base;   /* the helper's requests, IO_BATCH of them */
    uint32_t busy;          /* bit i: base[i] is submitted and not yet done */
    int err;                /* the first failure */
};

static void
io_done(struct blk_req *r)
{
    struct io_wait *w = r->priv;
    spin_lock(&w->lock);
    if (r->status && !w->err)
        w->err = r->status;
    w->busy &= ~(1u << (r - w->base));
    waitq_wake_all(&w->q);
    spin_unlock(&w->lock);
}

/* Wait until none of the requests in mask are busy. */
static void
io_wait_for(struct io_wait *w, uint32_t mask)
{
    spin_lock(&w->lock);
    while (w->busy & mask)
        waitq_wait(&w->q, &w->lock);
    spin_unlock(&w->lock);
}

/* Wait for a request slot that is not busy and return it. */
static struct blk_req *
io_slot(struct io_wait *w)
{
    spin_lock(&w->lock);
    while (w->busy == (1u << IO_BATCH) - 1)
        waitq_wait(&w->q, &w->lock);
    int i = __builtin_ctz(~w->busy);
    spin_unlock(&w->lock);
    return &w->base[i];
}

/* Submit r with w's callback; a refusal is recorded in w. */
static void
io_submit(struct blk_dev *d, struct io_wait *w, struct blk_req *r)
{
    uint32_t bit = 1u << (r - w->base);
    r->done = io_done;
    r->priv = w;
    spin_lock(&w->lock);
    w->busy |= bit;
    spin_unlock(&w->lock);
    int err = blk_submit(d, r);
    if (err) {
        spin_lock(&w->lock);
        w->busy &= ~bit;
        if (!w->err)
            w->err = err;
        spin_unlock(&w->lock);
    }
}

static void
io_init(struct io_wait *w, struct blk_req *base)
{
    spin_init(&w->lock, "blk.wait");
    waitq_init(&w->q);
    w->base = base;
    w->busy = 0;
    w->err = 0;
}

/* A transfer as requests of up to d->max_bytes, up to IO_BATCH of them in
 * flight; each slot is reused as soon as its request completed. */
static int
blk_rw(struct blk_dev *d, int op, uint64_t sector, char *buf, size_t len)
{
    if (!d)
        return -ENODEV;
    if (len == 0 || len % BLK_SECTOR || sector > d->sectors ||
        len / BLK_SECTOR > d->sectors - sector)
        return -EINVAL;
    if (op == BLK_OP_WRITE && d->read_only)
        return -EROFS;
    sync_assert_may_sleep();
    struct blk_req *reqs = kzalloc(IO_BATCH * sizeof(*reqs));
    if (!reqs)
        return -ENOMEM;
    struct io_wait w;
    io_init(&w, reqs);
    while (len && !w.err) {
        struct blk_req *r = io_slot(&w);
        uint32_t n = (uint32_t)MIN(len, (size_t)d->max_bytes);
        r->op = (uint8_t)op;
        r->sector = sector;
        r->nseg = 1;
        r->seg[0].buf = buf;
        r->seg[0].len = n;
        io_submit(d, &w, r);
        sector += n / BLK_SECTOR;
        buf += n;
        len -= n;
    }
    io_wait_for(&w, ~0u);
    kfree(reqs);
    return w.err;
}

int
blk_read(struct blk_dev *d, uint64_t sector, void *buf, size_t len)
{
    return blk_rw(d, BLK_OP_READ, sector, buf, len);
}

int
blk_write(struct blk_dev *d, uint64_t sector, const void *buf, size_t len)
{
    return blk_rw(d, BLK_OP_WRITE, sector, (char *)buf, len);
}

int
blk_flush(struct blk_dev *d)
{
    if (!d)
        return -ENODEV;
    if (!d->has_flush)
        return 0;
    sync_assert_may_sleep();
    struct blk_req *r = kzalloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    struct io_wait w;
    io_init(&w, r);
    r->op = BLK_OP_FLUSH;
    io_submit(d, &w, r);
    io_wait_for(&w, ~0u);
    kfree(r);
    return w.err;
}
