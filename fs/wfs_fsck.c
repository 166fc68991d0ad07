/*
 * The checker (docs/wfs.md "wisp-fsck"): superblock, journal replay,
 * every inode and the blocks it holds (pointers in range, no block held
 * twice), then -- in wfs_fsck_dir.c -- the directory tree, and last both
 * bitmaps against what was found. Without WFS_FSCK_FIX nothing is
 * written but the journal replay, which is part of mounting; the host
 * tool's -n gives it a device that keeps writes in memory.
 */
#include <stdarg.h>
#include "fs/wfs_fsck.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

static void
say(struct wfs_ck *c, const char *pre, const char *fmt, va_list ap)
{
    char line[200];
    size_t n = k_strlcpy(line, pre, sizeof(line));
    k_vsnprintf(line + n, sizeof(line) - n, fmt, ap);
    c->report(c->arg, line);
}

bool
wfs_ck_problem(struct wfs_ck *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(c, c->fix ? "fixed: " : "problem: ", fmt, ap);
    va_end(ap);
    c->result |= c->fix ? WFS_FSCK_FIXED : WFS_FSCK_ERRORS;
    return c->fix;
}

void
wfs_ck_note(struct wfs_ck *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    say(c, "", fmt, ap);
    va_end(ap);
}

int
wfs_ck_read(struct wfs_ck *c, uint32_t blk, void *buf)
{
    if (blk >= c->sb.nblocks || c->dev->read_block(c->dev->ctx, blk, buf)) {
        memset(buf, 0, WFS_BLOCK);
        return -EIO;
    }
    return 0;
}

int
wfs_ck_write(struct wfs_ck *c, uint32_t blk, const void *buf)
{
    ASSERT(c->fix, "fsck writes only when repairing");
    return c->dev->write_block(c->dev->ctx, blk, buf) ? -EIO : 0;
}

int
wfs_ck_iget(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di)
{
    int err = wfs_ck_read(c, c->sb.itable_start + ino / WFS_IPB, c->blk[3]);
    memcpy(di, c->blk[3] + (ino % WFS_IPB) * WFS_INODE_SIZE, sizeof(*di));
    return err;
}

int
wfs_ck_iput(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di)
{
    uint32_t blk = c->sb.itable_start + ino / WFS_IPB;
    wfs_dinode_seal(di, ino);
    int err = wfs_ck_read(c, blk, c->blk[3]);
    memcpy(c->blk[3] + (ino % WFS_IPB) * WFS_INODE_SIZE, di, sizeof(*di));
    return err ? err : wfs_ck_write(c, blk, c->blk[3]);
}

bool
wfs_ck_isdir(const struct wfs_dinode *di)
{
    return (di->mode & WFS_S_IFMT) == WFS_S_IFDIR;
}

static bool
in_data(const struct wfs_ck *c, uint32_t p)
{
    return p >= c->sb.data_start && p < c->sb.nblocks;
}

uint32_t
wfs_ck_bmap(struct wfs_ck *c, const struct wfs_dinode *di, uint32_t lblk)
{
    uint32_t p;
    if (lblk < WFS_NDIRECT)
        return in_data(c, di->direct[lblk]) ? di->direct[lblk] : 0;
    lblk -= WFS_NDIRECT;
    if (lblk >= WFS_PPB || !in_data(c, di->indirect))
        return 0;               /* directories and symlinks stay this small */
    if (wfs_ck_read(c, di->indirect, c->blk[2]))
        return 0;
    p = ((uint32_t *)c->blk[2])[lblk];
    return in_data(c, p) ? p : 0;
}

/* Check the tree under *slot (depth 0 = a data block): every pointer in
 * the data region and not yet used by another inode; a bad one is
 * cleared. Counts the blocks kept. */
static void
check_tree(struct wfs_ck *c, uint32_t ino, uint32_t *slot, int depth, bool *dirty,
           uint64_t *count)
{
    uint32_t p = *slot;
    if (p == 0)
        return;
    if (!in_data(c, p) || wfs_bit(c->used, p)) {
        if (wfs_ck_problem(c, "inode %u: block %u %s", ino, p,
                           in_data(c, p) ? "also used by another inode" : "out of range")) {
            *slot = 0;
            *dirty = true;
        }
        return;
    }
    wfs_setbit(c->used, p, true);
    (*count)++;
    if (depth == 0)
        return;
    uint32_t *ptr = (uint32_t *)c->blk[depth - 1];
    bool changed = false;
    if (wfs_ck_read(c, p, ptr))
        return;
    for (int i = 0; i < WFS_PPB; i++)
        check_tree(c, ino, &ptr[i], depth - 1, &changed, count);
    if (changed && c->fix)
        wfs_ck_write(c, p, ptr);    /* the levels below used other buffers */
}

static void
unmark_tree(struct wfs_ck *c, uint32_t p, int depth)
{
    if (!in_data(c, p))
        return;
    wfs_setbit(c->used, p, false);
    if (depth == 0 || wfs_ck_read(c, p, c->blk[depth - 1]))
        return;
    for (int i = 0; i < WFS_PPB; i++)
        unmark_tree(c, ((uint32_t *)c->blk[depth - 1])[i], depth - 1);
}

void
wfs_ck_unmark(struct wfs_ck *c, const struct wfs_dinode *di)
{
    for (int i = 0; i < WFS_NDIRECT; i++)
        unmark_tree(c, di->direct[i], 0);
    unmark_tree(c, di->indirect, 1);
    unmark_tree(c, di->dindirect, 2);
}

/* Why an inode marked in use cannot be kept, or NULL. */
const char *
wfs_ck_inode_bad(struct wfs_ck *c, uint32_t ino, const struct wfs_dinode *di)
{
    uint32_t t = di->mode & WFS_S_IFMT;
    if (!wfs_dinode_ok(di, ino))
        return "checksum mismatch";
    if (t != WFS_S_IFREG && t != WFS_S_IFDIR && t != WFS_S_IFLNK)
        return "unknown type";
    if (t == WFS_S_IFDIR && (di->size == 0 || di->size % WFS_BLOCK ||
                             di->size > (WFS_NDIRECT + WFS_PPB) * (uint64_t)WFS_BLOCK ||
                             !in_data(c, di->direct[0])))
        return "bad directory size or first block";
    if (t == WFS_S_IFLNK && (di->size == 0 || di->size > WFS_PATH_MAX ||
                             !in_data(c, di->direct[0])))
        return "bad symlink";
    if (t == WFS_S_IFREG && di->size > WFS_MAX_FILE)
        return "size too large";
    return NULL;
}

static void
clear_inode(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di, const char *why)
{
    if (wfs_ck_problem(c, "inode %u: %s: cleared", ino, why)) {
        uint32_t gen = di->generation;
        memset(di, 0, sizeof(*di));
        di->generation = gen;
        wfs_ck_iput(c, ino, di);
    }
}

void
wfs_ck_inode(struct wfs_ck *c, uint32_t ino)
{
    struct wfs_dinode di;
    bool dirty = false;
    uint64_t count = 0;
    const char *why;

    wfs_ck_iget(c, ino, &di);
    why = wfs_ck_inode_bad(c, ino, &di);
    if (why) {
        clear_inode(c, ino, &di, why);
        return;
    }
    wfs_setbit(c->iuse, ino, true);
    for (int i = 0; i < WFS_NDIRECT; i++)
        check_tree(c, ino, &di.direct[i], 0, &dirty, &count);
    check_tree(c, ino, &di.indirect, 1, &dirty, &count);
    check_tree(c, ino, &di.dindirect, 2, &dirty, &count);
    if ((di.mode & WFS_S_IFMT) != WFS_S_IFREG && di.direct[0] == 0) {
        /* its first block went to another inode: nothing left to keep */
        wfs_ck_unmark(c, &di);
        wfs_setbit(c->iuse, ino, false);
        clear_inode(c, ino, &di, "first block lost");
        return;
    }
    if (count != di.nblocks &&
        wfs_ck_problem(c, "inode %u: holds %llu blocks, says %llu", ino,
                       (unsigned long long)count, (unsigned long long)di.nblocks)) {
        di.nblocks = count;
        dirty = true;
    }
    if (dirty && c->fix)
        wfs_ck_iput(c, ino, &di);
}

/* The orphan list from the slot: regular files with nlink 0, each once.
 * A bad link cuts the list there (what follows is then treated as any
 * nameless inode). */
static void
check_orphan_list(struct wfs_ck *c, struct wfs_dinode *slot)
{
    struct wfs_dinode di, prev;
    uint32_t at = slot->direct[1], before = 0;
    while (at) {
        const char *bad = NULL;
        if (at > c->sb.ninodes || wfs_bit(c->olist, at))
            bad = "out of range or a loop";
        else if (wfs_ck_iget(c, at, &di) != 0 || !wfs_dinode_ok(&di, at) ||
                 (di.mode & WFS_S_IFMT) != WFS_S_IFREG || di.nlink != 0)
            bad = "not an unlinked file";
        if (bad) {
            if (wfs_ck_problem(c, "orphan list: inode %u %s: list cut", at, bad)) {
                if (before) {
                    prev.onext = 0;
                    wfs_ck_iput(c, before, &prev);
                } else {
                    slot->direct[1] = 0;
                    wfs_ck_iput(c, WFS_ORPHAN_SLOT, slot);
                }
            }
            return;
        }
        wfs_setbit(c->olist, at, true);
        before = at;
        prev = di;
        at = di.onext;
    }
}

/* The orphan slot (inode slot 0): a deletion mount will finish, and the
 * orphan list. */
static void
check_orphan_slot(struct wfs_ck *c)
{
    struct wfs_dinode slot;
    wfs_ck_iget(c, WFS_ORPHAN_SLOT, &slot);
    if (wfs_dinode_ok(&slot, WFS_ORPHAN_SLOT) && slot.direct[0] <= c->sb.ninodes) {
        c->orphan = slot.direct[0];
        c->ohead = slot.direct[1];
        check_orphan_list(c, &slot);
        return;
    }
    if (wfs_ck_problem(c, "orphan slot corrupt: cleared")) {
        memset(&slot, 0, sizeof(slot));
        wfs_ck_iput(c, WFS_ORPHAN_SLOT, &slot);
    }
}

static void
pass_inodes(struct wfs_ck *c)
{
    check_orphan_slot(c);
    for (uint32_t ino = 1; ino <= c->sb.ninodes; ino++)
        if (wfs_bit(c->ibm, ino))
            wfs_ck_inode(c, ino);
}

/* Compare an on-disk bitmap with the one found: bits below limit must
 * match, bits from limit on are set. */
static void
pass_bitmap(struct wfs_ck *c, const char *what, uint32_t start, uint32_t nmap,
            const uint8_t *found, uint64_t limit)
{
    uint64_t lost = 0, leaked = 0;
    for (uint32_t m = 0; m < nmap; m++) {
        uint8_t *disk = c->blk[3];
        bool differ = false;
        wfs_ck_read(c, start + m, disk);
        for (uint32_t bit = 0; bit < WFS_BPB; bit++) {
            uint64_t i = (uint64_t)m * WFS_BPB + bit;
            bool want = i >= limit || wfs_bit(found, (uint32_t)i);
            bool have = wfs_bit(disk, bit);
            if (want == have)
                continue;
            differ = true;
            if (want)
                lost++;
            else
                leaked++;
            wfs_setbit(disk, bit, want);
        }
        if (differ && c->fix)
            wfs_ck_write(c, start + m, disk);
    }
    if (lost || leaked)
        wfs_ck_problem(c, "%s bitmap: %llu in use but marked free, %llu free but marked used",
                       what, (unsigned long long)lost, (unsigned long long)leaked);
}

static int
ck_alloc(struct wfs_ck *c)
{
    size_t ni = (size_t)c->sb.ninodes + 1;
    c->used = kzalloc(c->sb.bbitmap_blocks * (size_t)WFS_BLOCK);
    c->ibm = kzalloc(c->sb.ibitmap_blocks * (size_t)WFS_BLOCK);
    c->iuse = kzalloc(ni / 8 + 1);
    c->reach = kzalloc(ni / 8 + 1);
    c->links = kzalloc(ni * sizeof(uint16_t));
    c->parent = kzalloc(ni * sizeof(uint32_t));
    c->dotdot = kzalloc(ni * sizeof(uint32_t));
    c->olist = kzalloc(ni / 8 + 1);
    if (!c->used || !c->ibm || !c->iuse || !c->reach || !c->links || !c->parent || !c->dotdot ||
        !c->olist)
        return -ENOMEM;
    for (uint32_t m = 0; m < c->sb.ibitmap_blocks; m++)
        if (wfs_ck_read(c, c->sb.ibitmap_start + m, c->ibm + (size_t)m * WFS_BLOCK))
            return -EIO;
    for (uint32_t b = 0; b < c->sb.data_start; b++)
        wfs_setbit(c->used, b, true);
    wfs_setbit(c->iuse, 0, true);
    return 0;
}

static void
ck_free(struct wfs_ck *c)
{
    kfree(c->used);
    kfree(c->ibm);
    kfree(c->iuse);
    kfree(c->reach);
    kfree(c->links);
    kfree(c->parent);
    kfree(c->dotdot);
    kfree(c->olist);
}

/* Superblock and journal; returns 0 to go on. */
static int
check_start(struct wfs_ck *c)
{
    char why[128];
    int replayed;
    if (wfs_super_read(c->dev, &c->sb, c->blk[0])) {
        wfs_ck_note(c, "cannot read the superblock");
        return -EIO;
    }
    if (wfs_super_check(&c->sb, c->dev->nblocks, why, sizeof(why))) {
        wfs_ck_note(c, "superblock: %s", why);
        return -EINVAL;
    }
    if (c->sb.state != WFS_STATE_CLEAN)
        wfs_ck_note(c, "not unmounted cleanly (mounted %u times)", c->sb.mount_count);
    if (wfs_journal_replay(c->dev, &c->sb, c->blk[0], c->blk[1], &replayed, why, sizeof(why))) {
        if (!wfs_ck_problem(c, "%s: journal emptied", why))
            return -EINVAL;
        memset(c->blk[0], 0, WFS_BLOCK);
        for (uint32_t j = 1; j < c->sb.journal_blocks; j++)
            wfs_ck_write(c, c->sb.journal_start + j, c->blk[0]);
        if (wfs_journal_reset(c->dev, &c->sb, 1, c->blk[0]))
            return -EIO;
    } else if (replayed) {
        wfs_ck_note(c, "journal: one committed transaction replayed");
    }
    return 0;
}

static void
check_end(struct wfs_ck *c)
{
    uint64_t fb = 0;
    uint32_t fi = 0;
    pass_bitmap(c, "block", c->sb.bbitmap_start, c->sb.bbitmap_blocks, c->used, c->sb.nblocks);
    pass_bitmap(c, "inode", c->sb.ibitmap_start, c->sb.ibitmap_blocks, c->iuse,
                (uint64_t)c->sb.ninodes + 1);
    for (uint64_t b = 0; b < c->sb.nblocks; b++)
        fb += !wfs_bit(c->used, (uint32_t)b);
    for (uint32_t i = 1; i <= c->sb.ninodes; i++)
        fi += !wfs_bit(c->iuse, i);
    wfs_ck_note(c, "%u/%u inodes, %llu/%llu blocks in use", c->sb.ninodes - fi, c->sb.ninodes,
                (unsigned long long)(c->sb.nblocks - fb), (unsigned long long)c->sb.nblocks);
    if (!c->fix || (c->result & WFS_FSCK_ERRORS))
        return;
    c->sb.state = WFS_STATE_CLEAN;
    c->sb.free_blocks = fb;
    c->sb.free_inodes = fi;
    wfs_super_seal(&c->sb);
    wfs_super_write(c->dev, &c->sb, c->blk[0]);
}

int
wfs_fsck(const struct wfs_dev *dev, unsigned flags, wfs_report_t report, void *arg)
{
    struct wfs_ck *c = kzalloc(sizeof(*c));
    int err;
    if (!c)
        return WFS_FSCK_OPER;
    c->dev = dev;
    c->fix = flags & WFS_FSCK_FIX;
    c->report = report;
    c->arg = arg;
    err = check_start(c);
    if (!err)
        err = ck_alloc(c);
    if (!err) {
        pass_inodes(c);
        err = wfs_ck_dirs(c);
    }
    if (!err)
        check_end(c);
    if (!err && c->fix && dev->flush(dev->ctx))
        err = -EIO;
    int result = err ? (c->result | WFS_FSCK_OPER) : c->result;
    ck_free(c);
    kfree(c);
    return result;
}
