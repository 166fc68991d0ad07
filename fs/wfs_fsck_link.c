/*
 * The checker's last directory pass: count the names of every inode from
 * the directories reachable from the root (with '.' and '..', so a
 * directory's count is 2 plus its subdirectories), set each '..' to the
 * parent found, release inodes that were being deleted, move nameless
 * files to /lost+found and set the link counts. Also adding "#<inode>"
 * entries to lost+found, which grows by a block when full.
 */
#include "fs/wfs_fsck.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static struct wfs_dirent *
ent(uint8_t *blk, uint32_t off)
{
    return (struct wfs_dirent *)(blk + off);
}

static bool
in_use(struct wfs_ck *c, uint32_t ino)
{
    return ino > 0 && ino <= c->sb.ninodes && wfs_bit(c->iuse, ino);
}

/* A free block for lost+found, marked used. */
static uint32_t
grab_block(struct wfs_ck *c)
{
    for (uint32_t b = c->sb.data_start; b < c->sb.nblocks; b++) {
        if (!wfs_bit(c->used, b)) {
            wfs_setbit(c->used, b, true);
            return b;
        }
    }
    return 0;
}

int
wfs_ck_lf_add(struct wfs_ck *c, uint32_t lf, uint32_t ino, unsigned type)
{
    struct wfs_dinode di;
    char name[16];
    size_t len = (size_t)k_snprintf(name, sizeof(name), "#%u", ino);
    uint8_t *blk = c->blk[1];

    wfs_ck_iget(c, lf, &di);
    uint32_t nblk = (uint32_t)(di.size / WFS_BLOCK);
    for (uint32_t l = 0; l < nblk; l++) {
        uint32_t p = wfs_ck_bmap(c, &di, l);
        if (wfs_ck_dirblock(c, lf, l, p, c->blk[0]))
            continue;
        memcpy(blk, c->blk[0], WFS_BLOCK);
        if (wfs_dirblock_add(blk, name, len, ino, type)) {
            wfs_dirblock_seal(blk, lf);
            return wfs_ck_write(c, p, blk);
        }
    }
    uint32_t b = nblk < WFS_NDIRECT ? grab_block(c) : 0;
    if (b == 0) {
        wfs_ck_problem(c, "lost+found is full: inode %u left without a name", ino);
        c->result |= WFS_FSCK_ERRORS;
        return -ENOSPC;
    }
    wfs_dirblock_init(blk, lf);
    wfs_dirblock_add(blk, name, len, ino, type);
    wfs_dirblock_seal(blk, lf);
    wfs_ck_write(c, b, blk);
    di.direct[nblk] = b;
    di.size += WFS_BLOCK;
    di.nblocks++;
    return wfs_ck_iput(c, lf, &di);
}

int
wfs_ck_unname(struct wfs_ck *c, uint32_t dir, uint32_t ino)
{
    struct wfs_dinode di;
    uint8_t *blk = c->blk[0];
    wfs_ck_iget(c, dir, &di);
    for (uint32_t l = 0; l < di.size / WFS_BLOCK; l++) {
        uint32_t p = wfs_ck_bmap(c, &di, l);
        if (wfs_ck_dirblock(c, dir, l, p, blk))
            continue;
        int32_t prev = -1;
        for (uint32_t off = 0, idx = 0; off < WFS_DIR_USED; idx++) {
            struct wfs_dirent *e = ent(blk, off);
            if (e->ino == ino && !(l == 0 && idx < 2)) {
                wfs_dirblock_del(blk, off, prev);
                wfs_dirblock_seal(blk, dir);
                return wfs_ck_write(c, p, blk);
            }
            prev = (int32_t)off;
            off += e->rec_len;
        }
    }
    return -ENOENT;
}

/* Count the names in directory d, setting its '..' right. */
static void
count_dir(struct wfs_ck *c, uint32_t d)
{
    struct wfs_dinode di;
    uint32_t want = d == WFS_ROOT_INO ? WFS_ROOT_INO : c->parent[d];
    wfs_ck_iget(c, d, &di);
    for (uint32_t l = 0; l < di.size / WFS_BLOCK; l++) {
        uint8_t *blk = c->blk[0];
        uint32_t p = wfs_ck_bmap(c, &di, l);
        bool changed = false;
        if (wfs_ck_dirblock(c, d, l, p, blk))
            continue;
        uint32_t idx = 0;
        for (uint32_t off = 0; off < WFS_DIR_USED; off += ent(blk, off)->rec_len, idx++) {
            struct wfs_dirent *e = ent(blk, off);
            if (l == 0 && idx == 1 && e->ino != want) {
                wfs_ck_problem(c, "directory %u: '..' names %u, not its parent %u", d, e->ino,
                               want);
                e->ino = want;
                changed = true;
            }
            if (in_use(c, e->ino) && c->links[e->ino] < 0xffff)
                c->links[e->ino]++;
        }
        if (changed && c->fix) {
            wfs_dirblock_seal(blk, d);
            wfs_ck_write(c, p, blk);
        }
    }
}

/* A file no directory names: a deletion cut short (nlink 0) is
 * finished, anything else goes to lost+found. */
static void
orphan(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di, uint32_t lf)
{
    if (di->nlink == 0 && ino == c->orphan) {
        wfs_ck_note(c, "inode %u: deletion under way, finished at the next mount", ino);
        c->links[ino] = 0;
        return;
    }
    if (di->nlink == 0) {
        wfs_ck_problem(c, "inode %u: deleted but not freed: released", ino);
        wfs_ck_unmark(c, di);
        wfs_setbit(c->iuse, ino, false);
        if (c->fix) {
            uint32_t gen = di->generation;
            memset(di, 0, sizeof(*di));
            di->generation = gen;
            wfs_ck_iput(c, ino, di);
        }
        return;
    }
    if (!lf) {
        wfs_ck_problem(c, "inode %u has no name and there is no /lost+found", ino);
        c->result |= WFS_FSCK_ERRORS;
        return;
    }
    if (wfs_ck_problem(c, "inode %u has no name: moved to /lost+found", ino))
        wfs_ck_lf_add(c, lf, ino, wfs_dtype(di->mode));
    c->links[ino] = 1;
}

void
wfs_ck_counts(struct wfs_ck *c, uint32_t lf)
{
    struct wfs_dinode di;
    for (uint32_t d = 1; d <= c->sb.ninodes; d++) {
        if (!in_use(c, d) || !wfs_bit(c->reach, d))
            continue;
        wfs_ck_iget(c, d, &di);
        if (wfs_ck_isdir(&di))
            count_dir(c, d);
    }
    for (uint32_t i = 1; i <= c->sb.ninodes; i++) {
        if (!in_use(c, i))
            continue;
        wfs_ck_iget(c, i, &di);
        if (c->links[i] == 0 && !wfs_ck_isdir(&di))
            orphan(c, i, &di, lf);
        if (!in_use(c, i) || di.nlink == c->links[i])
            continue;
        if (wfs_ck_problem(c, "inode %u: link count %u, should be %u", i, di.nlink,
                           c->links[i])) {
            di.nlink = c->links[i];
            wfs_ck_iput(c, i, &di);
        }
    }
}
