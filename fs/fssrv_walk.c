/*
 * The file server's handles, permission checks and path walk (fssrv.h).
 *
 * WALK resolves several components in one request (Sprite sent whole
 * names to the server: one RPC per open, not one per component). It
 * follows relative symlinks itself; an absolute symlink, or `..` reaching
 * the root, ends the walk with FSP_REDIRECT and the path to resolve from
 * the client's root, because the client's own mounts (/dev, /proc, /tmp,
 * all directly under /) are unknown here.
 */
#include "fs/fs_abi.h"
#include "fs/fssrv_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

#define SYMLOOP_MAX 40

int
fssrv_fh(struct fssrv *s, struct fsproto_fh fh, struct wfs_attr *a)
{
    int err = wfs_getattr(s->fs, fh.ino, a);
    /* every client knows the root as (root, 0): it is never freed */
    if (!err && fh.ino == WFS_ROOT_INO && fh.gen == 0)
        return 0;
    if (err == -ENOENT || err == -EINVAL || (!err && a->generation != fh.gen))
        return -ESTALE;
    return err;
}

bool
fssrv_may(const struct wfs_attr *a, const struct fsproto_cred *c, unsigned want)
{
    unsigned bits;
    if (c->uid == 0) {
        /* root: anything, but execute only where some x bit is set */
        return !(want & FSSRV_X) || (a->mode & WFS_S_IFMT) == WFS_S_IFDIR || (a->mode & 0111);
    }
    if (c->uid == a->uid) {
        bits = (a->mode >> 6) & 7;
    } else {
        bool in = c->gid == a->gid;
        for (unsigned i = 0; i < c->ngroups && !in; i++)
            in = c->groups[i] == a->gid;
        bits = in ? (a->mode >> 3) & 7 : a->mode & 7;
    }
    return (bits & want) == want;
}

int
fssrv_dir(struct fssrv *s, struct fsproto_fh fh, const struct fsproto_cred *c, unsigned want,
          struct wfs_attr *a)
{
    int err = fssrv_fh(s, fh, a);
    if (err)
        return err;
    if ((a->mode & WFS_S_IFMT) != WFS_S_IFDIR)
        return -ENOTDIR;
    return fssrv_may(a, c, FSSRV_X | want) ? 0 : -EACCES;
}

void
fssrv_attr_out(const struct wfs_attr *a, struct fsproto_msg *rep)
{
    rep->attr = (struct fsproto_attr){
        .mode = a->mode, .uid = a->uid, .gid = a->gid, .nlink = a->nlink,
        .size = a->size, .blocks = a->blocks, .version = a->version,
        .atime = a->atime, .mtime = a->mtime, .ctime = a->ctime,
    };
}

/* The walk's state: the directory it is in and the path still to go, in a
 * buffer of its own (symlink targets are spliced in front of the rest). */
struct walk {
    uint32_t dir;
    struct wfs_attr dattr;
    char path[FSPROTO_PATH_MAX + 1];
    size_t pos;
    int links;
};

/* The next component into name; false at the end. */
static bool
next_name(struct walk *w, char *name, size_t *len, int *err)
{
    while (w->path[w->pos] == '/')
        w->pos++;
    if (!w->path[w->pos])
        return false;
    size_t n = 0;
    while (w->path[w->pos + n] && w->path[w->pos + n] != '/')
        n++;
    if (n > FSPROTO_NAME_MAX) {
        *err = -ENAMETOOLONG;
        return false;
    }
    memcpy(name, w->path + w->pos, n);
    name[n] = 0;
    w->pos += n;
    *len = n;
    return true;
}

static bool
at_end(const struct walk *w)
{
    size_t p = w->pos;
    while (w->path[p] == '/')
        p++;
    return !w->path[p];
}

/* Replace what has been walked by target: the path becomes target + rest. */
static int
splice(struct walk *w, const char *target, size_t tlen)
{
    /* the rest is empty or starts with '/' */
    size_t rest = strlen(w->path + w->pos);
    if (tlen + rest > FSPROTO_PATH_MAX)
        return -ENAMETOOLONG;
    memmove(w->path + tlen, w->path + w->pos, rest + 1);
    memcpy(w->path, target, tlen);
    w->pos = 0;
    return 0;
}

static int
redirect(struct walk *w, struct fsproto_msg *rep)
{
    const char *rest = w->path + w->pos;
    while (*rest == '/')
        rest++;
    rep->flags = FSP_REDIRECT;
    rep->path[0] = '/';
    memcpy(rep->path + 1, rest, strlen(rest) + 1);
    return 0;
}

/* One symlink met at ino: follow it (relative) or redirect (absolute). *
 * Returns 1 when the walk continues from w->dir, 0 when rep is the answer. */
static int
follow(struct fssrv *s, struct walk *w, uint32_t ino, struct fsproto_msg *rep)
{
    char target[FSPROTO_PATH_MAX + 1];
    if (++w->links > SYMLOOP_MAX)
        return -ELOOP;
    int n = wfs_readlink(s->fs, ino, target, FSPROTO_PATH_MAX);
    if (n < 0)
        return n;
    if (n == 0)
        return -ENOENT;
    int err = splice(w, target, (size_t)n);
    if (err)
        return err;
    if (target[0] == '/')
        return redirect(w, rep);
    return 1;
}

/* One step from w->dir by name; 1: continue, 0: rep is the answer. */
static int
step(struct fssrv *s, struct walk *w, const struct fsproto_msg *req, const char *name, size_t len,
     struct fsproto_msg *rep)
{
    uint32_t ino;
    struct wfs_attr a;
    if ((w->dattr.mode & WFS_S_IFMT) != WFS_S_IFDIR)
        return -ENOTDIR;
    if (!fssrv_may(&w->dattr, &req->cred, FSSRV_X))
        return -EACCES;
    if (len == 1 && name[0] == '.')
        return 1;
    if (len == 2 && name[0] == '.' && name[1] == '.' && w->dir == WFS_ROOT_INO)
        return redirect(w, rep);            /* the client's root decides */
    int err = wfs_lookup(s->fs, w->dir, name, &ino);
    if (!err)
        err = wfs_getattr(s->fs, ino, &a);
    if (err)
        return err;
    if ((a.mode & WFS_S_IFMT) == WFS_S_IFLNK && (!at_end(w) || (req->flags & FSP_FOLLOW)))
        return follow(s, w, ino, rep);
    w->dir = ino;
    w->dattr = a;
    return 1;
}

/* The walk of req's path from req's directory, at its start. */
static int
walk_start(struct fssrv *s, struct walk *w, const struct fsproto_msg *req)
{
    int err = fssrv_fh(s, req->fh, &w->dattr);
    if (err)
        return err;
    w->dir = req->fh.ino;
    w->pos = 0;
    w->links = 0;
    k_strlcpy(w->path, req->path, sizeof(w->path));
    return 0;
}

static int
walk(struct fssrv *s, struct walk *w, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    char name[FSPROTO_NAME_MAX + 1];
    size_t len;
    int err = walk_start(s, w, req);
    if (err)
        return err;
    for (;;) {
        err = 0;
        if (!next_name(w, name, &len, &err)) {
            if (err)
                return err;
            break;
        }
        int r = step(s, w, req, name, len, rep);
        if (r <= 0)
            return r;
    }
    rep->fh = (struct fsproto_fh){ w->dir, w->dattr.generation };
    fssrv_attr_out(&w->dattr, rep);
    return 0;
}

/*
 * STEPS: the answers to the lookups a client's walk of req->path from
 * req->fh will make, in its order, so a walk of many components costs one
 * round trip (fs_rmt_ahead.c). Each answer names the directory and the
 * name it is for, and the client uses one only when it is for the lookup
 * it is about to make, so an answer is never wrong, only perhaps unused:
 * the client still resolves the name itself -- "..", its mount points, its
 * symlink depth, its errors -- and the server may stop wherever it likes.
 * It follows the client's rules as far as it knows them: "." is no
 * lookup; ".." goes to the parent (no lookup: the client keeps parents);
 * a relative symlink is spliced in front of the rest, from the link's
 * directory; an absolute one, and ".." at the root, go on from the root
 * only when the client says the volume is its / (FSP_ROOTED), where it
 * names the root (1, 0). It stops after an error or a file, after
 * STEPS_LINKS symlinks, and when the reply is full.
 *
 * With FSP_OPEN_LAST the client is about to open the path for reading:
 * when the answers reach a regular file that ends the path, the server
 * opens it for the client as an OPEN would (permission, consistency,
 * callbacks) and the answer carries the open's reply, so an open costs one
 * round trip. It does not when the open fails or must wait (the grace
 * period, callbacks busy): the client then sends OPEN as before, and gets
 * the error from it. A client that does not use an opened answer closes it.
 */
#define STEPS_LINKS 8

static const struct fsproto_fh root_fh0 = { WFS_ROOT_INO, 0 };

/* Move the walk to directory ino (its attributes a), as the client names it. */
static void
enter(struct walk *w, uint32_t ino, const struct wfs_attr *a, struct fsproto_fh *dfh)
{
    w->dir = ino;
    w->dattr = *a;
    *dfh = ino == WFS_ROOT_INO ? root_fh0 : (struct fsproto_fh){ ino, a->generation };
}

/* One symlink's answer given: 1 when the walk goes on past it. */
static int
past_link(struct fssrv *s, struct walk *w, const struct fsproto_msg *req, const char *target,
          size_t tlen, struct fsproto_fh *dfh)
{
    bool rooted = req->flags & FSP_ROOTED;
    struct wfs_attr ra;
    if (!(!at_end(w) || (req->flags & FSP_FOLLOW)) || tlen == 0 || ++w->links > STEPS_LINKS ||
        (target[0] == '/' && !rooted) || splice(w, target, tlen) != 0)
        return 0;
    if (target[0] == '/') {
        if (wfs_getattr(s->fs, WFS_ROOT_INO, &ra) != 0)
            return 0;
        enter(w, WFS_ROOT_INO, &ra, dfh);
    }
    return 1;                           /* relative: from the link's directory */
}

/* FSP_OPEN_LAST: open regular file st->fh (attributes a) for node's reading. */
static void
open_last(struct fssrv *s, int node, const struct fsproto_msg *req, struct wfs_attr *a,
          struct fsproto_step *st, struct fsproto_msg *rep)
{
    struct fsproto_msg orq = { .op = FSP_OPEN, .fh = st->fh, .flags = O_RDONLY,
                               .cred = req->cred };
    struct fsproto_msg orep = { 0 };
    if (fssrv_recov_held(s, node, FSP_OPEN) || fssrv_open_ino(s, node, &orq, a, &orep) != 0)
        return;
    st->opened = true;
    st->version = orep.version;
    st->prev = orep.prev;
    st->oflags = orep.flags & FSP_CACHEABLE;
    fssrv_attr_out(a, rep);     /* as read after any write-back the open called for */
    st->attr = rep->attr;
}

static int
steps(struct fssrv *s, int node, struct walk *w, const struct fsproto_msg *req,
      struct fsproto_msg *rep, uint8_t *buf, size_t cap)
{
    char name[FSPROTO_NAME_MAX + 1], *target = NULL;
    size_t len, used = 0;
    struct fsproto_fh dfh = req->fh;
    int err = walk_start(s, w, req);
    if (err)
        return err;
    while (next_name(w, name, &len, &err)) {
        uint32_t ino = 0;
        struct wfs_attr a = { 0 };
        if (len == 1 && name[0] == '.')
            continue;
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            if (w->dir == WFS_ROOT_INO && (req->flags & FSP_ROOTED))
                continue;                   /* the client's / is its own parent */
            if (w->dir == WFS_ROOT_INO || wfs_lookup(s->fs, w->dir, "..", &ino) != 0 ||
                wfs_getattr(s->fs, ino, &a) != 0)
                break;
            enter(w, ino, &a, &dfh);
            continue;
        }
        struct fsproto_step st = { .dir = dfh, .name = name, .namelen = len };
        if ((w->dattr.mode & WFS_S_IFMT) != WFS_S_IFDIR)
            st.err = -ENOTDIR;
        else if (!fssrv_may(&w->dattr, &req->cred, FSSRV_X))
            st.err = -EACCES;
        else if ((st.err = wfs_lookup(s->fs, w->dir, name, &ino)) == 0)
            st.err = wfs_getattr(s->fs, ino, &a);
        bool link = !st.err && (a.mode & WFS_S_IFMT) == WFS_S_IFLNK;
        if (!st.err) {
            st.fh = (struct fsproto_fh){ ino, a.generation };
            fssrv_attr_out(&a, rep);
            st.attr = rep->attr;
        }
        if (link) {
            if (!target && !(target = kmalloc(FSPROTO_PATH_MAX + 1)))
                break;
            int n = wfs_readlink(s->fs, ino, target, FSPROTO_PATH_MAX);
            st.target = target;
            st.tlen = n > 0 ? (size_t)n : 0;
        }
        if (!st.err && (req->flags & FSP_OPEN_LAST) && (a.mode & WFS_S_IFMT) == WFS_S_IFREG &&
            !w->path[w->pos])           /* the path's last name, no trailing slash */
            open_last(s, node, req, &a, &st, rep);
        size_t k = fsproto_step_put(buf + used, cap - used, &st);
        if (!k) {
            if (st.opened)      /* no room for its answer: not opened after all */
                (void)fssrv_close_node(s, node, st.fh, O_RDONLY);
            break;
        }
        used += k;
        if (st.err || (!link && (a.mode & WFS_S_IFMT) != WFS_S_IFDIR))
            break;
        if (link) {
            if (!past_link(s, w, req, target, st.tlen, &dfh))
                break;
            continue;
        }
        enter(w, ino, &a, &dfh);
    }
    kfree(target);
    rep->attr = (struct fsproto_attr){ 0 };
    rep->data = buf;
    rep->datalen = used;
    return 0;                   /* a name too long ends the answers: the client's error */
}

int
fssrv_steps(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep,
            uint8_t *buf)
{
    struct walk *w = kmalloc(sizeof(*w));
    if (!w)
        return -ENOMEM;
    size_t cap = req->len < FSPROTO_IO_MAX ? req->len : FSPROTO_IO_MAX;
    int err = steps(s, node, w, req, rep, buf, cap);
    kfree(w);
    return err;
}

int
fssrv_walk(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct walk *w = kmalloc(sizeof(*w));   /* 4 KiB: not on a kernel stack */
    if (!w)
        return -ENOMEM;
    int err = walk(s, w, req, rep);
    kfree(w);
    return err;
}
