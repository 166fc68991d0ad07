/*
 * rename: within one directory or across two, replacing an existing
 * target, all in one transaction. A directory that moves gets its '..'
 * rewritten and moves a link from the old parent to the new one; it may
 * not move under itself (checked by walking '..' up from the target
 * directory to the root).
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static bool
is_dir(const struct wfs_dinode *di)
{
    return (di->mode & WFS_S_IFMT) == WFS_S_IFDIR;
}

static bool
is_dots(const char *name, size_t len)
{
    return (len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.');
}

/* -EINVAL when dir ino lies at or under src. */
static int
check_not_under(struct wfs *fs, uint32_t src, uint32_t ino)
{
    for (uint32_t steps = 0; steps <= fs->sb.ninodes; steps++) {
        struct wfs_dinode di;
        uint32_t up;
        if (ino == src)
            return -EINVAL;
        if (ino == WFS_ROOT_INO)
            return 0;
        int err = wfs_iget_live(fs, ino, &di);
        if (!err)
            err = wfs_dir_find(fs, ino, &di, "..", 2, &up, NULL);
        if (err)
            return err;
        ino = up;
    }
    return wfs_fail(fs, -EIO, "directory loop above inode %u (run wisp-fsck)", ino);
}

struct side {
    uint32_t dino;
    struct wfs_dinode dir;
    const char *name;
    size_t len;
};

static int
side_get(struct wfs *fs, struct side *s)
{
    int err = wfs_name_check(s->name, &s->len);
    if (!err)
        err = wfs_iget_live(fs, s->dino, &s->dir);
    if (err)
        return err;
    if (!is_dir(&s->dir))
        return -ENOTDIR;
    return is_dots(s->name, s->len) ? -EINVAL : 0;
}

/* May src replace dst? */
static int
replace_ok(struct wfs *fs, uint32_t dst, struct wfs_dinode *sdi, struct wfs_dinode *ddi)
{
    if (is_dir(sdi) && !is_dir(ddi))
        return -ENOTDIR;
    if (!is_dir(sdi) && is_dir(ddi))
        return -EISDIR;
    if (is_dir(ddi)) {
        int r = wfs_dir_empty(fs, dst, ddi);
        if (r <= 0)
            return r ? r : -ENOTEMPTY;
    }
    return 0;
}

/* The moved directory's '..' now names the new parent. */
static int
reparent(struct wfs *fs, uint32_t ino, struct wfs_dinode *di, uint32_t parent)
{
    struct wfs_dloc loc;
    uint32_t old;
    int err = wfs_dir_find(fs, ino, di, "..", 2, &old, &loc);
    return err ? err : wfs_dir_set(fs, ino, di, &loc, parent, WFS_DT_DIR);
}

/* Replace dst's entry or add one; *victim gets the replaced inode. */
static int
place(struct wfs *fs, struct side *d, uint32_t ino, struct wfs_dinode *sdi, uint32_t *victim)
{
    struct wfs_dinode vdi;
    struct wfs_dloc loc;
    int err = wfs_dir_find(fs, d->dino, &d->dir, d->name, d->len, victim, &loc);
    if (err == -ENOENT) {
        *victim = 0;
        return wfs_dir_add(fs, d->dino, &d->dir, d->name, d->len, ino, wfs_dtype(sdi->mode));
    }
    if (!err)
        err = wfs_iget_live(fs, *victim, &vdi);
    if (!err)
        err = replace_ok(fs, *victim, sdi, &vdi);
    if (err)
        return err;
    return wfs_dir_set(fs, d->dino, &d->dir, &loc, ino, wfs_dtype(sdi->mode));
}

int
wfs_rename(struct wfs *fs, uint32_t sdir, const char *sname, uint32_t ddir, const char *dname)
{
    struct side s = { .dino = sdir, .name = sname }, d = { .dino = ddir, .name = dname };
    struct wfs_dinode sdi;
    struct wfs_dloc sloc;
    struct wfs_dinode vdi;
    uint32_t ino, victim, other;
    int err = side_get(fs, &s);
    if (!err)
        err = side_get(fs, &d);
    if (!err)
        err = wfs_tx_reserve(fs, WFS_OP_BLOCKS);
    if (!err)
        err = wfs_dir_find(fs, sdir, &s.dir, s.name, s.len, &ino, &sloc);
    if (!err)
        err = wfs_iget_live(fs, ino, &sdi);
    if (err)
        return err;
    if (wfs_dir_find(fs, ddir, &d.dir, d.name, d.len, &other, NULL) == 0 && other == ino)
        return 0;               /* two names of one file: nothing to do */
    if (is_dir(&sdi) && sdir != ddir) {
        err = check_not_under(fs, ino, ddir);
        if (err)
            return err;
    }
    err = place(fs, &d, ino, &sdi, &victim);
    if (err)
        return err;
    /* One directory: continue on the copy place() changed. The source
     * entry may have moved inside its block: find it again. */
    if (sdir == ddir)
        s.dir = d.dir;
    err = wfs_dir_find(fs, sdir, &s.dir, s.name, s.len, &other, &sloc);
    if (!err)
        err = wfs_dir_remove(fs, sdir, &s.dir, &sloc);
    if (!err && victim)
        err = wfs_iget_live(fs, victim, &vdi);
    if (err)
        return err;
    if (victim && is_dir(&vdi)) {
        (sdir == ddir ? &s : &d)->dir.nlink--;
        vdi.nlink = 1;
    }
    if (is_dir(&sdi) && sdir != ddir) {
        err = reparent(fs, ino, &sdi, ddir);
        s.dir.nlink--;
        d.dir.nlink++;
    }
    wfs_touch(fs, &sdi, false, true);
    wfs_touch(fs, &s.dir, true, true);
    wfs_touch(fs, &d.dir, true, true);
    if (!err)
        err = wfs_iput(fs, ino, &sdi);
    if (!err && sdir != ddir)
        err = wfs_iput(fs, ddir, &d.dir);
    if (!err)
        err = wfs_iput(fs, sdir, &s.dir);
    /* Last: dropping a large file may commit on the way, and everything
     * above must be written into the transaction by then. */
    return err || !victim ? err : wfs_drop_link(fs, victim, &vdi);
}
