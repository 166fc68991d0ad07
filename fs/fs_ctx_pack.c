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
 * The cwd travels as a path, with the umask.
 *
 * Encoding (kernel/migrate.h buffers, integers big-endian): u32 magic
 * "WFSC", u32 version 1, u32 sender node, str cwd, u32 umask, u32 nofile,
 * u32 nstreams, nstreams x { u32 kind, u32 flags, PATH: str path, u64 off
 * | REMOTE: u32 node, u64 id, 12 x u64 attributes }, u32 nfds, nfds x
 * { u32 fd, u32 stream, u32 cloexec }. Unpacking checks all of it before
 * it touches a reference: a short or malformed message is -EBADMSG.
 */
#include "fs/fs_remote.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/migrate.h"

#define PACK_MAGIC   0x57465343u   /* "WFSC" */
#define PACK_VERSION 1
#define KIND_PATH    1
#define KIND_REMOTE  2
#define PACK_PATH_MAX 512           /* longer initrd paths are exported instead */

struct stream_rec {
    uint32_t kind, flags;
    uint64_t off;
    uint32_t node;
    uint64_t id;
    struct fs_attr_wire a;
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

/* Drop the transit reference of record r (its receiver will not claim it). */
static void
give_back(const struct stream_rec *r, uint32_t sender)
{
    if (r->kind != KIND_REMOTE)
        return;
    if ((int)r->node == proc_node_self())
        (void)fs_export_adjust(r->id, FS_HOLDER_TRANSIT((int)sender), -1);
    else
        (void)fs_remote_ref((int)r->node, r->id, FS_HOLDER_TRANSIT((int)sender), -1);
}

/* Fill r for f, taking the transit reference of a stream that stays. */
static int
stream_of(struct file *f, struct stream_rec *r)
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
    r->kind = KIND_REMOTE;
    fs_attr_wire_of(f->vn, &r->a);
    int err;
    if (fs_remote_whose(f, &node, &id))
        err = fs_remote_ref(node, id, -1, FS_HOLDER_TRANSIT(self));
    else
        err = fs_export_ref(f, FS_HOLDER_TRANSIT(self), &id), node = self;
    r->node = (uint32_t)node;
    r->id = id;
    return err;
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
    mig_put_u32(b, r->node);
    mig_put_u64(b, r->id);
    const uint64_t *w = &r->a.mode;
    for (int i = 0; i < 12; i++)
        mig_put_u64(b, w[i]);
}

/* Snapshot c's fds (referenced) and cwd path into p; all: cloexec ones too. */
static int
snapshot(struct fs_ctx *c, bool all, struct packed *p, struct file **files)
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
    spin_unlock(&c->lock);
    return 0;
}

int
fs_ctx_pack_fds(struct fs_ctx *c, struct mig_buf *b, bool all)
{
    struct packed *p = kzalloc(sizeof(*p));
    struct file **files = kzalloc(sizeof(*files) * FS_NFD);
    int err = p && files ? 0 : -ENOMEM;
    uint32_t taken = 0;
    if (!err)
        err = snapshot(c, all, p, files);
    while (!err && taken < p->nstreams) {
        err = stream_of(files[taken], &p->s[taken]);
        if (!err)
            taken++;
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
    for (uint32_t i = 0; err && i < taken; i++)
        give_back(&p->s[i], (uint32_t)proc_node_self());
    for (uint32_t i = 0; p && files && i < p->nstreams; i++)
        fs_file_unref(files[i]);
    kfree(files);
    kfree(p);
    return err;
}

int
fs_ctx_pack(struct fs_ctx *c, struct mig_buf *b)
{
    return fs_ctx_pack_fds(c, b, false);
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
        } else if (r->kind == KIND_REMOTE) {
            r->node = mig_get_u32(c);
            r->id = mig_get_u64(c);
            uint64_t *w = &r->a.mode;
            for (int k = 0; k < 12; k++)
                w[k] = mig_get_u64(c);
            if (r->node >= 256)
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
        if (err)
            break;
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
    for (uint32_t i = 0; i < made; i++)
        fs_file_unref(files[i]);        /* the table holds its own references */
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
