/*
 * Pipes: a FS_PIPE_SIZE ring buffer under one spinlock, with blocking,
 * interruptible reads and writes (waitq_wait_intr, so any signal, SIGKILL
 * included, ends a wait with -EINTR), end of file once no writer is left,
 * SIGPIPE and -EPIPE for a write with no reader, O_NONBLOCK, and atomic
 * writes of up to FS_PIPE_BUF bytes. The system calls pipe/pipe2 are in
 * fs_sys.c. Reader/writer counts are per open file description, so fork
 * and dup share them as POSIX says. Every change of a pipe's state wakes
 * poll and select (fs_poll_wake; their wait queue lives here too).
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/uaccess.h"

#define FIONREAD 0x541B

struct pipe {
    struct spinlock lock;       /* protects everything below */
    char *buf;                  /* FS_PIPE_SIZE bytes */
    uint32_t head;              /* free-running: bytes ever written */
    uint32_t tail;              /* free-running: bytes ever read */
    int readers;
    int writers;
    struct waitq rq;            /* readers waiting for data */
    struct waitq wq;            /* writers waiting for room */
};

static int
pipe_open(struct file *f)
{
    struct pipe *p = f->vn->priv;
    spin_lock(&p->lock);
    if ((f->flags & O_ACCMODE) != O_WRONLY)
        p->readers++;
    if ((f->flags & O_ACCMODE) != O_RDONLY)
        p->writers++;
    spin_unlock(&p->lock);
    return 0;
}

static void
pipe_close(struct file *f)
{
    struct pipe *p = f->vn->priv;
    spin_lock(&p->lock);
    if ((f->flags & O_ACCMODE) != O_WRONLY)
        p->readers--;
    if ((f->flags & O_ACCMODE) != O_RDONLY)
        p->writers--;
    /* Readers see EOF, writers see EPIPE. */
    waitq_wake_all(&p->rq);
    waitq_wake_all(&p->wq);
    spin_unlock(&p->lock);
    fs_poll_wake();
}

static void
pipe_release(struct vnode *v)
{
    struct pipe *p = v->priv;
    kfree(p->buf);
    kfree(p);
    kfree(v);
}

static long
pipe_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct pipe *p = f->vn->priv;
    char *out = buf;
    if (n == 0)
        return 0;
    spin_lock(&p->lock);
    while (p->head == p->tail) {
        if (p->writers == 0) {
            spin_unlock(&p->lock);
            return 0;
        }
        if (flags & O_NONBLOCK) {
            spin_unlock(&p->lock);
            return -EAGAIN;
        }
        if (waitq_wait_intr(&p->rq, &p->lock) != 0) {
            spin_unlock(&p->lock);
            return -EINTR;
        }
    }
    size_t m = MIN(n, (size_t)(p->head - p->tail));
    size_t at = p->tail % FS_PIPE_SIZE;
    size_t first = MIN(m, FS_PIPE_SIZE - at);
    memcpy(out, p->buf + at, first);
    memcpy(out + first, p->buf, m - first);
    p->tail += (uint32_t)m;
    waitq_wake_all(&p->wq);
    spin_unlock(&p->lock);
    fs_poll_wake();
    return (long)m;
}

static long
pipe_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    struct pipe *p = f->vn->priv;
    const char *in = buf;
    size_t done = 0;
    long ret = 0;
    bool sigpipe = false;

    spin_lock(&p->lock);
    while (done < n) {
        if (p->readers == 0) {
            sigpipe = true;
            ret = -EPIPE;
            break;
        }
        size_t room = FS_PIPE_SIZE - (p->head - p->tail);
        /* Up to FS_PIPE_BUF bytes go in one piece or not at all. */
        size_t need = n <= FS_PIPE_BUF ? n - done : 1;
        if (room >= need) {
            size_t m = MIN(room, n - done);
            size_t at = p->head % FS_PIPE_SIZE;
            size_t first = MIN(m, FS_PIPE_SIZE - at);
            memcpy(p->buf + at, in + done, first);
            memcpy(p->buf, in + done + first, m - first);
            p->head += (uint32_t)m;
            done += m;
            waitq_wake_all(&p->rq);
            continue;
        }
        if (flags & O_NONBLOCK) {
            ret = -EAGAIN;
            break;
        }
        if (waitq_wait_intr(&p->wq, &p->lock) != 0) {
            ret = -EINTR;
            break;
        }
    }
    spin_unlock(&p->lock);
    if (done)
        fs_poll_wake();
    if (sigpipe && proc_current())
        proc_signal(proc_current(), SIGPIPE);
    return done ? (long)done : ret;
}

static long
pipe_ioctl(struct file *f, uint64_t cmd, uint64_t uarg)
{
    struct pipe *p = f->vn->priv;
    if (cmd != FIONREAD)
        return -ENOTTY;
    spin_lock(&p->lock);
    int v = (int)(p->head - p->tail);
    spin_unlock(&p->lock);
    return copyout(uarg, &v, sizeof(v));
}

/* FIONREAD for a holder on another node (fs_remote_srv.c). */
static long
pipe_kioctl(struct file *f, uint32_t cmd, void *arg)
{
    struct pipe *p = f->vn->priv;
    if (cmd != FIONREAD)
        return -ENOTTY;
    spin_lock(&p->lock);
    int v = (int)(p->head - p->tail);
    spin_unlock(&p->lock);
    memcpy(arg, &v, sizeof(v));
    return 0;
}

/* Readable with data or with no writer left (POLLHUP); writable with
 * room for an atomic write; POLLERR once the readers are gone. */
static int
pipe_poll(struct file *f)
{
    struct pipe *p = f->vn->priv;
    int ev = 0;
    spin_lock(&p->lock);
    if ((f->flags & O_ACCMODE) != O_WRONLY) {
        ev |= p->head != p->tail ? FS_POLLIN : 0;
        ev |= p->writers == 0 ? FS_POLLHUP : 0;
    }
    if ((f->flags & O_ACCMODE) != O_RDONLY) {
        ev |= FS_PIPE_SIZE - (p->head - p->tail) >= FS_PIPE_BUF ? FS_POLLOUT : 0;
        ev |= p->readers == 0 ? FS_POLLERR : 0;
    }
    spin_unlock(&p->lock);
    return ev;
}

static const struct vnode_ops pipe_ops = {
    .read = pipe_read,
    .write = pipe_write,
    .ioctl = pipe_ioctl,
    .open = pipe_open,
    .close = pipe_close,
    .release = pipe_release,
    .poll = pipe_poll,
    .noseek = true,
    .kioctl = pipe_kioctl,
};

int
fs_pipe_create(struct file **rd, struct file **wr, int flags)
{
    struct pipe *p = kzalloc(sizeof(*p));
    char *buf = kmalloc(FS_PIPE_SIZE);
    struct vnode *v = fs_vn_alloc(S_IFIFO | 0600, FS_DEV_PIPE, &pipe_ops);
    if (!p || !buf || !v) {
        kfree(p);
        kfree(buf);
        kfree(v);
        return -ENOMEM;
    }
    spin_init(&p->lock, "fs.pipe");
    waitq_init(&p->rq);
    waitq_init(&p->wq);
    p->buf = buf;
    v->priv = p;
    v->dynamic = true;
    int nb = flags & O_NONBLOCK;
    int err = fs_file_open(v, O_RDONLY | nb, rd);
    if (!err) {
        err = fs_file_open(v, O_WRONLY | nb, wr);
        if (err)
            fs_file_unref(*rd);
    }
    fs_vn_unref(v);             /* the files hold it now (or it goes away) */
    return err;
}

/* The wait queue of poll and select (fs_poll.c), here because pipes are
 * what wakes it and every build with pipes must have it. Pollers sleep
 * on poll_q; poll_seq counts fs_poll_wake calls, so a change between a
 * poller's scan and its sleep is not lost. */
static struct spinlock poll_lock = { .name = "fs.poll", .cpu = -1 };
static struct waitq poll_q;
static uint64_t poll_seq;

void
fs_poll_wake(void)
{
    spin_lock(&poll_lock);
    poll_seq++;
    waitq_wake_all(&poll_q);
    spin_unlock(&poll_lock);
}

int
fs_poll_wait(uint64_t seq, uint64_t ns)
{
    int err = 0;
    spin_lock(&poll_lock);
    if (poll_seq == seq)
        err = waitq_wait_timeout(&poll_q, &poll_lock, ns);
    spin_unlock(&poll_lock);
    return err == -EINTR ? -EINTR : 0;
}

uint64_t
fs_poll_seq(void)
{
    spin_lock(&poll_lock);
    uint64_t seq = poll_seq;
    spin_unlock(&poll_lock);
    return seq;
}
