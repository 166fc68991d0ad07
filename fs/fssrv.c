/*
 * The file server: the server record, the dispatcher and the ops that are
 * one call into the volume each (fssrv.h). Walks are in fssrv_walk.c,
 * opens and closes with their consistency callbacks in fssrv_open.c.
 */
#include "fs/fssrv_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

struct fssrv *
fssrv_new(struct wfs *fs, uint32_t epoch, fssrv_notify_t notify, void *ctx)
{
    struct fssrv *s = kzalloc(sizeof(*s));
    if (!s)
        return NULL;
    mutex_init(&s->lock, "fssrv.lock");
    s->fs = fs;
    s->epoch = epoch;
    s->notify = notify;
    s->ctx = ctx;
    wfs_set_keep(fs, fssrv_ino_open, s);    /* unlinked open files stay (docs/wfs.md) */
    return s;
}

void
fssrv_free(struct fssrv *s)
{
    if (!s)
        return;
    fssrv_streams_free(s);
    wfs_set_keep(s->fs, NULL, NULL);
    fssrv_files_free(s);
    kfree(s);
}

static bool
is_type(const struct wfs_attr *a, uint32_t type)
{
    return (a->mode & WFS_S_IFMT) == type;
}

static int
do_read(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep, uint8_t *buf)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (err)
        return err;
    if (is_type(&a, WFS_S_IFDIR))
        return -EISDIR;
    if (req->len > FSPROTO_IO_MAX)
        return -EINVAL;
    long n = wfs_read(s->fs, req->fh.ino, req->off, buf, req->len);
    if (n < 0)
        return (int)n;
    rep->data = buf;
    rep->datalen = (size_t)n;
    s->st.bytes_read += (uint64_t)n;
    return 0;
}

static int
do_write(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (err)
        return err;
    if (!is_type(&a, WFS_S_IFREG))
        return is_type(&a, WFS_S_IFDIR) ? -EISDIR : -EINVAL;
    uint64_t off = (req->flags & FSP_APPEND) ? a.size : req->off;
    long n = wfs_write(s->fs, req->fh.ino, off, req->data, req->datalen);
    if (n < 0)
        return (int)n;
    rep->count = (uint32_t)n;
    s->st.bytes_written += (uint64_t)n;
    err = wfs_getattr(s->fs, req->fh.ino, &a);
    if (!err)
        fssrv_attr_out(&a, rep);
    return err;
}

static bool
in_group(const struct fsproto_cred *c, uint32_t gid)
{
    if (c->gid == gid)
        return true;
    for (unsigned i = 0; i < c->ngroups; i++)
        if (c->groups[i] == gid)
            return true;
    return false;
}

/* Linux's rules, simplified: root may do anything; the owner may change
 * mode, times and the group to one of its own; size needs write access. */
static int
may_setattr(const struct wfs_attr *a, const struct fsproto_msg *req)
{
    const struct fsproto_cred *c = &req->cred;
    bool owner = c->uid == 0 || c->uid == a->uid;
    if ((req->mask & WFS_SET_UID) && c->uid != 0 && req->attr.uid != a->uid)
        return -EPERM;
    if ((req->mask & WFS_SET_GID) && c->uid != 0 &&
        (!owner || !in_group(c, req->attr.gid)) && req->attr.gid != a->gid)
        return -EPERM;
    if ((req->mask & WFS_SET_MODE) && !owner)
        return -EPERM;
    if ((req->mask & (WFS_SET_ATIME | WFS_SET_MTIME)) && !owner && !fssrv_may(a, c, FSSRV_W))
        return -EPERM;
    if ((req->mask & WFS_SET_SIZE) && !fssrv_may(a, c, FSSRV_W))
        return -EACCES;
    return 0;
}

static int
do_setattr(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (!err)
        err = may_setattr(&a, req);
    if (err)
        return err;
    struct wfs_attr n = {
        .mode = req->attr.mode & 07777, .uid = req->attr.uid, .gid = req->attr.gid,
        .size = req->attr.size, .atime = req->attr.atime, .mtime = req->attr.mtime,
    };
    err = wfs_setattr(s->fs, req->fh.ino, &n, req->mask & 0x3f);
    if (!err)
        err = wfs_getattr(s->fs, req->fh.ino, &a);
    if (!err)
        fssrv_attr_out(&a, rep);
    return err;
}

static int
do_getattr(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (!err)
        fssrv_attr_out(&a, rep);
    return err;
}

/* The new object's handle and attributes into rep. */
static int
made(struct fssrv *s, uint32_t ino, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = wfs_getattr(s->fs, ino, &a);
    if (!err) {
        rep->fh = (struct fsproto_fh){ ino, a.generation };
        fssrv_attr_out(&a, rep);
    }
    return err;
}

/* Unlink; when that was the file's last name the reply names the file,
 * so the client drops what it caches of it, dirty blocks included (Sprite:
 * a file deleted before its write-back never reaches the disk). */
static int
do_unlink(struct fssrv *s, uint32_t dir, const char *name, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    uint32_t ino;
    int err = wfs_lookup(s->fs, dir, name, &ino);
    if (!err)
        err = wfs_getattr(s->fs, ino, &a);
    if (!err)
        err = wfs_unlink(s->fs, dir, name);
    if (!err && a.nlink <= 1)
        rep->fh = (struct fsproto_fh){ ino, a.generation };
    return err;
}

static int
do_name_op(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr d, d2, a;
    const struct fsproto_cred *c = &req->cred;
    uint32_t ino;
    int err = fssrv_dir(s, req->op == FSP_LINK ? req->fh2 : req->fh, c, FSSRV_W, &d);
    if (err)
        return err;
    switch (req->op) {
    case FSP_REMOVE:
        return (req->flags & FSP_RM_DIR) ? wfs_rmdir(s->fs, d.ino, req->name)
                                         : do_unlink(s, d.ino, req->name, rep);
    case FSP_MKDIR:
        err = wfs_mkdir(s->fs, d.ino, req->name, req->mode & 07777, c->uid, c->gid, &ino);
        return err ? err : made(s, ino, rep);
    case FSP_SYMLINK:
        if (!req->path[0])
            return -ENOENT;
        err = wfs_symlink(s->fs, d.ino, req->name, req->path, c->uid, c->gid, &ino);
        return err ? err : made(s, ino, rep);
    case FSP_LINK:
        err = fssrv_fh(s, req->fh, &a);
        if (!err && is_type(&a, WFS_S_IFDIR))
            err = -EPERM;
        if (!err)
            err = wfs_link(s->fs, a.ino, d.ino, req->name);
        return err ? err : made(s, a.ino, rep);
    case FSP_RENAME:
        err = fssrv_dir(s, req->fh2, c, FSSRV_W, &d2);
        return err ? err : wfs_rename(s->fs, d.ino, req->name, d2.ino, req->name2);
    }
    return -EINVAL;
}

static int
do_readlink(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (err)
        return err;
    if (!is_type(&a, WFS_S_IFLNK))
        return -EINVAL;
    int n = wfs_readlink(s->fs, a.ino, rep->path, FSPROTO_PATH_MAX);
    if (n < 0)
        return n;
    rep->path[n] = 0;
    return 0;
}

struct fill {
    uint8_t *buf;
    size_t cap, used;
};

static int
fill_one(void *arg, const char *name, size_t len, uint32_t ino, unsigned type, uint64_t next)
{
    struct fill *f = arg;
    size_t n = fsproto_dirent_put(f->buf + f->used, f->cap - f->used, next, ino, type, name, len);
    if (!n)
        return 1;               /* full: the client asks again from this entry */
    f->used += n;
    return 0;
}

static int
do_readdir(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep, uint8_t *buf)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (err)
        return err;
    if (!is_type(&a, WFS_S_IFDIR))
        return -ENOTDIR;
    if (!fssrv_may(&a, &req->cred, FSSRV_R))
        return -EACCES;
    struct fill f = { buf, req->len < FSPROTO_IO_MAX ? req->len : FSPROTO_IO_MAX, 0 };
    err = wfs_readdir(s->fs, a.ino, req->cookie, fill_one, &f);
    if (err < 0)
        return err;
    if (err == 0)
        rep->flags = FSP_EOF;
    else if (f.used == 0)
        return -EINVAL;         /* not even one entry fits in what was asked */
    rep->data = buf;
    rep->datalen = f.used;
    return 0;
}

static int
do_statfs(struct fssrv *s, struct fsproto_msg *rep)
{
    struct wfs_statfs st;
    int err = wfs_statfs(s->fs, &st);
    if (!err)
        rep->statfs = (struct fsproto_statfs){ st.bsize, st.blocks, st.bfree, st.files,
                                               st.ffree, st.namelen };
    return err;
}

static int
dispatch(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep,
         uint8_t *buf)
{
    switch (req->op) {
    case FSP_WALK: return fssrv_walk(s, req, rep);
    case FSP_OPEN: return fssrv_open(s, node, req, rep);
    case FSP_CREATE: return fssrv_create(s, node, req, rep);
    case FSP_CLOSE: return fssrv_close(s, node, req);
    case FSP_READ: return do_read(s, req, rep, buf);
    case FSP_WRITE: return do_write(s, req, rep);
    case FSP_GETATTR: return do_getattr(s, req, rep);
    case FSP_SETATTR: return do_setattr(s, req, rep);
    case FSP_REMOVE:
    case FSP_MKDIR:
    case FSP_SYMLINK:
    case FSP_LINK:
    case FSP_RENAME: return do_name_op(s, req, rep);
    case FSP_READLINK: return do_readlink(s, req, rep);
    case FSP_READDIR: return do_readdir(s, req, rep, buf);
    case FSP_FSYNC: return wfs_fsync(s->fs);
    case FSP_STATFS: return do_statfs(s, rep);
    case FSP_SSHARE: return fssrv_sshare(s, node, req, rep);
    case FSP_SREF: return fssrv_sref(s, node, req);
    case FSP_SIO: return fssrv_sio(s, node, req, rep, buf);
    case FSP_MOVE: return fssrv_move(s, node, req, rep);
    case FSP_REOPEN: return fssrv_reopen(s, node, req, rep);
    case FSP_STEPS: return fssrv_steps(s, node, req, rep, buf);
    }
    return -EINVAL;             /* RECALL and DISABLE go to clients, not here */
}

void
fssrv_serve(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep,
            uint8_t *buf)
{
    memset(rep, 0, sizeof(*rep));
    rep->op = req->op;
    mutex_lock(&s->lock);
    if (req->op < FSP_NOPS)
        s->st.requests[req->op]++;
    rep->err = fssrv_recov_held(s, node, req->op) ? -EAGAIN : dispatch(s, node, req, rep, buf);
    if (rep->err)
        s->st.errors++;
    mutex_unlock(&s->lock);
}

void
fssrv_node_down(struct fssrv *s, int node)
{
    mutex_lock(&s->lock);
    fssrv_streams_node_down(s, node);
    fssrv_files_node_down(s, node);
    mutex_unlock(&s->lock);
}

void
fssrv_get_stats(struct fssrv *s, struct fssrv_stats *out)
{
    mutex_lock(&s->lock);
    *out = s->st;
    mutex_unlock(&s->lock);
}
