/*
 * The shared file system's client: the mount at /shared, requests to the
 * server, and the directory and name ops. Each lookup asks the server
 * (WALK of one component) and makes a new vnode: nothing about names is
 * cached, so another node's rename or unlink is seen at once (Sprite did
 * not cache names on clients either). File ops are in fs_rmt_file.c.
 */
#include "fs/fs_rmt.h"
#include "fs/fs_sticky.h"
#include "fs/fssrv.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc.h"

static int server_node, self_node = -1;
static uint64_t sent[FSP_NOPS];

int
fs_rmt_server(void)
{
    return server_node;
}

int
fs_rmt_self(void)
{
    return self_node;
}

struct fs_rmt_call *
fs_rmt_call_new(unsigned op, struct vnode *v)
{
    struct fs_rmt_call *c = kzalloc(sizeof(*c));
    if (!c)
        return NULL;
    c->buf = kmalloc(RPC_MAX_DATA);
    c->qbuf = kmalloc(RPC_MAX_DATA);
    if (!c->buf || !c->qbuf) {
        fs_rmt_call_free(c);
        return NULL;
    }
    c->req.op = (uint16_t)op;
    if (v)
        c->req.fh = fs_rmt_node(v)->fh;
    struct fsproto_cred *cr = &c->req.cred;
    cr->ngroups = (uint16_t)proc_cur_fscred(&cr->uid, &cr->gid, cr->groups, FSPROTO_GROUPS_MAX);
    return c;
}

void
fs_rmt_call_free(struct fs_rmt_call *c)
{
    if (c) {
        kfree(c->buf);
        kfree(c->qbuf);
        kfree(c);
    }
}

/* One try of c. */
static int
call_once(struct fs_rmt_call *c, size_t n)
{
    unsigned op = c->req.op;
    sent[op]++;
    size_t rlen = RPC_MAX_DATA;
    int err;
    if (server_node == self_node)
        err = fssrv_rpc_local(op, c->qbuf, (size_t)n, c->buf, &rlen);
    else
        err = rpc_call(server_node, FSPROTO_RPC_BASE + (int)op, c->qbuf, (size_t)n, c->buf,
                       RPC_MAX_DATA, &rlen);
    if (!err)
        err = fsproto_get_rep(op, c->buf, rlen, &c->rep);
    return err ? err : c->rep.err;
}

/* Sent again while the server is down or rebooting, for at most
 * fsretry= seconds (fs_rmt_recov.c). */
int
fs_rmt_call_do(struct fs_rmt_call *c)
{
    long n = fsproto_put_req(&c->req, c->qbuf, RPC_MAX_DATA);
    if (n < 0)
        return (int)n;
    uint64_t start = arch_time_ns();
    int err;
    do {
        fs_rmt_recov_wait(start);
        if (c->epoch && c->epoch != fs_rmt_recov_epoch())
            return -ESTALE;     /* a close behind that a reopen made moot */
        err = call_once(c, (size_t)n);
    } while (fs_rmt_recov_retry(c->req.op, &err, start));
    return err;
}

void
fs_rmt_attr_in(struct vnode *v, const struct fsproto_attr *a)
{
    v->mode = a->mode;
    v->uid = a->uid;
    v->gid = a->gid;
    v->nlink = a->nlink;
    v->size = a->size;
    v->blocks = a->blocks * 8;
    v->atime = (uint64_t)a->atime;
    v->mtime = (uint64_t)a->mtime;
    v->ctime = (uint64_t)a->ctime;
}

void
fs_rmt_release(struct vnode *v)
{
    if (fs_rmt_node(v)->preopen)        /* opened by a STEPS, never taken */
        fs_rmt_preopen_drop(fs_rmt_node(v)->fh);
    kfree(fs_rmt_node(v)->target);
    kfree(fs_rmt_node(v));
}

struct vnode *
fs_rmt_vnode(struct vnode *dir, struct fsproto_fh fh, const struct fsproto_attr *a)
{
    struct fs_rmt_node *n = kzalloc(sizeof(*n));
    if (!n)
        return NULL;
    struct vnode *v = &n->vn;
    v->refs = 1;
    v->dynamic = true;
    v->dev = FS_DEV_SHARED;
    v->ino = fh.ino;
    v->own_attrs = true;
    fs_rmt_attr_in(v, a);
    v->ops = FS_ISDIR(a->mode) ? &fs_rmt_dir_ops : FS_ISLNK(a->mode) ? &fs_rmt_link_ops
                                                                    : &fs_rmt_file_ops;
    n->fh = fh;
    if (dir) {
        v->parent = dir;
        fs_vn_ref(dir);
    }
    return v;
}

static int
name_in(struct fs_rmt_call *c, const char *name, size_t len, char *dst)
{
    if (len > FSPROTO_NAME_MAX)
        return -ENAMETOOLONG;
    memcpy(dst, name, len);
    dst[len] = 0;
    return 0;
}

static int
fs_rmt_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_WALK, dir);
    int err = c ? name_in(c, name, len, c->req.path) : -ENOMEM;
    if (!err)
        err = fs_rmt_call_do(c);
    if (!err && (c->rep.flags & FSP_REDIRECT))
        err = -ENOENT;          /* one component never leaves the server */
    if (!err) {
        *out = fs_rmt_vnode(dir, c->rep.fh, &c->rep.attr);
        if (!*out)
            err = -ENOMEM;
        else
            memcpy((*out)->name, name, len), (*out)->name[len] = 0;
    }
    fs_rmt_call_free(c);
    return err;
}

/* getdent answers from the read-ahead when a listing goes on
 * (fs_rmt_dirbuf.c), else asks for one reply's worth from the cookie idx,
 * keeps it there, and takes the first entry that is not "." or "..". */
static int
fs_rmt_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de)
{
    struct fsproto_fh fh = fs_rmt_node(dir)->fh;
    int r = fs_rmt_dirbuf_get(fh, idx, de);
    if (r >= 0)
        return r;
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_READDIR, dir);
    if (!c)
        return -ENOMEM;
    int err = 0, found = 0;
    while (!err && !found) {
        c->req.cookie = idx;
        c->req.len = FS_RMT_DIRBUF_BYTES;
        err = fs_rmt_call_do(c);
        if (!err)
            fs_rmt_dirbuf_put(fh, c->req.cookie, c->rep.data, c->rep.datalen,
                              (c->rep.flags & FSP_EOF) != 0);
        size_t off = 0;
        while (!err && !found) {
            uint32_t ino;
            unsigned type;
            long k = fsproto_dirent_get(c->rep.data + off, c->rep.datalen - off, &idx, &ino,
                                        &type, de->name);
            if (k <= 0) {
                err = (int)k;
                break;
            }
            off += (size_t)k;
            if (strcmp(de->name, ".") && strcmp(de->name, "..")) {
                de->ino = ino;
                de->type = (uint8_t)type;
                de->next = idx;
                found = 1;
            }
        }
        if (!found && !err && (c->rep.flags & FSP_EOF))
            break;
    }
    fs_rmt_call_free(c);
    return err ? err : found ? 0 : 1;
}

static int
fs_rmt_create(struct vnode *dir, const char *name, size_t len, uint32_t mode, const char *target,
             struct vnode **out)
{
    unsigned op = FS_ISDIR(mode) ? FSP_MKDIR : FS_ISLNK(mode) ? FSP_SYMLINK : FSP_CREATE;
    struct fs_rmt_call *c = fs_rmt_call_new(op, dir);
    int err = c ? name_in(c, name, len, c->req.name) : -ENOMEM;
    if (!err && target && strlen(target) > FSPROTO_PATH_MAX)
        err = -ENAMETOOLONG;
    if (!err) {
        c->req.mode = mode & 07777;
        c->req.flags = O_RDONLY | O_EXCL;
        if (target)
            k_strlcpy(c->req.path, target, sizeof(c->req.path));
        err = fs_rmt_call_do(c);
        fs_rmt_dirbuf_changed();     /* a name changed: listings ask again */
    }
    if (!err && op == FSP_CREATE) {
        /* CREATE opened it; the VFS opens the new vnode itself: close this one */
        struct fsproto_fh fh = c->rep.fh;
        struct fsproto_attr a = c->rep.attr;
        c->req.op = FSP_CLOSE;
        c->req.fh = fh;
        (void)fs_rmt_call_do(c);
        c->rep.fh = fh;
        c->rep.attr = a;
    }
    if (!err && !(*out = fs_rmt_vnode(dir, c->rep.fh, &c->rep.attr)))
        err = -ENOMEM;
    if (!err)
        memcpy((*out)->name, name, len), (*out)->name[len] = 0;
    fs_rmt_call_free(c);
    return err;
}

static int
fs_rmt_link(struct vnode *dir, const char *name, size_t len, struct vnode *v)
{
    if (v->dev != FS_DEV_SHARED)
        return -EXDEV;
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_LINK, v);
    int err = c ? name_in(c, name, len, c->req.name) : -ENOMEM;
    if (!err) {
        c->req.fh2 = fs_rmt_node(dir)->fh;
        err = fs_rmt_call_do(c);
        fs_rmt_dirbuf_changed();     /* a name changed: listings ask again */
    }
    if (!err)
        fs_rmt_attr_in(v, &c->rep.attr);
    fs_rmt_call_free(c);
    return err;
}

static int
fs_rmt_unlink(struct vnode *dir, const char *name, size_t len, bool rmdir)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_REMOVE, dir);
    int err = c ? name_in(c, name, len, c->req.name) : -ENOMEM;
    if (!err) {
        c->req.flags = rmdir ? FSP_RM_DIR : 0;
        err = fs_rmt_call_do(c);
        fs_rmt_dirbuf_changed();     /* a name changed: listings ask again */
    }
    if (!err && c->rep.fh.ino)
        fs_rmt_cache_removed(c->rep.fh);        /* its last name went */
    fs_rmt_call_free(c);
    return err;
}

static int
fs_rmt_rename(struct vnode *odir, const char *oname, size_t olen, struct vnode *ndir,
             const char *nname, size_t nlen, int flags)
{
    if (flags)
        return -EINVAL;         /* RENAME_NOREPLACE: not in the protocol yet */
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_RENAME, odir);
    int err = c ? name_in(c, oname, olen, c->req.name) : -ENOMEM;
    if (!err)
        err = name_in(c, nname, nlen, c->req.name2);
    if (!err) {
        c->req.fh2 = fs_rmt_node(ndir)->fh;
        err = fs_rmt_call_do(c);
        fs_rmt_dirbuf_changed();     /* a name changed: listings ask again */
    }
    fs_rmt_call_free(c);
    return err;
}

static long
fs_rmt_readlink(struct vnode *v, char *buf, size_t n)
{
    struct fs_rmt_node *rn = fs_rmt_node(v);
    if (rn->target) {           /* a walk's STEPS brought it: a link never changes */
        size_t len = MIN(rn->tlen, n);
        memcpy(buf, rn->target, len);
        return (long)len;
    }
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_READLINK, v);
    long err = c ? fs_rmt_call_do(c) : -ENOMEM;
    if (!err) {
        size_t len = strlen(c->rep.path);
        err = (long)(len < n ? len : n);
        memcpy(buf, c->rep.path, (size_t)err);
    }
    fs_rmt_call_free(c);
    return err;
}

static void
fs_rmt_statfs(struct vnode *v, struct fs_statfs *st)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_STATFS, NULL);
    if (c && fs_rmt_call_do(c) == 0) {
        st->bsize = c->rep.statfs.bsize;
        st->blocks = c->rep.statfs.blocks;
        st->bfree = c->rep.statfs.bfree;
        st->files = c->rep.statfs.files;
        st->ffree = c->rep.statfs.ffree;
    }
    st->type = 0x57495350;      /* "WISP" */
    fs_rmt_call_free(c);
}

const struct vnode_ops fs_rmt_dir_ops = {
    .lookup = fs_rmt_lookup, .lookup_ahead = fs_rmt_lookup_ahead, .getdent = fs_rmt_getdent,
    .release = fs_rmt_release,
    .create = fs_rmt_create, .link = fs_rmt_link, .unlink = fs_rmt_unlink,
    .rename = fs_rmt_rename, .setattr = fs_rmt_setattr, .statfs = fs_rmt_statfs,
    .open = fs_rmt_open, .close = fs_rmt_close, .getattr = fs_rmt_getattr,
};

const struct vnode_ops fs_rmt_link_ops = {
    .readlink = fs_rmt_readlink, .release = fs_rmt_release, .setattr = fs_rmt_setattr,
    .statfs = fs_rmt_statfs,
};

/* ---- the server's callbacks ---- */

static int
callback(unsigned op, const void *q, size_t qlen, void *r, size_t *rlen)
{
    struct fsproto_msg *m = kmalloc(sizeof(*m));
    if (!m)
        return -ENOMEM;
    int err = fsproto_get_req(op, q, qlen, m);
    if (!err) {
        /* recall: write back; disable: write back, drop, stop caching */
        m->err = fs_rmt_cache_callback(m->fh, op == FSP_DISABLE);
        long n = fsproto_put_rep(m, r, *rlen);
        err = n < 0 ? (int)n : 0;
        *rlen = n < 0 ? 0 : (size_t)n;
    }
    kfree(m);
    return err;
}

int
fs_rpc_recall(int from, const void *q, size_t qlen, void *r, size_t *rlen)
{
    return from == server_node ? callback(FSP_RECALL, q, qlen, r, rlen) : -EPERM;
}

int
fs_rpc_disable(int from, const void *q, size_t qlen, void *r, size_t *rlen)
{
    return from == server_node ? callback(FSP_DISABLE, q, qlen, r, rlen) : -EPERM;
}

int
fs_rmt_sync(void)
{
    fs_rmt_close_drain();
    int err = fs_rmt_cache_sync();
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_FSYNC, NULL);
    if (c) {
        c->req.fh = (struct fsproto_fh){ 1, 0 };
        int r = fs_rmt_call_do(c);
        err = err ? err : r;
    }
    fs_rmt_call_free(c);
    return err;
}

long
sys_wisp_fsstat(uint64_t ubuf, long size)
{
    struct wisp_fsstat o;
    struct fs_rmt_stats c;
    struct fssrv_stats s;
    uint64_t bad = 0;
    if (size < 0)
        return -EINVAL;
    memset(&o, 0, sizeof(o));
    fs_rmt_cache_stats(&c);
    o.hits = c.hits, o.misses = c.misses, o.fetched_blocks = c.fetched_blocks;
    o.written_back = c.written_back, o.recalled = c.recalled, o.disabled = c.disabled;
    o.cache_blocks = c.blocks, o.cache_dirty = c.dirty_blocks, o.cache_max = c.max_blocks;
    o.dropped_unsent = c.dropped_unsent;
    for (unsigned i = 0; i < FSP_NOPS && i < WISP_FSSTAT_OPS; i++)
        o.sent[i] = sent[i];
    o.steps_sent = sent[FSP_STEPS];
    fs_rmt_ahead_stats(&o.ahead_used, &o.ahead_dropped);
    fs_map_kept(&o.sticky_kept, &o.sticky_taken);
    fs_rmt_close_stats(&o.closes_behind, &o.closes_queue_full, &o.closes_moot);
    fs_rmt_preopen_stats(&o.preopens_taken, &o.preopens_unused);
    if (fssrv_rpc_stats(&s, &bad)) {
        o.serving = 1;
        for (unsigned i = 0; i < FSP_NOPS && i < WISP_FSSTAT_OPS; i++)
            o.served[i] = s.requests[i];
        o.served_steps = s.requests[FSP_STEPS];
        o.srv_errors = s.errors, o.srv_bad = bad, o.srv_recalls = s.recalls;
        o.srv_disables = s.disables, o.srv_callback_failures = s.callback_failures;
        o.srv_bytes_read = s.bytes_read, o.srv_bytes_written = s.bytes_written;
        o.srv_open_files = s.files;
    }
    size_t n = MIN((size_t)size, sizeof(o));
    int err = copyout(ubuf, &o, n);
    return err ? err : (long)n;
}

/* ---- the mount ---- */

int
fs_rmt_start(int self, const struct cmdline *cl)
{
    uint64_t srv = 0;
    if (cmdline_get_u64(cl, "fsserver", 0, &srv) || srv > 255)
        srv = 0;
    server_node = (int)srv;
    self_node = self;
    fs_rmt_cache_init(cl);
    fs_rmt_recov_init(server_node, self_node, cl);
    fs_rmt_close_init(cl);
    if (cmdline_get(cl, "fsmount") && !strcmp(cmdline_get(cl, "fsmount"), "off"))
        return 0;
    /* The root's handle is (1, 0) on every client: the server takes
     * generation 0 for its root, which is never freed. Its attributes here
     * are placeholders until the server answers (the server need not be up
     * when a client boots). */
    struct fsproto_attr a = { .mode = S_IFDIR | 0755, .nlink = 2 };
    struct vnode *root = fs_rmt_vnode(NULL, (struct fsproto_fh){ 1, 0 }, &a);
    struct vnode *dir;
    if (!root)
        return -ENOMEM;
    int err = fs_mount_point("/shared", &dir);
    if (!err) {
        if (!FS_ISDIR(dir->mode) || dir->mounted)
            err = -EBUSY;
        else
            fs_vn_mount(dir, root);
        fs_vn_unref(dir);
    }
    if (err) {
        kfree(fs_rmt_node(root));
        kprintf("wisp: fs: shared: cannot mount /shared: error %d\n", -err);
    } else {
        kprintf("wisp: fs: shared: node %d's volume on /shared\n", server_node);
    }
    return err;
}
