/*
 * The system calls that change or report a file's attributes rather than
 * its name or data: truncate/ftruncate, chmod/fchmod/fchmodat,
 * chown/fchown/lchown/fchownat, utimensat (and so futimens), statfs/
 * fstatfs, fsync/fdatasync/syncfs/sync (no-ops: everything is in memory)
 * and fallocate. A vnode
 * without a setattr op answers EROFS on a read-only file system and EPERM
 * elsewhere. Every process is root, so ownership is stored, not checked.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define UTIME_NOW  ((1l << 30) - 1)
#define UTIME_OMIT ((1l << 30) - 2)
#define ST_RDONLY  1

/* struct statfs as the x86_64 kernel writes it. */
struct linux_statfs {
    int64_t  f_type, f_bsize;
    uint64_t f_blocks, f_bfree, f_bavail, f_files, f_ffree;
    int32_t  f_fsid[2];
    int64_t  f_namelen, f_frsize, f_flags, f_spare[4];
};
static_assert(sizeof(struct linux_statfs) == 120, "Linux x86_64 struct statfs");

static int
setattr(struct vnode *v, const struct fs_attr *a)
{
    if (!v->ops->setattr)
        return v->rofs ? -EROFS : -EPERM;
    return v->ops->setattr(v, a);
}

/* The referenced vnode under fd, or -EBADF. */
static int
fd_vnode(long fd, struct vnode **out, int *flags)
{
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    *out = f->vn;
    fs_vn_ref(*out);
    if (flags)
        *flags = f->flags;
    fs_file_unref(f);
    return 0;
}

static long
truncate_vnode(struct vnode *v, long len)
{
    if (len < 0)
        return -EINVAL;
    if (FS_ISDIR(v->mode))
        return -EISDIR;
    if (!FS_ISREG(v->mode))
        return -EINVAL;
    struct fs_attr a = {.mask = FS_ATTR_SIZE, .size = (uint64_t)len};
    return setattr(v, &a);
}

long
sys_truncate(uint64_t upath, long len)
{
    struct vnode *v;
    int err = fs_sys_resolve_at(FS_AT_FDCWD, upath, FS_NAMEI_FOLLOW, false, &v);
    if (err)
        return err;
    long r = truncate_vnode(v, len);
    fs_vn_unref(v);
    return r;
}

long
sys_ftruncate(int fd, long len)
{
    struct vnode *v;
    int flags;
    int err = fd_vnode(fd, &v, &flags);
    if (err)
        return err;
    long r;
    if ((flags & O_PATH) || (flags & O_ACCMODE) == O_RDONLY || !FS_ISREG(v->mode))
        r = (flags & O_PATH) ? -EBADF : -EINVAL;
    else
        r = truncate_vnode(v, len);
    fs_vn_unref(v);
    return r;
}

static long
chmod_vnode(struct vnode *v, long mode)
{
    struct fs_attr a = {.mask = FS_ATTR_MODE, .mode = (uint32_t)mode & 07777};
    long r = setattr(v, &a);
    fs_vn_unref(v);
    return r;
}

/* Linux's fchmodat (268) has no flags argument. */
long
sys_fchmodat(int dirfd, uint64_t upath, unsigned int mode)
{
    struct vnode *v;
    int err = fs_sys_resolve_at(dirfd, upath, FS_NAMEI_FOLLOW, false, &v);
    return err ? err : chmod_vnode(v, mode);
}

long
sys_chmod(uint64_t upath, unsigned int mode)
{
    return sys_fchmodat(FS_AT_FDCWD, upath, mode);
}

long
sys_fchmod(int fd, unsigned int mode)
{
    struct vnode *v;
    int err = fd_vnode(fd, &v, NULL);
    return err ? err : chmod_vnode(v, mode);
}

/* uid or gid (uint32_t)-1 leaves it unchanged. */
static long
chown_vnode(struct vnode *v, long uid, long gid)
{
    struct fs_attr a = {.mask = 0, .uid = (uint32_t)uid, .gid = (uint32_t)gid};
    if ((uint32_t)uid != UINT32_MAX)
        a.mask |= FS_ATTR_UID;
    if ((uint32_t)gid != UINT32_MAX)
        a.mask |= FS_ATTR_GID;
    long r = setattr(v, &a);
    fs_vn_unref(v);
    return r;
}

long
sys_fchownat(int dirfd, uint64_t upath, unsigned int uid, unsigned int gid, int flags)
{
    if (flags & ~(long)(FS_AT_SYMLINK_NOFOLLOW | FS_AT_EMPTY_PATH))
        return -EINVAL;
    struct vnode *v;
    int nflags = (flags & FS_AT_SYMLINK_NOFOLLOW) ? 0 : FS_NAMEI_FOLLOW;
    int err = fs_sys_resolve_at(dirfd, upath, nflags, flags & FS_AT_EMPTY_PATH, &v);
    return err ? err : chown_vnode(v, uid, gid);
}

long
sys_chown(uint64_t upath, unsigned int uid, unsigned int gid)
{
    return sys_fchownat(FS_AT_FDCWD, upath, uid, gid, 0);
}

long
sys_lchown(uint64_t upath, unsigned int uid, unsigned int gid)
{
    return sys_fchownat(FS_AT_FDCWD, upath, uid, gid, FS_AT_SYMLINK_NOFOLLOW);
}

long
sys_fchown(int fd, unsigned int uid, unsigned int gid)
{
    struct vnode *v;
    int err = fd_vnode(fd, &v, NULL);
    return err ? err : chown_vnode(v, uid, gid);
}

/* One struct timespec of utimensat into a's mask and time. */
static int
utime_one(const int64_t ts[2], struct fs_attr *a, uint32_t set, uint32_t now, uint64_t *t)
{
    if (ts[1] == UTIME_OMIT)
        return 0;
    if (ts[1] == UTIME_NOW) {
        a->mask |= set | now;
        return 0;
    }
    if (ts[1] < 0 || ts[1] > 999999999 || ts[0] < 0)
        return -EINVAL;
    a->mask |= set;
    *t = (uint64_t)ts[0] * 1000000000u + (uint64_t)ts[1];
    return 0;
}

/* utimensat(dirfd, NULL, ...) is futimens(dirfd, ...), as in Linux. */
long
sys_utimensat(int dirfd, uint64_t upath, uint64_t utimes, int flags)
{
    if (flags & ~(long)(FS_AT_SYMLINK_NOFOLLOW | FS_AT_EMPTY_PATH))
        return -EINVAL;
    int64_t ts[4] = {0, UTIME_NOW, 0, UTIME_NOW};
    if (utimes && copyin(ts, utimes, sizeof(ts)) != 0)
        return -EFAULT;
    struct fs_attr a = {.mask = 0};
    int err = utime_one(&ts[0], &a, FS_ATTR_ATIME, FS_ATTR_ATIME_NOW, &a.atime);
    if (!err)
        err = utime_one(&ts[2], &a, FS_ATTR_MTIME, FS_ATTR_MTIME_NOW, &a.mtime);
    if (err)
        return err;
    struct vnode *v;
    int nflags = (flags & FS_AT_SYMLINK_NOFOLLOW) ? 0 : FS_NAMEI_FOLLOW;
    if (!upath)
        err = dirfd == FS_AT_FDCWD ? -EFAULT : fd_vnode(dirfd, &v, NULL);
    else
        err = fs_sys_resolve_at(dirfd, upath, nflags, flags & FS_AT_EMPTY_PATH, &v);
    if (err)
        return err;
    if (a.mask)
        err = setattr(v, &a);
    fs_vn_unref(v);
    return err;
}

/* statfs of the file system v is on; made-up figures for those without the op. */
static long
statfs_out(struct vnode *v, uint64_t ubuf)
{
    struct fs_statfs st = {.bsize = 4096};
    if (v->ops->statfs)
        v->ops->statfs(v, &st);
    else if (v->dev == FS_DEV_PROC)
        st.type = 0x9fa0;           /* PROC_SUPER_MAGIC */
    else if (v->dev == FS_DEV_PIPE)
        st.type = 0x50495045;       /* PIPEFS_MAGIC */
    else if (v->dev == FS_DEV_DEVFS)
        st.type = 0x01021994;       /* devtmpfs reports TMPFS_MAGIC */
    else
        st.type = 0x858458f6;       /* RAMFS_MAGIC: the initrd */
    struct linux_statfs ls;
    memset(&ls, 0, sizeof(ls));
    ls.f_type = (int64_t)st.type;
    ls.f_bsize = ls.f_frsize = (int64_t)st.bsize;
    ls.f_blocks = st.blocks;
    ls.f_bfree = ls.f_bavail = st.bfree;
    ls.f_files = st.files;
    ls.f_ffree = st.ffree;
    ls.f_fsid[0] = (int32_t)v->dev;
    ls.f_namelen = FS_NAME_MAX;
    ls.f_flags = (int64_t)st.flags | (v->rofs ? ST_RDONLY : 0);
    long r = copyout(ubuf, &ls, sizeof(ls)) ? -EFAULT : 0;
    fs_vn_unref(v);
    return r;
}

long
sys_statfs(uint64_t upath, uint64_t ubuf)
{
    struct vnode *v;
    int err = fs_sys_resolve_at(FS_AT_FDCWD, upath, FS_NAMEI_FOLLOW, false, &v);
    return err ? err : statfs_out(v, ubuf);
}

long
sys_fstatfs(int fd, uint64_t ubuf)
{
    struct vnode *v;
    int err = fd_vnode(fd, &v, NULL);
    return err ? err : statfs_out(v, ubuf);
}

long
sys_fsync(int fd)
{
    struct vnode *v;
    int err = fd_vnode(fd, &v, NULL);
    if (err)
        return err;
    if (v->map)
        err = fs_map_fsync(v);  /* mapped pages first (fs_mmap.c) */
    if (!err && v->ops->fsync)
        err = v->ops->fsync(v);
    fs_vn_unref(v);
    return err;
}

long
sys_fdatasync(int fd)
{
    return sys_fsync(fd);
}

long
sys_syncfs(int fd)
{
    return sys_fsync(fd);
}

/* Without the shared file system's client (host tests), nothing to sync. */
__attribute__((weak)) int
fs_rmt_sync(void)
{
    return 0;
}

long
sys_sync(void)
{
    (void)fs_rmt_sync();        /* the shared file system's dirty blocks */
    return 0;
}

#define FALLOC_FL_KEEP_SIZE 1

/* fallocate: mode 0 grows the file to offset + len (tmpfs pages are
 * allocated when written, so ENOSPC can still come later); KEEP_SIZE
 * has nothing to do; punching holes and the rest are EOPNOTSUPP. */
long
sys_fallocate(int fd, int mode, long off, long len)
{
    if (off < 0 || len <= 0)
        return -EINVAL;
    struct vnode *v;
    int flags;
    int err = fd_vnode(fd, &v, &flags);
    if (err)
        return err;
    long r = 0;
    if ((flags & O_PATH) || (flags & O_ACCMODE) == O_RDONLY)
        r = -EBADF;
    else if (mode & ~FALLOC_FL_KEEP_SIZE)
        r = -EOPNOTSUPP;
    else if (FS_ISDIR(v->mode))
        r = -EISDIR;
    else if (v->ops->noseek)
        r = -ESPIPE;
    else if (!FS_ISREG(v->mode))
        r = -ENODEV;
    else if (off > INT64_MAX - len)
        r = -EFBIG;
    else if (!(mode & FALLOC_FL_KEEP_SIZE) && (uint64_t)(off + len) > v->size)
        r = truncate_vnode(v, off + len);
    fs_vn_unref(v);
    return r;
}
