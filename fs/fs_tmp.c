/*
 * tmpfs: a writable file system in RAM, mounted at boot on /tmp (and on
 * any directory of the root through fs_tmp_mount). This file holds the
 * mount and its size limit (tmpsize=), node life (creation, release at
 * the last reference of an unlinked node), the file and symlink ops, and
 * setattr/statfs. Directories are in fs_tmp_dir.c, file contents in
 * fs_tmp_data.c; the structures and the locking rule in fs_tmp.h.
 *
 * Usage is counted in pages: data and index pages, plus the bytes of
 * nodes, directory entries and link targets rounded up to pages. Past the
 * limit every allocation gives -ENOSPC.
 */
#include "fs/fs_tmp.h"
#include "kernel/vm.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/time.h"

static uint32_t mounts;         /* instances made, for st_dev */

uint64_t
tmp_now(void)
{
    return time_realtime_ns();
}

static uint64_t
used_pages(struct tmp_mount *m, uint64_t pages, uint64_t meta)
{
    return pages + (meta + PAGE_SIZE - 1) / PAGE_SIZE;
}

int
tmp_charge(struct tmp_mount *m, uint64_t pages, uint64_t meta)
{
    if (used_pages(m, m->pages + pages, m->meta + meta) > m->limit)
        return -ENOSPC;
    /* File pages are memory nobody else can take back: they count against
     * the node's commit like anonymous memory (docs/memory.md), so a full
     * /tmp plus full processes cannot together pass RAM. */
    if (pages && vm_commit_charge(pages) != 0)
        return -ENOSPC;
    m->pages += pages;
    m->meta += meta;
    return 0;
}

void
tmp_uncharge(struct tmp_mount *m, uint64_t pages, uint64_t meta)
{
    ASSERT(m->pages >= pages && m->meta >= meta, "tmpfs gives back only what it took");
    m->pages -= pages;
    m->meta -= meta;
    if (pages)
        vm_commit_uncharge(pages);
}

struct tmp_node *
tmp_node_new(struct tmp_mount *m, uint32_t mode, int *err)
{
    *err = tmp_charge(m, 0, sizeof(struct tmp_node));
    if (*err)
        return NULL;
    struct tmp_node *n = kzalloc(sizeof(*n));
    if (!n) {
        tmp_uncharge(m, 0, sizeof(struct tmp_node));
        *err = -ENOMEM;
        return NULL;
    }
    struct vnode *v = &n->vn;
    v->refs = 1;
    v->dynamic = true;
    v->mode = mode;
    v->dev = m->dev;
    v->ino = fs_ino_next();
    v->ops = FS_ISDIR(mode) ? &tmp_dir_ops : FS_ISLNK(mode) ? &tmp_link_ops : &tmp_file_ops;
    v->own_attrs = true;
    v->atime = v->mtime = v->ctime = tmp_now();
    n->mnt = m;
    m->nodes++;
    return n;
}

/* The last reference of a node no directory names any more. */
static void
tmp_release(struct vnode *v)
{
    struct tmp_node *n = tmp_node(v);
    struct tmp_mount *m = n->mnt;
    mutex_lock(&m->lock);
    ASSERT(v->nlink == 0 && !n->ents, "only unlinked, empty nodes are released");
    if (FS_ISREG(v->mode))
        (void)tmp_data_truncate(n, 0);
    if (n->target)
        tmp_uncharge(m, 0, strlen(n->target) + 1);
    tmp_uncharge(m, 0, sizeof(*n));
    m->nodes--;
    mutex_unlock(&m->lock);
    kfree(n->target);
    kfree(n);
}

static long
tmp_read(struct file *f, void *buf, size_t len, uint64_t off, int flags)
{
    struct tmp_node *n = tmp_node(f->vn);
    mutex_lock(&n->mnt->lock);
    long r = tmp_data_read(n, buf, len, off);
    if (len)
        n->vn.atime = tmp_now();
    mutex_unlock(&n->mnt->lock);
    return r;
}

static long
tmp_write(struct file *f, const void *buf, size_t len, uint64_t off, int flags)
{
    struct tmp_node *n = tmp_node(f->vn);
    mutex_lock(&n->mnt->lock);
    if (flags & O_APPEND)
        off = n->vn.size;       /* under the lock: appends never interleave */
    long r = len ? tmp_data_write(n, buf, len, off) : 0;
    if (r > 0)
        n->vn.mtime = n->vn.ctime = tmp_now();
    mutex_unlock(&n->mnt->lock);
    return r;
}

static long
tmp_readlink(struct vnode *v, char *buf, size_t len)
{
    struct tmp_node *n = tmp_node(v);
    size_t l = MIN(strlen(n->target), len);
    memcpy(buf, n->target, l);
    return (long)l;
}

static int
tmp_setattr(struct vnode *v, const struct fs_attr *a)
{
    struct tmp_node *n = tmp_node(v);
    mutex_lock(&n->mnt->lock);
    uint64_t now = tmp_now();
    int err = 0;
    if (a->mask & FS_ATTR_SIZE) {
        err = FS_ISREG(v->mode) ? tmp_data_truncate(n, a->size) : -EINVAL;
        if (!err)
            v->mtime = now;
    }
    if (!err && (a->mask & FS_ATTR_MODE))
        v->mode = (v->mode & S_IFMT) | (a->mode & 07777);
    if (!err && (a->mask & FS_ATTR_UID))
        v->uid = a->uid;
    if (!err && (a->mask & FS_ATTR_GID))
        v->gid = a->gid;
    if (!err && (a->mask & FS_ATTR_ATIME))
        v->atime = (a->mask & FS_ATTR_ATIME_NOW) ? now : a->atime;
    if (!err && (a->mask & FS_ATTR_MTIME))
        v->mtime = (a->mask & FS_ATTR_MTIME_NOW) ? now : a->mtime;
    if (!err)
        v->ctime = now;
    mutex_unlock(&n->mnt->lock);
    return err;
}

static void
tmp_statfs(struct vnode *v, struct fs_statfs *st)
{
    struct tmp_mount *m = tmp_node(v)->mnt;
    mutex_lock(&m->lock);
    uint64_t used = used_pages(m, m->pages, m->meta);
    st->type = TMP_MAGIC;
    st->bsize = PAGE_SIZE;
    st->blocks = m->limit;
    st->bfree = used < m->limit ? m->limit - used : 0;
    st->files = m->limit / 4 + 16;
    st->ffree = st->files > m->nodes ? st->files - m->nodes : 0;
    st->flags = 0;
    mutex_unlock(&m->lock);
}

const struct vnode_ops tmp_dir_ops = {
    .lookup = tmp_lookup,
    .getdent = tmp_getdent,
    .create = tmp_create,
    .link = tmp_link,
    .unlink = tmp_unlink,
    .rename = tmp_rename,
    .setattr = tmp_setattr,
    .statfs = tmp_statfs,
    .release = tmp_release,
};

const struct vnode_ops tmp_file_ops = {
    .read = tmp_read,
    .write = tmp_write,
    .setattr = tmp_setattr,
    .statfs = tmp_statfs,
    .release = tmp_release,
};

const struct vnode_ops tmp_link_ops = {
    .readlink = tmp_readlink,
    .setattr = tmp_setattr,
    .statfs = tmp_statfs,
    .release = tmp_release,
};

/* The directory path names in the root, made (empty, static, as its
 * parent) when missing. *dir is referenced. */
int
fs_mount_point(const char *path, struct vnode **dir)
{
    bool missing;
    int err = fs_namei(NULL, NULL, path, FS_NAMEI_FOLLOW, dir, &missing);
    if (err != -ENOENT || !missing)
        return err;
    char *buf;
    struct vnode *parent;
    const char *name;
    size_t len;
    bool slash;
    err = fs_namei_parent(NULL, NULL, path, &buf, &parent, &name, &len, &slash);
    if (err)
        return err;
    struct vnode *d = NULL;
    if (parent->dynamic || parent->ops->lookup != fs_static_lookup)
        err = -ENOENT;
    else if (!(d = fs_vn_alloc(S_IFDIR | 0755, parent->dev, parent->ops)))
        err = -ENOMEM;
    if (d) {
        d->rofs = parent->rofs;
        fs_vn_add_child(parent, d, name, len);
        fs_vn_ref(d);
        *dir = d;
    }
    fs_vn_unref(parent);
    kfree(buf);
    return err;
}

int
fs_tmp_mount(const char *path, uint64_t limit)
{
    struct vnode *dir;
    int err = fs_mount_point(path, &dir);
    if (err)
        return err;
    if (!FS_ISDIR(dir->mode))
        err = -ENOTDIR;
    else if (dir->dynamic || dir->mounted)
        err = -EBUSY;
    struct tmp_mount *m = err ? NULL : kzalloc(sizeof(*m));
    struct tmp_node *root = NULL;
    if (!err && m) {
        mutex_init(&m->lock, "fs.tmp");
        m->limit = limit / PAGE_SIZE;
        m->dev = FS_DEV_TMP + mounts;
        root = tmp_node_new(m, S_IFDIR | 01777, &err);
    }
    if (!err && !root)
        err = -ENOMEM;
    if (!err) {
        mounts++;
        root->vn.nlink = 2;
        m->root = &root->vn;
        fs_vn_mount(dir, m->root);
    } else {
        kfree(m);
    }
    fs_vn_unref(dir);
    return err;
}

int
fs_tmp_parse_size(const char *s, uint64_t ram, uint64_t *out)
{
    uint64_t v = 0;
    const char *p = s;
    if (*p < '0' || *p > '9')
        return -EINVAL;
    for (; *p >= '0' && *p <= '9'; p++) {
        if (v > (UINT64_MAX - 9) / 10)
            return -EINVAL;
        v = v * 10 + (uint64_t)(*p - '0');
    }
    int shift = 0;
    if (*p == '%') {
        if (v > 100)
            return -EINVAL;
        v = ram / 100 * v;
        p++;
    } else if (*p) {
        const char *units = "kKmMgG";
        const char *u = strchr(units, *p);
        if (!u)
            return -EINVAL;
        shift = 10 * (int)(1 + (u - units) / 2);
        p++;
    }
    if (*p || v > (UINT64_MAX >> shift))
        return -EINVAL;
    *out = v << shift;
    return 0;
}
