/*
 * The exporter's side of remote streams: the handlers of the STREAM_* RPC
 * ops (net/rpc/rpc_ops.h; encodings in docs/fs.md). Each names an export
 * id; a node that holds no reference on it is refused (-EBADF) and
 * counted. Reads and writes run on the exported description, at its
 * offset (FS_REMOTE_CUR) or at a given one; one that would block is tried
 * with O_NONBLOCK and retried as the file's readiness changes
 * (fs_poll_wait) for at most FS_REMOTE_SLICE_NS, so an RPC server thread
 * is never held longer: then the answer is FS_REMOTE_RETRY (nothing done)
 * or the bytes written so far, and the holder asks again.
 * The handlers run in RPC server threads, which belong to no process:
 * READ, WRITE and IOCTL carry what job control needs of the caller
 * (struct fs_caller), which the tty finds with fs_remote_caller while
 * the op runs; a background caller's group gets SIGTTIN/SIGTTOU from here
 * and the op answers -EINTR.
 */
#include "fs/fs_remote.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/sched.h"
#include "net/rpc/rpc.h"

#define POLL_STEP_NS (5 * 1000000ull)
#define CALLERS_MAX  32             /* server threads serving an op at once */

/* Which thread serves which caller (fs_remote_caller). */
static struct spinlock callers_lock = { .name = "fs.callers", .cpu = -1 };
static struct {
    struct thread *t;
    struct fs_caller c;
} callers[CALLERS_MAX];

static void
caller_enter(const uint8_t *p)
{
    struct fs_caller c = { (int)fs_get32(p), (int)fs_get32(p + 4), fs_get32(p + 8) };
    struct thread *me = sched_current();
    spin_lock(&callers_lock);
    for (int i = 0; i < CALLERS_MAX; i++) {
        if (!callers[i].t) {
            callers[i].t = me;
            callers[i].c = c;
            break;
        }
    }
    spin_unlock(&callers_lock);
}

static void
caller_leave(void)
{
    struct thread *me = sched_current();
    spin_lock(&callers_lock);
    for (int i = 0; i < CALLERS_MAX; i++)
        if (callers[i].t == me)
            callers[i].t = NULL;
    spin_unlock(&callers_lock);
}

const struct fs_caller *
fs_remote_caller(void)
{
    struct thread *me = sched_current();
    const struct fs_caller *c = NULL;
    spin_lock(&callers_lock);
    for (int i = 0; i < CALLERS_MAX && !c; i++)
        if (callers[i].t == me)
            c = &callers[i].c;      /* stays put until this thread leaves */
    spin_unlock(&callers_lock);
    return c;
}

/* The export named by the request's first 8 bytes, if from_node holds it. */
static struct file *
req_file(int from_node, const void *req, size_t reqlen, size_t need)
{
    if (reqlen < need || reqlen < 8) {
        fs_export_count_bad();
        return NULL;
    }
    struct file *f = fs_export_get(fs_get64(req), from_node);
    if (f)
        fs_export_count_served();
    return f;
}

/* One non-blocking attempt at off (FS_REMOTE_CUR: the description's). */
static long
io_once(struct file *f, void *buf, size_t n, uint64_t off, bool wr)
{
    bool cur = off == FS_REMOTE_CUR;
    bool seekable = !f->vn->ops->noseek;
    if (!cur && !seekable)
        return -ESPIPE;
    if (cur && seekable) {
        spin_lock(&f->lock);
        off = wr && (f->flags & O_APPEND) ? f->vn->size : f->off;
        spin_unlock(&f->lock);
    } else if (cur) {
        off = 0;
    }
    long r = wr ? fs_file_write(f, buf, n, off, O_NONBLOCK)
                : fs_file_read(f, buf, n, off, O_NONBLOCK);
    if (r > 0 && cur && seekable) {
        spin_lock(&f->lock);
        f->off = off + (uint64_t)r;
        spin_unlock(&f->lock);
    }
    return r;
}

/* Read or write within one slice. A write goes on until all of it is in. */
static long
io_slice(struct file *f, char *buf, size_t n, uint64_t off, bool nonblock, bool wr)
{
    uint64_t start = arch_time_ns();
    size_t done = 0;
    for (;;) {
        uint64_t seq = fs_poll_seq();
        uint64_t at = off == FS_REMOTE_CUR ? off : off + done;
        long r = io_once(f, buf + done, n - done, at, wr);
        if (r >= 0 && (!wr || r == 0 || done + (size_t)r == n))
            return (long)done + r;
        if (r > 0) {
            done += (size_t)r;
            continue;
        }
        if (r != -EAGAIN || nonblock)
            return done ? (long)done : r;
        uint64_t el = arch_time_ns() - start;
        if (el >= FS_REMOTE_SLICE_NS)
            return done ? (long)done : -FS_REMOTE_RETRY;
        (void)fs_poll_wait(seq, MIN(FS_REMOTE_SLICE_NS - el, POLL_STEP_NS));
    }
}

/* id, off, n, flags, caller -> the bytes read. */
int
fs_rpc_stream_read(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct file *f = req_file(from_node, req, reqlen, 32 + FS_CALLER_LEN);
    if (!f)
        return -EBADF;
    const uint8_t *q = req;
    size_t n = (size_t)MIN(fs_get64(q + 16), (uint64_t)*replen);
    caller_enter(q + 32);
    long r = io_slice(f, rep, n, fs_get64(q + 8), fs_get64(q + 24) & O_NONBLOCK, false);
    caller_leave();
    fs_file_unref(f);
    if (r < 0)
        return (int)r;
    *replen = (size_t)r;
    return 0;
}

/* The reply of one u64. */
static int
reply_u64(void *rep, size_t *replen, uint64_t v)
{
    if (*replen < 8)
        return -EMSGSIZE;
    fs_put64(rep, v);
    *replen = 8;
    return 0;
}

/* id, off, flags, caller, data -> u64 bytes written. */
int
fs_rpc_stream_write(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    const size_t hdr = 24 + FS_CALLER_LEN;
    struct file *f = req_file(from_node, req, reqlen, hdr);
    if (!f)
        return -EBADF;
    const uint8_t *q = req;
    caller_enter(q + 24);
    long r = io_slice(f, (char *)(uintptr_t)(q + hdr), reqlen - hdr, fs_get64(q + 8),
                      fs_get64(q + 16) & O_NONBLOCK, true);
    caller_leave();
    fs_file_unref(f);
    if (r < 0)
        return (int)r;
    return reply_u64(rep, replen, (uint64_t)r);
}

/* id, cmd, caller, argument (fs_ioctl_arg) -> the argument out, for "out" ones. */
int
fs_rpc_stream_ioctl(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    const size_t hdr = 16 + FS_CALLER_LEN;
    struct file *f = req_file(from_node, req, reqlen, hdr);
    if (!f)
        return -EBADF;
    const uint8_t *q = req;
    uint32_t cmd = (uint32_t)fs_get64(q + 8);
    int dir;
    int size = fs_ioctl_arg(cmd, &dir);
    uint8_t arg[64];
    uint64_t val = 0;
    long r = 0;
    size_t in = dir == 2 ? 0 : (size_t)size;
    if (size < 0 || !f->vn->ops->kioctl)
        r = -ENOTTY;
    else if (reqlen != hdr + in || (size_t)size > sizeof(arg) || *replen < sizeof(arg))
        r = -EBADMSG;
    if (!r && dir == 0)
        val = fs_get64(q + hdr);
    else if (!r)
        memcpy(arg, q + hdr, in);
    if (!r) {
        caller_enter(q + 16);
        r = f->vn->ops->kioctl(f, cmd, dir == 0 ? (void *)&val : (void *)arg);
        caller_leave();
    }
    fs_file_unref(f);
    if (r == -EBADMSG)
        fs_export_count_bad();
    if (r < 0)
        return (int)r;
    *replen = dir == 2 ? (size_t)size : 0;
    if (dir == 2)
        memcpy(rep, arg, (size_t)size);
    return 0;
}

/* id -> u64 FS_POLL* events ready now. */
int
fs_rpc_stream_poll(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct file *f = req_file(from_node, req, reqlen, 8);
    if (!f)
        return -EBADF;
    int ev = f->vn->ops->poll ? f->vn->ops->poll(f) : FS_POLLIN | FS_POLLOUT;
    fs_file_unref(f);
    return reply_u64(rep, replen, (uint64_t)ev);
}

/* id, off, whence -> u64 the new offset. */
int
fs_rpc_stream_lseek(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct file *f = req_file(from_node, req, reqlen, 24);
    if (!f)
        return -EBADF;
    const uint8_t *q = req;
    long r = fs_file_lseek(f, (long)fs_get64(q + 8), (unsigned int)fs_get64(q + 16));
    fs_file_unref(f);
    if (r < 0)
        return (int)r;
    return reply_u64(rep, replen, (uint64_t)r);
}

/* id -> the attributes (struct fs_attr_wire). */
int
fs_rpc_stream_stat(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct file *f = req_file(from_node, req, reqlen, 8);
    if (!f)
        return -EBADF;
    struct fs_attr_wire a;
    fs_attr_wire_of(f->vn, &a);
    fs_file_unref(f);
    if (*replen < FS_ATTR_WIRE_LEN)
        return -EMSGSIZE;
    fs_attr_wire_put(rep, &a);
    *replen = FS_ATTR_WIRE_LEN;
    return 0;
}

static bool
holder_ok(int64_t h)
{
    return h >= -1 && h < FS_HOLDER_MAX;
}

/* id, from holder, to holder (-1 none, as i64) -> empty: move one
 * reference (fs_remote_ref). Taking one needs the caller to hold one. */
int
fs_rpc_stream_ref(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    const uint8_t *q = req;
    *replen = 0;
    if (reqlen != 24) {
        fs_export_count_bad();
        return -EBADMSG;
    }
    uint64_t id = fs_get64(q);
    int64_t from = (int64_t)fs_get64(q + 8), to = (int64_t)fs_get64(q + 16);
    if (!holder_ok(from) || !holder_ok(to) || (from < 0 && to < 0)) {
        fs_export_count_bad();
        return -EINVAL;
    }
    if (from < 0) {
        struct file *f = fs_export_get(id, from_node);     /* the caller holds one */
        if (!f)
            return -EBADF;
        fs_file_unref(f);
    }
    int err = to >= 0 ? fs_export_adjust(id, (int)to, 1) : 0;
    if (!err && from >= 0) {
        err = fs_export_adjust(id, (int)from, -1);
        if (err && to >= 0)
            (void)fs_export_adjust(id, (int)to, -1);
    }
    if (!err)
        fs_export_count_served();
    return err;
}
