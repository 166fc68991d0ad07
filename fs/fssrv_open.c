/*
 * The file server's opens and closes: permission, O_TRUNC, and Sprite's
 * consistency (fsconsist.c) with its callbacks to clients. The table of
 * files some client has open is a list (a cluster's open files are few
 * next to a disk's); a record lives while the file is open anywhere or its
 * last writer may still hold dirty blocks.
 */
#include "fs/fs_abi.h"
#include "fs/fssrv_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

static struct fssrv_file *
find_file(struct fssrv *s, uint32_t ino, uint32_t gen)
{
    for (struct fssrv_file *f = s->files; f; f = f->next)
        if (f->ino == ino && f->gen == gen)
            return f;
    return NULL;
}

/* Versions come from one counter per boot, above a random epoch: a number
 * is never issued twice, in this boot or another, so a client's cached
 * blocks match a version only if nobody opened the file for writing since
 * they were cached. */
static uint64_t
next_version(struct fssrv *s)
{
    return (uint64_t)s->epoch << 32 | ++s->vcount;
}

static struct fssrv_file *
get_file(struct fssrv *s, uint32_t ino, uint32_t gen)
{
    struct fssrv_file *f = find_file(s, ino, gen);
    if (f || !(f = kzalloc(sizeof(*f))))
        return f;
    f->ino = ino;
    f->gen = gen;
    f->wrote = FSCONSIST_NONE;
    fsconsist_init(&f->cons);
    f->cons.version = next_version(s);
    f->next = s->files;
    s->files = f;
    s->nfiles++;
    s->st.files++;
    return f;
}

static bool
idle(const struct fssrv_file *f)
{
    return !fsconsist_is_open(&f->cons) && f->cons.last_writer == FSCONSIST_NONE;
}

/* A record stays after its file is closed everywhere, so its version (and
 * the clients' caches of it) stay valid; past FSSRV_FILES_MAX records the
 * least recently opened idle one goes (its clients' caches then miss once). */
static void
put_file(struct fssrv *s, struct fssrv_file *f)
{
    if (!idle(f) || s->nfiles <= FSSRV_FILES_MAX)
        return;
    struct fssrv_file **pp = &s->files, **victim = NULL;
    for (; *pp; pp = &(*pp)->next)
        if (idle(*pp))
            victim = pp;
    if (!victim)
        return;
    struct fssrv_file *v = *victim;
    *victim = v->next;
    fsconsist_free(&v->cons);
    kfree(v);
    s->nfiles--;
    s->st.files--;
}

static unsigned
cons_mode(uint32_t flags)
{
    switch (flags & O_ACCMODE) {
    case O_RDONLY: return FSCONSIST_READ;
    case O_WRONLY: return FSCONSIST_WRITE;
    case O_RDWR: return FSCONSIST_READ | FSCONSIST_WRITE;
    default: return 0;
    }
}

/* Call one client back, with the lock dropped. A client that cannot be
 * reached is down for every file. */
static void
call_back(struct fssrv *s, struct fssrv_file *f, int node, unsigned op)
{
    struct fsproto_fh fh = { f->ino, f->gen };
    uint64_t version = f->cons.version;
    mutex_unlock(&s->lock);
    int err = s->notify ? s->notify(s->ctx, node, op, fh, version) : -EHOSTDOWN;
    mutex_lock(&s->lock);
    if (op == FSP_RECALL)
        s->st.recalls++;
    else
        s->st.disables++;
    if (err) {
        s->st.callback_failures++;
        fssrv_files_node_down(s, node);
    } else {
        fsconsist_written_back(&f->cons, node);
    }
}

/* Whether an open of f by node may have to call another client back
 * (conservative: someone else has it open, or may hold dirty blocks). */
static bool
may_call_back(const struct fssrv_file *f, int node)
{
    if (f->cons.last_writer != FSCONSIST_NONE && f->cons.last_writer != node)
        return true;
    for (unsigned i = 0; i < f->cons.nclients; i++)
        if (f->cons.clients[i].node != node)
            return true;
    return false;
}

/* The consistency part of an open of f (which the caller holds open
 * through fsconsist_open, so f outlives the callbacks). At most
 * FSSRV_CALLBACKS_MAX requests wait on callbacks at once: an open that may
 * need one beyond that is answered -EAGAIN (the client retries), so an
 * RPC server thread is always left for the WRITEs that answer a recall
 * (docs/fs.md "Callbacks and server threads"). */
static int
cons_open(struct fssrv *s, int node, struct fssrv_file *f, unsigned mode, struct fsproto_msg *rep)
{
    bool cb = may_call_back(f, node);
    if (cb && s->calling_back >= FSSRV_CALLBACKS_MAX) {
        s->st.callback_waits++;
        return -EAGAIN;
    }
    struct fsconsist_actions act = { .ncap = (uint16_t)(fsconsist_nclients(&f->cons) + 1) };
    struct fsconsist_reply cr;
    act.disable = kmalloc(act.ncap * sizeof(*act.disable));
    if (!act.disable)
        return -ENOMEM;
    s->calling_back += cb;
    int err = fsconsist_open(&f->cons, node, mode, &act, &cr);
    if (!err && (mode & FSCONSIST_WRITE)) {
        f->cons.version = cr.version = next_version(s);
        f->wrote = (int16_t)node;
    }
    if (!err) {
        if (act.recall != FSCONSIST_NONE)
            call_back(s, f, act.recall, FSP_RECALL);
        for (unsigned i = 0; i < act.ndisable; i++)
            call_back(s, f, act.disable[i], FSP_DISABLE);
        rep->version = cr.version;
        rep->prev = cr.prev;
        rep->flags = cr.cacheable ? FSP_CACHEABLE : 0;
    }
    s->calling_back -= cb;
    kfree(act.disable);
    return err;
}

/* Open ino (attributes a) for node: permission, truncation, consistency;
 * the reply's attributes are read last (after any write-back). */
static int
open_ino(struct fssrv *s, int node, const struct fsproto_msg *req, struct wfs_attr *a,
         bool created, struct fsproto_msg *rep)
{
    unsigned mode = cons_mode(req->flags), want = 0;
    if (!mode)
        return -EINVAL;
    want |= (mode & FSCONSIST_READ) ? FSSRV_R : 0;
    want |= (mode & FSCONSIST_WRITE) ? FSSRV_W : 0;
    if ((a->mode & WFS_S_IFMT) == WFS_S_IFDIR && (mode & FSCONSIST_WRITE))
        return -EISDIR;
    if ((a->mode & WFS_S_IFMT) == WFS_S_IFLNK)
        return -ELOOP;
    /* a file just created is opened as its creator asked, whatever its mode */
    if (!created && !fssrv_may(a, &req->cred, want))
        return -EACCES;
    struct fssrv_file *f = get_file(s, a->ino, a->generation);
    if (!f)
        return -ENOMEM;
    int err = cons_open(s, node, f, mode, rep);
    if (err) {
        put_file(s, f);
        return err;
    }
    if ((req->flags & O_TRUNC) && (mode & FSCONSIST_WRITE) && a->size) {
        struct wfs_attr t = { .size = 0 };
        err = wfs_setattr(s->fs, a->ino, &t, WFS_SET_SIZE);
    }
    if (!err)
        err = wfs_getattr(s->fs, a->ino, a);
    if (err) {
        fsconsist_close(&f->cons, node, mode);
        put_file(s, f);
        return err;
    }
    rep->fh = (struct fsproto_fh){ a->ino, a->generation };
    fssrv_attr_out(a, rep);
    return 0;
}

int
fssrv_open_ino(struct fssrv *s, int node, const struct fsproto_msg *req, struct wfs_attr *a,
               struct fsproto_msg *rep)
{
    return open_ino(s, node, req, a, false, rep);
}

int
fssrv_open(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    return err ? err : open_ino(s, node, req, &a, false, rep);
}

int
fssrv_create(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr d, a;
    uint32_t ino;
    int err = fssrv_dir(s, req->fh, &req->cred, 0, &d);
    if (err)
        return err;
    err = wfs_lookup(s->fs, d.ino, req->name, &ino);
    if (err == -ENOENT) {
        if (!fssrv_may(&d, &req->cred, FSSRV_W | FSSRV_X))
            return -EACCES;
        err = wfs_create(s->fs, d.ino, req->name, WFS_S_IFREG | (req->mode & 07777),
                         req->cred.uid, req->cred.gid, &ino);
        if (!err)
            err = wfs_getattr(s->fs, ino, &a);
        return err ? err : open_ino(s, node, req, &a, true, rep);
    }
    if (err)
        return err;
    if (req->flags & O_EXCL)
        return -EEXIST;
    err = wfs_getattr(s->fs, ino, &a);
    return err ? err : open_ino(s, node, req, &a, false, rep);
}

bool
fssrv_ino_open(void *ctx, uint32_t ino)
{
    struct fssrv *s = ctx;
    for (struct fssrv_file *f = s->files; f; f = f->next)
        if (f->ino == ino && fsconsist_is_open(&f->cons))
            return true;
    return false;
}

/* f was closed everywhere: if its last name went while it was open, it
 * is on the volume's orphan list and goes now. */
static void
release_orphan(struct fssrv *s, struct fssrv_file *f)
{
    struct wfs_attr a;
    if (fsconsist_is_open(&f->cons) || wfs_getattr(s->fs, f->ino, &a) != 0)
        return;
    if (a.nlink == 0 && a.generation == f->gen)
        (void)wfs_orphan_release(s->fs, f->ino);
}

int
fssrv_close(struct fssrv *s, int node, const struct fsproto_msg *req)
{
    struct fssrv_file *f = find_file(s, req->fh.ino, req->fh.gen);
    unsigned mode = cons_mode(req->flags);
    if (!f || !mode)
        return -EBADF;
    int err = fsconsist_close(&f->cons, node, mode);
    if (err)
        return -EBADF;
    release_orphan(s, f);
    put_file(s, f);
    return 0;
}

int
fssrv_open_node(struct fssrv *s, int node, struct fsproto_fh fh, uint32_t flags,
                struct fsproto_msg *rep)
{
    struct wfs_attr a;
    unsigned mode = cons_mode(flags);
    int err = mode ? fssrv_fh(s, fh, &a) : -EINVAL;
    struct fssrv_file *f = err ? NULL : get_file(s, fh.ino, fh.gen);
    if (!err && !f)
        err = -ENOMEM;
    if (!err && (err = cons_open(s, node, f, mode, rep)) != 0)
        put_file(s, f);
    if (!err && wfs_getattr(s->fs, fh.ino, &a) == 0)
        fssrv_attr_out(&a, rep);
    return err;
}

int
fssrv_close_node(struct fssrv *s, int node, struct fsproto_fh fh, uint32_t flags)
{
    struct fsproto_msg m = { .fh = fh, .flags = flags };
    return fssrv_close(s, node, &m);
}

bool
fssrv_node_has_open(struct fssrv *s, int node, struct fsproto_fh fh, uint32_t flags)
{
    struct fssrv_file *f = find_file(s, fh.ino, fh.gen);
    unsigned mode = cons_mode(flags);
    if (!f || !mode)
        return false;
    for (unsigned i = 0; i < f->cons.nclients; i++) {
        const struct fsconsist_client *c = &f->cons.clients[i];
        if (c->node == node)
            return (mode & FSCONSIST_WRITE) ? c->writers > 0 : c->readers + c->writers > 0;
    }
    return false;
}

/* A stream moved by migration: the open of node `from` (which wrote its
 * dirty blocks back first) becomes one of node `to`. The close comes
 * first, so moving never makes write-sharing concurrent by itself, and the
 * source is no longer a last writer to recall from. Only `from` or `to`
 * may ask. */
int
fssrv_move(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    int from = (int)req->mask, to = (int)req->mode;
    if (req->mask > 255 || req->mode > 255 || from == to || (node != from && node != to))
        return -EINVAL;
    struct fssrv_file *f = find_file(s, req->fh.ino, req->fh.gen);
    if (!f || !fssrv_node_has_open(s, from, req->fh, req->flags))
        return -EBADF;
    if (fsconsist_close(&f->cons, from, cons_mode(req->flags)) != 0)
        return -EBADF;
    fsconsist_written_back(&f->cons, from);
    int err = fssrv_open_node(s, to, req->fh, req->flags, rep);
    if (err)
        (void)fssrv_open_node(s, from, req->fh, req->flags, rep);   /* put it back */
    return err;
}

void
fssrv_files_node_down(struct fssrv *s, int node)
{
    struct fssrv_file *f = s->files, *next;
    for (; f; f = next) {
        next = f->next;
        fsconsist_node_down(&f->cons, node);
        release_orphan(s, f);
        put_file(s, f);
    }
}

void
fssrv_files_free(struct fssrv *s)
{
    while (s->files) {
        struct fssrv_file *f = s->files;
        s->files = f->next;
        f->cons.nclients = 0;       /* the server goes: every open with it */
        fsconsist_free(&f->cons);
        kfree(f);
    }
    s->nfiles = 0;
    s->st.files = 0;
}

int
fssrv_open_again(struct fssrv *s, int node, struct fsproto_fh fh, unsigned readers,
                 unsigned writers, bool dirty, struct fsproto_msg *rep)
{
    struct fssrv_file *f = get_file(s, fh.ino, fh.gen);
    if (!f)
        return -ENOMEM;
    if (dirty && ((f->wrote != FSCONSIST_NONE && f->wrote != node) ||
                  (f->cons.last_writer != FSCONSIST_NONE && f->cons.last_writer != node)))
        return -EIO;            /* written by another node since: cannot reconcile */
    fsconsist_node_down(&f->cons, node);     /* forget what we knew: set, not add */
    int err = 0;
    rep->version = f->cons.version;
    rep->flags = f->cons.uncacheable ? 0 : FSP_CACHEABLE;
    for (unsigned i = 0; !err && i < writers + readers; i++)
        err = cons_open(s, node, f, i < writers ? FSCONSIST_READ | FSCONSIST_WRITE
                                                : FSCONSIST_READ, rep);
    if (!err && dirty && f->cons.last_writer == FSCONSIST_NONE)
        f->cons.last_writer = (int16_t)node;
    if (err)
        fsconsist_node_down(&f->cons, node);
    put_file(s, f);
    return err;
}
