/*
 * Packing a descriptor table for another node (remote exec and
 * migration; docs/fs.md "Streams across nodes"). Each distinct open file
 * description becomes one stream record, so fds that share a description
 * (0, 1 and 2 on the console) still share one at the receiver:
 *  - files of the boot image (the initrd, the same on every node) are
 *    reopened there by path, with their flags and offset;
 *  - anything else stays where it is: a local file is exported, a remote
 *    one keeps its exporter; either way the exporter takes one reference
 *    "in transit" from this node (FS_HOLDER_TRANSIT), which the receiver
 *    claims (moves to itself) when it unpacks, or the sender gives back
 *    with fs_ctx_pack_discard when the receiver never got the message.
 *  - a /shared file (fs_rmt_stream.h) that only the migrating process
 *    holds moves with it (KIND_MOVED: the server's open moves to the
 *    target, the offset travels here); one that stays shared (remote
 *    exec, or a migrating process sharing it with others here) becomes a
 *    stream shared across nodes, its offset at the file server
 *    (KIND_SHARED: the server's record takes a transit reference that the
 *    receiver claims, as for exports).
 *  - streams exported by the sender itself need no claim when it knows
 *    the receiver (a migration's target, a remote exec's node): the
 *    sender takes the reference for the receiver directly (KIND_HELD), so
 *    the receiver makes no call back while it builds the process. If the
 *    receiver does not keep the process (migration not committed, remote
 *    exec refused), the sender drops that reference and the receiver's
 *    copy closes without a call (fs_remote_forget_held): exactly one of
 *    them gives it back, as with a claimed transit reference.
 * The cwd travels as a path, with the umask.
 *
 * Encoding (kernel/migrate.h buffers, integers big-endian): u32 magic
 * "WFSC", u32 version 1, u32 sender node, str cwd, u32 umask, u32 nofile,
 * u32 nstreams, nstreams x { u32 kind, u32 flags, PATH: str path, u64 off
 * | REMOTE: u32 node, u64 id, 12 x u64 attributes | HELD: as REMOTE, then
 * u32 holder (the target; node is the sender) | SHARED: u64 id, fh,
 * fsproto attributes | MOVED: u32 target, fh, u64 off, fsproto attributes,
 * u32 open-answer flags, u64 version, u64 prev }, u32 nfds, nfds x
 * { u32 fd, u32 stream, u32 cloexec }. Unpacking checks all of it before
 * it touches a reference: a short or malformed message is -EBADMSG.
 */
#include "fs/fs_remote.h"
#include "fs/fs_rmt_stream.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/migrate.h"

#define PACK_MAGIC   0x57465343u   /* "WFSC" */
#define PACK_VERSION 1
#define KIND_PATH    1
#define KIND_REMOTE  2
#define KIND_SHARED  3             /* a /shared stream, its offset at the server */
#define KIND_MOVED   4             /* a /shared stream whose open moved to the target */
#define KIND_HELD    5             /* the sender's export, its reference taken for the target */
#define PACK_PATH_MAX 512           /* longer initrd paths are exported instead */

struct stream_rec {
    uint32_t kind, flags;
    uint64_t off;
    uint32_t node;
    uint64_t id;
    uint32_t holder;                /* HELD: the node the reference was taken for */
    struct fs_attr_wire a;
    struct fsproto_fh fh;           /* SHARED, MOVED */
    struct fsproto_attr fa;
    uint32_t cflags;                /* MOVED: the target's open answer */
    uint64_t version, prev;
    char path[PACK_PATH_MAX];
};

struct fd_rec {
    uint32_t fd, stream, cloexec;
};

/* What unpack or discard reads, checked whole before any use. */
struct packed {
    uint32_t sender;
    char cwd[FS_PATH_MAX];
    uint32_t umask, nofile, nstreams, nfds;
    struct stream_rec s[FS_NFD];
    struct fd_rec fd[FS_NFD];
};

/* Drop the transit reference of record r (its receiver will not claim
 * it); a moved open comes back (only the sender asks: the receiver of an
 * unclaimed MOVED record leaves it to the sender's discard). */
static void
give_back(const struct stream_rec *r, uint32_t sender)
{
    int self = proc_node_self();
    if (r->kind == KIND_SHARED)
        (void)fs_rmt_stream_ref(r->id, FSP_HOLDER_TRANSIT(sender), FSP_HOLDER_NONE);
    if (r->kind == KIND_MOVED && (int)sender == self)
        (void)fs_rmt_move_back(r->fh, (int)r->flags, (int)r->node);
    if (r->kind == KIND_HELD && (int)sender == self)
        (void)fs_export_adjust(r->id, (int)r->holder, -1);
    if (r->kind != KIND_REMOTE)
        return;
    if ((int)r->node == self)
        (void)fs_export_adjust(r->id, FS_HOLDER_TRANSIT((int)sender), -1);
    else
        (void)fs_remote_ref((int)r->node, r->id, FS_HOLDER_TRANSIT((int)sender), -1);
}

static void
fattr_of(const struct vnode *v, struct fsproto_attr *a)
{
    *a = (struct fsproto_attr){ .mode = v->mode, .uid = v->uid, .gid = v->gid,
                                .nlink = v->nlink, .size = v->size, .blocks = v->blocks / 8,
                                .atime = (int64_t)v->atime, .mtime = (int64_t)v->mtime,
                                .ctime = (int64_t)v->ctime };
}

/* A /shared stream: moved to target when only this process holds it (and
 * a target is given), else shared through the server, with a transit
 * reference for the receiver. 1: neither could be done (the server did
 * not answer): the caller exports the stream as any other. */
static int
rmt_stream_of(struct file *f, struct stream_rec *r, bool alone, int target)
{
    int self = proc_node_self();
    if (alone && target >= 0 && target != self && fs_rmt_stream_is_plain(f)) {
        struct fsproto_msg *rep = kzalloc(sizeof(*rep));
        if (!rep)
            return 1;
        spin_lock(&f->lock);
        r->off = f->off;
        spin_unlock(&f->lock);
        r->fh = fs_rmt_node(f->vn)->fh;
        int err = fs_rmt_move_out(f, target, rep);
        r->kind = KIND_MOVED;
        r->node = (uint32_t)target;
        r->fa = rep->attr;
        r->cflags = rep->flags;
        r->version = rep->version;
        r->prev = rep->prev;
        kfree(rep);
        if (!err)
            return 0;
    }
    r->kind = KIND_SHARED;
    int err = fs_rmt_stream_share(f, &r->id, &r->fh);
    if (!err)
        err = fs_rmt_stream_ref(r->id, FSP_HOLDER_NONE, FSP_HOLDER_TRANSIT(self));
    fattr_of(f->vn, &r->fa);
    return err ? 1 : 0;
}

/* Fill r for f, taking the transit reference of a stream that stays. */
static int
stream_of(struct file *f, struct stream_rec *r, bool alone, int target)
{
    int self = proc_node_self();
    int node;
    uint64_t id;
    r->flags = (uint32_t)f->flags;
    if (f->vn->dev == FS_DEV_INITRD && fs_vn_path(f->vn, r->path, sizeof(r->path)) >= 0) {
        r->kind = KIND_PATH;
        spin_lock(&f->lock);
        r->off = f->off;
        spin_unlock(&f->lock);
        return 0;
    }
    if ((fs_rmt_stream_is_plain(f) || fs_rmt_stream_is_shared(f)) &&
        rmt_stream_of(f, r, alone, target) == 0)
        return 0;
    r->kind = KIND_REMOTE;
    fs_attr_wire_of(f->vn, &r->a);
    int err;
    if (fs_remote_whose(f, &node, &id)) {
        err = fs_remote_ref(node, id, -1, FS_HOLDER_TRANSIT(self));
    } else if (target >= 0 && target != self) {
        r->kind = KIND_HELD;            /* no claim: the target holds it already */
        r->holder = (uint32_t)target;
        err = fs_export_ref(f, target, &id), node = self;
    } else {
        err = fs_export_ref(f, FS_HOLDER_TRANSIT(self), &id), node = self;
    }
    r->node = (uint32_t)node;
    r->id = id;
    return err;
}

static void
put_fattr(struct mig_buf *b, const struct fsproto_attr *a)
{
    mig_put_u32(b, a->mode);
    mig_put_u32(b, a->uid);
    mig_put_u32(b, a->gid);
    mig_put_u32(b, a->nlink);
    mig_put_u64(b, a->size);
    mig_put_u64(b, a->blocks);
    mig_put_u64(b, (uint64_t)a->atime);
    mig_put_u64(b, (uint64_t)a->mtime);
    mig_put_u64(b, (uint64_t)a->ctime);
}

static void
get_fattr(struct mig_cur *c, struct fsproto_attr *a)
{
    a->mode = mig_get_u32(c);
    a->uid = mig_get_u32(c);
    a->gid = mig_get_u32(c);
    a->nlink = mig_get_u32(c);
    a->size = mig_get_u64(c);
    a->blocks = mig_get_u64(c);
    a->atime = (int64_t)mig_get_u64(c);
    a->mtime = (int64_t)mig_get_u64(c);
    a->ctime = (int64_t)mig_get_u64(c);
}

/* SHARED and MOVED records after their kind and flags. */
static void
put_rmt(struct mig_buf *b, const struct stream_rec *r)
{
    if (r->kind == KIND_SHARED)
        mig_put_u64(b, r->id);
    else
        mig_put_u32(b, r->node);
    mig_put_u32(b, r->fh.ino);
    mig_put_u32(b, r->fh.gen);
    if (r->kind == KIND_MOVED)
        mig_put_u64(b, r->off);
    put_fattr(b, &r->fa);
    if (r->kind == KIND_MOVED) {
        mig_put_u32(b, r->cflags);
        mig_put_u64(b, r->version);
        mig_put_u64(b, r->prev);
    }
}

static int
get_rmt(struct mig_cur *c, struct stream_rec *r)
{
    if (r->kind == KIND_SHARED)
        r->id = mig_get_u64(c);
    else
        r->node = mig_get_u32(c);
    r->fh.ino = mig_get_u32(c);
    r->fh.gen = mig_get_u32(c);
    if (r->kind == KIND_MOVED)
        r->off = mig_get_u64(c);
    get_fattr(c, &r->fa);
    if (r->kind == KIND_MOVED) {
        r->cflags = mig_get_u32(c);
        r->version = mig_get_u64(c);
        r->prev = mig_get_u64(c);
    }
    if ((r->fa.mode & S_IFMT) != S_IFREG || (r->kind == KIND_MOVED && r->node >= 256))
        return -EBADMSG;
    return 0;
}

static void
put_stream(struct mig_buf *b, const struct stream_rec *r)
{
    mig_put_u32(b, r->kind);
    mig_put_u32(b, r->flags);
    if (r->kind == KIND_PATH) {
        mig_put_str(b, r->path);
        mig_put_u64(b, r->off);
        return;
    }
    if (r->kind == KIND_SHARED || r->kind == KIND_MOVED) {
        put_rmt(b, r);
        return;
    }
    mig_put_u32(b, r->node);
    mig_put_u64(b, r->id);
    const uint64_t *w = &r->a.mode;
    for (int i = 0; i < 12; i++)
        mig_put_u64(b, w[i]);
    if (r->kind == KIND_HELD)
        mig_put_u32(b, r->holder);
}

/* Snapshot c's fds (referenced) and cwd path into p; all: cloexec ones too.
 * alone[k]: this table holds every reference of stream k (but the snapshot's). */
static int
snapshot(struct fs_ctx *c, bool all, struct packed *p, struct file **files, bool *alone)
{
    long n = fs_vn_path(c->cwd, p->cwd, sizeof(p->cwd));
    if (n < 0)
        memcpy(p->cwd, "/", 2);
    spin_lock(&c->lock);
    p->umask = c->umask;
    p->nofile = (uint32_t)c->nofile;
    for (int i = 0; i < FS_NFD; i++) {
        bool cloexec = (c->cloexec >> i) & 1;
        if (!c->fd[i] || (cloexec && !all))
            continue;
        uint32_t k = 0;
        while (k < p->nstreams && files[k] != c->fd[i])
            k++;
        if (k == p->nstreams) {
            files[k] = c->fd[i];
            fs_file_ref(files[k]);
            p->nstreams++;
        }
        p->fd[p->nfds++] = (struct fd_rec){ (uint32_t)i, k, cloexec };
    }
    for (uint32_t k = 0; k < p->nstreams; k++) {
        uint32_t held = 0;
        for (int i = 0; i < FS_NFD; i++)
            held += c->fd[i] == files[k];
        alone[k] = __atomic_load_n(&files[k]->refs, __ATOMIC_RELAXED) == held + 1;
    }
    spin_unlock(&c->lock);
    return 0;
}

/* Pack c's fds (all: with the close-on-exec ones) for node target (-1:
 * not known). This node's exports are held for target; move: a /shared
 * open that only c holds moves there (migration; remote exec shares it). */
static int
pack_fds(struct fs_ctx *c, struct mig_buf *b, bool all, int target, bool move)
{
    struct packed *p = kzalloc(sizeof(*p));
    struct file **files = kzalloc(sizeof(*files) * FS_NFD);
    bool alone[FS_NFD];
    int err = p && files ? 0 : -ENOMEM;
    uint32_t taken = 0;
    if (!err)
        err = snapshot(c, all, p, files, alone);
    while (!err && taken < p->nstreams) {
        err = stream_of(files[taken], &p->s[taken], move && alone[taken], target);
        if (!err)
            taken++;
        else
            kprintf("wisp: fs: stream %u of %u (kind %u, node %u, id %llu, dev %u) "
                    "cannot move: error %d\n", taken, p->nstreams, p->s[taken].kind,
                    p->s[taken].node, (unsigned long long)p->s[taken].id,
                    (unsigned)files[taken]->vn->dev, err);
    }
    if (!err) {
        mig_put_u32(b, PACK_MAGIC);
        mig_put_u32(b, PACK_VERSION);
        mig_put_u32(b, (uint32_t)proc_node_self());
        mig_put_str(b, p->cwd);
        mig_put_u32(b, p->umask);
        mig_put_u32(b, p->nofile);
        mig_put_u32(b, p->nstreams);
        for (uint32_t i = 0; i < p->nstreams; i++)
            put_stream(b, &p->s[i]);
        mig_put_u32(b, p->nfds);
        for (uint32_t i = 0; i < p->nfds; i++) {
            mig_put_u32(b, p->fd[i].fd);
            mig_put_u32(b, p->fd[i].stream);
            mig_put_u32(b, p->fd[i].cloexec);
        }
        err = b->err;
    }
    for (uint32_t i = 0; err && i < taken; i++) {
        give_back(&p->s[i], (uint32_t)proc_node_self());
        if (p->s[i].kind == KIND_MOVED)
            files[i]->priv = NULL;      /* the open came back */
    }
    for (uint32_t i = 0; p && files && i < p->nstreams; i++)
        fs_file_unref(files[i]);
    kfree(files);
    kfree(p);
    return err;
}

int
fs_ctx_pack_fds(struct fs_ctx *c, struct mig_buf *b, bool all)
{
    return pack_fds(c, b, all, -1, false);
}

int
fs_ctx_pack_mig(struct fs_ctx *c, struct mig_buf *b, int target)
{
    return pack_fds(c, b, true, target, true);
}

int
fs_ctx_pack(struct fs_ctx *c, struct mig_buf *b, int target)
{
    return pack_fds(c, b, false, target, false);
}

void
fs_ctx_forget_held(struct fs_ctx *c)
{
    if (!c)
        return;
    spin_lock(&c->lock);
    for (int i = 0; i < FS_NFD; i++)
        if (c->fd[i])
            fs_remote_forget_held(c->fd[i]);
    spin_unlock(&c->lock);
}

/* Read and check a whole message into p: 0 or -EBADMSG. */
static int
parse(struct mig_cur *c, struct packed *p)
{
    if (mig_get_u32(c) != PACK_MAGIC || mig_get_u32(c) != PACK_VERSION)
        return -EBADMSG;
    p->sender = mig_get_u32(c);
    mig_get_str(c, p->cwd, sizeof(p->cwd));
    p->umask = mig_get_u32(c) & 0777;
    p->nofile = mig_get_u32(c);
    p->nstreams = mig_get_u32(c);
    if (c->err || p->sender >= 256 || p->nstreams > FS_NFD)
        return -EBADMSG;
    for (uint32_t i = 0; i < p->nstreams && !c->err; i++) {
        struct stream_rec *r = &p->s[i];
        r->kind = mig_get_u32(c);
        r->flags = mig_get_u32(c);
        if (r->kind == KIND_PATH) {
            mig_get_str(c, r->path, sizeof(r->path));
            r->off = mig_get_u64(c);
        } else if (r->kind == KIND_REMOTE || r->kind == KIND_HELD) {
            r->node = mig_get_u32(c);
            r->id = mig_get_u64(c);
            uint64_t *w = &r->a.mode;
            for (int k = 0; k < 12; k++)
                w[k] = mig_get_u64(c);
            if (r->kind == KIND_HELD)
                r->holder = mig_get_u32(c);
            if (r->node >= 256 ||
                (r->kind == KIND_HELD && (r->node != p->sender || r->holder >= 256)))
                return -EBADMSG;
        } else if (r->kind == KIND_SHARED || r->kind == KIND_MOVED) {
            if (get_rmt(c, r))
                return -EBADMSG;
        } else {
            return -EBADMSG;
        }
    }
    p->nfds = mig_get_u32(c);
    if (c->err || p->nfds > FS_NFD)
        return -EBADMSG;
    uint64_t seen = 0;
    for (uint32_t i = 0; i < p->nfds; i++) {
        struct fd_rec *d = &p->fd[i];
        d->fd = mig_get_u32(c);
        d->stream = mig_get_u32(c);
        d->cloexec = mig_get_u32(c);
        if (c->err || d->fd >= FS_NFD || d->stream >= p->nstreams || d->cloexec > 1 ||
            (seen >> d->fd) & 1)
            return -EBADMSG;
        seen |= 1ull << d->fd;
    }
    return c->err ? -EBADMSG : 0;
}

/* A /shared stream: a moved open is this node's already; a shared
 * stream's transit reference is claimed. */
static int
materialize_rmt(const struct stream_rec *r, int transit, int flags, struct file **out)
{
    int self = proc_node_self();
    if (r->kind == KIND_MOVED) {
        struct fsproto_msg *rep = kzalloc(sizeof(*rep));
        if (rep) {
            rep->attr = r->fa;
            rep->flags = r->cflags;
            rep->version = r->version;
            rep->prev = r->prev;
            *out = fs_rmt_move_in(r->fh, flags, r->off, rep);
        }
        kfree(rep);
        return rep && *out ? 0 : -ENOMEM;
    }
    int err = fs_rmt_stream_ref(r->id, (uint32_t)transit, (uint32_t)self);
    if (err)
        return err;
    *out = fs_rmt_stream_file(r->id, r->fh, flags, &r->fa);
    if (!*out) {
        (void)fs_rmt_stream_ref(r->id, (uint32_t)self, FSP_HOLDER_NONE);
        return -ENOMEM;
    }
    return 0;
}

/* The receiver's file for record r (claiming its transit reference). */
static int
materialize(struct fs_ctx *ctx, const struct stream_rec *r, uint32_t sender, struct file **out)
{
    int self = proc_node_self();
    int transit = FS_HOLDER_TRANSIT((int)sender);
    int flags = (int)r->flags & ~(O_CREAT | O_TRUNC | O_EXCL);
    if (r->kind == KIND_PATH) {
        int err = fs_open_path(ctx, NULL, r->path, flags, 0, out);
        if (!err)
            (*out)->off = r->off;
        return err;
    }
    if (r->kind == KIND_SHARED || r->kind == KIND_MOVED)
        return materialize_rmt(r, transit, flags, out);
    if (r->kind == KIND_HELD) {         /* taken for us by its exporter: no call */
        if ((int)r->holder != self || (int)r->node == self)
            return -EBADMSG;
        *out = fs_remote_file((int)r->node, r->id, flags, &r->a);
        if (!*out)
            return -ENOMEM;             /* the sender's discard drops it */
        fs_remote_mark_held(*out);
        return 0;
    }
    if ((int)r->node == self) {         /* coming back to its exporter */
        *out = fs_export_get(r->id, transit);
        if (!*out)
            return -EBADF;
        (void)fs_export_adjust(r->id, transit, -1);
        return 0;
    }
    int err = fs_remote_ref((int)r->node, r->id, transit, self);
    if (err)
        return err;
    *out = fs_remote_file((int)r->node, r->id, flags, &r->a);
    if (!*out) {
        (void)fs_remote_ref((int)r->node, r->id, self, -1);
        return -ENOMEM;
    }
    return 0;
}

/* Make the context: every stream claimed, or none kept (those not yet
 * claimed are given back, those claimed closed again). */
static struct fs_ctx *
build(struct packed *p, int *errp)
{
    struct fs_ctx *ctx = fs_ctx_new_empty(fs_root);
    struct file *files[FS_NFD];
    uint32_t made = 0;
    int err = ctx ? 0 : -ENOMEM;
    for (; !err && made < p->nstreams; made++) {
        err = materialize(ctx, &p->s[made], p->sender, &files[made]);
        if (err) {
            const struct stream_rec *r = &p->s[made];
            kprintf("wisp: fs: moved stream %u of %u (kind %u, node %u, id %llu) not "
                    "claimed: error %d\n", made, p->nstreams, r->kind, r->node,
                    (unsigned long long)r->id, err);
            break;
        }
    }
    for (uint32_t i = made + (ctx ? 1 : 0); err && i < p->nstreams; i++)
        give_back(&p->s[i], p->sender);
    if (!err) {
        struct vnode *cwd;
        if (fs_namei(ctx, NULL, p->cwd, FS_NAMEI_FOLLOW, &cwd, NULL) == 0) {
            if (FS_ISDIR(cwd->mode)) {
                fs_vn_unref(ctx->cwd);
                ctx->cwd = cwd;
            } else {
                fs_vn_unref(cwd);
            }
        }
        ctx->umask = p->umask;
        ctx->nofile = (int)MIN(MAX(p->nofile, 3u), (uint32_t)FS_NFD);
        for (uint32_t i = 0; i < p->nfds; i++) {
            struct file *f = files[p->fd[i].stream];
            fs_file_ref(f);
            ctx->fd[p->fd[i].fd] = f;
            if (p->fd[i].cloexec)
                ctx->cloexec |= 1ull << p->fd[i].fd;
        }
    }
    for (uint32_t i = 0; i < made; i++) {
        if (err && p->s[i].kind == KIND_MOVED)
            files[i]->priv = FS_RMT_MOVED;  /* the sender takes the open back */
        if (err)
            fs_remote_forget_held(files[i]);    /* the sender drops its reference */
        fs_file_unref(files[i]);        /* the table holds its own references */
    }
    if (err) {
        fs_ctx_free(ctx);
        *errp = err;
        return NULL;
    }
    return ctx;
}

struct fs_ctx *
fs_ctx_unpack(struct mig_cur *c, int *errp)
{
    struct packed *p = kzalloc(sizeof(*p));
    if (!p) {
        *errp = -ENOMEM;
        return NULL;
    }
    int err = parse(c, p);
    struct fs_ctx *ctx = NULL;
    if (err)
        fs_export_count_bad();
    else
        ctx = build(p, &err);
    kfree(p);
    *errp = err;
    return ctx;
}

void
fs_ctx_pack_discard(const void *packed, size_t len)
{
    struct packed *p = kzalloc(sizeof(*p));
    struct mig_cur c;
    mig_cur_init(&c, packed, len);
    if (p && parse(&c, p) == 0)
        for (uint32_t i = 0; i < p->nstreams; i++)
            give_back(&p->s[i], p->sender);
    kfree(p);
}
