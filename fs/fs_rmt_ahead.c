/*
 * A remote directory's lookups within a walk (docs/fs.md "Name lookup"):
 * one STEPS request sends the server the rest of the path, and the server
 * answers each lookup the walk is about to make, in order, so that
 * /usr/lib/x/y costs one round trip instead of four (Sprite sent whole
 * names to the server for the same reason). The walk itself (fs_path.c)
 * still decides everything -- "..", mount points, symlink depth, errors,
 * trailing slashes -- from these answers, exactly as from single lookups;
 * an answer that is not for the lookup the walk makes (another directory,
 * another name) throws the rest away and the lookup asks again, so the
 * server may stop early whenever it likes. The answers live in the walk's
 * fs_ahead and die with it: no name is cached beyond one resolution, so
 * another node's rename or unlink is seen by the next walk, as before.
 */
#include "fs/fs_rmt.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

#define AHEAD_BYTES 4096        /* the answers asked for at once (~40 lookups) */

bool fs_rmt_rooted;             /* fsroot=on: the volume is / (fs_root.c) */
static uint64_t answers_used, answers_dropped;   /* STEPS sent: fs_rmt.c counts */
static uint64_t preopens_taken, preopens_unused;

void
fs_rmt_preopen_drop(struct fsproto_fh fh)
{
    preopens_unused++;
    fs_rmt_close_send(fh, O_RDONLY);
}

/* Forget the answers left; an opened file among them is closed. */
static void
drop_rest(struct fs_ahead *ah)
{
    struct fsproto_step st;
    long k;
    while (ah->buf && ah->off < ah->len &&
           (k = fsproto_step_get(ah->buf + ah->off, ah->len - ah->off, &st)) > 0) {
        ah->off += (size_t)k;
        if (st.opened)
            fs_rmt_preopen_drop(st.fh);
    }
    ah->off = ah->len = 0;
}

/* The next answer if it is the one for name in fh; otherwise drop them all. */
static bool
take(struct fs_ahead *ah, struct fsproto_fh fh, const char *name, size_t len,
     struct fsproto_step *st)
{
    if (!ah->buf || ah->off >= ah->len)
        return false;
    long k = fsproto_step_get(ah->buf + ah->off, ah->len - ah->off, st);
    if (k > 0 && st->dir.ino == fh.ino && st->dir.gen == fh.gen && st->namelen == len &&
        !memcmp(st->name, name, len)) {
        ah->off += (size_t)k;
        answers_used++;
        return true;
    }
    answers_dropped++;
    drop_rest(ah);
    return false;
}

/* Ask for the answers of the walk from dir along path. */
static int
fetch(struct vnode *dir, const char *path, bool follow, struct fs_ahead *ah)
{
    if (strnlen(path, FSPROTO_PATH_MAX + 1) > FSPROTO_PATH_MAX)
        return -ENAMETOOLONG;
    if (!ah->buf && !(ah->buf = kmalloc(AHEAD_BYTES)))
        return -ENOMEM;
    drop_rest(ah);
    ah->drop = drop_rest;
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_STEPS, dir);
    if (!c)
        return -ENOMEM;
    k_strlcpy(c->req.path, path, sizeof(c->req.path));
    c->req.flags = (follow ? FSP_FOLLOW : 0) | (fs_rmt_rooted ? FSP_ROOTED : 0) |
                   (ah->open_read ? FSP_OPEN_LAST : 0);
    c->req.len = AHEAD_BYTES;
    int err = fs_rmt_call_do(c);
    if (!err && c->rep.datalen <= AHEAD_BYTES) {
        memcpy(ah->buf, c->rep.data, c->rep.datalen);
        ah->len = c->rep.datalen;
    }
    fs_rmt_call_free(c);
    return err;
}

int
fs_rmt_lookup_ahead(struct vnode *dir, const char *from, size_t len, bool follow,
                    struct fs_ahead *ah, struct vnode **out)
{
    struct fsproto_fh fh = fs_rmt_node(dir)->fh;
    struct fsproto_step st;
    if (!take(ah, fh, from, len, &st)) {
        int err = fetch(dir, from, follow, ah);
        if (err == -ETIMEDOUT || err == -EHOSTDOWN || err == -EIO || err == -ESTALE ||
            err == -EINTR)
            return err;         /* the server's answer: a WALK would get it too */
        if (err || !take(ah, fh, from, len, &st))
            return fs_rmt_dir_ops.lookup(dir, from, len, out);
    }
    if (st.err)
        return st.err;
    struct vnode *v = fs_rmt_vnode(dir, st.fh, &st.attr);
    if (!v) {
        if (st.opened)
            fs_rmt_preopen_drop(st.fh);
        return -ENOMEM;
    }
    if (st.opened) {
        struct fs_rmt_node *n = fs_rmt_node(v);
        n->preopen = true;
        n->pre_version = st.version;
        n->pre_prev = st.prev;
        n->pre_size = st.attr.size;
        n->pre_flags = st.oflags;
    }
    memcpy(v->name, from, len);
    v->name[len] = 0;
    if (st.tlen && FS_ISLNK(v->mode)) {
        struct fs_rmt_node *n = fs_rmt_node(v);
        if ((n->target = kmalloc(st.tlen)) != NULL) {
            memcpy(n->target, st.target, st.tlen);
            n->tlen = st.tlen;
        }
    }
    *out = v;
    return 0;
}

void
fs_rmt_preopen_taken(void)
{
    preopens_taken++;
}

void
fs_rmt_preopen_stats(uint64_t *taken, uint64_t *unused)
{
    *taken = preopens_taken;
    *unused = preopens_unused;
}

void
fs_rmt_ahead_stats(uint64_t *used, uint64_t *dropped)
{
    *used = answers_used;
    *dropped = answers_dropped;
}
