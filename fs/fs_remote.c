/*
 * Remote files: the holder's side of a stream that stays on another node
 * (Sprite's remote I/O). A remote file is a struct file on a vnode of its
 * own whose ops send the STREAM_* RPC ops (net/rpc/rpc_ops.h) to the
 * exporting node, which runs them on the exported description
 * (fs_remote_srv.c). The offset stays there, so holders on several nodes
 * share it. A blocking read or write is served in slices of at most
 * FS_REMOTE_SLICE_NS: the server answers FS_REMOTE_RETRY when one ends
 * with nothing done, and we ask again unless a signal is pending (-EINTR,
 * which the signal code restarts or not by the usual rules). An exporter
 * that is down or silent makes every op fail with -EIO, never hang: the
 * RPC layer gives up within its retry budget.
 *
 * poll asks the exporter without blocking; fs_poll.c asks again every
 * FS_POLL_STEP_NS (5 ms) while nothing is ready, so a remote fd's
 * readiness is seen within a step plus a round trip.
 */
#include "fs/fs_remote.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define IO_MAX (RPC_MAX_DATA - 64)  /* data bytes per read/write call */
#define WR_HDR (24 + FS_CALLER_LEN)  /* STREAM_WRITE's fields before the data */
#define IO_HDR (16 + FS_CALLER_LEN)  /* STREAM_IOCTL's fields before the argument */

struct rstream {
    int node;
    uint64_t id;
    bool held;                  /* its reference was taken for us by the exporter */
    bool no_drop;               /* ... and is the exporter's to drop (not committed) */
};

/* ioctl numbers the userland uses on ttys and pipes (Linux values). */
#define TCGETS     0x5401
#define TCSETS     0x5402
#define TCSETSW    0x5403
#define TCSETSF    0x5404
#define TCXONC     0x540A
#define TCFLSH     0x540B
#define TIOCGPGRP  0x540F
#define TIOCSPGRP  0x5410
#define TIOCGWINSZ 0x5413
#define TIOCSWINSZ 0x5414
#define FIONREAD   0x541B
#define TIOCGSID   0x5429

int
fs_ioctl_arg(uint32_t cmd, int *dir)
{
    switch (cmd) {
    case TCGETS:
        *dir = 2;
        return 36;
    case TCSETS:
    case TCSETSW:
    case TCSETSF:
        *dir = 1;
        return 36;
    case TIOCGWINSZ:
        *dir = 2;
        return 8;
    case TIOCSWINSZ:
        *dir = 1;
        return 8;
    case TIOCGPGRP:
    case TIOCGSID:
    case FIONREAD:
        *dir = 2;
        return 4;
    case TIOCSPGRP:
        *dir = 1;
        return 4;
    case TCXONC:
    case TCFLSH:
        *dir = 0;
        return 8;
    default:
        return -ENOTTY;
    }
}

/* What the exporter's tty needs for job control: the caller's group, the
 * session of its controlling tty, and whether it blocks or ignores
 * SIGTTIN/SIGTTOU (orphaned groups are judged there, the session's node). */
static void
caller_put(uint8_t *p)
{
    struct proc *me = proc_current();
    uint32_t flags = 0;
    if (me && proc_signal_is_blocked_or_ignored(me, SIGTTIN))
        flags |= FS_CALLER_TTIN_OFF;
    if (me && proc_signal_is_blocked_or_ignored(me, SIGTTOU))
        flags |= FS_CALLER_TTOU_OFF;
    fs_put32(p, me ? (uint32_t)proc_pgid(me) : 0);
    fs_put32(p + 4, me ? (uint32_t)proc_ctty_sid(me) : 0);
    fs_put32(p + 8, flags);
}

/* The exporter's tty sent SIGTTIN/SIGTTOU to our group (-EINTR): wait a
 * while for it to arrive (from the session's node, maybe through home),
 * so the call is stopped and restarted as a local one; -EINTR when it
 * came, 0 to ask again. */
static int
await_job_signal(void)
{
    for (int i = 0; i < 100; i++) {
        if (proc_signal_pending() || sched_sleep_ns(10 * 1000000ull) != 0)
            return -EINTR;
    }
    return 0;
}

/* An RPC to the exporter; a dead or silent one is -EIO, and so is an
 * export it no longer has (-EBADF: it rebooted, or dropped us as dead). */
static int
call(int node, int op, const void *req, size_t reqlen, void *rep, size_t cap, size_t *replen)
{
    size_t dummy;
    int err = rpc_call(node, op, req, reqlen, rep, cap, replen ? replen : &dummy);
    if (err == -ETIMEDOUT || err == -EHOSTDOWN || err == -ENETDOWN || err == -EBADF)
        return -EIO;
    return err;
}

int
fs_remote_ref(int node, uint64_t id, int from, int to)
{
    uint8_t req[24];
    fs_put64(req, id);
    fs_put64(req + 8, (uint64_t)(int64_t)from);
    fs_put64(req + 16, (uint64_t)(int64_t)to);
    return call(node, RPC_OP_STREAM_REF, req, sizeof(req), NULL, 0, NULL);
}

static long
remote_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct rstream *rs = f->vn->priv;
    uint8_t req[32 + FS_CALLER_LEN];
    n = MIN(n, (size_t)IO_MAX);
    fs_put64(req, rs->id);
    fs_put64(req + 8, off);
    fs_put64(req + 16, n);
    fs_put64(req + 24, (uint64_t)(flags & O_NONBLOCK));
    caller_put(req + 32);
    for (;;) {
        size_t got = 0;
        int err = call(rs->node, RPC_OP_STREAM_READ, req, sizeof(req), buf, n, &got);
        if (err == -EINTR && await_job_signal() == 0)
            continue;
        if (err != -FS_REMOTE_RETRY)
            return err ? err : (long)got;
        if (proc_signal_pending())
            return -EINTR;
    }
}

/* One write call: bytes the exporter took, or -errno (-FS_REMOTE_RETRY). */
static long
write_once(struct rstream *rs, uint8_t *req, const void *buf, size_t n, uint64_t off, int flags)
{
    fs_put64(req, rs->id);
    fs_put64(req + 8, off);
    fs_put64(req + 16, (uint64_t)(flags & O_NONBLOCK));
    caller_put(req + 24);
    memcpy(req + WR_HDR, buf, n);
    uint8_t rep[8];
    size_t got = 0;
    int err;
    do {
        err = call(rs->node, RPC_OP_STREAM_WRITE, req, WR_HDR + n, rep, sizeof(rep), &got);
    } while (err == -EINTR && await_job_signal() == 0);
    if (err)
        return err;
    return got == 8 ? (long)MIN(fs_get64(rep), (uint64_t)n) : -EIO;
}

static long
remote_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    struct rstream *rs = f->vn->priv;
    size_t done = 0;
    long err = 0;
    uint8_t *req = kmalloc(WR_HDR + MIN(n, (size_t)IO_MAX));
    if (!req)
        return -ENOMEM;
    while (done < n) {
        size_t m = MIN(n - done, (size_t)IO_MAX);
        uint64_t at = off == FS_REMOTE_CUR ? off : off + done;
        long r = write_once(rs, req, (const char *)buf + done, m, at, flags);
        if (r == 0)
            break;                      /* the file took nothing: a short write */
        if (r > 0)
            done += (size_t)r;
        if (r < 0 && r != -FS_REMOTE_RETRY) {
            err = r;
            break;
        }
        if ((r < (long)m && (flags & O_NONBLOCK)) || proc_signal_pending()) {
            err = done ? 0 : (flags & O_NONBLOCK) ? -EAGAIN : -EINTR;
            break;
        }
    }
    kfree(req);
    if (err == -EPIPE && proc_current())
        proc_signal(proc_current(), SIGPIPE);   /* the exporter's thread posted none */
    return done ? (long)done : err;
}

static long
remote_ioctl(struct file *f, uint64_t cmd, uint64_t uarg)
{
    struct rstream *rs = f->vn->priv;
    int dir;
    int size = fs_ioctl_arg((uint32_t)cmd, &dir);
    if (size < 0)
        return -ENOTTY;
    uint8_t req[IO_HDR + 64], rep[64];
    fs_put64(req, rs->id);
    fs_put64(req + 8, cmd);
    caller_put(req + 16);
    size_t reqlen = IO_HDR;
    if (dir == 0) {
        fs_put64(req + IO_HDR, uarg);
        reqlen += 8;
    } else if (dir == 1) {
        if (copyin(req + IO_HDR, uarg, (size_t)size) != 0)
            return -EFAULT;
        reqlen += (size_t)size;
    }
    size_t got = 0;
    int err;
    do {
        err = call(rs->node, RPC_OP_STREAM_IOCTL, req, reqlen, rep, sizeof(rep), &got);
    } while (err == -EINTR && await_job_signal() == 0);
    if (err)
        return err;
    if (dir == 2) {
        if (got != (size_t)size)
            return -EIO;
        return copyout(uarg, rep, (size_t)size);
    }
    return 0;
}

static int
remote_poll(struct file *f)
{
    struct rstream *rs = f->vn->priv;
    uint8_t req[8], rep[8];
    size_t got = 0;
    fs_put64(req, rs->id);
    int err = call(rs->node, RPC_OP_STREAM_POLL, req, sizeof(req), rep, sizeof(rep), &got);
    if (err || got != 8)
        return FS_POLLERR | FS_POLLHUP;
    return (int)(fs_get64(rep) & 0xffff);
}

static long
remote_lseek(struct file *f, long off, unsigned int whence)
{
    struct rstream *rs = f->vn->priv;
    uint8_t req[24], rep[8];
    size_t got = 0;
    fs_put64(req, rs->id);
    fs_put64(req + 8, (uint64_t)off);
    fs_put64(req + 16, whence);
    int err = call(rs->node, RPC_OP_STREAM_LSEEK, req, sizeof(req), rep, sizeof(rep), &got);
    if (err)
        return err;
    return got == 8 ? (long)fs_get64(rep) : -EIO;
}

static void
set_attrs(struct vnode *v, const struct fs_attr_wire *a)
{
    v->mode = (uint32_t)a->mode;
    v->dev = (uint32_t)a->dev;
    v->ino = a->ino;
    v->rdev = a->rdev;
    v->size = a->size;
    v->nlink = (uint32_t)a->nlink;
    v->uid = (uint32_t)a->uid;
    v->gid = (uint32_t)a->gid;
    v->blocks = a->blocks;
    v->atime = a->atime;
    v->mtime = a->mtime;
    v->ctime = a->ctime;
    v->own_attrs = true;
}

static int
remote_getattr(struct file *f)
{
    struct rstream *rs = f->vn->priv;
    uint8_t req[8], rep[FS_ATTR_WIRE_LEN];
    size_t got = 0;
    fs_put64(req, rs->id);
    int err = call(rs->node, RPC_OP_STREAM_STAT, req, sizeof(req), rep, sizeof(rep), &got);
    if (err)
        return err;
    if (got != FS_ATTR_WIRE_LEN)
        return -EIO;
    struct fs_attr_wire a;
    fs_attr_wire_get(rep, &a);
    uint32_t type = f->vn->mode & S_IFMT;
    if ((a.mode & S_IFMT) == type)      /* the type of a vnode never changes */
        set_attrs(f->vn, &a);
    return 0;
}

/* The description's last reference: give this node's reference back. */
static void
remote_close(struct file *f)
{
    struct rstream *rs = f->vn->priv;
    if (!rs->no_drop)
        (void)fs_remote_ref(rs->node, rs->id, proc_node_self(), -1);
    fs_export_count_import(-1);
}

static void
remote_release(struct vnode *v)
{
    kfree(v->priv);
    kfree(v);
}

const struct vnode_ops fs_remote_ops = {
    .read = remote_read,
    .write = remote_write,
    .ioctl = remote_ioctl,
    .poll = remote_poll,
    .close = remote_close,
    .release = remote_release,
    .remote = true,
    .lseek = remote_lseek,
    .getattr = remote_getattr,
};

struct file *
fs_remote_file(int node, uint64_t id, int flags, const struct fs_attr_wire *a)
{
    struct rstream *rs = kzalloc(sizeof(*rs));
    struct vnode *v = rs ? fs_vn_alloc((uint32_t)a->mode, (uint32_t)a->dev, &fs_remote_ops)
                         : NULL;
    if (!v) {
        kfree(rs);
        return NULL;
    }
    rs->node = node;
    rs->id = id;
    v->priv = rs;
    v->dynamic = true;
    set_attrs(v, a);
    struct file *f;
    int err = fs_file_open(v, flags & ~O_CREAT, &f);
    fs_vn_unref(v);             /* the file holds it now */
    if (err)
        return NULL;
    fs_export_count_import(1);
    return f;
}

void
fs_remote_mark_held(struct file *f)
{
    if (f->vn->ops == &fs_remote_ops)
        ((struct rstream *)f->vn->priv)->held = true;
}

void
fs_remote_forget_held(struct file *f)
{
    if (f->vn->ops != &fs_remote_ops)
        return;
    struct rstream *rs = f->vn->priv;
    if (rs->held)
        rs->no_drop = true;
}

int
fs_remote_drop(int node, uint64_t id)
{
    return fs_remote_ref(node, id, proc_node_self(), -1);
}

int
fs_ctx_exit_drops(struct fs_ctx *c, int node, uint64_t *ids, int max)
{
    int n = 0;
    if (!c)
        return 0;
    spin_lock(&c->lock);
    for (int i = 0; i < FS_NFD && n < max; i++) {
        struct file *f = c->fd[i];
        if (!f || f->vn->ops != &fs_remote_ops)
            continue;
        struct rstream *rs = f->vn->priv;
        uint32_t held = 0;
        bool seen = false;
        for (int k = 0; k < FS_NFD; k++) {
            held += c->fd[k] == f;
            seen |= k < i && c->fd[k] == f;
        }
        /* Only c holds f (nothing else can take a reference to it now:
         * the exiting process's context is reachable from nowhere else),
         * so its last close is part of this exit. */
        if (seen || rs->node != node || rs->no_drop ||
            __atomic_load_n(&f->refs, __ATOMIC_ACQUIRE) != held)
            continue;
        rs->no_drop = true;
        ids[n++] = rs->id;
    }
    spin_unlock(&c->lock);
    return n;
}

bool
fs_remote_whose(struct file *f, int *node, uint64_t *id)
{
    if (f->vn->ops != &fs_remote_ops)
        return false;
    struct rstream *rs = f->vn->priv;
    *node = rs->node;
    *id = rs->id;
    return true;
}

void
fs_attr_wire_of(struct vnode *v, struct fs_attr_wire *a)
{
    a->mode = v->mode;
    a->dev = v->dev;
    a->ino = v->ino;
    a->rdev = v->rdev;
    a->size = v->size;
    a->nlink = v->own_attrs ? v->nlink : FS_ISDIR(v->mode) ? 2 : 1;
    a->uid = v->uid;
    a->gid = v->gid;
    a->blocks = v->own_attrs ? v->blocks : (v->size + 511) / 512;
    a->atime = v->atime;
    a->mtime = v->mtime;
    a->ctime = v->ctime;
}

void
fs_attr_wire_put(uint8_t *p, const struct fs_attr_wire *a)
{
    const uint64_t *w = &a->mode;
    for (int i = 0; i < 12; i++)
        fs_put64(p + 8 * i, w[i]);
}

void
fs_attr_wire_get(const uint8_t *p, struct fs_attr_wire *a)
{
    uint64_t *w = &a->mode;
    for (int i = 0; i < 12; i++)
        w[i] = fs_get64(p + 8 * i);
}

long
sys_wisp_streamstat(uint64_t ubuf, long size)
{
    struct wisp_streamstat s;
    fs_export_stats(&s);
    size_t n = MIN((size_t)(size < 0 ? 0 : size), sizeof(s));
    if (copyout(ubuf, &s, n) != 0)
        return -EFAULT;
    return (long)n;
}
