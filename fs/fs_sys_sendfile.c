/*
 * sendfile(2) and copy_file_range(2): move bytes from one open file to
 * another inside the kernel, through one FS_IOCHUNK bounce buffer, with
 * Linux's offset rules (a NULL offset pointer uses and advances the file's
 * own offset; a given one is read, used, advanced and written back while
 * the file offset stays put) and its errors. sendfile takes any readable
 * in_fd (initrd, tmpfs, pipes, the tty) and any writable out_fd;
 * copy_file_range only regular files. Data already taken from a pipe
 * that the output then refuses is lost (Linux keeps it in the pipe). The
 * plain read/write calls are in fs_sys.c.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define MAX_RW_COUNT 0x7ffff000ul   /* Linux's cap on one transfer */

/* Where one side of a copy reads or writes: *pos when pos is set (the
 * caller's offset), else the file's own offset (0 for pipes and ttys). */
struct side {
    struct file *f;
    int64_t *pos;
};

static uint64_t
side_off(const struct side *s)
{
    if (s->pos)
        return (uint64_t)*s->pos;
    if (s->f->vn->ops->remote)
        return FS_REMOTE_CUR;           /* the exporter keeps and advances it */
    if (s->f->vn->ops->noseek)
        return 0;
    spin_lock(&s->f->lock);
    uint64_t off = s->f->off;
    spin_unlock(&s->f->lock);
    return off;
}

static void
side_advance(const struct side *s, uint64_t n)
{
    if (s->pos) {
        *s->pos += (int64_t)n;
    } else if (!s->f->vn->ops->noseek && !s->f->vn->ops->remote) {
        spin_lock(&s->f->lock);
        s->f->off += n;
        spin_unlock(&s->f->lock);
    }
}

/* Write all of buf[0..n) to out; the bytes written, or -errno if none. */
static long
write_all(const struct side *out, const char *buf, size_t n)
{
    size_t done = 0;
    while (done < n) {
        long w = fs_file_write(out->f, buf + done, n - done, side_off(out), 0);
        if (w <= 0) {
            if (done)
                break;
            return w ? w : -EIO;
        }
        side_advance(out, (uint64_t)w);
        done += (size_t)w;
    }
    return (long)done;
}

/*
 * Copy up to count bytes from in to out. After the first piece a read is
 * asked not to block, so a pipe gives what it has and the call returns,
 * as Linux's sendfile does. Returns the bytes copied, or -errno if none.
 */
static long
copy_between(const struct side *in, const struct side *out, size_t count)
{
    count = MIN(count, (size_t)MAX_RW_COUNT);
    if (count == 0)
        return 0;
    size_t cap = MIN(count, (size_t)FS_IOCHUNK);
    char *kbuf = kmalloc(cap);
    if (!kbuf)
        return -ENOMEM;
    size_t done = 0;
    long err = 0;
    while (done < count) {
        size_t chunk = MIN(count - done, cap);
        long r = fs_file_read(in->f, kbuf, chunk, side_off(in), done ? O_NONBLOCK : 0);
        if (r <= 0) {
            err = r;
            break;
        }
        long w = write_all(out, kbuf, (size_t)r);
        if (w < 0) {
            err = w;
            break;
        }
        side_advance(in, (uint64_t)w);
        done += (size_t)w;
        if (w < r || (size_t)r < chunk)
            break;
    }
    kfree(kbuf);
    return done ? (long)done : err;
}

static bool
can_read(const struct file *f)
{
    return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool
can_write(const struct file *f)
{
    return !(f->flags & O_PATH) && (f->flags & O_ACCMODE) != O_RDONLY;
}

/* Read the user's offset at u (0: none) into *pos; -EFAULT, -EINVAL. */
static int
get_off(uint64_t u, int64_t *pos)
{
    if (!u)
        return 0;
    if (copyin(pos, u, sizeof(*pos)))
        return -EFAULT;
    return *pos < 0 ? -EINVAL : 0;
}

/* Both files referenced, or -EBADF with neither. */
static int
get_files(int in_fd, int out_fd, struct file **in, struct file **out)
{
    struct fs_ctx *c = fs_cur();
    *in = fs_fd_get(c, in_fd);
    *out = fs_fd_get(c, out_fd);
    if (*in && *out)
        return 0;
    if (*in)
        fs_file_unref(*in);
    if (*out)
        fs_file_unref(*out);
    return -EBADF;
}

/* Linux's sendfile checks, in its order (fs/read_write.c do_sendfile). */
static long
sendfile_check(struct file *in, struct file *out, bool have_off)
{
    if (!can_read(in))
        return -EBADF;
    if (have_off && in->vn->ops->noseek)
        return -ESPIPE;
    if (!can_write(out))
        return -EBADF;
    if (out->flags & O_APPEND)
        return -EINVAL;
    if (FS_ISDIR(in->vn->mode) || !in->vn->ops->read || !out->vn->ops->write)
        return -EINVAL;
    return 0;
}

long
sys_sendfile(int out_fd, int in_fd, uint64_t uoff, size_t count)
{
    int64_t pos = 0;
    int err = get_off(uoff, &pos);
    if (err == -EFAULT)
        return err;
    struct file *in;
    struct file *out;
    long r = get_files(in_fd, out_fd, &in, &out);
    if (r)
        return r;
    r = sendfile_check(in, out, uoff != 0);
    if (!r)
        r = err;
    if (!r && (int64_t)count < 0)
        r = -EINVAL;
    if (!r) {
        struct side si = { in, uoff ? &pos : NULL };
        struct side so = { out, NULL };
        r = copy_between(&si, &so, count);
        if (r >= 0 && uoff && copyout(uoff, &pos, sizeof(pos)))
            r = -EFAULT;
    }
    fs_file_unref(in);
    fs_file_unref(out);
    return r;
}

/* copy_file_range's checks: readable and writable regular files, no
 * O_APPEND output, no overlap inside one file. */
static long
cfr_check(struct file *in, struct file *out, int64_t ipos, int64_t opos, size_t len)
{
    if (!can_read(in) || !can_write(out) || (out->flags & O_APPEND))
        return -EBADF;
    if (FS_ISDIR(in->vn->mode) || FS_ISDIR(out->vn->mode))
        return -EISDIR;
    if (!FS_ISREG(in->vn->mode) || !FS_ISREG(out->vn->mode))
        return -EINVAL;
    if (in->vn == out->vn && ipos < opos + (int64_t)len && opos < ipos + (int64_t)len)
        return -EINVAL;
    return 0;
}

long
sys_copy_file_range(int fd_in, uint64_t uoff_in, int fd_out, uint64_t uoff_out, size_t len,
                    unsigned int flags)
{
    if (flags)
        return -EINVAL;
    int64_t ipos = 0;
    int64_t opos = 0;
    int err = get_off(uoff_in, &ipos);
    if (!err)
        err = get_off(uoff_out, &opos);
    if (err)
        return err;
    struct file *in;
    struct file *out;
    long r = get_files(fd_in, fd_out, &in, &out);
    if (r)
        return r;
    len = MIN(len, (size_t)MAX_RW_COUNT);
    struct side si = { in, uoff_in ? &ipos : NULL };
    struct side so = { out, uoff_out ? &opos : NULL };
    r = cfr_check(in, out, (int64_t)side_off(&si), (int64_t)side_off(&so), len);
    if (!r)
        r = copy_between(&si, &so, len);
    if (r > 0 && uoff_in && copyout(uoff_in, &ipos, sizeof(ipos)))
        r = -EFAULT;
    if (r > 0 && uoff_out && copyout(uoff_out, &opos, sizeof(opos)))
        r = -EFAULT;
    fs_file_unref(in);
    fs_file_unref(out);
    return r;
}
