/*
 * Open file descriptions (struct file): creation with Linux's open checks,
 * reference counting (dup and fork share one description, and so its
 * offset), and read/write dispatch to the vnode's ops with kernel buffers.
 * Descriptor tables are in fs_ctx.c; the system calls in fs_sys.c.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

int
fs_file_open(struct vnode *v, int flags, struct file **out)
{
    struct file *f = kzalloc(sizeof(*f));
    if (!f)
        return -ENOMEM;
    f->refs = 1;
    /* O_NOCTTY is seen by ops->open only (a tty), as Linux drops it after open. */
    f->flags = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK | O_DIRECTORY | O_PATH | O_NOCTTY);
    f->vn = v;
    spin_init(&f->lock, "fs.file");
    fs_vn_ref(v);
    if (v->ops->open && !(flags & O_PATH)) {
        int err = v->ops->open(f);
        if (err) {
            fs_vn_unref(v);
            kfree(f);
            return err;
        }
    }
    f->flags &= ~O_NOCTTY;
    *out = f;
    return 0;
}

void
fs_file_ref(struct file *f)
{
    uint32_t old = __atomic_fetch_add(&f->refs, 1, __ATOMIC_RELAXED);
    ASSERT(old > 0, "a file is referenced only while someone holds it");
}

void
fs_file_unref(struct file *f)
{
    uint32_t old = __atomic_fetch_sub(&f->refs, 1, __ATOMIC_ACQ_REL);
    ASSERT(old > 0, "file reference count does not underflow");
    if (old != 1)
        return;
    if (f->vn->ops->close && !(f->flags & O_PATH))
        f->vn->ops->close(f);
    fs_vn_unref(f->vn);
    kfree(f);
}

long
fs_file_read(struct file *f, void *buf, size_t n, uint64_t off, int xflags)
{
    struct vnode *v = f->vn;
    if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_WRONLY)
        return -EBADF;
    if (FS_ISDIR(v->mode))
        return -EISDIR;
    if (!v->ops->read)
        return -EINVAL;
    return v->ops->read(f, buf, n, off, f->flags | xflags);
}

/* Builds without file mappings (host tests that leave fs_mmap.c out):
 * no file has a map, so these are never reached. fs_mmap.c's win. */
__attribute__((weak)) void
fs_map_written(struct file *f, const void *buf, size_t n, uint64_t off)
{
}

__attribute__((weak)) int
fs_map_fsync(struct vnode *v)
{
    return 0;
}

long
fs_file_write(struct file *f, const void *buf, size_t n, uint64_t off, int xflags)
{
    struct vnode *v = f->vn;
    if ((f->flags & O_PATH) || (f->flags & O_ACCMODE) == O_RDONLY)
        return -EBADF;
    if (!v->ops->write)
        return v->rofs ? -EROFS : -EINVAL;
    long r = v->ops->write(f, buf, n, off, f->flags | xflags);
    if (r > 0 && v->map)        /* mapped here: the mappings see it (fs_mmap.c) */
        fs_map_written(f, buf, (size_t)r, (f->flags & O_APPEND) ? v->size - (uint64_t)r : off);
    return r;
}

/* Linux's checks between a resolved vnode and the open flags. */
static int
open_check(struct vnode *v, int flags)
{
    int acc = flags & O_ACCMODE;
    bool wants_write = acc == O_WRONLY || acc == O_RDWR || (flags & O_TRUNC);
    if (acc == O_ACCMODE)
        return -EINVAL;
    if (FS_ISLNK(v->mode))
        return -ELOOP;          /* O_NOFOLLOW met a link */
    if ((flags & O_DIRECTORY) && !FS_ISDIR(v->mode))
        return -ENOTDIR;
    if (flags & O_PATH)
        return 0;
    if (FS_ISDIR(v->mode) && wants_write)
        return -EISDIR;
    if (wants_write && !v->ops->write)
        return v->rofs ? -EROFS : -EACCES;
    return 0;
}

/* The creation mode after the caller's umask. */
uint32_t
fs_umask_apply(struct fs_ctx *c, uint32_t mode)
{
    return mode & ~(c ? c->umask : 022) & 07777;
}

/* Create path's last component as a regular file: 0 with *out referenced,
 * -EEXIST when it exists (or came to exist), or the error. */
static int
open_create(struct fs_ctx *c, struct vnode *base, const char *path, int mode, struct vnode **out)
{
    char *buf;
    struct vnode *dir;
    const char *name;
    size_t len;
    bool slash;
    int err = fs_namei_parent(c, base, path, &buf, &dir, &name, &len, &slash);
    if (err)
        return err;
    if (slash)
        err = -EISDIR;
    else if (!dir->ops->create)
        err = dir->rofs ? -EROFS : -EACCES;
    else
        err = dir->ops->create(dir, name, len, S_IFREG | fs_umask_apply(c, (uint32_t)mode),
                               NULL, out);
    fs_vn_unref(dir);
    kfree(buf);
    return err;
}

/* O_TRUNC on an existing regular file. */
static int
open_truncate(struct vnode *v)
{
    if (!FS_ISREG(v->mode) || !v->ops->setattr)
        return 0;
    struct fs_attr a = {.mask = FS_ATTR_SIZE, .size = 0};
    return v->ops->setattr(v, &a);
}

int
fs_open_path(struct fs_ctx *c, struct vnode *base, const char *path, int flags, int mode,
             struct file **out)
{
    struct vnode *v;
    bool missing;
    int nflags = (flags & O_NOFOLLOW) ? 0 : FS_NAMEI_FOLLOW;
    if ((flags & O_ACCMODE) == O_RDONLY && !(flags & (O_TRUNC | O_PATH | O_DIRECTORY)))
        nflags |= FS_NAMEI_OPEN_READ;   /* a remote file may come back opened */
    bool created = false;
    int err = fs_namei(c, base, path, nflags, &v, &missing);
    if (err == -ENOENT && missing && (flags & O_CREAT)) {
        err = open_create(c, base, path, mode, &v);
        created = !err;
        if (err == -EEXIST && !(flags & O_EXCL))    /* lost a race, or a dangling link */
            err = fs_namei(c, base, path, nflags, &v, &missing);
    }
    if (err)
        return err;
    if ((flags & O_CREAT) && (flags & O_EXCL) && !created) {
        fs_vn_unref(v);
        return -EEXIST;
    }
    if ((flags & O_CREAT) && FS_ISDIR(v->mode)) {
        fs_vn_unref(v);
        return -EISDIR;
    }
    if (FS_ISLNK(v->mode) && (flags & O_PATH)) {
        err = fs_file_open(v, flags, out);
        fs_vn_unref(v);
        return err;
    }
    err = open_check(v, flags);
    if (!err && (flags & O_TRUNC) && !created)
        err = open_truncate(v);
    if (!err)
        err = fs_file_open(v, flags, out);
    fs_vn_unref(v);
    return err;
}

long
fs_file_lseek(struct file *f, long off, unsigned int whence)
{
    if (f->vn->ops->lseek)
        return f->vn->ops->lseek(f, off, whence);
    long r;
    spin_lock(&f->lock);
    int64_t base = whence == SEEK_SET ? 0
                 : whence == SEEK_CUR ? (int64_t)f->off
                 : whence == SEEK_END ? (int64_t)f->vn->size : -1;
    if (f->vn->ops->noseek)
        r = -ESPIPE;
    else if (base < 0 || (whence != SEEK_SET && off > 0 && base > INT64_MAX - off))
        r = -EINVAL;
    else if (base + off < 0)
        r = -EINVAL;
    else
        r = (long)(f->off = (uint64_t)(base + off));
    spin_unlock(&f->lock);
    return r;
}
