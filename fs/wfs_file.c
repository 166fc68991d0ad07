/*
 * File contents and attributes: read and write at an offset through the
 * block map (holes read as zero), getattr and setattr (a size change
 * truncates or extends with a hole), fsync. Data blocks are written in
 * place at once (ordered mode, docs/wfs.md "Journal"); the inode's new
 * size and pointers go into the running transaction.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

int
wfs_getattr(struct wfs *fs, uint32_t ino, struct wfs_attr *a)
{
    struct wfs_dinode di;
    int err = wfs_iget_live(fs, ino, &di);
    if (err)
        return err;
    *a = (struct wfs_attr){
        .ino = ino, .mode = di.mode, .uid = di.uid, .gid = di.gid, .nlink = di.nlink,
        .generation = di.generation, .size = di.size, .blocks = di.nblocks,
        .version = di.version, .atime = di.atime, .mtime = di.mtime, .ctime = di.ctime,
    };
    return 0;
}

/* Zero the tail of the block holding byte size, so that bytes past EOF
 * read as zero if the file grows again. */
static int
zero_tail(struct wfs *fs, struct wfs_dinode *di, uint64_t size)
{
    struct wfs_buf *b;
    uint32_t pblk;
    bool fresh;
    if (size % WFS_BLOCK == 0)
        return 0;
    int err = wfs_bmap(fs, di, size / WFS_BLOCK, false, &pblk, &fresh);
    if (err || pblk == 0)
        return err;
    err = wfs_bread(fs, pblk, &b);
    if (err)
        return err;
    memset(b->data + size % WFS_BLOCK, 0, WFS_BLOCK - size % WFS_BLOCK);
    err = wfs_bwrite_data(fs, b);
    wfs_brelse(fs, b);
    return err;
}

/* Before the file grows past size: free blocks a cut-short truncate left
 * past EOF, and zero the old last block's tail, which may hold bytes of
 * an earlier, longer file. Both write only past the committed EOF. */
static int
grow(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    if (di->flags & WFS_IF_TAIL) {
        int err = wfs_free_from(fs, ino, di, (di->size + WFS_BLOCK - 1) / WFS_BLOCK);
        if (err)
            return err;
        di->flags &= ~WFS_IF_TAIL;
    }
    return zero_tail(fs, di, di->size);
}

/* Shrinking marks the inode (WFS_IF_TAIL) until every block past the new
 * EOF is free, which may take several transactions. The tail of the new
 * last block is not zeroed now: that would change bytes inside the
 * committed EOF before the new size commits. */
static int
set_size(struct wfs *fs, uint32_t ino, struct wfs_dinode *di, uint64_t size)
{
    int err;
    if ((di->mode & WFS_S_IFMT) == WFS_S_IFDIR)
        return -EISDIR;
    if ((di->mode & WFS_S_IFMT) != WFS_S_IFREG)
        return -EINVAL;
    if (size > WFS_MAX_FILE)
        return -EFBIG;
    if (size > di->size) {
        err = grow(fs, ino, di);
        if (err)
            return err;
    }
    uint64_t old = di->size;
    di->size = size;
    di->version++;
    wfs_touch(fs, di, true, true);
    if (size >= old)
        return wfs_iput(fs, ino, di);
    di->flags |= WFS_IF_TAIL;
    err = wfs_free_from(fs, ino, di, (size + WFS_BLOCK - 1) / WFS_BLOCK);
    if (err)
        return err;
    di->flags &= ~WFS_IF_TAIL;
    return wfs_iput(fs, ino, di);
}

int
wfs_setattr(struct wfs *fs, uint32_t ino, const struct wfs_attr *a, unsigned mask)
{
    struct wfs_dinode di;
    int err = wfs_tx_reserve(fs, WFS_OP_BLOCKS);
    if (!err)
        err = wfs_iget_live(fs, ino, &di);
    if (err)
        return err;
    if (mask & WFS_SET_MODE)
        di.mode = (di.mode & WFS_S_IFMT) | (a->mode & 07777);
    if (mask & WFS_SET_UID)
        di.uid = a->uid;
    if (mask & WFS_SET_GID)
        di.gid = a->gid;
    if (mask & WFS_SET_ATIME)
        di.atime = a->atime;
    if (mask & WFS_SET_MTIME)
        di.mtime = a->mtime;
    wfs_touch(fs, &di, false, true);
    if ((mask & WFS_SET_SIZE) && a->size != di.size) {
        int64_t mt = di.mtime;
        err = set_size(fs, ino, &di, a->size);
        if (!err && (mask & WFS_SET_MTIME) && di.mtime != mt) {
            di.mtime = mt;
            err = wfs_iput(fs, ino, &di);
        }
        return err;
    }
    return wfs_iput(fs, ino, &di);
}

static int
file_get(struct wfs *fs, uint32_t ino, struct wfs_dinode *di)
{
    int err = wfs_iget_live(fs, ino, di);
    if (err)
        return err;
    if ((di->mode & WFS_S_IFMT) == WFS_S_IFDIR)
        return -EISDIR;
    return (di->mode & WFS_S_IFMT) == WFS_S_IFREG ? 0 : -EINVAL;
}

/* Before a read of [off, off + len): the runs of the file's blocks that
 * are contiguous on the disk and not cached come in one device call each
 * (a READ of 60 KiB is one disk request, not fifteen). Best effort: what
 * does not come in here is read block by block by the caller. */
static void
read_ahead(struct wfs *fs, struct wfs_dinode *di, uint64_t off, size_t len)
{
    uint64_t first = off / WFS_BLOCK, last = (off + len - 1) / WFS_BLOCK;
    uint32_t run = 0;
    unsigned n = 0;
    for (uint64_t i = first; i <= last && i < first + 64; i++) {
        uint32_t pblk;
        bool fresh;
        if (wfs_bmap(fs, di, i, false, &pblk, &fresh) || !pblk || wfs_bcached(fs, pblk))
            pblk = 0;
        if (n && (pblk != run + n || n == WFS_RUN_MAX)) {
            if (n > 1)
                (void)wfs_bread_run(fs, run, n);
            n = 0;
        }
        if (pblk && n++ == 0)
            run = pblk;
    }
    if (n > 1)
        (void)wfs_bread_run(fs, run, n);
}

long
wfs_read(struct wfs *fs, uint32_t ino, uint64_t off, void *buf, size_t len)
{
    struct wfs_dinode di;
    size_t done = 0;
    int err = file_get(fs, ino, &di);
    if (err)
        return err;
    if (off >= di.size)
        return 0;
    len = (size_t)MIN((uint64_t)len, di.size - off);
    if (len > WFS_BLOCK && fs->dev.read_blocks)
        read_ahead(fs, &di, off, len);
    while (done < len) {
        uint64_t pos = off + done;
        size_t in = pos % WFS_BLOCK, n = MIN(len - done, (size_t)WFS_BLOCK - in);
        uint32_t pblk;
        bool fresh;
        struct wfs_buf *b;
        err = wfs_bmap(fs, &di, pos / WFS_BLOCK, false, &pblk, &fresh);
        if (!err && pblk) {
            err = wfs_bread(fs, pblk, &b);
            if (!err) {
                memcpy((uint8_t *)buf + done, b->data + in, n);
                wfs_brelse(fs, b);
            }
        } else if (!err) {
            memset((uint8_t *)buf + done, 0, n);
        }
        if (err)
            return done ? (long)done : err;
        done += n;
    }
    return (long)done;
}

/* Data blocks filled by one wfs_write and not yet on the disk: a run of
 * disk-contiguous blocks, held, written in one device call when the
 * device has write_blocks (else one by one). Written before anything
 * commits (ordered mode: data before the metadata that points at it). */
struct wrun {
    struct wfs_buf *b[WFS_RUN_MAX];
    unsigned n;
};

static int
run_flush(struct wfs *fs, struct wrun *r)
{
    int err = 0;
    if (r->n > 1 && fs->dev.write_blocks) {
        const void *data[WFS_RUN_MAX];
        for (unsigned i = 0; i < r->n; i++)
            data[i] = r->b[i]->data;
        if (fs->dev.write_blocks(fs->dev.ctx, r->b[0]->blk, r->n, data))
            err = wfs_fail(fs, -EIO, "write of blocks %u..%u failed", r->b[0]->blk,
                           r->b[0]->blk + r->n - 1);
    } else {
        for (unsigned i = 0; i < r->n && !err; i++)
            err = wfs_bwrite_data(fs, r->b[i]);
    }
    for (unsigned i = 0; i < r->n; i++)
        wfs_brelse(fs, r->b[i]);
    r->n = 0;
    return err;
}

/* b (filled, held) joins the run, which is written first if b does not
 * continue it. */
static int
run_add(struct wfs *fs, struct wrun *r, struct wfs_buf *b)
{
    int err = 0;
    if (b->flags & WFS_B_DIRTY) {   /* a pointer into metadata: corrupt image */
        wfs_brelse(fs, b);
        return wfs_fail(fs, -EIO, "block %u is both data and metadata (run wisp-fsck)", b->blk);
    }
    if (r->n && (r->n == WFS_RUN_MAX || b->blk != r->b[r->n - 1]->blk + 1))
        err = run_flush(fs, r);
    r->b[r->n++] = b;
    return err;
}

/* One block's worth of a write: map (allocating), fill, add to the run. */
static int
write_block(struct wfs *fs, struct wfs_dinode *di, uint64_t pos, const uint8_t *src, size_t n,
            struct wrun *r)
{
    size_t in = pos % WFS_BLOCK;
    struct wfs_buf *b;
    uint32_t pblk;
    bool fresh;
    int err = wfs_bmap(fs, di, pos / WFS_BLOCK, true, &pblk, &fresh);
    if (err)
        return err;
    if (fresh || n == WFS_BLOCK)
        err = wfs_bget_zero(fs, pblk, &b);
    else
        err = wfs_bread(fs, pblk, &b);
    if (err)
        return err;
    memcpy(b->data + in, src, n);
    return run_add(fs, r, b);
}

long
wfs_write(struct wfs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len)
{
    struct wfs_dinode di;
    struct wrun run = { .n = 0 };
    size_t done = 0;
    int err = wfs_tx_reserve(fs, 0);
    if (!err)
        err = file_get(fs, ino, &di);
    if (err)
        return err;
    if (off > WFS_MAX_FILE || len > WFS_MAX_FILE - off)
        return -EFBIG;
    if (len == 0)
        return 0;
    if ((off > di.size || (di.flags & WFS_IF_TAIL))) {
        err = grow(fs, ino, &di);
        if (err)
            return err;
    }
    uint64_t size_ok = di.size;     /* covers only data known to be on the disk */
    while (done < len) {
        uint64_t pos = off + done;
        size_t n = MIN(len - done, (size_t)WFS_BLOCK - pos % WFS_BLOCK);
        /* Room for the block, two indirect blocks, bitmap and inode; a
         * commit here leaves at most blocks past EOF, which is allowed. */
        err = 0;
        if (fs->ndirty + fs->nfrees + 6 > WFS_TX_MAX) {
            err = run_flush(fs, &run);
            if (!err) {
                size_ok = di.size > size_ok ? di.size : size_ok;
                err = wfs_iput(fs, ino, &di);
            }
            if (!err)
                err = wfs_tx_commit(fs);
        }
        if (!err)
            err = write_block(fs, &di, pos, (const uint8_t *)buf + done, n, &run);
        if (err)
            break;
        done += n;
        if (pos + n > di.size)
            di.size = pos + n;
    }
    int ferr = run_flush(fs, &run);
    if (ferr) {
        /* the data did not reach the disk: the size does not grow over it
         * (blocks past EOF are allowed) and the call fails */
        err = err ? err : ferr;
        done = 0;
        di.size = size_ok;
    }
    if (done) {
        di.version++;
        wfs_touch(fs, &di, true, true);
    }
    int err2 = wfs_iput(fs, ino, &di);
    if (done)
        return (long)done;
    return err ? err : err2;
}

int
wfs_fsync(struct wfs *fs)
{
    return wfs_tx_commit(fs);
}
