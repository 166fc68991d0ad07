/*
 * The file system calls that move data or descriptors: read/write (and the
 * v and p variants), open/openat/close, lseek, ioctl, pipe/pipe2, the dups
 * and fcntl, with Linux x86_64 semantics. User memory is reached only
 * through copyin/copyout, in FS_IOCHUNK pieces through one kmalloc'd
 * bounce buffer, never a buffer the size the user asked for. The calls
 * about names and metadata (stat, access, getcwd, getdents...) are in
 * fs_sys_stat.c.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define MAX_RW_COUNT 0x7ffff000ul   /* Linux's cap on one transfer */
#define IOV_MAX      1024
#define FIONCLEX     0x5450
#define FIOCLEX      0x5451
#define FIONBIO      0x5421
#define F_DUPFD      0
#define F_GETFD      1
#define F_SETFD      2
#define F_GETFL      3
#define F_SETFL      4
#define F_DUPFD_CLOEXEC 1030
#define FD_CLOEXEC   1

struct iovec_u {
    uint64_t base;
    uint64_t len;
};

int
fs_sys_getpath(uint64_t upath, char **out)
{
    char *p = kmalloc(FS_PATH_MAX);
    if (!p)
        return -ENOMEM;
    long r = copyinstr(p, upath, FS_PATH_MAX);
    if (r < 0) {
        kfree(p);
        return (int)r;
    }
    *out = p;
    return 0;
}

int
fs_sys_base(struct fs_ctx *c, long dirfd, const char *path, struct vnode **base)
{
    *base = NULL;
    if (path[0] == '/' || dirfd == FS_AT_FDCWD)
        return 0;
    struct file *f = fs_fd_get_exact(c, dirfd);
    if (!f)
        return -EBADF;
    int err = 0;
    if (!FS_ISDIR(f->vn->mode) && path[0] != '\0')
        err = -ENOTDIR;
    else {
        *base = f->vn;
        fs_vn_ref(*base);
    }
    fs_file_unref(f);
    return err;
}

static uint64_t
file_off(struct file *f)
{
    spin_lock(&f->lock);
    uint64_t off = f->off;
    spin_unlock(&f->lock);
    return off;
}

static void
file_advance(struct file *f, uint64_t off)
{
    spin_lock(&f->lock);
    f->off = off;
    spin_unlock(&f->lock);
}

/*
 * Check that user address u is writable before a stream read takes data it
 * could not hand back: a pipe or tty read into a bad pointer must leave the
 * data queued, as on Linux. Only the first byte is probed (the byte is read
 * and rewritten unchanged): the read may legally return less than was asked
 * for, so the rest of the range need not be mapped. A buffer that faults
 * part-way still loses the bytes past the fault.
 */
static int
probe_writable(uint64_t u)
{
    char b;
    if (copyin(&b, u, 1) != 0 || copyout(u, &b, 1) != 0)
        return -EFAULT;
    return 0;
}

/*
 * Move up to n bytes between user memory at ubuf and f. pos < 0: at the
 * file's offset, which advances (seekable files only); else at pos (pread).
 * After the first piece a read is asked not to block, so a short pipe or
 * tty read returns what there is; a write goes on until all of it is in.
 */
static long
transfer(struct file *f, uint64_t ubuf, uint64_t n, int64_t pos, bool wr, int xflags)
{
    bool remote = f->vn->ops->remote;   /* the offset is kept by the exporter */
    bool seekable = !f->vn->ops->noseek && !remote;
    n = MIN(n, (uint64_t)MAX_RW_COUNT);
    size_t cap = (size_t)MIN(n, (uint64_t)FS_IOCHUNK);
    char *kbuf = kmalloc(cap ? cap : 1);
    if (!kbuf)
        return -ENOMEM;
    uint64_t done = 0;
    long ret = 0;
    do {
        size_t chunk = (size_t)MIN(n - done, (uint64_t)cap);
        uint64_t off = pos >= 0 ? (uint64_t)pos + done
                     : seekable ? file_off(f) : remote ? FS_REMOTE_CUR : 0;
        int fl = xflags | (done && !wr ? O_NONBLOCK : 0);
        long r;
        if (wr) {
            if (copyin(kbuf, ubuf + done, chunk) != 0) {
                ret = -EFAULT;
                break;
            }
            if ((f->flags & O_APPEND) && pos < 0 && !remote)
                off = f->vn->size;
            r = fs_file_write(f, kbuf, chunk, off, fl);
        } else {
            if (!seekable && probe_writable(ubuf + done) != 0) {
                ret = -EFAULT;
                break;
            }
            r = fs_file_read(f, kbuf, chunk, off, fl);
            if (r > 0 && copyout(ubuf + done, kbuf, (size_t)r) != 0) {
                ret = -EFAULT;
                break;
            }
        }
        if (r < 0) {
            ret = r;
            break;
        }
        done += (uint64_t)r;
        if (pos < 0 && seekable)
            file_advance(f, off + (uint64_t)r);
        if ((size_t)r < chunk)
            break;
    } while (done < n);
    kfree(kbuf);
    return done ? (long)done : ret;     /* report the bytes that did move */
}

static long
rw(long fd, uint64_t ubuf, uint64_t n, int64_t pos, bool wr)
{
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    long r;
    char none;
    if (pos >= 0 && f->vn->ops->noseek)
        r = -ESPIPE;
    else if (n == 0)            /* still check the file can do it */
        r = wr ? fs_file_write(f, &none, 0, 0, O_NONBLOCK)
               : fs_file_read(f, &none, 0, 0, O_NONBLOCK);
    else
        r = transfer(f, ubuf, n, pos, wr, 0);
    fs_file_unref(f);
    return r;
}

long
sys_read(int fd, uint64_t ubuf, uint64_t n)
{
    return rw(fd, ubuf, n, -1, false);
}

long
sys_write(int fd, uint64_t ubuf, uint64_t n)
{
    return rw(fd, ubuf, n, -1, true);
}

long
sys_pread64(int fd, uint64_t ubuf, uint64_t n, long off)
{
    if (off < 0)
        return -EINVAL;
    return rw(fd, ubuf, n, off, false);
}

long
sys_pwrite64(int fd, uint64_t ubuf, size_t n, long off)
{
    if (off < 0)
        return -EINVAL;
    return rw(fd, ubuf, n, off, true);
}

static long
rwv(long fd, uint64_t uiov, long iovcnt, bool wr)
{
    if (iovcnt < 0 || iovcnt > IOV_MAX)
        return -EINVAL;
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    long ret = 0;
    struct iovec_u *iov = kmalloc(sizeof(*iov) * (size_t)(iovcnt ? iovcnt : 1));
    if (!iov) {
        ret = -ENOMEM;
        goto out;
    }
    if (copyin(iov, uiov, sizeof(*iov) * (size_t)iovcnt) != 0) {
        ret = -EFAULT;
        goto out;
    }
    uint64_t total = 0;
    for (long i = 0; i < iovcnt; i++) {
        if (iov[i].len > (uint64_t)INT64_MAX || total + iov[i].len > (uint64_t)INT64_MAX) {
            ret = -EINVAL;
            goto out;
        }
        total += iov[i].len;
    }
    uint64_t done = 0;
    for (long i = 0; i < iovcnt && done < MAX_RW_COUNT; i++) {
        uint64_t len = MIN(iov[i].len, MAX_RW_COUNT - done);
        if (len == 0)
            continue;
        long r = transfer(f, iov[i].base, len, -1, wr, done && !wr ? O_NONBLOCK : 0);
        if (r < 0) {
            if (!done)
                ret = r;
            break;
        }
        done += (uint64_t)r;
        if ((uint64_t)r < len)
            break;
    }
    if (ret == 0)
        ret = (long)done;
out:
    kfree(iov);
    fs_file_unref(f);
    return ret;
}

long
sys_readv(int fd, uint64_t uiov, int iovcnt)
{
    return rwv(fd, uiov, iovcnt, false);
}

long
sys_writev(int fd, uint64_t uiov, int iovcnt)
{
    return rwv(fd, uiov, iovcnt, true);
}

long
sys_openat(int dirfd, uint64_t upath, int flags, unsigned int mode)
{
    struct fs_ctx *c = fs_cur();
    char *path = NULL;
    int err = fs_sys_getpath(upath, &path);
    if (err)
        return err;
    struct vnode *base;
    struct file *f;
    err = fs_sys_base(c, dirfd, path, &base);
    if (!err) {
        err = path[0] ? fs_open_path(c, base, path, (int)flags, (int)mode, &f) : -ENOENT;
        if (base)
            fs_vn_unref(base);
    }
    kfree(path);
    if (err)
        return err;
    int fd = fs_fd_install(c, f, 0, flags & O_CLOEXEC);
    if (fd < 0)
        fs_file_unref(f);
    return fd;
}

long
sys_open(uint64_t upath, int flags, unsigned int mode)
{
    return sys_openat(FS_AT_FDCWD, upath, flags, mode);
}

long
sys_close(int fd)
{
    if (fd != (int)fd)
        return -EBADF;
    return fs_fd_close(fs_cur(), (int)fd);
}

long
sys_lseek(int fd, long off, unsigned int whence)
{
    struct file *f = fs_fd_get_exact(fs_cur(), fd);
    if (!f)
        return -EBADF;
    long r = fs_file_lseek(f, off, whence);
    fs_file_unref(f);
    return r;
}

long
sys_ioctl(int fd, unsigned int cmd, uint64_t arg)
{
    struct fs_ctx *c = fs_cur();
    struct file *f = fs_fd_get_exact(c, fd);
    if (!f)
        return -EBADF;
    long r;
    int on;
    cmd &= 0xffffffffu;         /* the kernel takes cmd as unsigned int */
    if (cmd == FIOCLEX || cmd == FIONCLEX) {
        r = fs_fd_set_cloexec(c, (int)fd, cmd == FIOCLEX);
    } else if (cmd == FIONBIO) {
        r = copyin(&on, arg, sizeof(on));
        if (r == 0) {
            spin_lock(&f->lock);
            f->flags = on ? (f->flags | O_NONBLOCK) : (f->flags & ~O_NONBLOCK);
            spin_unlock(&f->lock);
        }
    } else if (f->vn->ops->ioctl && !(f->flags & O_PATH)) {
        r = f->vn->ops->ioctl(f, cmd, arg);
    } else {
        r = f->flags & O_PATH ? -EBADF : -ENOTTY;
    }
    fs_file_unref(f);
    return r;
}

long
sys_pipe2(uint64_t ufds, int flags)
{
    if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK))
        return -EINVAL;
    struct fs_ctx *c = fs_cur();
    struct file *rd;
    struct file *wr;
    int err = fs_pipe_create(&rd, &wr, (int)flags);
    if (err)
        return err;
    bool cloexec = flags & O_CLOEXEC;
    int fds[2];
    fds[0] = fs_fd_install(c, rd, 0, cloexec);
    if (fds[0] < 0) {
        fs_file_unref(rd);
        fs_file_unref(wr);
        return fds[0];
    }
    fds[1] = fs_fd_install(c, wr, 0, cloexec);
    if (fds[1] < 0) {
        fs_file_unref(wr);
        (void)fs_fd_close(c, fds[0]);
        return fds[1];
    }
    if (copyout(ufds, fds, sizeof(fds)) != 0) {
        (void)fs_fd_close(c, fds[0]);
        (void)fs_fd_close(c, fds[1]);
        return -EFAULT;
    }
    return 0;
}

long
sys_pipe(uint64_t ufds)
{
    return sys_pipe2(ufds, 0);
}

static long
dup_at(long oldfd, long min, bool cloexec)
{
    struct fs_ctx *c = fs_cur();
    struct file *f = fs_fd_get_exact(c, oldfd);
    if (!f)
        return -EBADF;
    if (min < 0 || min >= FS_NFD) {
        fs_file_unref(f);
        return -EINVAL;
    }
    int fd = fs_fd_install(c, f, (int)min, cloexec);
    if (fd < 0)
        fs_file_unref(f);
    return fd;
}

long
sys_dup(int fd)
{
    return dup_at(fd, 0, false);
}

long
sys_dup3(int oldfd, int newfd, int flags)
{
    if (flags & ~(long)O_CLOEXEC)
        return -EINVAL;
    if (oldfd == newfd)
        return -EINVAL;
    struct fs_ctx *c = fs_cur();
    struct file *f = fs_fd_get_exact(c, oldfd);
    if (!f)
        return -EBADF;
    if (newfd < 0 || newfd >= FS_NFD) {
        fs_file_unref(f);
        return -EBADF;
    }
    return fs_fd_replace(c, (int)newfd, f, flags & O_CLOEXEC);
}

long
sys_dup2(int oldfd, int newfd)
{
    if (oldfd == newfd) {
        struct file *f = fs_fd_get_exact(fs_cur(), oldfd);
        if (!f)
            return -EBADF;
        fs_file_unref(f);
        return newfd;
    }
    return sys_dup3(oldfd, newfd, 0);
}

long
sys_fcntl(int fd, unsigned int cmd, uint64_t arg)
{
    struct fs_ctx *c = fs_cur();
    if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
        return dup_at(fd, (int)arg, cmd == F_DUPFD_CLOEXEC);   /* Linux takes an int */
    if (cmd == F_GETFD)
        return fs_fd_get_cloexec(c, (int)fd) > 0 ? FD_CLOEXEC : fs_fd_get_cloexec(c, (int)fd);
    if (cmd == F_SETFD)
        return fs_fd_set_cloexec(c, (int)fd, arg & FD_CLOEXEC);
    struct file *f = fs_fd_get_exact(c, fd);
    if (!f)
        return -EBADF;
    long r = -EINVAL;
    spin_lock(&f->lock);
    if (cmd == F_GETFL) {
        r = f->flags | O_LARGEFILE;
    } else if (cmd == F_SETFL) {
        int keep = O_APPEND | O_NONBLOCK;
        f->flags = (f->flags & ~keep) | ((int)arg & keep);
        r = 0;
    }
    spin_unlock(&f->lock);
    fs_file_unref(f);
    return r;
}
