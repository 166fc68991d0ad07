/*
 * tmpfs directories: lookup and getdent over a list of named entries, and
 * the operations that change names: create (files, directories, symlinks),
 * link, unlink/rmdir and rename with POSIX's rules. Each takes the mount's
 * lock; a node whose last name goes away loses the tree's reference after
 * the lock is dropped (fs_tmp.h), so an open file outlives its unlink.
 * Entries keep a growing position, so a directory read while entries are
 * removed (rm -r) neither skips nor repeats the others.
 */
#include "fs/fs_tmp.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

static struct tmp_dirent **
find(struct tmp_node *dir, const char *name, size_t len)
{
    for (struct tmp_dirent **pp = &dir->ents; *pp; pp = &(*pp)->next) {
        if ((*pp)->len == len && memcmp((*pp)->name, name, len) == 0)
            return pp;
    }
    return NULL;
}

static struct tmp_dirent *
dirent_new(struct tmp_mount *m, const char *name, size_t len, int *err)
{
    *err = tmp_charge(m, 0, sizeof(struct tmp_dirent) + len + 1);
    if (*err)
        return NULL;
    struct tmp_dirent *de = kzalloc(sizeof(*de) + len + 1);
    if (!de) {
        tmp_uncharge(m, 0, sizeof(struct tmp_dirent) + len + 1);
        *err = -ENOMEM;
        return NULL;
    }
    memcpy(de->name, name, len);
    de->len = len;
    return de;
}

static void
dirent_free(struct tmp_mount *m, struct tmp_dirent *de)
{
    tmp_uncharge(m, 0, sizeof(*de) + de->len + 1);
    kfree(de);
}

/* Put de (naming v) at the end of dir's list. */
static void
dirent_add(struct tmp_node *dir, struct tmp_dirent *de, struct vnode *v)
{
    struct tmp_dirent **pp = &dir->ents;
    while (*pp)
        pp = &(*pp)->next;
    de->vn = v;
    de->pos = dir->next_pos++;
    de->next = NULL;
    *pp = de;
    spin_lock(&fs_names_lock);
    memcpy(v->name, de->name, de->len);
    v->name[de->len] = '\0';
    spin_unlock(&fs_names_lock);
}

/* Name, link count and times change when an entry comes or goes. */
static void
dir_touch(struct vnode *dir, uint64_t now)
{
    dir->mtime = dir->ctime = now;
}

int
tmp_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    struct tmp_node *d = tmp_node(dir);
    mutex_lock(&d->mnt->lock);
    struct tmp_dirent **pp = find(d, name, len);
    if (pp) {
        *out = (*pp)->vn;
        fs_vn_ref(*out);
    }
    mutex_unlock(&d->mnt->lock);
    return pp ? 0 : -ENOENT;
}

int
tmp_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *out)
{
    struct tmp_node *d = tmp_node(dir);
    mutex_lock(&d->mnt->lock);
    struct tmp_dirent *de = d->ents;
    while (de && de->pos < idx)
        de = de->next;
    if (de) {
        out->ino = de->vn->ino;
        out->type = fs_dtype(de->vn->mode);
        out->next = de->pos + 1;
        memcpy(out->name, de->name, de->len);
        out->name[de->len] = '\0';
    }
    mutex_unlock(&d->mnt->lock);
    return de ? 0 : 1;
}

/* Free a node made under the lock that never got a name. */
static void
node_discard(struct tmp_mount *m, struct tmp_node *n)
{
    if (n->target)
        tmp_uncharge(m, 0, strlen(n->target) + 1);
    tmp_uncharge(m, 0, sizeof(*n));
    m->nodes--;
    kfree(n->target);
    kfree(n);
}

/* A new node of mode with a link target if it is a symlink. */
static struct tmp_node *
node_make(struct tmp_mount *m, uint32_t mode, const char *target, int *err)
{
    struct tmp_node *n = tmp_node_new(m, mode, err);
    if (!n || !FS_ISLNK(mode))
        return n;
    size_t tl = strlen(target);
    *err = tmp_charge(m, 0, tl + 1);
    n->target = *err ? NULL : kmalloc(tl + 1);
    if (!n->target) {
        if (!*err)
            tmp_uncharge(m, 0, tl + 1);
        *err = *err ? *err : -ENOMEM;
        node_discard(m, n);
        return NULL;
    }
    memcpy(n->target, target, tl + 1);
    n->vn.size = tl;
    return n;
}

int
tmp_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, const char *target,
           struct vnode **out)
{
    struct tmp_node *d = tmp_node(dir);
    struct tmp_mount *m = d->mnt;
    int err = 0;
    mutex_lock(&m->lock);
    struct tmp_node *n = NULL;
    struct tmp_dirent *de = NULL;
    if (dir->nlink == 0)
        err = -ENOENT;          /* the directory was removed */
    else if (find(d, name, len))
        err = -EEXIST;
    else if ((n = node_make(m, mode, target, &err)) && !(de = dirent_new(m, name, len, &err)))
        node_discard(m, n);
    if (!err) {
        struct vnode *v = &n->vn;
        dirent_add(d, de, v);
        v->nlink = 1;
        if (FS_ISDIR(mode)) {
            v->nlink = 2;
            v->parent = dir;
            fs_vn_ref(dir);
            dir->nlink++;
        }
        dir_touch(dir, v->ctime);
        fs_vn_ref(v);           /* the caller's; the tree keeps the first */
        *out = v;
    }
    mutex_unlock(&m->lock);
    return err;
}

int
tmp_link(struct vnode *dir, const char *name, size_t len, struct vnode *v)
{
    struct tmp_node *d = tmp_node(dir);
    struct tmp_mount *m = d->mnt;
    if (v->ops->release != tmp_dir_ops.release || tmp_node(v)->mnt != m)
        return -EXDEV;
    if (FS_ISDIR(v->mode))
        return -EPERM;
    int err = 0;
    mutex_lock(&m->lock);
    struct tmp_dirent *de = NULL;
    if (dir->nlink == 0 || v->nlink == 0)
        err = -ENOENT;
    else if (find(d, name, len))
        err = -EEXIST;
    else
        de = dirent_new(m, name, len, &err);
    if (de) {
        dirent_add(d, de, v);
        v->nlink++;
        v->ctime = tmp_now();
        dir_touch(dir, v->ctime);
    }
    mutex_unlock(&m->lock);
    return err;
}

/* Take away one name of v (in dir); true when it was the last one. */
static bool
drop_name(struct vnode *dir, struct vnode *v, uint64_t now)
{
    if (FS_ISDIR(v->mode)) {
        v->nlink = 0;
        dir->nlink--;
    } else {
        v->nlink--;
    }
    v->ctime = now;
    dir_touch(dir, now);
    return v->nlink == 0;
}

/* Whether v may go away as rmdir (a directory) or unlink says. */
static int
may_remove(struct vnode *v, bool rmdir)
{
    if (!rmdir)
        return FS_ISDIR(v->mode) ? -EISDIR : 0;
    if (!FS_ISDIR(v->mode))
        return -ENOTDIR;
    if (tmp_node(v)->ents)
        return -ENOTEMPTY;
    return v->mounted ? -EBUSY : 0;
}

int
tmp_unlink(struct vnode *dir, const char *name, size_t len, bool rmdir)
{
    struct tmp_node *d = tmp_node(dir);
    struct tmp_mount *m = d->mnt;
    mutex_lock(&m->lock);
    struct tmp_dirent **pp = find(d, name, len);
    struct vnode *v = pp ? (*pp)->vn : NULL;
    struct vnode *drop = NULL;
    int err = v ? may_remove(v, rmdir) : -ENOENT;
    if (!err) {
        struct tmp_dirent *de = *pp;
        *pp = de->next;
        dirent_free(m, de);
        if (drop_name(dir, v, tmp_now()))
            drop = v;
    }
    mutex_unlock(&m->lock);
    if (drop)
        fs_vn_unref(drop);      /* the tree's reference, outside the lock */
    return err;
}

/* POSIX's checks of rename(src -> dst) with dst possibly absent. */
static int
rename_check(struct tmp_mount *m, struct vnode *src, struct vnode *dst, struct vnode *ndir,
             int flags)
{
    if (dst && (flags & FS_RENAME_NOREPLACE))
        return -EEXIST;
    if (ndir->nlink == 0)
        return -ENOENT;
    if (!FS_ISDIR(src->mode))
        return dst && FS_ISDIR(dst->mode) ? -EISDIR : 0;
    for (struct vnode *p = ndir; p; p = p->parent) {
        if (p == src)
            return -EINVAL;     /* into its own subtree */
        if (p == m->root)
            break;
    }
    return dst ? may_remove(dst, true) : 0;
}

/* The rename itself, under the lock; the references to drop after it go to drop[]. */
static int
rename_locked(struct tmp_mount *m, struct vnode *odir, const char *oname, size_t olen,
              struct vnode *ndir, const char *nname, size_t nlen, int flags,
              struct vnode *drop[2])
{
    struct tmp_node *o = tmp_node(odir);
    struct tmp_node *nd = tmp_node(ndir);
    struct tmp_dirent **opp = find(o, oname, olen);
    if (!opp)
        return -ENOENT;
    struct vnode *src = (*opp)->vn;
    struct tmp_dirent **npp = find(nd, nname, nlen);
    struct vnode *dst = npp ? (*npp)->vn : NULL;
    if (dst == src)
        return flags & FS_RENAME_NOREPLACE ? -EEXIST : 0;   /* POSIX: nothing to do */
    int err = rename_check(m, src, dst, ndir, flags);
    struct tmp_dirent *nde = err ? NULL : dirent_new(m, nname, nlen, &err);
    if (err)
        return err;
    uint64_t now = tmp_now();
    if (dst) {
        struct tmp_dirent *de = *npp;
        *npp = de->next;
        dirent_free(m, de);
        if (drop_name(ndir, dst, now))
            drop[0] = dst;
        opp = find(o, oname, olen);     /* the list changed under opp */
    }
    struct tmp_dirent *ode = *opp;
    *opp = ode->next;
    dirent_free(m, ode);
    dirent_add(nd, nde, src);
    if (FS_ISDIR(src->mode) && odir != ndir) {
        odir->nlink--;
        ndir->nlink++;
        fs_vn_ref(ndir);
        spin_lock(&fs_names_lock);
        src->parent = ndir;
        spin_unlock(&fs_names_lock);
        drop[1] = odir;
    }
    src->ctime = now;
    dir_touch(odir, now);
    dir_touch(ndir, now);
    return 0;
}

int
tmp_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
           const char *nname, size_t nlen, int flags)
{
    struct tmp_mount *m = tmp_node(odir)->mnt;
    if (ndir->ops != &tmp_dir_ops || tmp_node(ndir)->mnt != m)
        return -EXDEV;
    if (flags & ~FS_RENAME_NOREPLACE)
        return -EINVAL;
    struct vnode *drop[2] = {NULL, NULL};
    mutex_lock(&m->lock);
    int err = rename_locked(m, odir, oname, olen, ndir, nname, nlen, flags, drop);
    mutex_unlock(&m->lock);
    for (int i = 0; i < 2; i++) {
        if (drop[i])
            fs_vn_unref(drop[i]);
    }
    return err;
}
