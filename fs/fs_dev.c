/*
 * The /dev directory: null, zero, random and urandom (both the kernel
 * generator, kernel/rand.c, which never blocks once seeded; what is written
 * to them is mixed into it), and the console tty under two names (console
 * and tty; its line discipline is fs_tty.c). A static tree built once at
 * fs_init; the devices keep no state of their own.
 *
 * /dev/fd lists the caller's open descriptors by number; looking up "N"
 * gives the vnode fd N refers to, so opening /dev/fd/N opens that file
 * afresh (a pipe gains a reader or a writer, a tmpfs file its own offset)
 * as Linux's /proc/self/fd/N links do, and stat sees the file itself.
 * bash's process substitution <(...) hands out such names. /dev/stdin,
 * stdout and stderr are symlinks to /dev/fd/0, 1 and 2.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/rand.h"

#define FD_NAME_MAX 3           /* FS_NFD is 64: at most 2 digits */
static_assert(FS_NFD <= 100, "/dev/fd names have at most 2 digits");

#define MKDEV(ma, mi) (((uint64_t)(ma) << 8) | (uint64_t)(mi))

static long
null_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    return 0;
}

static long
null_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    return (long)n;
}

static long
zero_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    memset(buf, 0, n);
    return (long)n;
}

static long
random_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    rand_bytes(buf, n);
    return (long)n;
}

static long
random_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags)
{
    rand_add_entropy(buf, n);
    return (long)n;
}

static const struct vnode_ops random_ops = {
    .read = random_read,
    .write = random_write,
};
static const struct vnode_ops null_ops = {
    .read = null_read,
    .write = null_write,
};
static const struct vnode_ops zero_ops = {
    .read = zero_read,
    .write = null_write,
};
static const struct vnode_ops devdir_ops = {
    .lookup = fs_static_lookup,
    .getdent = fs_static_getdent,
};

/* "N" (no sign, no leading zero) -> N, else -1. */
static int
fd_name(const char *name, size_t len)
{
    if (len == 0 || len >= FD_NAME_MAX || (len > 1 && name[0] == '0'))
        return -1;
    int n = 0;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -1;
        n = n * 10 + (name[i] - '0');
    }
    return n < FS_NFD ? n : -1;
}

static int
fd_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    int fd = fd_name(name, len);
    struct file *f = fd < 0 ? NULL : fs_fd_get(fs_cur(), fd);
    if (!f)
        return -ENOENT;
    fs_vn_ref(f->vn);
    *out = f->vn;
    fs_file_unref(f);
    return 0;
}

/* The first open fd at or past idx, named by its number. */
static int
fd_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de)
{
    struct fs_ctx *c = fs_cur();
    for (uint64_t fd = idx; fd < FS_NFD; fd++) {
        struct file *f = fs_fd_get(c, (int)fd);
        if (!f)
            continue;
        de->ino = f->vn->ino;
        de->type = fs_dtype(f->vn->mode);
        fs_file_unref(f);
        size_t i = 0;
        if (fd >= 10)
            de->name[i++] = (char)('0' + fd / 10);
        de->name[i++] = (char)('0' + fd % 10);
        de->name[i] = '\0';
        de->next = fd + 1;
        return 0;
    }
    return 1;
}

static long
link_readlink(struct vnode *v, char *buf, size_t n)
{
    size_t m = (size_t)MIN((uint64_t)n, v->size);
    memcpy(buf, v->data, m);
    return (long)m;
}

static const struct vnode_ops fddir_ops = {
    .lookup = fd_lookup,
    .getdent = fd_getdent,
};
static const struct vnode_ops link_ops = {
    .readlink = link_readlink,
};

/* A static symlink to target (a string constant). */
static struct vnode *
symlink_to(const char *target)
{
    struct vnode *v = fs_vn_alloc(S_IFLNK | 0777, FS_DEV_DEVFS, &link_ops);
    if (v) {
        v->data = target;
        v->size = strlen(target);
    }
    return v;
}

static bool
add(struct vnode *dir, const char *name, struct vnode *v, uint64_t rdev)
{
    if (!v)
        return false;
    v->rdev = rdev;
    fs_vn_add_child(dir, v, name, strlen(name));
    return true;
}

struct vnode *
fs_dev_init(void)
{
    struct vnode *dir = fs_vn_alloc(S_IFDIR | 0755, FS_DEV_DEVFS, &devdir_ops);
    if (!dir)
        return NULL;
    bool ok = add(dir, "console", fs_tty_init(), MKDEV(5, 1)) &&
              add(dir, "fd", fs_vn_alloc(S_IFDIR | 0555, FS_DEV_DEVFS, &fddir_ops), 0) &&
              add(dir, "null", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &null_ops),
                  MKDEV(1, 3)) &&
              add(dir, "random", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &random_ops),
                  MKDEV(1, 8)) &&
              add(dir, "stderr", symlink_to("/dev/fd/2"), 0) &&
              add(dir, "stdin", symlink_to("/dev/fd/0"), 0) &&
              add(dir, "stdout", symlink_to("/dev/fd/1"), 0) &&
              add(dir, "tty", fs_tty_init(), MKDEV(5, 0)) &&
              add(dir, "urandom", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &random_ops),
                  MKDEV(1, 9)) &&
              add(dir, "zero", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &zero_ops),
                  MKDEV(1, 5));
    return ok ? dir : NULL;     /* out of memory at boot: the caller halts */
}
