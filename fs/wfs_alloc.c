/*
 * Block and inode allocation from the two bitmaps (docs/wfs.md
 * "Bitmaps"). Inodes are freed at once. Blocks are freed at commit: a
 * block freed in the running transaction must not be reused for file
 * data, which is written in place before the commit, or a crash would
 * leave the old owner -- still pointing at it on disk -- with the new
 * owner's bytes. So wfs_bfree only records the block; wfs_apply_frees
 * clears the bits as the first step of the commit.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

bool
wfs_bit(const uint8_t *map, uint32_t i)
{
    return map[i / 8] & (1u << (i % 8));
}

void
wfs_setbit(uint8_t *map, uint32_t i, bool on)
{
    if (on)
        map[i / 8] |= (uint8_t)(1u << (i % 8));
    else
        map[i / 8] &= (uint8_t)~(1u << (i % 8));
}

/* Find a clear bit at or after first, below limit, in the bitmap of
 * nmap blocks at start; set it. Wraps once. */
static int
alloc_bit(struct wfs *fs, uint32_t start, uint32_t nmap, uint32_t limit, uint32_t first,
          uint32_t *out)
{
    uint32_t nbits = nmap * WFS_BPB;
    for (uint32_t pass = 0; pass < 2; pass++) {
        uint32_t from = pass ? 0 : first, to = pass ? first : limit;
        for (uint32_t i = from; i < to && i < nbits;) {
            struct wfs_buf *b;
            uint32_t blk = i / WFS_BPB, end = MIN(to, (blk + 1) * WFS_BPB);
            int err = wfs_bread(fs, start + blk, &b);
            if (err)
                return err;
            for (; i < end; i++) {
                uint32_t bit = i % WFS_BPB;
                if ((bit & 7) == 0 && i + 8 <= end && b->data[bit / 8] == 0xff) {
                    i += 7;
                    continue;
                }
                if (!wfs_bit(b->data, bit)) {
                    wfs_setbit(b->data, bit, true);
                    wfs_bdirty(fs, b);
                    wfs_brelse(fs, b);
                    *out = i;
                    return 0;
                }
            }
            wfs_brelse(fs, b);
        }
    }
    return -ENOSPC;
}

int
wfs_balloc(struct wfs *fs, uint32_t goal, uint32_t *blk)
{
    const struct wfs_super *sb = &fs->sb;
    if (goal < sb->data_start || goal >= sb->nblocks)
        goal = fs->balloc_hint >= sb->data_start ? fs->balloc_hint : sb->data_start;
    if (fs->free_blocks == 0)
        return -ENOSPC;
    int err = alloc_bit(fs, sb->bbitmap_start, sb->bbitmap_blocks, (uint32_t)sb->nblocks, goal,
                        blk);
    if (err)
        return err;
    if (*blk < sb->data_start)      /* the bit was clear: a corrupt bitmap */
        return wfs_fail(fs, -EIO, "block bitmap corrupt at %u (run wisp-fsck)", *blk);
    fs->free_blocks--;
    fs->balloc_hint = *blk + 1;
    return 0;
}

int
wfs_bfree(struct wfs *fs, uint32_t blk)
{
    if (blk < fs->sb.data_start || blk >= fs->sb.nblocks)
        return wfs_fail(fs, -EIO, "freeing block %u outside the data region", blk);
    if (fs->nfrees > 0) {
        struct wfs_free *f = &fs->frees[fs->nfrees - 1];
        if (f->start + f->len == blk && blk % WFS_BPB != 0) {
            f->len++;
            return 0;
        }
    }
    ASSERT(fs->nfrees < WFS_TX_MAX, "frees stay within the transaction budget");
    fs->frees[fs->nfrees++] = (struct wfs_free){ blk, 1 };
    return 0;
}

int
wfs_apply_frees(struct wfs *fs)
{
    for (int i = 0; i < fs->nfrees; i++) {
        struct wfs_free *f = &fs->frees[i];
        struct wfs_buf *b;
        int err = wfs_bread(fs, fs->sb.bbitmap_start + f->start / WFS_BPB, &b);
        if (err)
            return err;
        for (uint32_t k = 0; k < f->len; k++)
            wfs_setbit(b->data, (f->start + k) % WFS_BPB, false);
        wfs_bdirty(fs, b);
        wfs_brelse(fs, b);
        fs->free_blocks += f->len;
    }
    fs->nfrees = 0;
    return 0;
}

int
wfs_ialloc(struct wfs *fs, uint32_t *ino)
{
    const struct wfs_super *sb = &fs->sb;
    uint32_t first = fs->ialloc_hint ? fs->ialloc_hint : 1;
    if (first > sb->ninodes)
        first = 1;
    if (fs->free_inodes == 0)
        return -ENOSPC;
    int err = alloc_bit(fs, sb->ibitmap_start, sb->ibitmap_blocks, sb->ninodes + 1, first, ino);
    if (err)
        return err;
    if (*ino == 0)
        return wfs_fail(fs, -EIO, "inode bitmap corrupt (run wisp-fsck)");
    fs->free_inodes--;
    fs->ialloc_hint = *ino + 1;
    return 0;
}

int
wfs_ifree(struct wfs *fs, uint32_t ino)
{
    struct wfs_buf *b;
    int err = wfs_bread(fs, fs->sb.ibitmap_start + ino / WFS_BPB, &b);
    if (err)
        return err;
    wfs_setbit(b->data, ino % WFS_BPB, false);
    wfs_bdirty(fs, b);
    wfs_brelse(fs, b);
    fs->free_inodes++;
    return 0;
}

static int
count_clear(struct wfs *fs, uint32_t start, uint32_t nmap, uint64_t limit, uint64_t *out)
{
    uint64_t n = 0;
    for (uint32_t m = 0; m < nmap; m++) {
        struct wfs_buf *b;
        int err = wfs_bread(fs, start + m, &b);
        if (err)
            return err;
        for (uint32_t bit = 0; bit < WFS_BPB && (uint64_t)m * WFS_BPB + bit < limit; bit++)
            n += !wfs_bit(b->data, bit);
        wfs_brelse(fs, b);
    }
    *out = n;
    return 0;
}

int
wfs_count_free(struct wfs *fs)
{
    uint64_t nb, ni;
    int err = count_clear(fs, fs->sb.bbitmap_start, fs->sb.bbitmap_blocks, fs->sb.nblocks, &nb);
    if (!err)
        err = count_clear(fs, fs->sb.ibitmap_start, fs->sb.ibitmap_blocks,
                          (uint64_t)fs->sb.ninodes + 1, &ni);
    if (err)
        return err;
    fs->free_blocks = nb;
    fs->free_inodes = (uint32_t)ni;
    return 0;
}
