/*
 * Inodes (docs/wfs.md "Inodes"): reading and writing one through the
 * cache with its CRC, mapping file blocks through 12 direct pointers, a
 * single and a double indirect block, and freeing the blocks past a
 * point in passes that each fit in one transaction. Namespace operations
 * are in wfs_ops.c, file contents in wfs_file.c.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

void
wfs_dinode_seal(struct wfs_dinode *di, uint32_t ino)
{
    di->crc = wfs_crc32c(ino, di, offsetof(struct wfs_dinode, crc));
}

bool
wfs_dinode_ok(const struct wfs_dinode *di, uint32_t ino)
{
    return di->crc == wfs_crc32c(ino, di, offsetof(struct wfs_dinode, crc));
}

static uint32_t
iblock(const struct wfs *fs, uint32_t ino)
{
    return fs->sb.itable_start + ino / WFS_IPB;
}

int
wfs_iget(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    struct wfs_buf *b;
    if (ino == 0 || ino > fs->sb.ninodes)
        return -EINVAL;
    int err = wfs_bread(fs, iblock(fs, ino), &b);
    if (err)
        return err;
    memcpy(di, b->data + (ino % WFS_IPB) * WFS_INODE_SIZE, sizeof(*di));
    wfs_brelse(fs, b);
    return 0;
}

int
wfs_iput(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    struct wfs_buf *b;
    int err = wfs_bread(fs, iblock(fs, ino), &b);
    if (err)
        return err;
    wfs_dinode_seal(di, ino);
    memcpy(b->data + (ino % WFS_IPB) * WFS_INODE_SIZE, di, sizeof(*di));
    wfs_bdirty(fs, b);
    wfs_brelse(fs, b);
    return 0;
}

/* An inode in use with a good checksum, or -ENOENT / -EIO. */
int
wfs_iget_live(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    struct wfs_buf *b;
    int err = wfs_iget(fs, ino, di);
    if (err)
        return err == -EINVAL ? -ENOENT : err;
    err = wfs_bread(fs, fs->sb.ibitmap_start + ino / WFS_BPB, &b);
    if (err)
        return err;
    bool used = wfs_bit(b->data, ino % WFS_BPB);
    wfs_brelse(fs, b);
    if (!used || di->mode == 0)
        return -ENOENT;
    if (!wfs_dinode_ok(di, ino))
        return wfs_fail(fs, -EIO, "inode %u: checksum mismatch (run wisp-fsck)", ino);
    return 0;
}

void
wfs_touch(struct wfs *fs, struct wfs_dinode *di, bool m, bool c)
{
    int64_t now = (int64_t)wfs_now(fs);
    if (m)
        di->mtime = now;
    if (c)
        di->ctime = now;
}

/* Pointer slot i of the indirect block *ptr, allocating the indirect
 * block (zeroed, journaled) when alloc and it is missing. */
static int
walk(struct wfs *fs, struct wfs_dinode *di, uint32_t *ptr, uint32_t i, bool alloc,
     struct wfs_buf **out)
{
    int err;
    if (*ptr == 0) {
        if (!alloc)
            return 1;
        err = wfs_balloc(fs, di->direct[0], ptr);
        if (err)
            return err;
        err = wfs_bget_zero(fs, *ptr, out);
        if (err)
            return err;
        wfs_bdirty(fs, *out);
        di->nblocks++;
        return 0;
    }
    if (*ptr < fs->sb.data_start || *ptr >= fs->sb.nblocks)
        return wfs_fail(fs, -EIO, "indirect pointer %u out of range", *ptr);
    return wfs_bread(fs, *ptr, out);
}

/* Map or fill slot *slot (which lives in buffer b, or the inode when b is
 * NULL). */
static int
leaf(struct wfs *fs, struct wfs_dinode *di, uint32_t *slot, struct wfs_buf *b, bool alloc,
     uint32_t goal, uint32_t *pblk, bool *fresh)
{
    if (*slot == 0 && alloc) {
        int err = wfs_balloc(fs, goal, slot);
        if (err)
            return err;
        if (b)
            wfs_bdirty(fs, b);
        di->nblocks++;
        *fresh = true;
    }
    if (*slot && (*slot < fs->sb.data_start || *slot >= fs->sb.nblocks))
        return wfs_fail(fs, -EIO, "block pointer %u out of range", *slot);
    *pblk = *slot;
    return 0;
}

int
wfs_bmap(struct wfs *fs, struct wfs_dinode *di, uint64_t lblk, bool alloc, uint32_t *pblk,
         bool *fresh)
{
    struct wfs_buf *b1, *b2;
    uint32_t goal = fs->balloc_hint;
    int err;

    *fresh = false;
    *pblk = 0;
    if (lblk < WFS_NDIRECT)
        return leaf(fs, di, &di->direct[lblk], NULL, alloc, goal, pblk, fresh);
    lblk -= WFS_NDIRECT;
    if (lblk < WFS_PPB) {
        err = walk(fs, di, &di->indirect, 0, alloc, &b1);
        if (err)
            return err > 0 ? 0 : err;
        err = leaf(fs, di, (uint32_t *)b1->data + lblk, b1, alloc, goal, pblk, fresh);
        wfs_brelse(fs, b1);
        return err;
    }
    lblk -= WFS_PPB;
    if (lblk >= (uint64_t)WFS_PPB * WFS_PPB)
        return -EFBIG;
    err = walk(fs, di, &di->dindirect, 0, alloc, &b1);
    if (err)
        return err > 0 ? 0 : err;
    uint32_t *mid = (uint32_t *)b1->data + lblk / WFS_PPB;
    uint32_t was = *mid;
    err = walk(fs, di, mid, 0, alloc, &b2);
    if (was != *mid)
        wfs_bdirty(fs, b1);
    wfs_brelse(fs, b1);
    if (err)
        return err > 0 ? 0 : err;
    err = leaf(fs, di, (uint32_t *)b2->data + lblk % WFS_PPB, b2, alloc, goal, pblk, fresh);
    wfs_brelse(fs, b2);
    return err;
}

struct trunc {
    struct wfs *fs;
    struct wfs_dinode *di;
    uint64_t first;             /* first file block to free */
    int budget;                 /* frees left in this pass */
};

static int
free_one(struct trunc *t, uint32_t *slot)
{
    int err = wfs_bfree(t->fs, *slot);
    if (err)
        return err;
    *slot = 0;
    t->di->nblocks--;
    t->budget--;
    return 0;
}

/* Free the blocks at or past t->first under *slot, a tree of depth
 * levels (0 = data block) covering file blocks from base; last child
 * first. Returns 1 when the budget ran out before the end. */
static int
free_tree(struct trunc *t, uint32_t *slot, struct wfs_buf *holder, int depth, uint64_t base)
{
    uint64_t span = depth == 0 ? 1 : depth == 1 ? WFS_PPB : (uint64_t)WFS_PPB * WFS_PPB;
    struct wfs_buf *b;
    int err, more = 0;

    if (*slot == 0 || base + span <= t->first)
        return 0;
    if (t->budget <= 0)
        return 1;
    if (depth > 0) {
        uint64_t child = span / WFS_PPB;
        err = wfs_bread(t->fs, *slot, &b);
        if (err)
            return err;
        for (int i = WFS_PPB - 1; i >= 0 && !more; i--) {
            uint32_t *c = (uint32_t *)b->data + i;
            uint32_t was = *c;
            more = free_tree(t, c, b, depth - 1, base + (uint64_t)i * child);
            if (*c != was)
                wfs_bdirty(t->fs, b);
        }
        wfs_brelse(t->fs, b);
        if (more || base < t->first)
            return more;
        if (t->budget <= 0)
            return 1;
    }
    return free_one(t, slot) ?: 0;
}

static int
free_pass(struct trunc *t)
{
    struct wfs_dinode *di = t->di;
    int more = free_tree(t, &di->dindirect, NULL, 2, WFS_NDIRECT + WFS_PPB);
    if (!more)
        more = free_tree(t, &di->indirect, NULL, 1, WFS_NDIRECT);
    for (int i = WFS_NDIRECT - 1; i >= 0 && !more; i--)
        more = free_tree(t, &di->direct[i], NULL, 0, (uint64_t)i);
    return more;
}

int
wfs_free_from(struct wfs *fs, uint32_t ino, struct wfs_dinode *di, uint64_t first)
{
    struct trunc t = { .fs = fs, .di = di, .first = first };
    for (;;) {
        t.budget = WFS_TX_MAX - fs->ndirty - fs->nfrees - 8;
        int more = t.budget > 0 ? free_pass(&t) : 1;
        if (more < 0)
            return more;
        int err = wfs_iput(fs, ino, di);
        if (err || !more)
            return err;
        err = wfs_tx_commit(fs);
        if (err)
            return err;
    }
}

/* The orphan slot: direct[0] the deletion under way, direct[1] the head
 * of the orphan list (unlinked open files). A corrupt slot reads as empty. */
static int
get_slot(struct wfs *fs, struct wfs_dinode *slot)
{
    struct wfs_buf *b;
    int err = wfs_bread(fs, fs->sb.itable_start, &b);
    if (err)
        return err;
    memcpy(slot, b->data, sizeof(*slot));
    wfs_brelse(fs, b);
    if (!wfs_dinode_ok(slot, WFS_ORPHAN_SLOT))
        memset(slot, 0, sizeof(*slot));
    return 0;
}

/* Name ino in the orphan slot (0 clears it); the list stays. */
static int
set_orphan(struct wfs *fs, uint32_t ino)
{
    struct wfs_dinode slot;
    int err = get_slot(fs, &slot);
    uint32_t head = err ? 0 : slot.direct[1];
    memset(&slot, 0, sizeof(slot));
    slot.direct[0] = ino;
    slot.direct[1] = head;
    return wfs_iput(fs, WFS_ORPHAN_SLOT, &slot);
}

static int
set_list_head(struct wfs *fs, uint32_t ino)
{
    struct wfs_dinode slot;
    int err = get_slot(fs, &slot);
    if (err)
        return err;
    slot.direct[1] = ino;
    return wfs_iput(fs, WFS_ORPHAN_SLOT, &slot);
}

/* Free the blocks and then the inode; the orphan slot names it while
 * that may take more than one transaction. */
static int
destroy(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    int err = set_orphan(fs, ino);
    if (!err)
        err = wfs_free_from(fs, ino, di, 0);
    if (err)
        return err;
    di->mode = 0;
    di->size = 0;
    di->onext = 0;
    err = wfs_iput(fs, ino, di);
    if (!err)
        err = wfs_ifree(fs, ino);
    return err ? err : set_orphan(fs, 0);
}

int
wfs_drop_link(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    if (di->nlink > 0)
        di->nlink--;
    wfs_touch(fs, di, false, true);
    if (di->nlink > 0)
        return wfs_iput(fs, ino, di);
    if (fs->keep && (di->mode & WFS_S_IFMT) == WFS_S_IFREG && fs->keep(fs->keep_ctx, ino)) {
        struct wfs_dinode slot;     /* still open: onto the orphan list */
        int err = get_slot(fs, &slot);
        if (!err) {
            di->onext = slot.direct[1];
            err = wfs_iput(fs, ino, di);
        }
        return err ? err : set_list_head(fs, ino);
    }
    return destroy(fs, ino, di);
}

void
wfs_set_keep(struct wfs *fs, bool (*keep)(void *ctx, uint32_t ino), void *ctx)
{
    fs->keep = keep;
    fs->keep_ctx = ctx;
}

int
wfs_orphan_release(struct wfs *fs, uint32_t ino)
{
    struct wfs_dinode slot, di, prev;
    int err = get_slot(fs, &slot);
    uint32_t at = err ? 0 : slot.direct[1], before = 0;
    for (uint32_t steps = 0; at && steps <= fs->sb.ninodes && at != ino; steps++) {
        before = at;
        if ((err = wfs_iget_live(fs, at, &prev)) != 0)
            return err;
        at = prev.onext;
    }
    if (err || at != ino)
        return err ? err : -ENOENT;
    if ((err = wfs_iget_live(fs, ino, &di)) != 0)
        return err;
    if (before) {
        prev.onext = di.onext;
        err = wfs_iput(fs, before, &prev);
    } else {
        err = set_list_head(fs, di.onext);
    }
    di.onext = 0;
    if (!err && di.nlink == 0)
        err = destroy(fs, ino, &di);
    else if (!err)
        err = wfs_iput(fs, ino, &di);     /* linked again meanwhile: it stays */
    return err ? err : wfs_tx_commit(fs);
}

/* Mount: free everything on the orphan list (nothing is open yet). */
static int
free_orphan_list(struct wfs *fs)
{
    struct wfs_dinode slot, di;
    int err = get_slot(fs, &slot);
    uint32_t at = err ? 0 : slot.direct[1];
    for (uint32_t steps = 0; !err && at && steps <= fs->sb.ninodes; steps++) {
        uint32_t ino = at;
        if (ino > fs->sb.ninodes || wfs_iget_live(fs, ino, &di) != 0)
            break;              /* a bad link ends the list: fsck sorts out the rest */
        at = di.onext;
        err = set_list_head(fs, at);
        di.onext = 0;
        if (!err)
            err = di.nlink == 0 ? destroy(fs, ino, &di) : wfs_iput(fs, ino, &di);
    }
    if (!err && at)
        err = set_list_head(fs, 0);
    return err ? err : wfs_tx_commit(fs);
}

int
wfs_orphan_finish(struct wfs *fs)
{
    struct wfs_dinode slot, di;
    struct wfs_buf *b;
    int err = wfs_bread(fs, fs->sb.itable_start, &b);
    if (err)
        return err;
    memcpy(&slot, b->data, sizeof(slot));
    wfs_brelse(fs, b);
    uint32_t ino = slot.direct[0];
    if (!wfs_dinode_ok(&slot, WFS_ORPHAN_SLOT))
        return 0;
    if (ino) {
        err = wfs_iget_live(fs, ino, &di);
        if (err == 0 && di.nlink == 0)
            err = destroy(fs, ino, &di);
        else
            err = set_orphan(fs, 0);
        if (!err)
            err = wfs_tx_commit(fs);
    }
    return err ? err : free_orphan_list(fs);
}
