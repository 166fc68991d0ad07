/*
 * The root file system: a read-only tree of static vnodes built at boot
 * from the initrd's cpio entries (fs_cpio.c). File data stays in the
 * initrd image (no copy); directories implied by paths are created. /dev
 * (fs_dev.c) and /proc (fs_proc.c) are attached under the root, hiding any
 * archive entries of those names. Also fs_read_file, which exec uses for
 * files not on the initrd (initrd programs: fs_exec.c).
 */
#include "fs/fs_cpio.h"
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

#define READ_FILE_MAX (64u << 20)

static long
ird_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct vnode *v = f->vn;
    if (off >= v->size)
        return 0;
    size_t m = (size_t)MIN((uint64_t)n, v->size - off);
    memcpy(buf, (const char *)v->data + off, m);
    return (long)m;
}

static long
ird_readlink(struct vnode *v, char *buf, size_t n)
{
    size_t m = (size_t)MIN((uint64_t)n, v->size);
    memcpy(buf, v->data, m);
    return (long)m;
}

static const struct vnode_ops ird_dir_ops = {
    .lookup = fs_static_lookup,
    .getdent = fs_static_getdent,
};
static const struct vnode_ops ird_file_ops = {
    .read = ird_read,
};
static const struct vnode_ops ird_link_ops = {
    .readlink = ird_readlink,
};

bool
fs_initrd_is_file(struct vnode *v)
{
    return v->ops == &ird_file_ops;
}

/* Free a static tree without recursion (paths may nest 2000 deep). */
static void
free_tree(struct vnode *root)
{
    struct vnode *v = root;
    while (v) {
        if (v->child) {
            struct vnode *c = v->child;
            v->child = c->sibling;
            v = c;
        } else {
            struct vnode *p = v == root ? NULL : v->parent;
            kfree(v);
            v = p;
        }
    }
}

static struct vnode *
find_child(struct vnode *dir, const char *name, size_t len)
{
    for (struct vnode *c = dir->child; c; c = c->sibling)
        if (strncmp(c->name, name, len) == 0 && c->name[len] == '\0')
            return c;
    return NULL;
}

static struct vnode *
new_node(struct vnode *dir, const char *name, size_t len, uint32_t mode)
{
    const struct vnode_ops *ops = FS_ISDIR(mode) ? &ird_dir_ops
                                : FS_ISLNK(mode) ? &ird_link_ops : &ird_file_ops;
    struct vnode *v = fs_vn_alloc(mode, FS_DEV_INITRD, ops);
    if (!v)
        return NULL;
    v->rofs = true;
    fs_vn_add_child(dir, v, name, len);
    return v;
}

/* Add one archive entry: create the directories on its path, then it. */
static int
add_entry(struct vnode *root, const struct fs_cpio_entry *e, const char **why)
{
    uint32_t type = e->mode & S_IFMT;
    if (type != S_IFDIR && type != S_IFREG && type != S_IFLNK)
        return 0;               /* device nodes, fifos: /dev is ours */
    const char *p = e->name;
    const char *end = e->name + e->namelen;
    struct vnode *dir = root;
    bool top = true;
    while (p < end) {
        while (p < end && *p == '/')
            p++;
        const char *name = p;
        while (p < end && *p != '/')
            p++;
        size_t len = (size_t)(p - name);
        const char *rest = p;
        while (rest < end && *rest == '/')
            rest++;
        bool last = rest == end;
        if (len == 0 || (len == 1 && name[0] == '.'))
            continue;           /* "./bin" and "." itself */
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            *why = "name with a .. component";
            return -EINVAL;
        }
        if (len > FS_NAME_MAX) {
            *why = "name component longer than 255 bytes";
            return -EINVAL;
        }
        if (top && ((len == 3 && memcmp(name, "dev", 3) == 0) ||
                    (len == 4 && memcmp(name, "proc", 4) == 0)))
            return 0;           /* mounted over at fs_init */
        top = false;
        struct vnode *v = find_child(dir, name, len);
        if (v && !last) {
            if (!FS_ISDIR(v->mode)) {
                *why = "path goes through a non-directory";
                return -EINVAL;
            }
        } else if (v) {
            if ((v->mode & S_IFMT) != type) {
                *why = "entry appears twice with different types";
                return -EINVAL;
            }
            v->mode = e->mode;  /* a later duplicate wins, as the kernel's unpacker */
        } else {
            v = new_node(dir, name, len, last ? e->mode : (S_IFDIR | 0755));
            if (!v) {
                *why = "out of memory";
                return -ENOMEM;
            }
        }
        if (last && type != S_IFDIR) {
            v->data = e->data;
            v->size = e->size;
        }
        dir = v;
    }
    return 0;
}

void
fs_initrd_free(struct vnode *root)
{
    free_tree(root);
}

int
fs_initrd_build(const void *img, size_t len, struct vnode **rootp)
{
    struct vnode *root = fs_vn_alloc(S_IFDIR | 0755, FS_DEV_INITRD, &ird_dir_ops);
    if (!root)
        return -ENOMEM;
    root->rofs = true;
    size_t off = 0;
    const char *why = "?";
    int r;
    for (;;) {
        struct fs_cpio_entry e;
        r = fs_cpio_next(img, len, &off, &e, &why);
        if (r <= 0)
            break;
        r = add_entry(root, &e, &why);
        if (r < 0)
            break;
    }
    if (r < 0) {
        static const char pre[] = "fs: initrd: ";
        arch_console_write(pre, sizeof(pre) - 1);
        arch_console_write(why, strlen(why));
        arch_console_write("\n", 1);
        free_tree(root);
        return r;
    }
    *rootp = root;
    return 0;
}

int
fs_init(const void *img, size_t len)
{
    struct vnode *root;
    int err = fs_initrd_build(img, len, &root);
    if (err)
        return err == -ENOMEM ? err : -EINVAL;
    struct vnode *dev = fs_dev_init();
    struct vnode *proc = fs_proc_init();
    if (!dev || !proc) {
        free_tree(root);
        return -ENOMEM;
    }
    fs_vn_add_child(root, dev, "dev", 3);
    fs_vn_add_child(root, proc, "proc", 4);
    fs_root = root;
    return 0;
}

int
fs_read_file(struct fs_ctx *c, const char *path, bool exec, void **bufp, size_t *lenp)
{
    struct vnode *v;
    int err = fs_namei(c, NULL, path, FS_NAMEI_FOLLOW, &v, NULL);
    if (err)
        return err;
    if (FS_ISDIR(v->mode))
        err = -EISDIR;
    else if (!FS_ISREG(v->mode))
        err = -EACCES;
    else if (exec && !(v->mode & 0111))
        err = -EACCES;
    else if (v->size > READ_FILE_MAX)
        err = -EFBIG;
    struct file *f = NULL;
    if (!err)
        err = fs_file_open(v, O_RDONLY, &f);
    fs_vn_unref(v);
    if (err)
        return err;
    size_t size = (size_t)f->vn->size;
    char *buf = kmalloc(size ? size : 1);
    if (!buf) {
        fs_file_unref(f);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < size) {
        long r = fs_file_read(f, buf + got, size - got, got, 0);
        if (r <= 0) {
            if (r < 0) {
                kfree(buf);
                fs_file_unref(f);
                return (int)r;
            }
            break;
        }
        got += (size_t)r;
    }
    fs_file_unref(f);
    *bufp = buf;
    *lenp = got;
    return 0;
}

