/*
 * The block cache inside struct wfs: nbuf buffers (WFS_NBUF for the host
 * tools, thousands on the file server) found by a hash of the block
 * number, evicted by a clock hand that takes the least recently used of
 * the next few candidates (so a miss costs O(1), not a scan of the
 * cache). Runs of a file's contiguous blocks the cache lacks are read in
 * one device call when the device can (wfs_bread_run). A dirty buffer holds
 * metadata of the running transaction and is never evicted or written
 * home before its commit (no-steal: wfs_journal.c writes it); file data
 * is written through at once (wfs_bwrite_data) and stays clean. The
 * transaction limit (WFS_TX_MAX) keeps enough buffers clean to evict.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static unsigned
hash_of(uint32_t blk)
{
    return (blk * 2654435761u) >> 20;   /* WFS_HASH == 4096 */
}
static_assert(WFS_HASH == 4096, "hash_of keeps 12 bits");

/* Eviction candidates looked at per miss: the LRU-most of them goes. */
#define VICTIM_LOOK 32

void
wfs_cache_init(struct wfs *fs)
{
    for (int i = 0; i < WFS_HASH; i++)
        fs->hash[i] = -1;
    for (uint32_t i = 0; i < fs->nbuf; i++) {
        fs->bufs[i] = (struct wfs_buf){ .hnext = -1, .data = fs->mem[i] };
    }
    fs->ndirty = 0;
    fs->hand = 0;
}

static struct wfs_buf *
find(struct wfs *fs, uint32_t blk)
{
    for (int i = fs->hash[hash_of(blk)]; i >= 0; i = fs->bufs[i].hnext)
        if (fs->bufs[i].blk == blk && (fs->bufs[i].flags & WFS_B_VALID))
            return &fs->bufs[i];
    return NULL;
}

static void
unhash(struct wfs *fs, struct wfs_buf *b)
{
    int32_t *p = &fs->hash[hash_of(b->blk)];
    int self = (int)(b - fs->bufs);

    while (*p >= 0 && *p != self)
        p = &fs->bufs[*p].hnext;
    if (*p == self)
        *p = b->hnext;
    b->hnext = -1;
    b->flags = 0;
}

/* The least recently used buffer that is neither held nor dirty. */
/* A buffer to reuse: an empty one, else the least recently used of the
 * next VICTIM_LOOK evictable ones after the hand; the whole cache is
 * looked at only when fewer are evictable (most are held or dirty). */
static struct wfs_buf *
victim(struct wfs *fs)
{
    struct wfs_buf *best = NULL;
    unsigned seen = 0;
    for (uint32_t k = 0; k < fs->nbuf && seen < VICTIM_LOOK; k++) {
        struct wfs_buf *b = &fs->bufs[(fs->hand + k) % fs->nbuf];
        if (b->ref || (b->flags & WFS_B_DIRTY))
            continue;
        seen++;
        if (!(b->flags & WFS_B_VALID) || !best || b->used < best->used)
            best = b;
        if (!(b->flags & WFS_B_VALID))
            break;
    }
    if (best)
        fs->hand = (uint32_t)(best - fs->bufs + 1) % fs->nbuf;
    return best;
}

/* b, valid or not, leaves its hash chain and holds nothing. */
static void
forget(struct wfs *fs, struct wfs_buf *b)
{
    if (b->flags & WFS_B_VALID)
        unhash(fs, b);
    b->flags = 0;
}

/* b now holds block blk. */
static void
install(struct wfs *fs, struct wfs_buf *b, uint32_t blk)
{
    b->blk = blk;
    b->flags = WFS_B_VALID;
    unsigned h = hash_of(blk);
    b->hnext = fs->hash[h];
    fs->hash[h] = (int32_t)(b - fs->bufs);
    b->used = ++fs->clock;
}

static int
get(struct wfs *fs, uint32_t blk, bool read, struct wfs_buf **out)
{
    struct wfs_buf *b = find(fs, blk);

    if (blk >= fs->sb.nblocks)
        return wfs_fail(fs, -EIO, "block %u past the end of the image", blk);
    if (!b) {
        b = victim(fs);
        if (!b)
            return wfs_fail(fs, -ENOMEM, "block cache full");
        forget(fs, b);
        if (read) {
            int err = fs->dev.read_block(fs->dev.ctx, blk, b->data);
            if (err)
                return wfs_fail(fs, -EIO, "read of block %u failed (%d)", blk, err);
        }
        install(fs, b, blk);
    }
    if (!read)
        memset(b->data, 0, WFS_BLOCK);
    b->ref++;
    b->used = ++fs->clock;
    *out = b;
    return 0;
}

int
wfs_bread(struct wfs *fs, uint32_t blk, struct wfs_buf **out)
{
    return get(fs, blk, true, out);
}

unsigned
wfs_cache_blocks(const struct wfs *fs)
{
    return fs->nbuf;
}

bool
wfs_bcached(struct wfs *fs, uint32_t blk)
{
    return find(fs, blk) != NULL;
}

int
wfs_bread_run(struct wfs *fs, uint32_t blk, unsigned n)
{
    struct wfs_buf *b[WFS_RUN_MAX];
    void *data[WFS_RUN_MAX];
    unsigned got = 0;
    if (!fs->dev.read_blocks || n > WFS_RUN_MAX || blk >= fs->sb.nblocks ||
        n > fs->sb.nblocks - blk)
        return 0;
    for (; got < n && !find(fs, blk + got); got++) {
        if (!(b[got] = victim(fs)))
            break;
        forget(fs, b[got]);
        b[got]->ref++;          /* not a victim again while the run fills */
        data[got] = b[got]->data;
    }
    int err = got > 1 ? fs->dev.read_blocks(fs->dev.ctx, blk, got, data) : -EAGAIN;
    for (unsigned i = 0; i < got; i++) {
        b[i]->ref--;
        if (!err)
            install(fs, b[i], blk + i);
    }
    return err ? 0 : (int)got;
}

int
wfs_bget_zero(struct wfs *fs, uint32_t blk, struct wfs_buf **out)
{
    return get(fs, blk, false, out);
}

void
wfs_brelse(struct wfs *fs, struct wfs_buf *b)
{
    ASSERT(b->ref > 0, "a buffer is released once per get");
    b->ref--;
}

void
wfs_bdirty(struct wfs *fs, struct wfs_buf *b)
{
    if (!(b->flags & WFS_B_DIRTY)) {
        b->flags |= WFS_B_DIRTY;
        fs->ndirty++;
    }
}

int
wfs_bwrite_data(struct wfs *fs, struct wfs_buf *b)
{
    if (b->flags & WFS_B_DIRTY)     /* a pointer into metadata: corrupt image */
        return wfs_fail(fs, -EIO, "block %u is both data and metadata (run wisp-fsck)", b->blk);
    int err = fs->dev.write_block(fs->dev.ctx, b->blk, b->data);
    return err ? wfs_fail(fs, -EIO, "write of block %u failed (%d)", b->blk, err) : 0;
}

/* Drop every clean buffer (after unmount, or when a commit failed and
 * the cached metadata can no longer be trusted). */
void
wfs_cache_forget(struct wfs *fs)
{
    wfs_cache_init(fs);
}
