/*
 * Tests of the block layer's core (blk_core.c) against a fake driver that
 * takes up to `room` requests and completes them only when the test says:
 * checking requests, the FIFO of requests waiting for room, the counters,
 * completion callbacks that submit again, scatter-list translation, and
 * the sleeping helpers' splitting and error reporting (the fake wait hook
 * plays the device's interrupts).
 */
// TEST_SRCS: tests/host/fake_sync.c tests/host/fake_kmalloc.c
#include <stdlib.h>
#include "fs/blk.h"
#include "kernel/errno.h"
#include "tests/host/fake_sync.h"
#include "tests/host/test.h"

#define FAKE_MAX 64

static struct fake {
    struct blk_dev dev;
    int room;                       /* requests the device takes at once */
    struct blk_req *started[FAKE_MAX];
    int started_no[FAKE_MAX];       /* each one's number in start order */
    int nstarted;                   /* started and not yet completed */
    int total;                      /* ever started */
    uint64_t sectors_seen[FAKE_MAX];
    uint32_t bytes_seen[FAKE_MAX];
    int fail_at;                    /* complete the request started as number fail_at with -EIO */
} fk;

static int
fake_start(struct blk_dev *d, struct blk_req *r)
{
    sync_assert_held(&d->lock);
    if (fk.nstarted >= fk.room)
        return -EBUSY;
    if (fk.total < FAKE_MAX) {
        fk.sectors_seen[fk.total] = r->sector;
        fk.bytes_seen[fk.total] = (uint32_t)blk_req_bytes(r);
    }
    fk.started_no[fk.nstarted] = fk.total;
    fk.started[fk.nstarted++] = r;
    fk.total++;
    return 0;
}

static const struct blk_dev_ops fake_ops = { .start = fake_start };

/* The device completes its oldest request. */
static void
complete_oldest(void)
{
    struct blk_req *r = fk.started[0];
    int no = fk.started_no[0];
    fk.nstarted--;
    memmove(&fk.started[0], &fk.started[1], (size_t)fk.nstarted * sizeof(fk.started[0]));
    memmove(&fk.started_no[0], &fk.started_no[1], (size_t)fk.nstarted * sizeof(int));
    blk_complete(&fk.dev, r, no == fk.fail_at ? -EIO : 0);
}

static void
complete_all_hook(struct waitq *q)
{
    (void)q;
    while (fk.nstarted)
        complete_oldest();
}

static struct blk_dev *
fake_dev(int room, uint64_t sectors, uint32_t max_bytes)
{
    static bool registered;
    memset(&fk, 0, sizeof(fk));
    fk.room = room;
    fk.fail_at = -1;
    fk.dev.sectors = sectors;
    fk.dev.max_bytes = max_bytes ? max_bytes : BLK_REQ_BYTES;
    fk.dev.has_flush = true;
    fk.dev.ops = &fake_ops;
    if (!registered) {
        EXPECT_EQ(blk_register(&fk.dev), 0);
        registered = true;
    } else {
        spin_init(&fk.dev.lock, "blk.dev");     /* re-register the same slot */
    }
    fake_sync_wait_hook = complete_all_hook;
    return &fk.dev;
}

static int ndone;
static void
count_done(struct blk_req *r)
{
    ndone++;
}

static void
req(struct blk_req *r, int op, uint64_t sector, void *buf, uint32_t len)
{
    memset(r, 0, sizeof(*r));
    r->op = (uint8_t)op;
    r->sector = sector;
    r->nseg = buf ? 1 : 0;
    r->seg[0].buf = buf;
    r->seg[0].len = len;
    r->done = count_done;
}

static char buf[1 << 20];

static void
test_submit_rejects_bad_requests(void)
{
    struct blk_dev *d = fake_dev(4, 100, 0);
    struct blk_req r;
    req(&r, BLK_OP_READ, 100, buf, 512);
    EXPECT_EQ(blk_submit(d, &r), -EINVAL);      /* at the end */
    req(&r, BLK_OP_READ, 99, buf, 1024);
    EXPECT_EQ(blk_submit(d, &r), -EINVAL);      /* across the end */
    req(&r, BLK_OP_READ, ~0ull, buf, 512);
    EXPECT_EQ(blk_submit(d, &r), -EINVAL);      /* sector + n would wrap */
    req(&r, BLK_OP_READ, 0, buf, 100);
    EXPECT_EQ(blk_submit(d, &r), -EINVAL);      /* not whole sectors */
    req(&r, 9, 0, buf, 512);
    EXPECT_EQ(blk_submit(d, &r), -EINVAL);
    req(&r, BLK_OP_READ, 0, buf, BLK_REQ_BYTES + 512);
    EXPECT_EQ(blk_submit(d, &r), -EINVAL);      /* larger than max_bytes */
    d->read_only = true;
    req(&r, BLK_OP_WRITE, 0, buf, 512);
    EXPECT_EQ(blk_submit(d, &r), -EROFS);
    EXPECT_EQ(d->stats.rejected, 7);
    EXPECT_EQ(fk.total, 0);
    req(&r, BLK_OP_READ, 99, buf, 512);         /* the last sector is fine */
    EXPECT_EQ(blk_submit(d, &r), 0);
    complete_oldest();
    EXPECT_EQ(d->stats.reads, 1);
}

static void
test_full_device_queues_in_order(void)
{
    struct blk_dev *d = fake_dev(2, 1000, 0);
    struct blk_req r[5];
    ndone = 0;
    for (int i = 0; i < 5; i++) {
        req(&r[i], BLK_OP_WRITE, (uint64_t)i * 10, buf, 512);
        EXPECT_EQ(blk_submit(d, &r[i]), 0);
    }
    EXPECT_EQ(fk.total, 2);
    EXPECT_EQ(d->stats.queued, 3);
    complete_oldest();
    EXPECT_EQ(fk.total, 3);                     /* room again: the next in line starts */
    EXPECT_EQ(fk.sectors_seen[2], 20);
    while (fk.nstarted)
        complete_oldest();
    EXPECT_EQ(ndone, 5);
    EXPECT_EQ(fk.sectors_seen[3], 30);
    EXPECT_EQ(fk.sectors_seen[4], 40);
    EXPECT_EQ(d->stats.writes, 5);
    EXPECT_EQ(d->stats.bytes_written, 5 * 512);
    EXPECT_EQ(d->stats.inflight, 0);
    EXPECT_EQ(d->stats.inflight_max, 2);
}

static void
test_device_error_is_eio_and_counted(void)
{
    struct blk_dev *d = fake_dev(4, 1000, 0);
    struct blk_req r;
    fk.fail_at = 0;
    req(&r, BLK_OP_READ, 5, buf, 4096);
    EXPECT_EQ(blk_submit(d, &r), 0);
    complete_oldest();
    EXPECT_EQ(r.status, -EIO);
    EXPECT_EQ(d->stats.errors, 1);
    EXPECT_EQ(d->stats.bytes_read, 0);
}

static struct blk_req chain_req;
static int chain_left;
static void
resubmit(struct blk_req *r)
{
    if (--chain_left > 0) {
        r->sector++;
        EXPECT_EQ(blk_submit(&fk.dev, r), 0);   /* the lock is not held here */
    }
}

static void
test_callback_may_submit_again(void)
{
    struct blk_dev *d = fake_dev(1, 1000, 0);
    req(&chain_req, BLK_OP_READ, 0, buf, 512);
    chain_req.done = resubmit;
    chain_left = 3;
    EXPECT_EQ(blk_submit(d, &chain_req), 0);
    while (fk.nstarted)
        complete_oldest();
    EXPECT_EQ(fk.total, 3);
    EXPECT_EQ(fk.sectors_seen[2], 2);
}

/* A fake MMU: VA page i is at PA page map[i]. */
static const uint64_t map[] = { 10, 11, 12, 40, 41, 7 };
static uint64_t
fake_v2p(const void *va)
{
    uintptr_t off = (uintptr_t)va;
    return map[off / 4096] * 4096 + off % 4096;
}

static void
test_sg_map_merges_adjacent_pages(void)
{
    struct blk_req r;
    struct blk_phys out[8];
    req(&r, BLK_OP_READ, 0, (void *)(uintptr_t)2048, 5 * 4096);  /* pages 0..5, ends mid 5 */
    EXPECT_EQ(blk_sg_map(&r, fake_v2p, 0, out, 8), 3);
    EXPECT_EQ(out[0].pa, 10 * 4096 + 2048);
    EXPECT_EQ(out[0].len, 3 * 4096 - 2048);     /* 10, 11, 12 */
    EXPECT_EQ(out[1].pa, 40 * 4096);
    EXPECT_EQ(out[1].len, 2 * 4096);            /* 40, 41 */
    EXPECT_EQ(out[2].pa, 7 * 4096);
    EXPECT_EQ(out[2].len, 2048);
    EXPECT_EQ(blk_sg_map(&r, fake_v2p, 4096, out, 8), 6);   /* size_max splits runs */
    EXPECT_EQ(blk_sg_map(&r, fake_v2p, 0, out, 2), -E2BIG);
}

static void
test_read_splits_and_waits(void)
{
    struct blk_dev *d = fake_dev(3, 1 << 20, 64 << 10);
    EXPECT_EQ(blk_read(d, 8, buf, 200 << 10), 0);
    EXPECT_EQ(fk.total, 4);                     /* 64 + 64 + 64 + 8 KiB */
    EXPECT_EQ(fk.sectors_seen[1], 8 + 128);
    EXPECT_EQ(fk.bytes_seen[3], 8 << 10);
    EXPECT_EQ(d->stats.bytes_read, 200 << 10);
    EXPECT_EQ(blk_read(d, (1 << 20) - 1, buf, 1024), -EINVAL);
    EXPECT_EQ(blk_write(d, 0, buf, 100), -EINVAL);
    EXPECT_EQ(blk_read(NULL, 0, buf, 512), -ENODEV);
}

static void
test_write_reports_one_failed_request(void)
{
    struct blk_dev *d = fake_dev(8, 1 << 20, 64 << 10);
    fk.fail_at = 1;
    EXPECT_EQ(blk_write(d, 0, buf, 256 << 10), -EIO);
    EXPECT_EQ(fk.nstarted, 0);                  /* all completed before it returned */
    EXPECT_EQ(d->stats.errors, 1);
    d->read_only = true;
    EXPECT_EQ(blk_write(d, 0, buf, 512), -EROFS);
}

static void
test_flush_only_with_a_write_cache(void)
{
    struct blk_dev *d = fake_dev(2, 100, 0);
    EXPECT_EQ(blk_flush(d), 0);
    EXPECT_EQ(fk.total, 1);
    EXPECT_EQ(d->stats.flushes, 1);
    d->has_flush = false;
    EXPECT_EQ(blk_flush(d), 0);
    EXPECT_EQ(fk.total, 1);                     /* nothing to flush: no request */
}

void
tests_run(void)
{
    RUN(test_submit_rejects_bad_requests);
    RUN(test_full_device_queues_in_order);
    RUN(test_device_error_is_eio_and_counted);
    RUN(test_callback_may_submit_again);
    RUN(test_sg_map_merges_adjacent_pages);
    RUN(test_read_splits_and_waits);
    RUN(test_write_reports_one_failed_request);
    RUN(test_flush_only_with_a_write_cache);
}
