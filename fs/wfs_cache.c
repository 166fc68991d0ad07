/*
 * The block cache inside struct wfs: WFS_NBUF buffers found by a hash of
 * the block number, evicted least recently used. A dirty buffer holds
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
    return (blk * 2654435761u) >> 24;   /* WFS_HASH == 256 */
}
static_assert(WFS_HASH == 256, "hash_of keeps 8 bits");

void
wfs_cache_init(struct wfs *fs)
{
    for (int i = 0; i < WFS_HASH; i++)
        fs->hash[i] = -1;
    for (int i = 0; i < WFS_NBUF; i++) {
        fs->bufs[i] = (struct wfs_buf){ .hnext = -1, .data = fs->mem[i] };
    }
    fs->ndirty = 0;
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
static struct wfs_buf *
victim(struct wfs *fs)
{
    struct wfs_buf *best = NULL;
    for (int i = 0; i < WFS_NBUF; i++) {
        struct wfs_buf *b = &fs->bufs[i];
        if (b->ref || (b->flags & WFS_B_DIRTY))
            continue;
        if (!(b->flags & WFS_B_VALID))
            return b;
        if (!best || b->used < best->used)
            best = b;
    }
    return best;
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
        if (b->flags & WFS_B_VALID)
            unhash(fs, b);
        if (read) {
            int err = fs->dev.read_block(fs->dev.ctx, blk, b->data);
            if (err)
                return wfs_fail(fs, -EIO, "read of block %u failed (%d)", blk, err);
        }
        b->blk = blk;
        b->flags = WFS_B_VALID;
        unsigned h = hash_of(blk);
        b->hnext = fs->hash[h];
        fs->hash[h] = (int32_t)(b - fs->bufs);
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
