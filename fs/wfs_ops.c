/*
 * Namespace operations on inode numbers: lookup, create, mkdir, symlink,
 * link, unlink, rmdir, readlink. Each runs inside the running
 * transaction (wfs_tx_reserve first, so it never straddles a commit) and
 * takes everything that can run out -- inode, blocks, directory room --
 * before it changes what it cannot take back. rename is in wfs_rename.c.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static bool
is_dots(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* dino must be a live directory. */
static int
dir_get(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir)
{
    int err = wfs_iget_live(fs, dino, dir);
    if (err)
        return err;
    return (dir->mode & WFS_S_IFMT) == WFS_S_IFDIR ? 0 : -ENOTDIR;
}

int
wfs_lookup(struct wfs *fs, uint32_t dino, const char *name, uint32_t *ino)
{
    struct wfs_dinode dir;
    size_t len;
    int err = wfs_name_check(name, &len);
    if (!err)
        err = dir_get(fs, dino, &dir);
    if (!err)
        err = wfs_dir_find(fs, dino, &dir, name, len, ino, NULL);
    return err;
}

struct newnode {
    uint32_t dino;
    struct wfs_dinode dir;
    const char *name;
    size_t len;
    uint32_t ino;
    struct wfs_dinode di;
};

/* Check the name is free in dino, take an inode and fill it in memory. */
static int
node_begin(struct wfs *fs, struct newnode *n, uint32_t mode, uint32_t uid, uint32_t gid)
{
    int err = wfs_name_check(n->name, &n->len);
    if (err)
        return err;
    err = wfs_tx_reserve(fs, WFS_OP_BLOCKS);
    if (!err)
        err = dir_get(fs, n->dino, &n->dir);
    if (err)
        return err;
    if (n->dir.nlink == 0)
        return -ENOENT;
    uint32_t other;
    err = wfs_dir_find(fs, n->dino, &n->dir, n->name, n->len, &other, NULL);
    if (err != -ENOENT)
        return err ? err : -EEXIST;
    err = wfs_ialloc(fs, &n->ino);
    if (err)
        return err;
    err = wfs_iget(fs, n->ino, &n->di);
    if (err)
        return err;
    uint32_t gen = n->di.generation + 1;
    memset(&n->di, 0, sizeof(n->di));
    n->di.mode = mode;
    n->di.uid = uid;
    n->di.gid = gid;
    n->di.nlink = 1;
    n->di.generation = gen;
    int64_t now = (int64_t)wfs_now(fs);
    n->di.atime = n->di.mtime = n->di.ctime = n->di.btime = now;
    return 0;
}

/* Link the new inode into its directory, or give back what it holds. */
static int
node_end(struct wfs *fs, struct newnode *n, uint32_t *ino)
{
    int err = wfs_dir_add(fs, n->dino, &n->dir, n->name, n->len, n->ino, wfs_dtype(n->di.mode));
    if (err) {
        n->di.nlink = 1;
        wfs_drop_link(fs, n->ino, &n->di);
        return err;
    }
    if ((n->di.mode & WFS_S_IFMT) == WFS_S_IFDIR)
        n->dir.nlink++;
    wfs_touch(fs, &n->dir, true, true);
    err = wfs_iput(fs, n->ino, &n->di);
    if (!err)
        err = wfs_iput(fs, n->dino, &n->dir);
    if (!err && ino)
        *ino = n->ino;
    return err;
}

int
wfs_create(struct wfs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
           uint32_t gid, uint32_t *ino)
{
    struct newnode n = { .dino = dir, .name = name };
    int err = node_begin(fs, &n, WFS_S_IFREG | (mode & 07777), uid, gid);
    return err ? err : node_end(fs, &n, ino);
}

/* The first block of a new directory: '.' and '..'. */
static int
dir_first_block(struct wfs *fs, struct newnode *n)
{
    struct wfs_buf *b;
    uint32_t pblk;
    bool fresh;
    int err = wfs_bmap(fs, &n->di, 0, true, &pblk, &fresh);
    if (!err)
        err = wfs_bget_zero(fs, pblk, &b);
    if (err)
        return err;
    struct wfs_dirent *dot = (struct wfs_dirent *)b->data;
    struct wfs_dirent *dd = (struct wfs_dirent *)(b->data + 16);
    *dot = (struct wfs_dirent){ .ino = n->ino, .rec_len = 16, .name_len = 1, .type = WFS_DT_DIR };
    dot->name[0] = '.';
    *dd = (struct wfs_dirent){ .ino = n->dino, .rec_len = WFS_DIR_USED - 16, .name_len = 2,
                               .type = WFS_DT_DIR };
    dd->name[0] = dd->name[1] = '.';
    wfs_dirblock_seal(b->data, n->ino);
    wfs_bdirty(fs, b);
    wfs_brelse(fs, b);
    n->di.size = WFS_BLOCK;
    n->di.nlink = 2;
    return 0;
}

int
wfs_mkdir(struct wfs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
          uint32_t gid, uint32_t *ino)
{
    struct newnode n = { .dino = dir, .name = name };
    int err = node_begin(fs, &n, WFS_S_IFDIR | (mode & 07777), uid, gid);
    if (err)
        return err;
    err = dir_first_block(fs, &n);
    if (err) {
        wfs_drop_link(fs, n.ino, &n.di);
        return err;
    }
    return node_end(fs, &n, ino);
}

/* The target lives in the symlink's first data block, written in place
 * like file data. */
int
wfs_symlink(struct wfs *fs, uint32_t dir, const char *name, const char *target, uint32_t uid,
            uint32_t gid, uint32_t *ino)
{
    size_t tlen = strnlen(target, WFS_PATH_MAX + 1);
    struct newnode n = { .dino = dir, .name = name };
    struct wfs_buf *b;
    uint32_t pblk;
    bool fresh;

    if (tlen == 0)
        return -ENOENT;
    if (tlen > WFS_PATH_MAX)
        return -ENAMETOOLONG;
    int err = node_begin(fs, &n, WFS_S_IFLNK | 0777, uid, gid);
    if (err)
        return err;
    err = wfs_bmap(fs, &n.di, 0, true, &pblk, &fresh);
    if (!err)
        err = wfs_bget_zero(fs, pblk, &b);
    if (!err) {
        memcpy(b->data, target, tlen);
        err = wfs_bwrite_data(fs, b);
        wfs_brelse(fs, b);
    }
    if (err) {
        wfs_drop_link(fs, n.ino, &n.di);
        return err;
    }
    n.di.size = tlen;
    return node_end(fs, &n, ino);
}

int
wfs_readlink(struct wfs *fs, uint32_t ino, char *buf, size_t size)
{
    struct wfs_dinode di;
    struct wfs_buf *b;
    uint32_t pblk;
    bool fresh;
    int err = wfs_iget_live(fs, ino, &di);
    if (err)
        return err;
    if ((di.mode & WFS_S_IFMT) != WFS_S_IFLNK)
        return -EINVAL;
    if (di.size == 0 || di.size > WFS_PATH_MAX)
        return wfs_fail(fs, -EIO, "symlink %u: bad length %llu", ino,
                        (unsigned long long)di.size);
    err = wfs_bmap(fs, &di, 0, false, &pblk, &fresh);
    if (!err && pblk == 0)
        err = wfs_fail(fs, -EIO, "symlink %u has no block", ino);
    if (!err)
        err = wfs_bread(fs, pblk, &b);
    if (err)
        return err;
    size_t n = MIN(size, (size_t)di.size);
    memcpy(buf, b->data, n);
    wfs_brelse(fs, b);
    return (int)n;
}

int
wfs_link(struct wfs *fs, uint32_t ino, uint32_t dino, const char *name)
{
    struct wfs_dinode di, dir;
    size_t len;
    uint32_t other;
    int err = wfs_name_check(name, &len);
    if (!err)
        err = wfs_tx_reserve(fs, WFS_OP_BLOCKS);
    if (!err)
        err = wfs_iget_live(fs, ino, &di);
    if (!err)
        err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    if ((di.mode & WFS_S_IFMT) == WFS_S_IFDIR)
        return -EPERM;
    if (di.nlink == 0)
        return -ENOENT;         /* on the orphan list: unlinked while open */
    if (di.nlink >= 65000)
        return -EMLINK;
    if (dir.nlink == 0)
        return -ENOENT;
    err = wfs_dir_find(fs, dino, &dir, name, len, &other, NULL);
    if (err != -ENOENT)
        return err ? err : -EEXIST;
    err = wfs_dir_add(fs, dino, &dir, name, len, ino, wfs_dtype(di.mode));
    if (err)
        return err;
    di.nlink++;
    wfs_touch(fs, &di, false, true);
    wfs_touch(fs, &dir, true, true);
    err = wfs_iput(fs, ino, &di);
    return err ? err : wfs_iput(fs, dino, &dir);
}

/* unlink and rmdir: remove name from dino; isdir says which. */
static int
remove_name(struct wfs *fs, uint32_t dino, const char *name, bool isdir)
{
    struct wfs_dinode dir, di;
    struct wfs_dloc loc;
    uint32_t ino;
    size_t len;
    int err = wfs_name_check(name, &len);
    if (!err)
        err = wfs_tx_reserve(fs, WFS_OP_BLOCKS);
    if (!err)
        err = dir_get(fs, dino, &dir);
    if (err)
        return err;
    if (is_dots(name, len))
        return isdir && len == 2 ? -ENOTEMPTY : -EINVAL;
    err = wfs_dir_find(fs, dino, &dir, name, len, &ino, &loc);
    if (!err)
        err = wfs_iget_live(fs, ino, &di);
    if (err)
        return err;
    bool d = (di.mode & WFS_S_IFMT) == WFS_S_IFDIR;
    if (d != isdir)
        return isdir ? -ENOTDIR : -EISDIR;
    if (d) {
        err = wfs_dir_empty(fs, ino, &di);
        if (err <= 0)
            return err ? err : -ENOTEMPTY;
    }
    err = wfs_dir_remove(fs, dino, &dir, &loc);
    if (err)
        return err;
    if (d) {
        dir.nlink--;
        di.nlink = 1;           /* '.' and the name: both go now */
    }
    wfs_touch(fs, &dir, true, true);
    err = wfs_iput(fs, dino, &dir);
    return err ? err : wfs_drop_link(fs, ino, &di);
}

int
wfs_unlink(struct wfs *fs, uint32_t dir, const char *name)
{
    return remove_name(fs, dir, name, false);
}

int
wfs_rmdir(struct wfs *fs, uint32_t dir, const char *name)
{
    return remove_name(fs, dir, name, true);
}
