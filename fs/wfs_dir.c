/*
 * Directory blocks (docs/wfs.md "Directories"): entries of variable
 * length chained by rec_len up to an 8-byte tail holding a CRC32C seeded
 * with the directory's inode number. Entries never move once written, so
 * an entry's byte offset is a stable readdir cookie. Lookups scan every
 * block; removal merges an entry into the one before it.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define ENT_HDR 8
#define REC(len) ALIGN_UP((uint32_t)ENT_HDR + (len), 8u)

/* The kernel's library has no memchr. */
static bool
has_byte(const char *p, size_t n, char c)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] == c)
            return true;
    return false;
}

static struct wfs_dirent *
ent_at(uint8_t *blk, uint32_t off)
{
    return (struct wfs_dirent *)(blk + off);
}

void
wfs_dirblock_seal(uint8_t *blk, uint32_t dino)
{
    uint32_t tail[2] = { WFS_DIRTAIL_MAGIC, wfs_crc32c(dino, blk, WFS_DIR_USED) };
    memcpy(blk + WFS_DIR_USED, tail, sizeof(tail));
}

void
wfs_dirblock_init(uint8_t *blk, uint32_t dino)
{
    memset(blk, 0, WFS_BLOCK);
    ent_at(blk, 0)->rec_len = WFS_DIR_USED;
    wfs_dirblock_seal(blk, dino);
}

/* Tail, checksum and the rec_len chain: every entry inside the block,
 * 8-aligned, long enough for its name, names without '/' or NUL. */
bool
wfs_dirblock_ok(const uint8_t *blk, uint32_t dino)
{
    uint32_t tail[2];
    memcpy(tail, blk + WFS_DIR_USED, sizeof(tail));
    if (tail[0] != WFS_DIRTAIL_MAGIC || tail[1] != wfs_crc32c(dino, blk, WFS_DIR_USED))
        return false;
    for (uint32_t off = 0; off < WFS_DIR_USED;) {
        const struct wfs_dirent *e = (const void *)(blk + off);
        if (e->rec_len < ENT_HDR || e->rec_len % 8 || off + e->rec_len > WFS_DIR_USED)
            return false;
        if (e->ino) {
            if (e->name_len == 0 || REC(e->name_len) > e->rec_len)
                return false;
            if (has_byte(e->name, e->name_len, '/') || has_byte(e->name, e->name_len, 0))
                return false;
        }
        off += e->rec_len;
    }
    return true;
}

unsigned
wfs_dtype(uint32_t mode)
{
    switch (mode & WFS_S_IFMT) {
    case WFS_S_IFDIR: return WFS_DT_DIR;
    case WFS_S_IFLNK: return WFS_DT_LNK;
    default:          return WFS_DT_REG;
    }
}

int
wfs_name_check(const char *name, size_t *len)
{
    size_t n = strnlen(name, WFS_NAME_MAX + 1);
    if (n == 0)
        return -ENOENT;
    if (n > WFS_NAME_MAX)
        return -ENAMETOOLONG;
    if (has_byte(name, n, '/'))
        return -EINVAL;
    *len = n;
    return 0;
}

/* Read directory block lblk of dir, checked. */
static int
dir_block(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir, uint32_t lblk,
          struct wfs_buf **out)
{
    uint32_t pblk;
    bool fresh;
    int err = wfs_bmap(fs, dir, lblk, false, &pblk, &fresh);
    if (err)
        return err;
    if (pblk == 0)
        return wfs_fail(fs, -EIO, "directory %u: hole at block %u", dino, lblk);
    err = wfs_bread(fs, pblk, out);
    if (err)
        return err;
    if (!wfs_dirblock_ok((*out)->data, dino)) {
        wfs_brelse(fs, *out);
        return wfs_fail(fs, -EIO, "directory %u block %u corrupt (run wisp-fsck)", dino, lblk);
    }
    return 0;
}

int
wfs_dir_find(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir, const char *name,
             size_t len, uint32_t *ino, struct wfs_dloc *loc)
{
    uint32_t nblk = (uint32_t)(dir->size / WFS_BLOCK);
    for (uint32_t l = 0; l < nblk; l++) {
        struct wfs_buf *b;
        int err = dir_block(fs, dino, dir, l, &b);
        if (err)
            return err;
        int32_t prev = -1;
        for (uint32_t off = 0; off < WFS_DIR_USED; off += ent_at(b->data, off)->rec_len) {
            struct wfs_dirent *e = ent_at(b->data, off);
            if (e->ino && e->name_len == len && memcmp(e->name, name, len) == 0) {
                *ino = e->ino;
                if (loc)
                    *loc = (struct wfs_dloc){ l, off, prev };
                wfs_brelse(fs, b);
                return 0;
            }
            prev = (int32_t)off;
        }
        wfs_brelse(fs, b);
    }
    return -ENOENT;
}

/* Put the entry into block b if it has room: an unused entry or the
 * slack after a used one. */
bool
wfs_dirblock_add(uint8_t *blk, const char *name, size_t len, uint32_t ino, unsigned type)
{
    uint32_t need = REC(len);
    for (uint32_t off = 0; off < WFS_DIR_USED; off += ent_at(blk, off)->rec_len) {
        struct wfs_dirent *e = ent_at(blk, off);
        uint32_t used = e->ino ? REC(e->name_len) : 0;
        if (e->rec_len - used < need)
            continue;
        if (used) {
            struct wfs_dirent *n = ent_at(blk, off + used);
            n->rec_len = (uint16_t)(e->rec_len - used);
            e->rec_len = (uint16_t)used;
            e = n;
        }
        e->ino = ino;
        e->name_len = (uint8_t)len;
        e->type = (uint8_t)type;
        memcpy(e->name, name, len);
        memset(e->name + len, 0, e->rec_len - ENT_HDR - len);
        return true;
    }
    return false;
}

int
wfs_dir_add(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir, const char *name,
            size_t len, uint32_t ino, unsigned type)
{
    uint32_t nblk = (uint32_t)(dir->size / WFS_BLOCK), pblk;
    struct wfs_buf *b;
    bool fresh;
    int err;

    for (uint32_t l = 0; l < nblk; l++) {
        err = dir_block(fs, dino, dir, l, &b);
        if (err)
            return err;
        if (wfs_dirblock_add(b->data, name, len, ino, type)) {
            wfs_dirblock_seal(b->data, dino);
            wfs_bdirty(fs, b);
            wfs_brelse(fs, b);
            return 0;
        }
        wfs_brelse(fs, b);
    }
    if (nblk >= WFS_NDIRECT + WFS_PPB)    /* the checker reads no deeper */
        return -ENOSPC;
    err = wfs_bmap(fs, dir, nblk, true, &pblk, &fresh);
    if (err)
        return err;
    err = wfs_bget_zero(fs, pblk, &b);
    if (err)
        return err;
    wfs_dirblock_init(b->data, dino);
    wfs_dirblock_add(b->data, name, len, ino, type);
    wfs_dirblock_seal(b->data, dino);
    wfs_bdirty(fs, b);
    wfs_brelse(fs, b);
    dir->size += WFS_BLOCK;
    return 0;
}

void
wfs_dirblock_del(uint8_t *blk, uint32_t off, int32_t prev)
{
    struct wfs_dirent *e = ent_at(blk, off);
    if (prev >= 0)
        ent_at(blk, (uint32_t)prev)->rec_len += e->rec_len;
    else
        e->ino = 0;
}

int
wfs_dir_remove(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir,
               const struct wfs_dloc *loc)
{
    struct wfs_buf *b;
    int err = dir_block(fs, dino, dir, loc->lblk, &b);
    if (err)
        return err;
    wfs_dirblock_del(b->data, loc->off, loc->prev);
    wfs_dirblock_seal(b->data, dino);
    wfs_bdirty(fs, b);
    wfs_brelse(fs, b);
    return 0;
}

int
wfs_dir_set(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir, const struct wfs_dloc *loc,
            uint32_t ino, unsigned type)
{
    struct wfs_buf *b;
    int err = dir_block(fs, dino, dir, loc->lblk, &b);
    if (err)
        return err;
    struct wfs_dirent *e = ent_at(b->data, loc->off);
    e->ino = ino;
    e->type = (uint8_t)type;
    wfs_dirblock_seal(b->data, dino);
    wfs_bdirty(fs, b);
    wfs_brelse(fs, b);
    return 0;
}

/* 1 when only '.' and '..' are left, 0 otherwise. */
int
wfs_dir_empty(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir)
{
    uint32_t nblk = (uint32_t)(dir->size / WFS_BLOCK);
    for (uint32_t l = 0; l < nblk; l++) {
        struct wfs_buf *b;
        int err = dir_block(fs, dino, dir, l, &b);
        if (err)
            return err;
        for (uint32_t off = 0; off < WFS_DIR_USED; off += ent_at(b->data, off)->rec_len) {
            struct wfs_dirent *e = ent_at(b->data, off);
            bool dots = (e->name_len == 1 && e->name[0] == '.') ||
                        (e->name_len == 2 && e->name[0] == '.' && e->name[1] == '.');
            if (e->ino && !dots) {
                wfs_brelse(fs, b);
                return 0;
            }
        }
        wfs_brelse(fs, b);
    }
    return 1;
}

int
wfs_readdir(struct wfs *fs, uint32_t dino, uint64_t cookie, wfs_filldir_t fill, void *arg)
{
    struct wfs_dinode dir;
    int err = wfs_iget_live(fs, dino, &dir);
    if (err)
        return err;
    if ((dir.mode & WFS_S_IFMT) != WFS_S_IFDIR)
        return -ENOTDIR;
    uint32_t nblk = (uint32_t)(dir.size / WFS_BLOCK);
    for (uint32_t l = (uint32_t)(cookie / WFS_BLOCK); l < nblk; l++) {
        struct wfs_buf *b;
        err = dir_block(fs, dino, &dir, l, &b);
        if (err)
            return err;
        uint32_t skip = l == cookie / WFS_BLOCK ? (uint32_t)(cookie % WFS_BLOCK) : 0;
        for (uint32_t off = 0; off < WFS_DIR_USED; off += ent_at(b->data, off)->rec_len) {
            struct wfs_dirent *e = ent_at(b->data, off);
            uint64_t next = (uint64_t)l * WFS_BLOCK + off + e->rec_len;
            if (off < skip || !e->ino)
                continue;
            if (off + e->rec_len >= WFS_DIR_USED)
                next = (uint64_t)(l + 1) * WFS_BLOCK;
            int r = fill(arg, e->name, e->name_len, e->ino, e->type, next);
            if (r) {
                wfs_brelse(fs, b);
                return r;
            }
        }
        wfs_brelse(fs, b);
    }
    return 0;
}
