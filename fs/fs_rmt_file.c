/*
 * The shared file system's client, file ops: opens and closes go to the
 * server (its consistency bookkeeping sees every one); reads and writes go
 * through the node's cache (fs_rmt_cache.c) when the server allows it,
 * else to the server in pieces of at most FSPROTO_IO_MAX bytes. Uncached
 * appends are made at the server, so appends from several nodes never
 * overwrite each other.
 */
#include "fs/fs_rmt.h"
#include "fs/fs_rmt_stream.h"
#include "fs/fsconsist.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/time.h"

int
fs_rmt_open(struct file *f)
{
    if (FS_ISDIR(f->vn->mode))
        return 0;               /* directories are read by READDIR, never cached */
    struct fs_rmt_node *n = fs_rmt_node(f->vn);
    if ((f->flags & O_ACCMODE) == O_RDONLY && n->preopen) {
        /* the walk's STEPS opened it already (fs_rmt_ahead.c) */
        n->preopen = false;
        struct fsproto_msg rep = { .version = n->pre_version, .prev = n->pre_prev,
                                   .flags = n->pre_flags };
        rep.attr.size = n->pre_size;
        fs_rmt_cache_opened(f->vn, FSCONSIST_READ, &rep);
        fs_rmt_recov_opened(n->fh, FSCONSIST_READ);
        fs_rmt_preopen_taken();
        return 0;
    }
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_OPEN, f->vn);
    if (!c)
        return -ENOMEM;
    c->req.flags = (uint32_t)(f->flags & O_ACCMODE);   /* O_TRUNC came as a setattr */
    int err = fs_rmt_call_do(c);
    if (!err) {
        fs_rmt_attr_in(f->vn, &c->rep.attr);
        unsigned acc = (unsigned)(f->flags & O_ACCMODE);
        fs_rmt_cache_opened(f->vn, acc == O_RDONLY ? FSCONSIST_READ
                                   : acc == O_WRONLY ? FSCONSIST_WRITE
                                                     : FSCONSIST_READ | FSCONSIST_WRITE, &c->rep);
        fs_rmt_recov_opened(fs_rmt_node(f->vn)->fh,
                            acc == O_RDONLY ? FSCONSIST_READ : FSCONSIST_WRITE);
    }
    fs_rmt_call_free(c);
    return err;
}

void
fs_rmt_close(struct file *f)
{
    if (FS_ISDIR(f->vn->mode))
        return;
    fs_rmt_cache_closed(f->vn);   /* dirty blocks stay: delayed write-back */
    fs_rmt_recov_closed(fs_rmt_node(f->vn)->fh,
                        (f->flags & O_ACCMODE) == O_RDONLY ? FSCONSIST_READ : FSCONSIST_WRITE);
    if (f->priv == FS_RMT_MOVED)
        return;                 /* the open went with a migration */
    fs_rmt_close_send(fs_rmt_node(f->vn)->fh, (uint32_t)(f->flags & O_ACCMODE));
}

long
fs_rmt_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    if (fs_rmt_recov_lost(fs_rmt_node(f->vn)->fh))
        return -EIO;            /* not reopened after the server's reboot */
    long r = fs_rmt_cache_read(f->vn, buf, n, off);
    if (r != -EAGAIN)
        return r;
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_READ, f->vn);
    if (!c)
        return -ENOMEM;
    size_t done = 0;
    long err = 0;
    while (done < n) {
        size_t want = MIN(n - done, (size_t)FSPROTO_IO_MAX);
        c->req.off = off + done;
        c->req.len = (uint32_t)want;
        err = fs_rmt_call_do(c);
        if (err)
            break;
        memcpy((uint8_t *)buf + done, c->rep.data, c->rep.datalen);
        done += c->rep.datalen;
        if (c->rep.datalen < want)
            break;              /* the end of the file */
    }
    fs_rmt_call_free(c);
    return done ? (long)done : err;
}

long
fs_rmt_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    if (fs_rmt_recov_lost(fs_rmt_node(f->vn)->fh))
        return -EIO;
    long r = fs_rmt_cache_write(f->vn, buf, n, off, (flags & O_APPEND) != 0);
    if (r != -EAGAIN)
        return r;
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_WRITE, f->vn);
    if (!c)
        return -ENOMEM;
    size_t done = 0;
    long err = 0;
    while (done < n) {
        size_t piece = MIN(n - done, (size_t)FSPROTO_IO_MAX);
        c->req.flags = (flags & O_APPEND) ? FSP_APPEND : 0;
        c->req.off = off + done;
        c->req.data = (const uint8_t *)buf + done;
        c->req.datalen = piece;
        err = fs_rmt_call_do(c);
        if (err)
            break;
        fs_rmt_attr_in(f->vn, &c->rep.attr);
        done += c->rep.count;
        if (c->rep.count < piece)
            break;
    }
    fs_rmt_call_free(c);
    return done ? (long)done : err;
}

int
fs_rmt_getattr(struct file *f)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_GETATTR, f->vn);
    int err = c ? fs_rmt_call_do(c) : -ENOMEM;
    if (!err) {
        fs_rmt_attr_in(f->vn, &c->rep.attr);
        fs_rmt_cache_attr(f->vn);
    }
    fs_rmt_call_free(c);
    return err;
}

int
fs_rmt_fsync(struct vnode *v)
{
    int err = fs_rmt_cache_flush(fs_rmt_node(v)->fh, false);
    struct fs_rmt_call *c = err ? NULL : fs_rmt_call_new(FSP_FSYNC, v);
    if (!err)
        err = c ? fs_rmt_call_do(c) : -ENOMEM;
    fs_rmt_call_free(c);
    return err;
}

int
fs_rmt_setattr(struct vnode *v, const struct fs_attr *a)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_SETATTR, v);
    if (!c)
        return -ENOMEM;
    /* the FS_ATTR_* and WFS_SET_* bits: size, mode, uid, gid, atime, mtime */
    uint32_t m = 0;
    m |= (a->mask & FS_ATTR_SIZE) ? 0x08 : 0;
    m |= (a->mask & FS_ATTR_MODE) ? 0x01 : 0;
    m |= (a->mask & FS_ATTR_UID) ? 0x02 : 0;
    m |= (a->mask & FS_ATTR_GID) ? 0x04 : 0;
    m |= (a->mask & (FS_ATTR_ATIME | FS_ATTR_ATIME_NOW)) ? 0x10 : 0;
    m |= (a->mask & (FS_ATTR_MTIME | FS_ATTR_MTIME_NOW)) ? 0x20 : 0;
    c->req.mask = m;
    c->req.attr.mode = a->mode;
    c->req.attr.uid = a->uid;
    c->req.attr.gid = a->gid;
    c->req.attr.size = a->size;
    c->req.attr.atime = (int64_t)((a->mask & FS_ATTR_ATIME_NOW) ? time_realtime_ns() : a->atime);
    c->req.attr.mtime = (int64_t)((a->mask & FS_ATTR_MTIME_NOW) ? time_realtime_ns() : a->mtime);
    int err = fs_rmt_call_do(c);
    if (!err) {
        fs_rmt_attr_in(v, &c->rep.attr);
        if (a->mask & FS_ATTR_SIZE)
            fs_rmt_cache_truncated(v, a->size);
        fs_rmt_cache_attr(v);
    }
    fs_rmt_call_free(c);
    return err;
}

const struct vnode_ops fs_rmt_file_ops = {
    .read = fs_rmt_read, .write = fs_rmt_write, .open = fs_rmt_open, .close = fs_rmt_close,
    .release = fs_rmt_release, .setattr = fs_rmt_setattr, .getattr = fs_rmt_getattr,
    .fsync = fs_rmt_fsync,
};
