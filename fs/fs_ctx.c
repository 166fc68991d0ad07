/*
 * Per-process file contexts: the descriptor table (FS_NFD slots, each a
 * reference on a shared open file description, plus a close-on-exec bit),
 * the cwd, the umask and RLIMIT_NOFILE's soft limit (new descriptors stay
 * below it; kernel/proc_rlimit.c sets it). fork copies the table so both processes share the
 * descriptions; exec drops the close-on-exec ones. The process table itself
 * (kernel/proc*) only stores the pointer.
 *
 * ctx->lock is a leaf among fs locks: files are unreferenced only after it
 * is dropped, because a file's close op may take a pipe or tty lock.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"

struct fs_ctx *
fs_cur(void)
{
    struct proc *p = proc_current();
    return p ? proc_fs(p) : NULL;
}

static struct fs_ctx *
ctx_alloc(struct vnode *cwd)
{
    struct fs_ctx *c = kzalloc(sizeof(*c));
    if (!c)
        return NULL;
    spin_init(&c->lock, "fs.ctx");
    c->cwd = cwd;
    fs_vn_ref(cwd);
    c->umask = 022;
    c->nofile = FS_NFD;
    return c;
}

struct fs_ctx *
fs_ctx_new_empty(struct vnode *cwd)
{
    return ctx_alloc(cwd);
}

struct fs_ctx *
fs_ctx_new_console(void)
{
    ASSERT(fs_root, "fs_init ran before the first process");
    struct fs_ctx *c = ctx_alloc(fs_root);
    if (!c)
        return NULL;
    struct file *f;
    if (fs_open_path(c, NULL, "/dev/console", O_RDWR, 0, &f) != 0) {
        fs_ctx_free(c);
        return NULL;
    }
    /* fds 0, 1 and 2 share one description, as after Linux's console open + dup. */
    fs_file_ref(f);
    fs_file_ref(f);
    c->fd[0] = f;
    c->fd[1] = f;
    c->fd[2] = f;
    return c;
}

struct fs_ctx *
fs_ctx_fork(struct fs_ctx *parent)
{
    spin_lock(&parent->lock);
    struct fs_ctx *c = ctx_alloc(parent->cwd);
    if (c) {
        for (int i = 0; i < FS_NFD; i++) {
            c->fd[i] = parent->fd[i];
            if (c->fd[i])
                fs_file_ref(c->fd[i]);
        }
        c->cloexec = parent->cloexec;
        c->umask = parent->umask;
        c->nofile = parent->nofile;
    }
    spin_unlock(&parent->lock);
    return c;
}

void
fs_ctx_exec(struct fs_ctx *c)
{
    for (int i = 0; i < FS_NFD; i++)
        if (c->cloexec & (1ull << i))
            (void)fs_fd_close(c, i);
}

void
fs_ctx_free(struct fs_ctx *c)
{
    if (!c)
        return;
    for (int i = 0; i < FS_NFD; i++)
        (void)fs_fd_close(c, i);
    fs_vn_unref(c->cwd);
    kfree(c);
}

void
fs_ctx_set_nofile(struct fs_ctx *c, uint64_t n)
{
    if (!c)
        return;
    spin_lock(&c->lock);
    c->nofile = (int)MIN(n, (uint64_t)FS_NFD);
    spin_unlock(&c->lock);
}

int
fs_fd_install(struct fs_ctx *c, struct file *f, int min, bool cloexec)
{
    if (min < 0 || min >= FS_NFD)
        return -EINVAL;
    spin_lock(&c->lock);
    if (min > 0 && min >= c->nofile) {   /* F_DUPFD past RLIMIT_NOFILE, as Linux */
        spin_unlock(&c->lock);
        return -EINVAL;
    }
    for (int i = min; i < c->nofile; i++) {
        if (!c->fd[i]) {
            c->fd[i] = f;
            if (cloexec)
                c->cloexec |= 1ull << i;
            else
                c->cloexec &= ~(1ull << i);
            spin_unlock(&c->lock);
            return i;
        }
    }
    spin_unlock(&c->lock);
    return -EMFILE;
}

struct file *
fs_fd_get(struct fs_ctx *c, int fd)
{
    if (!c || fd < 0 || fd >= FS_NFD)
        return NULL;
    spin_lock(&c->lock);
    struct file *f = c->fd[fd];
    if (f)
        fs_file_ref(f);
    spin_unlock(&c->lock);
    return f;
}

struct file *
fs_fd_get_exact(struct fs_ctx *c, long fd)
{
    return fd == (int)fd ? fs_fd_get(c, (int)fd) : NULL;
}

int
fs_fd_close(struct fs_ctx *c, int fd)
{
    if (fd < 0 || fd >= FS_NFD)
        return -EBADF;
    spin_lock(&c->lock);
    struct file *f = c->fd[fd];
    c->fd[fd] = NULL;
    c->cloexec &= ~(1ull << fd);
    spin_unlock(&c->lock);
    if (!f)
        return -EBADF;
    fs_file_unref(f);
    return 0;
}

int
fs_fd_replace(struct fs_ctx *c, int fd, struct file *f, bool cloexec)
{
    if (fd < 0 || fd >= FS_NFD)
        return -EBADF;
    spin_lock(&c->lock);
    if (fd >= c->nofile) {      /* dup2 past RLIMIT_NOFILE, as Linux */
        spin_unlock(&c->lock);
        fs_file_unref(f);       /* the reference moved to us */
        return -EBADF;
    }
    struct file *old = c->fd[fd];
    c->fd[fd] = f;
    if (cloexec)
        c->cloexec |= 1ull << fd;
    else
        c->cloexec &= ~(1ull << fd);
    spin_unlock(&c->lock);
    if (old)
        fs_file_unref(old);
    return fd;
}

int
fs_fd_get_cloexec(struct fs_ctx *c, int fd)
{
    if (fd < 0 || fd >= FS_NFD)
        return -EBADF;
    spin_lock(&c->lock);
    int r = c->fd[fd] ? (int)((c->cloexec >> fd) & 1) : -EBADF;
    spin_unlock(&c->lock);
    return r;
}

int
fs_fd_set_cloexec(struct fs_ctx *c, int fd, bool on)
{
    if (fd < 0 || fd >= FS_NFD)
        return -EBADF;
    spin_lock(&c->lock);
    int r = -EBADF;
    if (c->fd[fd]) {
        if (on)
            c->cloexec |= 1ull << fd;
        else
            c->cloexec &= ~(1ull << fd);
        r = 0;
    }
    spin_unlock(&c->lock);
    return r;
}
