/*
 * The /dev directory: null, zero, random and urandom (both the kernel
 * generator, kernel/rand.c, which never blocks once seeded; what is written
 * to them is mixed into it), and the console tty under two names (console
 * and tty; its line discipline is fs_tty.c). A static tree built once at
 * fs_init; the devices keep no state of their own.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/rand.h"

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
              add(dir, "null", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &null_ops),
                  MKDEV(1, 3)) &&
              add(dir, "random", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &random_ops),
                  MKDEV(1, 8)) &&
              add(dir, "tty", fs_tty_init(), MKDEV(5, 0)) &&
              add(dir, "urandom", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &random_ops),
                  MKDEV(1, 9)) &&
              add(dir, "zero", fs_vn_alloc(S_IFCHR | 0666, FS_DEV_DEVFS, &zero_ops),
                  MKDEV(1, 5));
    return ok ? dir : NULL;     /* out of memory at boot: the caller halts */
}
