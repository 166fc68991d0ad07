/*
 * The write-ahead metadata journal (docs/wfs.md "Journal"). A commit
 * writes the running transaction -- every dirty buffer -- as one
 * descriptor block (home block numbers), the block images and a commit
 * block, each checked by CRC32C and tagged with the sequence number the
 * journal header expects; then the images go home, and the header moves
 * to the next sequence number, which empties the journal. Data blocks
 * were written in place before (ordered mode): the flush before the
 * commit block makes them durable first. Replay at mount (or by fsck)
 * re-writes a complete transaction home; doing it twice does no harm.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define WHY(...) (k_snprintf(why, n, __VA_ARGS__), -EINVAL)

static void
jhdr_make(uint8_t *blk, const struct wfs_super *sb, uint64_t seq)
{
    struct wfs_jhdr *h = (struct wfs_jhdr *)blk;
    memset(blk, 0, WFS_BLOCK);
    h->magic = WFS_JHDR_MAGIC;
    h->version = 1;
    h->seq = seq;
    h->blocks = sb->journal_blocks;
    h->crc = wfs_crc32c(0, h, offsetof(struct wfs_jhdr, crc));
}

int
wfs_journal_reset(const struct wfs_dev *dev, const struct wfs_super *sb, uint64_t seq,
                  uint8_t *tmp)
{
    jhdr_make(tmp, sb, seq);
    int err = dev->write_block(dev->ctx, sb->journal_start, tmp);
    return err ? -EIO : dev->flush(dev->ctx) ? -EIO : 0;
}

static bool
home_ok(const struct wfs_super *sb, uint32_t home)
{
    return home > sb->journal_start + sb->journal_blocks - 1 && home < sb->nblocks;
}

/* Is the descriptor in d (seq) whole and is its commit block on disk?
 * Fills *count. a is scratch for the commit block. */
static int
tx_valid(const struct wfs_dev *dev, const struct wfs_super *sb, const uint8_t *d, uint64_t seq,
         uint8_t *a, uint32_t *count)
{
    const struct wfs_jdesc *desc = (const void *)d;
    const struct wfs_jcommit *c = (const void *)a;
    uint32_t dcrc = wfs_crc32c(0, d, WFS_BLOCK - 4);

    if (desc->magic != WFS_JDESC_MAGIC || desc->seq != seq || desc->count == 0 ||
        desc->count > WFS_JDESC_MAX || desc->count + 3 > sb->journal_blocks ||
        memcmp(&dcrc, d + WFS_BLOCK - 4, 4) != 0)
        return 0;
    for (uint32_t i = 0; i < desc->count; i++)
        if (!home_ok(sb, desc->home[i]))
            return 0;
    if (dev->read_block(dev->ctx, sb->journal_start + 2 + desc->count, a))
        return -EIO;
    if (c->magic != WFS_JCOMMIT_MAGIC || c->seq != seq || c->count != desc->count ||
        c->desc_crc != dcrc || c->images_crc != desc->images_crc ||
        c->crc != wfs_crc32c(0, c, offsetof(struct wfs_jcommit, crc)))
        return 0;
    *count = desc->count;
    return 1;
}

/* Copy the count images home, after checking their CRC. d is the
 * descriptor; a is scratch. Returns 1 if written, 0 if the images do not
 * match the commit (a torn transaction: ignored). */
static int
tx_apply(const struct wfs_dev *dev, const struct wfs_super *sb, const uint8_t *d, uint8_t *a,
         uint32_t count)
{
    const struct wfs_jdesc *desc = (const void *)d;
    uint32_t crc = 0;

    for (uint32_t i = 0; i < count; i++) {
        if (dev->read_block(dev->ctx, sb->journal_start + 2 + i, a))
            return -EIO;
        crc = wfs_crc32c(crc, a, WFS_BLOCK);
    }
    if (crc != desc->images_crc)
        return 0;
    for (uint32_t i = 0; i < count; i++) {
        if (dev->read_block(dev->ctx, sb->journal_start + 2 + i, a) ||
            dev->write_block(dev->ctx, desc->home[i], a))
            return -EIO;
    }
    return dev->flush(dev->ctx) ? -EIO : 1;
}

int
wfs_journal_replay(const struct wfs_dev *dev, const struct wfs_super *sb, uint8_t *a,
                   uint8_t *b, int *replayed, char *why, size_t n)
{
    const struct wfs_jhdr *h = (const void *)a;
    uint32_t count = 0;
    uint64_t seq;
    int r;

    *replayed = 0;
    if (dev->read_block(dev->ctx, sb->journal_start, a))
        return WHY("cannot read the journal header");
    if (h->magic != WFS_JHDR_MAGIC || h->blocks != sb->journal_blocks ||
        h->crc != wfs_crc32c(0, h, offsetof(struct wfs_jhdr, crc)))
        return WHY("journal header corrupt (run wisp-fsck)");
    seq = h->seq;
    if (dev->read_block(dev->ctx, sb->journal_start + 1, b))
        return WHY("cannot read the journal");
    r = tx_valid(dev, sb, b, seq, a, &count);
    if (r > 0)
        r = tx_apply(dev, sb, b, a, count);
    if (r < 0)
        return WHY("journal replay failed: device error");
    *replayed = r;
    if (r && wfs_journal_reset(dev, sb, seq + 1, a))
        return WHY("cannot write the journal header");
    return 0;
}

/* Write descriptor and images, flush (the data written in place and the
 * images are durable), then the commit block, flush. */
static int
tx_write(struct wfs *fs, uint64_t seq)
{
    const struct wfs_dev *dev = &fs->dev;
    struct wfs_jdesc *desc = (struct wfs_jdesc *)fs->scratch;
    uint32_t j = fs->sb.journal_start, crc = 0, k = 0;

    memset(fs->scratch, 0, WFS_BLOCK);
    for (uint32_t i = 0; i < fs->nbuf; i++) {
        struct wfs_buf *b = &fs->bufs[i];
        if (!(b->flags & WFS_B_DIRTY))
            continue;
        if (dev->write_block(dev->ctx, j + 2 + k, b->data))
            return -EIO;
        crc = wfs_crc32c(crc, b->data, WFS_BLOCK);
        desc->home[k++] = b->blk;
    }
    desc->magic = WFS_JDESC_MAGIC;
    desc->count = k;
    desc->seq = seq;
    desc->images_crc = crc;
    uint32_t dcrc = wfs_crc32c(0, fs->scratch, WFS_BLOCK - 4);
    memcpy(fs->scratch + WFS_BLOCK - 4, &dcrc, 4);
    if (dev->write_block(dev->ctx, j + 1, fs->scratch) || dev->flush(dev->ctx))
        return -EIO;
    struct wfs_jcommit *c = (struct wfs_jcommit *)fs->scratch;
    memset(fs->scratch, 0, WFS_BLOCK);
    *c = (struct wfs_jcommit){ .magic = WFS_JCOMMIT_MAGIC, .count = k, .seq = seq,
                               .desc_crc = dcrc, .images_crc = crc };
    c->crc = wfs_crc32c(0, c, offsetof(struct wfs_jcommit, crc));
    if (dev->write_block(dev->ctx, j + 2 + k, fs->scratch) || dev->flush(dev->ctx))
        return -EIO;
    return 0;
}

static int
checkpoint(struct wfs *fs)
{
    const struct wfs_dev *dev = &fs->dev;
    for (uint32_t i = 0; i < fs->nbuf; i++) {
        struct wfs_buf *b = &fs->bufs[i];
        if (!(b->flags & WFS_B_DIRTY))
            continue;
        if (dev->write_block(dev->ctx, b->blk, b->data))
            return -EIO;
        b->flags &= ~WFS_B_DIRTY;
    }
    fs->ndirty = 0;
    return dev->flush(dev->ctx) ? -EIO : 0;
}

/* On any device error the cache can no longer be trusted: the mount
 * stops accepting changes until it is remounted (replay then repairs). */
int
wfs_tx_commit(struct wfs *fs)
{
    uint64_t seq;
    int err;

    if (fs->broken)
        return wfs_fail(fs, -EIO, "file system stopped after a write error");
    err = wfs_apply_frees(fs);
    if (err)
        goto fail;
    if (fs->ndirty == 0)
        return fs->dev.flush(fs->dev.ctx) ? wfs_fail(fs, -EIO, "flush failed") : 0;
    ASSERT(fs->ndirty <= WFS_JDESC_MAX && fs->ndirty + 3 <= (int)fs->sb.journal_blocks,
           "a transaction fits in the journal");
    if (fs->dev.read_block(fs->dev.ctx, fs->sb.journal_start, fs->scratch)) {
        err = -EIO;
        goto fail;
    }
    seq = ((struct wfs_jhdr *)fs->scratch)->seq;
    err = tx_write(fs, seq);
    if (!err)
        err = checkpoint(fs);
    if (!err)
        err = wfs_journal_reset(&fs->dev, &fs->sb, seq + 1, fs->scratch);
    if (!err)
        return 0;
fail:
    fs->broken = true;
    return wfs_fail(fs, -EIO, "commit failed: device error; remount to replay the journal");
}

int
wfs_tx_reserve(struct wfs *fs, int blocks)
{
    if (fs->broken)
        return wfs_fail(fs, -EIO, "file system stopped after a write error");
    if (fs->ndirty + fs->nfrees + blocks <= WFS_TX_MAX)
        return 0;
    return wfs_tx_commit(fs);
}
