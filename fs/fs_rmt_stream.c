/*
 * Streams of the shared file system shared across nodes (Sprite's shared
 * streams; docs/fs.md "Streams shared across nodes"). While a /shared
 * stream is used on one node its offset stays in the node's `struct
 * file`. When it becomes shared across nodes (fork then migration, or a
 * remote exec passing it; fs_ctx_pack.c decides), fs_rmt_stream_share
 * writes its dirty blocks back, makes a stream record at the file server
 * (SSHARE: the offset moves there) and swaps the description's vnode for a
 * stream vnode, whose ops send every read, write and lseek to the server
 * with the stream's id (SIO), uncached: the server assigns the offset, so
 * every holder on every node shares it. Each node holding the stream holds
 * references on the record (SREF); a node's first one is an open of the
 * file for the consistency rules, so a writable stream on two nodes is
 * concurrent write-sharing and nobody caches the file meanwhile.
 *
 * The stream vnode keeps the plain vnode it replaced (`inner`: handle,
 * attributes, name and parent), so a call that raced the swap and still
 * uses the old one stays memory-safe (it reads or writes at the offset it
 * had, as a pread would).
 *
 * SYNCHRONIZATION: one sharing at a time on a node (`sharing`, under
 * `share_lock`, a leaf spinlock; the others wait on `share_wait`), so a
 * description is shared once; it is held across the SSHARE call, which is
 * why it is not a mutex (STYLE 2.7), and no RPC handler waits for it. The
 * swap itself is under the description's spinlock.
 */
#include "fs/fs_rmt_stream.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sync.h"

struct rstream {
    struct vnode vn;            /* first: container_of by cast */
    struct vnode *inner;        /* the plain /shared vnode (referenced) */
    uint64_t id;
    bool cache_open;            /* inner was opened here through the cache */
};

static struct spinlock share_lock = { .name = "fs.share", .cpu = -1 };
static struct waitq share_wait;
static bool sharing;
static uint32_t nstreams;       /* atomic */
struct fs_rmt_mstats fs_rmt_mstats;
extern const struct vnode_ops fs_rmt_stream_ops;

static struct rstream *
rs_of(struct vnode *v)
{
    return (struct rstream *)v;
}

bool
fs_rmt_stream_is_plain(struct file *f)
{
    return f->vn->ops == &fs_rmt_file_ops && FS_ISREG(f->vn->mode);
}

bool
fs_rmt_stream_is_shared(struct file *f)
{
    return f->vn->ops == &fs_rmt_stream_ops;
}

static void
attrs_from(struct vnode *v, const struct vnode *in)
{
    v->mode = in->mode, v->uid = in->uid, v->gid = in->gid, v->nlink = in->nlink;
    v->size = in->size, v->blocks = in->blocks;
    v->atime = in->atime, v->mtime = in->mtime, v->ctime = in->ctime;
}

/* A stream vnode around inner (taking over the caller's reference). */
static struct rstream *
rs_new(struct vnode *inner, uint64_t id, bool cache_open)
{
    struct rstream *rs = kzalloc(sizeof(*rs));
    if (!rs)
        return NULL;
    struct vnode *v = &rs->vn;
    v->refs = 1;
    v->dynamic = true;
    v->dev = FS_DEV_SHARED;
    v->ino = inner->ino;
    v->own_attrs = true;
    v->ops = &fs_rmt_stream_ops;
    attrs_from(v, inner);
    memcpy(v->name, inner->name, sizeof(v->name));
    if ((v->parent = inner->parent))
        fs_vn_ref(v->parent);
    rs->inner = inner;
    rs->id = id;
    rs->cache_open = cache_open;
    __atomic_fetch_add(&nstreams, 1, __ATOMIC_RELAXED);
    return rs;
}

int
fs_rmt_stream_ref(uint64_t id, uint32_t from, uint32_t to)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_SREF, NULL);
    if (!c)
        return -ENOMEM;
    c->req.cookie = id;
    c->req.mask = from;
    c->req.mode = to;
    int err = fs_rmt_call_do(c);
    fs_rmt_call_free(c);
    return err;
}

/* One SIO call: op at off (FSP_SIO_CUR: the stream's), n bytes. */
static long
sio(struct rstream *rs, unsigned op, uint64_t off, void *buf, size_t n, struct fs_rmt_call *c)
{
    c->req.cookie = rs->id;
    c->req.flags = op;
    c->req.off = off;
    c->req.len = (uint32_t)n;
    c->req.data = (op & FSP_SIO_OPMASK) == FSP_SIO_WRITE ? buf : NULL;
    c->req.datalen = (op & FSP_SIO_OPMASK) == FSP_SIO_WRITE ? n : 0;
    int err = fs_rmt_call_do(c);
    FS_RMT_MCOUNT(stream_ios);
    if (err)
        return err;
    fs_rmt_attr_in(rs->inner, &c->rep.attr);
    attrs_from(&rs->vn, rs->inner);
    if ((op & FSP_SIO_OPMASK) == FSP_SIO_READ)
        memcpy(buf, c->rep.data, c->rep.datalen);
    return (long)c->rep.count;
}

/* Reads and writes in pieces of at most FSPROTO_IO_MAX bytes. */
static long
rs_transfer(struct file *f, void *buf, size_t n, uint64_t off, bool wr)
{
    struct rstream *rs = rs_of(f->vn);
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_SIO, NULL);
    if (!c)
        return -ENOMEM;
    unsigned op = wr ? FSP_SIO_WRITE | ((f->flags & O_APPEND) ? FSP_SIO_APPEND : 0) : FSP_SIO_READ;
    size_t done = 0;
    long r = 0;
    while (done < n) {
        size_t piece = MIN(n - done, (size_t)FSPROTO_IO_MAX);
        uint64_t at = off == FS_REMOTE_CUR ? FSP_SIO_CUR : off + done;
        r = sio(rs, op, at, (uint8_t *)buf + done, piece, c);
        if (r <= 0)
            break;
        done += (size_t)r;
        if ((size_t)r < piece)
            break;
    }
    fs_rmt_call_free(c);
    return done ? (long)done : r;
}

static long
rs_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    return n ? rs_transfer(f, buf, n, off, false) : 0;
}

static long
rs_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    return n ? rs_transfer(f, (void *)buf, n, off, true) : 0;
}

static long
rs_lseek(struct file *f, long off, unsigned int whence)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_SIO, NULL);
    if (!c)
        return -ENOMEM;
    if (whence > SEEK_END)
        whence = 99;            /* the server refuses it: EINVAL */
    long r = sio(rs_of(f->vn), FSP_SIO_SEEK, (uint64_t)off, NULL, whence, c);
    if (r >= 0)
        r = (long)c->rep.off;
    fs_rmt_call_free(c);
    return r;
}

static int
rs_getattr(struct file *f)
{
    struct rstream *rs = rs_of(f->vn);
    struct file in = { .vn = rs->inner, .flags = f->flags };
    int err = fs_rmt_getattr(&in);
    if (!err)
        attrs_from(&rs->vn, rs->inner);
    return err;
}

static int
rs_setattr(struct vnode *v, const struct fs_attr *a)
{
    int err = fs_rmt_setattr(rs_of(v)->inner, a);
    if (!err)
        attrs_from(v, rs_of(v)->inner);
    return err;
}

static int
rs_fsync(struct vnode *v)
{
    return fs_rmt_fsync(rs_of(v)->inner);
}

/* The description's last reference on this node: give the node's
 * reference back (the server closes the file for this node with its last). */
static void
rs_close(struct file *f)
{
    struct rstream *rs = rs_of(f->vn);
    if (rs->cache_open)
        fs_rmt_cache_closed(rs->inner);
    if (f->priv != FS_RMT_MOVED)
        (void)fs_rmt_stream_ref(rs->id, (uint32_t)proc_node_self(), FSP_HOLDER_NONE);
}

static void
rs_release(struct vnode *v)
{
    struct rstream *rs = rs_of(v);
    fs_vn_unref(rs->inner);
    __atomic_fetch_sub(&nstreams, 1, __ATOMIC_RELAXED);
    kfree(rs);
}

const struct vnode_ops fs_rmt_stream_ops = {
    .read = rs_read, .write = rs_write, .lseek = rs_lseek, .getattr = rs_getattr,
    .setattr = rs_setattr, .fsync = rs_fsync, .close = rs_close, .release = rs_release,
    .remote = true,
};

static int
share_call(struct file *f, uint64_t off, uint64_t *id)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_SSHARE, f->vn);
    if (!c)
        return -ENOMEM;
    c->req.flags = (uint32_t)(f->flags & (O_ACCMODE | O_APPEND));
    c->req.off = off;
    int err = fs_rmt_call_do(c);
    *id = c->rep.cookie;
    if (!err)
        FS_RMT_MCOUNT(shared);
    fs_rmt_call_free(c);
    return err;
}

int
fs_rmt_stream_share(struct file *f, uint64_t *id, struct fsproto_fh *fh)
{
    spin_lock(&share_lock);
    while (sharing)
        waitq_wait(&share_wait, &share_lock);
    sharing = true;
    spin_unlock(&share_lock);
    int err = 0;
    if (fs_rmt_stream_is_shared(f)) {
        *id = rs_of(f->vn)->id;
        *fh = fs_rmt_node(rs_of(f->vn)->inner)->fh;
    } else if (!fs_rmt_stream_is_plain(f)) {
        err = -EINVAL;
    } else {
        *fh = fs_rmt_node(f->vn)->fh;
        spin_lock(&f->lock);
        uint64_t off = f->off;
        spin_unlock(&f->lock);
        err = fs_rmt_cache_flush(*fh, false);
        if (!err)
            err = share_call(f, off, id);
        struct rstream *rs = err ? NULL : rs_new(f->vn, *id, true);
        if (!err && !rs) {
            (void)fs_rmt_stream_ref(*id, (uint32_t)proc_node_self(), FSP_HOLDER_NONE);
            err = -ENOMEM;      /* (that closed the file at the server: rare, and loud) */
            kprintf("wisp: fs: no memory to share a /shared stream\n");
        }
        if (rs) {
            spin_lock(&f->lock);
            uint64_t now = f->off;
            f->vn = &rs->vn;    /* the file's reference on inner is rs's now */
            spin_unlock(&f->lock);
            if (now != off)     /* a local transfer moved it meanwhile */
                (void)rs_lseek(f, (long)now, SEEK_SET);
        }
    }
    spin_lock(&share_lock);
    sharing = false;
    waitq_wake_all(&share_wait);
    spin_unlock(&share_lock);
    return err;
}

struct file *
fs_rmt_stream_file(uint64_t id, struct fsproto_fh fh, int flags, const struct fsproto_attr *a)
{
    struct vnode *inner = fs_rmt_vnode(NULL, fh, a);
    if (!inner)
        return NULL;
    struct rstream *rs = rs_new(inner, id, false);
    if (!rs) {
        fs_vn_unref(inner);
        return NULL;
    }
    struct file *f;
    int err = fs_file_open(&rs->vn, flags & ~(O_CREAT | O_TRUNC | O_EXCL), &f);
    fs_vn_unref(&rs->vn);       /* the file holds it now (or it is gone) */
    return err ? NULL : f;
}

unsigned
fs_rmt_stream_count(void)
{
    return __atomic_load_n(&nstreams, __ATOMIC_RELAXED);
}
