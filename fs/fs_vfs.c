/*
 * The vnode layer: reference counts, static directory trees (the initrd,
 * /dev and the /proc root hang their children off ->child/->sibling), the
 * root, and building a directory's path for getcwd. Name resolution is in
 * fs_path.c, open file descriptions in fs_file.c.
 *
 * Static trees are built once at fs_init (and mounts added at boot) and
 * never change afterwards, so walking them needs no lock; reference counts
 * are atomic. The parent and name of a renamable vnode (tmpfs) change
 * under fs_names_lock, which getcwd's walk up the tree takes.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

struct vnode *fs_root;
struct spinlock fs_names_lock = {.cpu = -1, .name = "fs.names"};
static uint64_t next_ino = 2;

uint64_t
fs_ino_next(void)
{
    return __atomic_fetch_add(&next_ino, 1, __ATOMIC_RELAXED);
}

void
fs_vn_ref(struct vnode *v)
{
    uint32_t old = __atomic_fetch_add(&v->refs, 1, __ATOMIC_RELAXED);
    ASSERT(old > 0, "a vnode is referenced only while someone holds it");
}

void
fs_vn_unref(struct vnode *v)
{
    while (v) {
        uint32_t old = __atomic_fetch_sub(&v->refs, 1, __ATOMIC_ACQ_REL);
        ASSERT(old > 0, "vnode reference count does not underflow");
        if (old != 1)
            return;
        ASSERT(v->dynamic, "static vnodes keep their creation reference for ever");
        /* A dynamic vnode holds a reference on its parent; drop it after. */
        struct vnode *parent = v->parent;
        if (v->ops->release)
            v->ops->release(v);
        else
            kfree(v);
        v = parent;
    }
}

struct vnode *
fs_vn_alloc(uint32_t mode, uint32_t dev, const struct vnode_ops *ops)
{
    struct vnode *v = kzalloc(sizeof(*v));
    if (!v)
        return NULL;
    v->refs = 1;
    v->mode = mode;
    v->dev = dev;
    v->ino = fs_ino_next();
    v->ops = ops;
    return v;
}

void
fs_vn_add_child(struct vnode *dir, struct vnode *v, const char *name, size_t len)
{
    ASSERT(FS_ISDIR(dir->mode), "children hang off directories");
    ASSERT(len <= FS_NAME_MAX, "names are checked before they reach the tree");
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    v->parent = dir;
    v->sibling = NULL;
    struct vnode **pp = &dir->child;
    while (*pp)
        pp = &(*pp)->sibling;
    *pp = v;
}

int
fs_static_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    for (struct vnode *c = dir->child; c; c = c->sibling) {
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0') {
            fs_vn_ref(c);
            *out = c;
            return 0;
        }
    }
    return -ENOENT;
}

uint8_t
fs_dtype(uint32_t mode)
{
    return (uint8_t)((mode >> 12) & 15);
}

int
fs_static_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de)
{
    struct vnode *c = dir->child;
    while (c && idx > 0) {
        c = c->sibling;
        idx--;
    }
    if (!c)
        return 1;
    de->ino = c->ino;
    de->type = fs_dtype(c->mode);
    memcpy(de->name, c->name, strlen(c->name) + 1);
    return 0;
}

/* fs_vn_path with fs_names_lock held. */
static long
vn_path_locked(struct vnode *v, char *buf, size_t n)
{
    size_t pos = n - 1;
    buf[pos] = '\0';
    if (!v->parent) {
        buf[0] = '/';
        buf[1] = '\0';
        return 1;
    }
    for (; v->parent; v = v->parent) {
        size_t l = strlen(v->name);
        if (pos < l + 1)
            return -ERANGE;
        pos -= l;
        memcpy(buf + pos, v->name, l);
        buf[--pos] = '/';
    }
    size_t total = n - 1 - pos;
    memmove(buf, buf + pos, total + 1);
    return (long)total;
}

long
fs_vn_path(struct vnode *v, char *buf, size_t n)
{
    /* Build right to left at the end of buf, then move it to the front. */
    if (n < 2)
        return -ERANGE;
    spin_lock(&fs_names_lock);
    long r = vn_path_locked(v, buf, n);
    spin_unlock(&fs_names_lock);
    return r;
}

void
fs_vn_mount(struct vnode *dir, struct vnode *root)
{
    ASSERT(FS_ISDIR(dir->mode) && FS_ISDIR(root->mode), "mounts join directories");
    /* ".." and getcwd from the mounted root go through the covered name. */
    memcpy(root->name, dir->name, sizeof(root->name));
    root->parent = dir->parent;
    if (root->parent)
        fs_vn_ref(root->parent);
    dir->mounted = root;
}
