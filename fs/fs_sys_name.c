/*
 * The system calls that make and remove names: mkdir/mkdirat,
 * unlink/unlinkat/rmdir, rename/renameat/renameat2, link/linkat and
 * symlink/symlinkat, with Linux x86_64 semantics. They resolve the parent
 * directory of the last component (fs_namei_parent), apply Linux's rules
 * about ".", "..", trailing slashes and file-system boundaries (EXDEV),
 * and call the directory's ops. A directory without the op answers EROFS
 * on a read-only file system (the initrd) and EPERM elsewhere (/dev,
 * /proc), after the checks that would fail first on Linux (ENOENT, EEXIST).
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"

/* A user path split into its parent directory and last name. */
struct sysname {
    char *path;                 /* the user's path */
    char *buf;                  /* fs_namei_parent's, holding name */
    struct vnode *dir;          /* referenced */
    const char *name;
    size_t len;
    bool slash;                 /* the path ended in '/' */
};

static void
name_put(struct sysname *n)
{
    if (n->dir)
        fs_vn_unref(n->dir);
    kfree(n->buf);
    kfree(n->path);
    memset(n, 0, sizeof(*n));
}

static int
name_get(long dirfd, uint64_t upath, struct sysname *n)
{
    struct fs_ctx *c = fs_cur();
    memset(n, 0, sizeof(*n));
    int err = fs_sys_getpath(upath, &n->path);
    if (err)
        return err;
    struct vnode *base;
    err = fs_sys_base(c, dirfd, n->path, &base);
    if (!err) {
        err = n->path[0] ? fs_namei_parent(c, base, n->path, &n->buf, &n->dir, &n->name,
                                           &n->len, &n->slash)
                         : -ENOENT;
        if (base)
            fs_vn_unref(base);
    }
    if (err)
        name_put(n);
    return err;
}

/* 1 for ".", 2 for "..", else 0. */
static int
name_dots(const struct sysname *n)
{
    if (n->name[0] != '.' || n->len > 2)
        return 0;
    if (n->len == 1)
        return 1;
    return n->name[1] == '.' ? 2 : 0;
}

/* The referenced vnode n names (not following a last symlink), or NULL. */
static struct vnode *
name_lookup(const struct sysname *n)
{
    struct vnode *v;
    if (!n->dir->ops->lookup || n->dir->ops->lookup(n->dir, n->name, n->len, &v) != 0)
        return NULL;
    return v;
}

/* The error for a change a directory cannot make: EEXIST when creating
 * over a name that exists, ENOENT when removing one that does not. */
static int
cannot(const struct sysname *n, bool creating)
{
    struct vnode *v = name_lookup(n);
    if (v)
        fs_vn_unref(v);
    if (creating && v)
        return -EEXIST;
    if (!creating && !v)
        return -ENOENT;
    return n->dir->rofs ? -EROFS : -EPERM;
}

/* mkdirat and mknodat: a new node of type at the name, its mode less the
 * umask; what the file system cannot make (!ok) is cannot()'s error. */
static long
make_at(int dirfd, uint64_t upath, uint32_t type, unsigned int mode, bool ok)
{
    struct sysname n;
    int err = name_get(dirfd, upath, &n);
    if (err)
        return err == -EBUSY ? -EEXIST : err;   /* mkdir("/"): it exists (mkdir -p) */
    struct vnode *v;
    if (name_dots(&n))
        err = -EEXIST;
    else if (!n.dir->ops->create || !ok)
        err = cannot(&n, true);
    else
        err = n.dir->ops->create(n.dir, n.name, n.len,
                                 type | fs_umask_apply(fs_cur(), (uint32_t)mode), NULL, &v);
    if (!err)
        fs_vn_unref(v);
    name_put(&n);
    return err;
}

long
sys_mkdirat(int dirfd, uint64_t upath, unsigned int mode)
{
    return make_at(dirfd, upath, S_IFDIR, mode, true);
}

long
sys_mkdir(uint64_t upath, unsigned int mode)
{
    return sys_mkdirat(FS_AT_FDCWD, upath, mode);
}

/*
 * mknod makes regular files only: no file system here has FIFOs, sockets
 * or device nodes outside /dev, and Linux answers EPERM for a file system
 * without mknod (after EEXIST), EPERM for S_IFDIR, EINVAL for a bad type.
 */
long
sys_mknodat(int dirfd, uint64_t upath, unsigned int mode, unsigned int dev)
{
    uint32_t type = mode & S_IFMT;
    if (type == S_IFDIR)
        return -EPERM;
    if (type != 0 && type != S_IFREG && type != S_IFIFO && type != S_IFSOCK &&
        type != S_IFCHR && type != S_IFBLK)
        return -EINVAL;
    return make_at(dirfd, upath, S_IFREG, mode, type == 0 || type == S_IFREG);
}

long
sys_mknod(uint64_t upath, unsigned int mode, unsigned int dev)
{
    return sys_mknodat(FS_AT_FDCWD, upath, mode, dev);
}

/* unlink of a path ending in '/': EISDIR for a directory, else ENOTDIR. */
static int
unlink_slash(const struct sysname *n)
{
    struct vnode *v = name_lookup(n);
    if (!v)
        return -ENOENT;
    int err = FS_ISDIR(v->mode) ? -EISDIR : -ENOTDIR;
    fs_vn_unref(v);
    return err;
}

long
sys_unlinkat(int dirfd, uint64_t upath, int flags)
{
    if (flags & ~(long)FS_AT_REMOVEDIR)
        return -EINVAL;
    bool rmdir = flags & FS_AT_REMOVEDIR;
    struct sysname n;
    int err = name_get(dirfd, upath, &n);
    if (err)
        return err;
    int dots = name_dots(&n);
    if (dots)
        err = !rmdir ? -EISDIR : dots == 1 ? -EINVAL : -ENOTEMPTY;
    else if (n.slash && !rmdir)
        err = unlink_slash(&n);
    else if (!n.dir->ops->unlink)
        err = cannot(&n, false);
    else
        err = n.dir->ops->unlink(n.dir, n.name, n.len, rmdir);
    name_put(&n);
    return err;
}

long
sys_unlink(uint64_t upath)
{
    return sys_unlinkat(FS_AT_FDCWD, upath, 0);
}

long
sys_rmdir(uint64_t upath)
{
    return sys_unlinkat(FS_AT_FDCWD, upath, FS_AT_REMOVEDIR);
}

/* Checks between the two names of a rename before the op runs. */
static int
rename_check(const struct sysname *o, const struct sysname *n)
{
    if (name_dots(o) || name_dots(n))
        return -EBUSY;
    if (o->dir->dev != n->dir->dev)
        return -EXDEV;
    struct vnode *src = name_lookup(o);
    if (!src)
        return -ENOENT;
    bool dir = FS_ISDIR(src->mode);
    fs_vn_unref(src);
    if ((o->slash || n->slash) && !dir)
        return -ENOTDIR;
    if (!o->dir->ops->rename)
        return o->dir->rofs ? -EROFS : -EPERM;
    return 0;
}

long
sys_renameat2(int odirfd, uint64_t uold, int ndirfd, uint64_t unew, unsigned int flags)
{
    if (flags & ~(long)FS_RENAME_NOREPLACE)
        return -EINVAL;
    struct sysname o, n;
    int err = name_get(odirfd, uold, &o);
    if (err)
        return err;
    err = name_get(ndirfd, unew, &n);
    if (!err) {
        err = rename_check(&o, &n);
        if (!err)
            err = o.dir->ops->rename(o.dir, o.name, o.len, n.dir, n.name, n.len, (int)flags);
        name_put(&n);
    }
    name_put(&o);
    return err;
}

long
sys_renameat(int odirfd, uint64_t uold, int ndirfd, uint64_t unew)
{
    return sys_renameat2(odirfd, uold, ndirfd, unew, 0);
}

long
sys_rename(uint64_t uold, uint64_t unew)
{
    return sys_renameat2(FS_AT_FDCWD, uold, FS_AT_FDCWD, unew, 0);
}

long
sys_linkat(int odirfd, uint64_t uold, int ndirfd, uint64_t unew, int flags)
{
    if (flags & ~(long)(FS_AT_SYMLINK_FOLLOW | FS_AT_EMPTY_PATH))
        return -EINVAL;
    struct vnode *v;
    int nflags = (flags & FS_AT_SYMLINK_FOLLOW) ? FS_NAMEI_FOLLOW : 0;
    int err = fs_sys_resolve_at(odirfd, uold, nflags, flags & FS_AT_EMPTY_PATH, &v);
    if (err)
        return err;
    struct sysname n;
    err = name_get(ndirfd, unew, &n);
    if (!err) {
        if (name_dots(&n))
            err = -EEXIST;
        else if (FS_ISDIR(v->mode))
            err = -EPERM;
        else if (v->dev != n.dir->dev)
            err = -EXDEV;
        else if (!n.dir->ops->link)
            err = cannot(&n, true);
        else
            err = n.dir->ops->link(n.dir, n.name, n.len, v);
        name_put(&n);
    }
    fs_vn_unref(v);
    return err;
}

long
sys_link(uint64_t uold, uint64_t unew)
{
    return sys_linkat(FS_AT_FDCWD, uold, FS_AT_FDCWD, unew, 0);
}

long
sys_symlinkat(uint64_t utarget, int ndirfd, uint64_t upath)
{
    char *target;
    int err = fs_sys_getpath(utarget, &target);
    if (err)
        return err;
    struct sysname n;
    err = target[0] ? name_get(ndirfd, upath, &n) : -ENOENT;
    if (!err) {
        struct vnode *v;
        if (name_dots(&n) || n.slash)
            err = name_dots(&n) ? -EEXIST : -ENOENT;
        else if (!n.dir->ops->create)
            err = cannot(&n, true);
        else
            err = n.dir->ops->create(n.dir, n.name, n.len, S_IFLNK | 0777, target, &v);
        if (!err)
            fs_vn_unref(v);
        name_put(&n);
    }
    kfree(target);
    return err;
}

long
sys_symlink(uint64_t utarget, uint64_t upath)
{
    return sys_symlinkat(utarget, FS_AT_FDCWD, upath);
}
