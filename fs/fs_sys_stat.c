/*
 * The file system calls about names and metadata: the stat family
 * (Linux's 144-byte struct stat), access/faccessat, getcwd, chdir/fchdir,
 * getdents64, readlink and umask. The data-moving calls are in fs_sys.c.
 * Every process runs as root, so permission checks reduce to what Linux
 * refuses root: writing a read-only file system and executing a file
 * without any x bit.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define AT_NO_AUTOMOUNT 0x800

/* struct stat as the x86_64 kernel writes it. */
struct linux_stat {
    uint64_t st_dev;
    uint64_t st_ino;
    uint64_t st_nlink;
    uint32_t st_mode;
    uint32_t st_uid;
    uint32_t st_gid;
    uint32_t pad0;
    uint64_t st_rdev;
    int64_t  st_size;
    int64_t  st_blksize;
    int64_t  st_blocks;
    int64_t  times[6];          /* atime, mtime, ctime as (sec, nsec) */
    int64_t  reserved[3];
};
static_assert(sizeof(struct linux_stat) == 144, "Linux x86_64 struct stat");

/* struct linux_dirent64 header; the name follows at offset 19. */
#define DIRENT_HDR 19

static void
stat_time(int64_t *t, uint64_t ns)
{
    t[0] = (int64_t)(ns / 1000000000u);
    t[1] = (int64_t)(ns % 1000000000u);
}

static int
stat_out(struct vnode *v, uint64_t ustat)
{
    struct linux_stat st;
    memset(&st, 0, sizeof(st));
    st.st_dev = v->dev;
    st.st_ino = v->ino;
    st.st_nlink = v->own_attrs ? v->nlink : FS_ISDIR(v->mode) ? 2 : 1;
    st.st_mode = v->mode;
    st.st_uid = v->uid;
    st.st_gid = v->gid;
    st.st_rdev = v->rdev;
    st.st_size = (int64_t)v->size;
    st.st_blksize = 4096;
    st.st_blocks = (int64_t)(v->own_attrs ? v->blocks : (v->size + 511) / 512);
    stat_time(&st.times[0], v->atime);
    stat_time(&st.times[2], v->mtime);
    stat_time(&st.times[4], v->ctime);
    return copyout(ustat, &st, sizeof(st));
}

/* Resolve a user path under dirfd; AT_EMPTY_PATH with "" names dirfd itself. */
int
fs_sys_resolve_at(long dirfd, uint64_t upath, int nflags, bool empty_ok, struct vnode **out)
{
    struct fs_ctx *c = fs_cur();
    char *path = NULL;
    int err = fs_sys_getpath(upath, &path);
    if (err)
        return err;
    struct vnode *base;
    err = fs_sys_base(c, dirfd, path, &base);
    if (!err && path[0] == '\0') {
        if (!empty_ok) {
            err = -ENOENT;
        } else if (base) {
            *out = base;
            base = NULL;
        } else {
            *out = c && c->cwd ? c->cwd : fs_root;
            fs_vn_ref(*out);
        }
    } else if (!err) {
        err = fs_namei(c, base, path, nflags, out, NULL);
    }
    if (base)
        fs_vn_unref(base);
    kfree(path);
    return err;
}

long
sys_newfstatat(int dirfd, uint64_t upath, uint64_t ustat, int flags)
{
    if (flags & ~(long)(FS_AT_SYMLINK_NOFOLLOW | FS_AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
        return -EINVAL;
    struct vnode *v;
    int nflags = (flags & FS_AT_SYMLINK_NOFOLLOW) ? 0 : FS_NAMEI_FOLLOW;
    int err = fs_sys_resolve_at(dirfd, upath, nflags, flags & FS_AT_EMPTY_PATH, &v);
    if (err)
        return err;
    err = stat_out(v, ustat);
    fs_vn_unref(v);
    return err;
}

long
sys_stat(uint64_t upath, uint64_t ustat)
{
    return sys_newfstatat(FS_AT_FDCWD, upath, ustat, 0);
}

long
sys_lstat(uint64_t upath, uint64_t ustat)
{
    return sys_newfstatat(FS_AT_FDCWD, upath, ustat, FS_AT_SYMLINK_NOFOLLOW);
}

long
sys_fstat(int fd, uint64_t ustat)
{
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    /* A remote file asks its exporter first (fs_remote.c). */
    int err = f->vn->ops->getattr ? f->vn->ops->getattr(f) : 0;
    if (!err)
        err = stat_out(f->vn, ustat);
    fs_file_unref(f);
    return err;
}

/* Linux's faccessat syscall has no flags argument (that is faccessat2), and
 * musl leaves the register unset: flags are ignored. */
/* faccessat's check; nflags and empty_ok come from faccessat2's flags.
 * Every process is root here, so AT_EACCESS changes nothing. */
static long
access_at(int dirfd, uint64_t upath, int mode, int nflags, bool empty_ok)
{
    if (mode & ~(long)(FS_R_OK | FS_W_OK | FS_X_OK))
        return -EINVAL;
    struct vnode *v;
    int err = fs_sys_resolve_at(dirfd, upath, nflags, empty_ok, &v);
    if (err)
        return err;
    if ((mode & FS_W_OK) && (v->rofs || !(v->ops->write || v->ops->create)))
        err = v->rofs ? -EROFS : -EACCES;
    else if ((mode & FS_X_OK) && !FS_ISDIR(v->mode) && !(v->mode & 0111))
        err = -EACCES;
    fs_vn_unref(v);
    return err;
}

long
sys_faccessat(int dirfd, uint64_t upath, int mode, int flags)
{
    return access_at(dirfd, upath, mode, FS_NAMEI_FOLLOW, false);
}

/* glibc's faccessat and eaccess (busybox test -r/-w/-x) try this first. */
long
sys_faccessat2(int dirfd, uint64_t upath, int mode, int flags)
{
    if (flags & ~(FS_AT_EACCESS | FS_AT_SYMLINK_NOFOLLOW | FS_AT_EMPTY_PATH))
        return -EINVAL;
    return access_at(dirfd, upath, mode, (flags & FS_AT_SYMLINK_NOFOLLOW) ? 0 : FS_NAMEI_FOLLOW,
                     flags & FS_AT_EMPTY_PATH);
}

long
sys_access(uint64_t upath, int mode)
{
    return sys_faccessat(FS_AT_FDCWD, upath, mode, 0);
}

long
sys_getcwd(uint64_t ubuf, uint64_t size)
{
    struct fs_ctx *c = fs_cur();
    char *buf = kmalloc(FS_PATH_MAX);
    if (!buf)
        return -ENOMEM;
    spin_lock(&c->lock);
    struct vnode *cwd = c->cwd;
    fs_vn_ref(cwd);
    spin_unlock(&c->lock);
    long len = fs_vn_path(cwd, buf, FS_PATH_MAX);
    fs_vn_unref(cwd);
    long r;
    if (len < 0)
        r = -ENAMETOOLONG;
    else if (size < (uint64_t)len + 1)
        r = -ERANGE;
    else
        r = copyout(ubuf, buf, (size_t)len + 1) ? -EFAULT : len + 1;
    kfree(buf);
    return r;
}

static long
set_cwd(struct vnode *v)
{
    if (!FS_ISDIR(v->mode)) {
        fs_vn_unref(v);
        return -ENOTDIR;
    }
    struct fs_ctx *c = fs_cur();
    spin_lock(&c->lock);
    struct vnode *old = c->cwd;
    c->cwd = v;
    spin_unlock(&c->lock);
    fs_vn_unref(old);
    return 0;
}

long
sys_chdir(uint64_t upath)
{
    struct vnode *v;
    int err = fs_sys_resolve_at(FS_AT_FDCWD, upath, FS_NAMEI_FOLLOW, false, &v);
    if (err)
        return err;
    return set_cwd(v);
}

long
sys_fchdir(int fd)
{
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    struct vnode *v = f->vn;
    fs_vn_ref(v);
    fs_file_unref(f);
    return set_cwd(v);
}

/* Entry pos of dir: 0 is ".", 1 is "..", then the op's entries. */
static int
dirent_at(struct vnode *dir, uint64_t pos, struct fs_dirent *de)
{
    if (pos < 2) {
        spin_lock(&fs_names_lock);
        struct vnode *v = pos == 0 || !dir->parent ? dir : dir->parent;
        de->ino = v->ino;
        spin_unlock(&fs_names_lock);
        de->type = fs_dtype(S_IFDIR);
        memcpy(de->name, "..", pos + 1);
        de->name[pos + 1] = '\0';
        return 0;
    }
    return dir->ops->getdent ? dir->ops->getdent(dir, pos - 2, de) : 1;
}

/* Fill kbuf[0..cap) with linux_dirent64 records from *pos on; bytes used or -errno. */
static long
fill_dirents(struct vnode *dir, uint64_t *pos, char *kbuf, size_t cap, struct fs_dirent *de)
{
    size_t used = 0;
    for (;;) {
        de->next = 0;
        int r = dirent_at(dir, *pos, de);
        if (r < 0)
            return used ? (long)used : r;
        if (r > 0)
            break;
        size_t namelen = strlen(de->name);
        size_t reclen = ALIGN_UP(DIRENT_HDR + namelen + 1, (size_t)8);
        if (used + reclen > cap) {
            if (used == 0)
                return -EINVAL;
            break;
        }
        char *rec = kbuf + used;
        uint64_t next = de->next && *pos >= 2 ? de->next + 2 : *pos + 1;
        uint16_t rl = (uint16_t)reclen;
        memset(rec, 0, reclen);
        memcpy(rec, &de->ino, 8);
        memcpy(rec + 8, &next, 8);
        memcpy(rec + 16, &rl, 2);
        rec[18] = (char)de->type;
        memcpy(rec + DIRENT_HDR, de->name, namelen);
        used += reclen;
        *pos = next;
    }
    return (long)used;
}

long
sys_getdents64(int fd, uint64_t ubuf, unsigned int n)
{
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    long r;
    size_t cap = (size_t)MIN(n, (uint64_t)FS_IOCHUNK);
    char *kbuf = NULL;
    struct fs_dirent *de = NULL;
    if (!FS_ISDIR(f->vn->mode)) {
        r = -ENOTDIR;
        goto out;
    }
    kbuf = kmalloc(cap ? cap : 1);
    de = kmalloc(sizeof(*de));
    if (!kbuf || !de) {
        r = -ENOMEM;
        goto out;
    }
    spin_lock(&f->lock);
    uint64_t pos = f->off;
    spin_unlock(&f->lock);
    r = fill_dirents(f->vn, &pos, kbuf, cap, de);
    if (r > 0 && copyout(ubuf, kbuf, (size_t)r) != 0)
        r = -EFAULT;
    if (r >= 0) {
        spin_lock(&f->lock);
        f->off = pos;
        spin_unlock(&f->lock);
    }
out:
    kfree(kbuf);
    kfree(de);
    fs_file_unref(f);
    return r;
}

long
sys_readlink(uint64_t upath, uint64_t ubuf, int n)
{
    if ((int64_t)n <= 0)
        return -EINVAL;
    struct vnode *v;
    int err = fs_sys_resolve_at(FS_AT_FDCWD, upath, 0, false, &v);
    if (err)
        return err;
    long r = -EINVAL;
    char *buf = NULL;
    if (FS_ISLNK(v->mode) && v->ops->readlink) {
        buf = kmalloc(FS_PATH_MAX);
        r = buf ? v->ops->readlink(v, buf, (size_t)MIN((uint64_t)n, (uint64_t)FS_PATH_MAX)) : -ENOMEM;
        if (r > 0 && copyout(ubuf, buf, (size_t)r) != 0)
            r = -EFAULT;
    }
    kfree(buf);
    fs_vn_unref(v);
    return r;
}

static_assert(FS_NFD == FS_NOFILE, "fs.h tells the rest of the kernel the table's size");

uint32_t
fs_umask(void)
{
    struct fs_ctx *c = fs_cur();
    spin_lock(&c->lock);
    uint32_t m = c->umask;
    spin_unlock(&c->lock);
    return m;
}

long
sys_umask(int mask)
{
    struct fs_ctx *c = fs_cur();
    spin_lock(&c->lock);
    long old = c->umask;
    c->umask = (uint32_t)mask & 0777;
    spin_unlock(&c->lock);
    return old;
}
