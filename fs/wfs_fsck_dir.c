/*
 * The checker's directory passes: every entry names a live inode with
 * the right type, block 0 starts with '.' and '..', each directory has
 * one name; directories not reachable from the root and named files no
 * directory names go to /lost+found ("#<inode>"); '..' is made to name
 * the parent; link counts are set to the names counted. Blocks that fail
 * their checksum are rebuilt from the entries that still parse.
 */
#include "fs/wfs_fsck.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define REC_MIN 8

static bool
has_byte(const char *p, size_t n, char ch)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == ch)
            return true;
    return false;
}

static struct wfs_dirent *
ent(uint8_t *blk, uint32_t off)
{
    return (struct wfs_dirent *)(blk + off);
}

static bool
name_is(const struct wfs_dirent *e, const char *s)
{
    size_t n = strlen(s);
    return e->name_len == n && memcmp(e->name, s, n) == 0;
}

static bool
in_use(struct wfs_ck *c, uint32_t ino)
{
    return ino > 0 && ino <= c->sb.ninodes && wfs_bit(c->iuse, ino);
}

/* Is block 0 laid out as '.', '..', ...? */
static bool
dots_ok(uint8_t *blk)
{
    struct wfs_dirent *a = ent(blk, 0);
    if (!a->ino || !name_is(a, ".") || a->rec_len >= WFS_DIR_USED)
        return false;
    struct wfs_dirent *b = ent(blk, a->rec_len);
    return b->ino && name_is(b, "..");
}

/* Rebuild blk from the entries that still parse (and, in block 0, with
 * '.' and '..' first; '..' is set right in the counting pass). */
static void
rebuild(struct wfs_ck *c, uint8_t *blk, uint32_t dino, uint32_t lblk)
{
    uint8_t *old = c->blk[1];
    memcpy(old, blk, WFS_BLOCK);
    wfs_dirblock_init(blk, dino);
    if (lblk == 0) {
        wfs_dirblock_add(blk, ".", 1, dino, WFS_DT_DIR);
        wfs_dirblock_add(blk, "..", 2, dino, WFS_DT_DIR);
    }
    for (uint32_t off = 0; off < WFS_DIR_USED;) {
        struct wfs_dirent *e = ent(old, off);
        if (e->rec_len < REC_MIN || e->rec_len % 8 || off + e->rec_len > WFS_DIR_USED)
            break;
        bool fits = 8u + e->name_len <= e->rec_len && e->name_len > 0 &&
                    !has_byte(e->name, e->name_len, '/') && !has_byte(e->name, e->name_len, 0);
        if (e->ino && fits && !name_is(e, ".") && !name_is(e, ".."))
            wfs_dirblock_add(blk, e->name, e->name_len, e->ino, e->type);
        else if (e->ino && fits && name_is(e, "..") && lblk == 0)
            ent(blk, 16)->ino = e->ino;
        off += e->rec_len;
    }
}

int
wfs_ck_dirblock(struct wfs_ck *c, uint32_t dino, uint32_t lblk, uint32_t p, uint8_t *blk)
{
    if (p == 0 || wfs_ck_read(c, p, blk))
        return -EIO;
    if (!wfs_dirblock_ok(blk, dino) || (lblk == 0 && !dots_ok(blk)))
        rebuild(c, blk, dino, lblk);
    return 0;
}

/* One entry of directory dino in the first scan; returns true when it
 * must go. */
static bool
scan_entry(struct wfs_ck *c, uint32_t dino, struct wfs_dirent *e, bool dotslot)
{
    struct wfs_dinode di;
    uint32_t t = e->ino;
    if (dotslot)
        return false;
    if (name_is(e, ".") || name_is(e, ".."))
        return wfs_ck_problem(c, "directory %u: stray '%.*s' entry removed", dino,
                              e->name_len, e->name) || true;
    if (!in_use(c, t))
        return wfs_ck_problem(c, "directory %u: '%.*s' names free inode %u: removed", dino,
                              e->name_len, e->name, t) || true;
    wfs_ck_iget(c, t, &di);
    if (wfs_ck_isdir(&di)) {
        if (t == WFS_ROOT_INO || c->parent[t])
            return wfs_ck_problem(c, "directory %u: '%.*s' is a second name of directory %u: "
                                  "removed", dino, e->name_len, e->name, t) || true;
        c->parent[t] = dino;
    }
    if (e->type != wfs_dtype(di.mode)) {
        wfs_ck_problem(c, "directory %u: '%.*s' has the wrong type", dino, e->name_len, e->name);
        e->type = (uint8_t)wfs_dtype(di.mode);
    }
    return false;
}

static bool
scan_block(struct wfs_ck *c, uint32_t dino, uint8_t *blk, uint32_t lblk)
{
    bool changed = false;
    if (!wfs_dirblock_ok(blk, dino) || (lblk == 0 && !dots_ok(blk))) {
        wfs_ck_problem(c, "directory %u block %u corrupt: rebuilt", dino, lblk);
        rebuild(c, blk, dino, lblk);
        changed = true;
    }
    int32_t prev = -1;
    int idx = 0;
    for (uint32_t off = 0; off < WFS_DIR_USED; idx++) {
        struct wfs_dirent *e = ent(blk, off);
        uint32_t next = off + e->rec_len;
        if (lblk == 0 && idx == 0 && e->ino != dino) {
            wfs_ck_problem(c, "directory %u: '.' names %u", dino, e->ino);
            e->ino = dino;
            changed = true;
        }
        if (lblk == 0 && idx == 1)
            c->dotdot[dino] = e->ino;
        uint8_t type = e->type;
        if (e->ino && scan_entry(c, dino, e, lblk == 0 && idx < 2)) {
            wfs_dirblock_del(blk, off, prev);
            changed = true;
            if (prev < 0)
                prev = (int32_t)off;
        } else {
            changed |= e->type != type;
            prev = (int32_t)off;
        }
        off = next;
    }
    return changed;
}

static void
scan_dir(struct wfs_ck *c, uint32_t dino, struct wfs_dinode *di)
{
    uint32_t nblk = (uint32_t)(di->size / WFS_BLOCK);
    for (uint32_t l = 0; l < nblk; l++) {
        uint32_t p = wfs_ck_bmap(c, di, l);
        uint8_t *blk = c->blk[0];
        if (p == 0) {
            if (wfs_ck_problem(c, "directory %u: hole at block %u: size cut", dino, l)) {
                di->size = (uint64_t)l * WFS_BLOCK;
                wfs_ck_iput(c, dino, di);
            }
            return;
        }
        wfs_ck_read(c, p, blk);
        if (scan_block(c, dino, blk, l) && c->fix) {
            wfs_dirblock_seal(blk, dino);
            wfs_ck_write(c, p, blk);
        }
    }
}

/* Walk up the parent links; mark the path reachable if it ends at the
 * root. */
static bool
reachable(struct wfs_ck *c, uint32_t d)
{
    uint32_t x = d;
    for (uint32_t steps = 0; steps <= c->sb.ninodes; steps++) {
        if (x == WFS_ROOT_INO || wfs_bit(c->reach, x)) {
            for (uint32_t y = d; y != x; y = c->parent[y])
                wfs_setbit(c->reach, y, true);
            return true;
        }
        x = c->parent[x];
        if (x == 0)
            return false;
    }
    return false;
}

/* Is t a live directory? */
static bool
live_dir(struct wfs_ck *c, uint32_t t, struct wfs_dinode *di)
{
    if (!in_use(c, t))
        return false;
    wfs_ck_iget(c, t, di);
    return wfs_ck_isdir(di);
}

/* Attach the top of each unreachable directory tree to lost+found. */
static void
adopt_dirs(struct wfs_ck *c, uint32_t lf)
{
    struct wfs_dinode di;
    for (uint32_t d = 2; d <= c->sb.ninodes; d++) {
        if (!live_dir(c, d, &di) || reachable(c, d))
            continue;
        uint32_t top = d;
        for (uint32_t s = 0; s <= c->sb.ninodes && c->parent[top]; s++)
            top = c->parent[top];
        if (!wfs_ck_problem(c, "directory %u not reachable from the root%s", top,
                            lf ? ": moved to /lost+found" : " (no /lost+found)") || !lf) {
            if (!lf)
                c->result |= WFS_FSCK_ERRORS;
            c->parent[top] = lf ? lf : WFS_ROOT_INO;    /* go on as if it were moved */
        } else {
            if (c->parent[top])
                wfs_ck_unname(c, c->parent[top], top);     /* a loop: cut it here */
            c->parent[top] = lf;
            wfs_ck_lf_add(c, lf, top, WFS_DT_DIR);
        }
        reachable(c, d);
    }
}

/* Inodes a directory names, marked free in the bitmap but whole (good
 * checksum, sane fields): a flipped bitmap bit, not a deleted file. Take
 * them back before the entries are judged. Returns how many. */
static int
revive_from(struct wfs_ck *c, uint32_t dino, struct wfs_dinode *di)
{
    uint32_t found[WFS_DIR_USED / 8];
    int n = 0, revived = 0;
    for (uint32_t l = 0; l < di->size / WFS_BLOCK; l++) {
        uint32_t p = wfs_ck_bmap(c, di, l);
        if (p == 0 || wfs_ck_read(c, p, c->blk[0]) || !wfs_dirblock_ok(c->blk[0], dino))
            continue;
        n = 0;
        for (uint32_t off = 0; off < WFS_DIR_USED; off += ent(c->blk[0], off)->rec_len) {
            uint32_t t = ent(c->blk[0], off)->ino;
            if (t > 0 && t <= c->sb.ninodes && !wfs_bit(c->iuse, t))
                found[n++] = t;
        }
        for (int i = 0; i < n; i++) {
            struct wfs_dinode ti;
            wfs_ck_iget(c, found[i], &ti);
            if (wfs_bit(c->iuse, found[i]) || ti.mode == 0 ||
                wfs_ck_inode_bad(c, found[i], &ti))
                continue;
            wfs_ck_problem(c, "inode %u in use but marked free", found[i]);
            wfs_ck_inode(c, found[i]);
            revived++;
        }
    }
    return revived;
}

static void
revive(struct wfs_ck *c)
{
    struct wfs_dinode di;
    int again = 1;
    for (int round = 0; again && round < 64; round++) {
        again = 0;
        for (uint32_t d = 1; d <= c->sb.ninodes; d++)
            if (live_dir(c, d, &di))
                again += revive_from(c, d, &di);
    }
}

int
wfs_ck_dirs(struct wfs_ck *c)
{
    struct wfs_dinode di;
    uint32_t lf = 0;
    wfs_setbit(c->reach, WFS_ROOT_INO, true);
    if (!live_dir(c, WFS_ROOT_INO, &di)) {
        wfs_ck_problem(c, "root directory lost: cannot repair");
        c->result = (c->result & ~WFS_FSCK_FIXED) | WFS_FSCK_ERRORS;
        return -EINVAL;
    }
    revive(c);
    for (uint32_t d = 1; d <= c->sb.ninodes; d++)
        if (live_dir(c, d, &di))
            scan_dir(c, d, &di);
    c->parent[WFS_ROOT_INO] = 0;
    lf = wfs_ck_find_lf(c);
    adopt_dirs(c, lf);
    wfs_ck_counts(c, lf);
    return 0;
}
