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

/* A free block for a directory, marked used. */
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

/* Add name -> ino to directory dir, growing it by a direct block when
 * every block is full. */
static int
dir_add(struct wfs_ck *c, uint32_t dir, const char *name, size_t len, uint32_t ino,
        unsigned type)
{
    struct wfs_dinode di;
    uint8_t *blk = c->blk[1];

    wfs_ck_iget(c, dir, &di);
    uint32_t nblk = (uint32_t)(di.size / WFS_BLOCK);
    for (uint32_t l = 0; l < nblk; l++) {
        uint32_t p = wfs_ck_bmap(c, &di, l);
        if (wfs_ck_dirblock(c, dir, l, p, c->blk[0]))
            continue;
        memcpy(blk, c->blk[0], WFS_BLOCK);
        if (wfs_dirblock_add(blk, name, len, ino, type)) {
            wfs_dirblock_seal(blk, dir);
            return wfs_ck_write(c, p, blk);
        }
    }
    uint32_t b = nblk < WFS_NDIRECT ? grab_block(c) : 0;
    if (b == 0) {
        wfs_ck_problem(c, "directory %u is full: inode %u left without a name", dir, ino);
        c->result |= WFS_FSCK_ERRORS;
        return -ENOSPC;
    }
    wfs_dirblock_init(blk, dir);
    wfs_dirblock_add(blk, name, len, ino, type);
    wfs_dirblock_seal(blk, dir);
    wfs_ck_write(c, b, blk);
    di.direct[nblk] = b;
    di.size += WFS_BLOCK;
    di.nblocks++;
    return wfs_ck_iput(c, dir, &di);
}

int
wfs_ck_lf_add(struct wfs_ck *c, uint32_t lf, uint32_t ino, unsigned type)
{
    char name[16];
    size_t len = (size_t)k_snprintf(name, sizeof(name), "#%u", ino);
    return dir_add(c, lf, name, len, ino, type);
}

/* What the root names "lost+found", or 0. */
static uint32_t
root_lf(struct wfs_ck *c)
{
    struct wfs_dinode di;
    wfs_ck_iget(c, WFS_ROOT_INO, &di);
    for (uint32_t l = 0; l < di.size / WFS_BLOCK; l++) {
        uint8_t *blk = c->blk[0];
        if (wfs_ck_dirblock(c, WFS_ROOT_INO, l, wfs_ck_bmap(c, &di, l), blk))
            continue;
        for (uint32_t off = 0; off < WFS_DIR_USED; off += ent(blk, off)->rec_len) {
            struct wfs_dirent *e = ent(blk, off);
            if (e->ino && e->name_len == 10 && memcmp(e->name, "lost+found", 10) == 0)
                return e->ino;
        }
    }
    return 0;
}

/* A new, empty lost+found directory (repairs only). */
static uint32_t
make_lf(struct wfs_ck *c)
{
    struct wfs_dinode di;
    uint32_t ino = 0, b;
    for (uint32_t i = WFS_LOSTFOUND_INO; i <= c->sb.ninodes && !ino; i++)
        if (!wfs_bit(c->iuse, i))
            ino = i;
    if (!ino || !(b = grab_block(c)))
        return 0;
    wfs_ck_iget(c, ino, &di);
    uint32_t gen = di.generation + 1;
    memset(&di, 0, sizeof(di));
    di.mode = WFS_S_IFDIR | 0700;
    di.nlink = 2;
    di.size = WFS_BLOCK;
    di.nblocks = 1;
    di.direct[0] = b;
    di.generation = gen;
    wfs_ck_iput(c, ino, &di);
    wfs_dirblock_init(c->blk[1], ino);
    wfs_dirblock_add(c->blk[1], ".", 1, ino, WFS_DT_DIR);
    wfs_dirblock_add(c->blk[1], "..", 2, WFS_ROOT_INO, WFS_DT_DIR);
    wfs_dirblock_seal(c->blk[1], ino);
    wfs_ck_write(c, b, c->blk[1]);
    wfs_setbit(c->iuse, ino, true);
    return ino;
}

uint32_t
wfs_ck_find_lf(struct wfs_ck *c)
{
    struct wfs_dinode di;
    uint32_t t = root_lf(c), lf;
    if (t && t <= c->sb.ninodes && wfs_bit(c->iuse, t) && c->parent[t] == WFS_ROOT_INO) {
        wfs_ck_iget(c, t, &di);
        if (wfs_ck_isdir(&di))
            return t;
    }
    const char *name = t ? "lost+found.0" : "lost+found";
    wfs_ck_iget(c, WFS_LOSTFOUND_INO, &di);
    if (wfs_bit(c->iuse, WFS_LOSTFOUND_INO) && wfs_ck_isdir(&di) &&
        c->parent[WFS_LOSTFOUND_INO] == 0) {
        if (!wfs_ck_problem(c, "/lost+found has no name: named /%s again", name))
            return WFS_LOSTFOUND_INO;       /* check on as if it had */
        lf = WFS_LOSTFOUND_INO;
    } else {
        if (!wfs_ck_problem(c, "no /lost+found: made /%s", name))
            return 0;
        lf = make_lf(c);
        if (!lf) {
            wfs_ck_problem(c, "no room to make /lost+found");
            c->result |= WFS_FSCK_ERRORS;
            return 0;
        }
    }
    c->parent[lf] = WFS_ROOT_INO;
    wfs_setbit(c->reach, lf, true);
    return dir_add(c, WFS_ROOT_INO, name, strlen(name), lf, WFS_DT_DIR) ? 0 : lf;
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

/* Free a nameless inode with nlink 0 (its blocks and its bit; the inode
 * zeroed but for its generation, in fix mode). */
static void
release(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di)
{
    wfs_ck_unmark(c, di);
    wfs_setbit(c->iuse, ino, false);
    if (c->fix) {
        uint32_t gen = di->generation;
        memset(di, 0, sizeof(*di));
        di->generation = gen;
        wfs_ck_iput(c, ino, di);
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
    if (di->nlink == 0 && wfs_bit(c->olist, ino)) {
        /* unlinked while open before a crash: mount frees it, and so do we */
        wfs_ck_note(c, "inode %u: unlinked while open (orphan list): %s", ino,
                    c->fix ? "freed" : "freed at the next mount");
        c->links[ino] = 0;
        if (c->fix) {
            release(c, ino, di);
            struct wfs_dinode slot;
            wfs_ck_iget(c, WFS_ORPHAN_SLOT, &slot);
            slot.direct[1] = 0;             /* every member is freed the same way */
            wfs_ck_iput(c, WFS_ORPHAN_SLOT, &slot);
        }
        return;
    }
    if (di->nlink == 0) {
        wfs_ck_problem(c, "inode %u: deleted but not freed: released", ino);
        release(c, ino, di);
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
