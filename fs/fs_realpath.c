/*
 * The absolute, symlink-free path of a file, for /proc/PID/exe: exec
 * records where the program it loaded lives (kernel/proc_exe.c), so that
 * a program can find and re-exec itself (busybox runs its applets through
 * /proc/self/exe). A directory knows its own path (fs_vn_path); a file
 * need not (tmpfs files have no parent link, and a hard-linked file has
 * several names), so its path is its directory's plus the name it was
 * reached by, after following a symlink in the last component by hand.
 * A file vnode that has them (the initrd's, and the shared volume's, made
 * by each lookup) knows its path (fs_vn_realpath); exec asks it of the
 * program it resolved, so that on the volume it costs no more requests.
 * Name resolution itself is fs_path.c.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

/* out = the directory part of path (up to its last '/') + target. */
static int
link_path(const char *path, const char *target, size_t tlen, char *out)
{
    size_t keep = 0;
    if (target[0] != '/')
        for (size_t i = 0; path[i]; i++)
            if (path[i] == '/')
                keep = i + 1;
    if (keep + tlen + 1 > FS_PATH_MAX)
        return -ENAMETOOLONG;
    memmove(out + keep, target, tlen);
    memmove(out, path, keep);
    out[keep + tlen] = '\0';
    return 0;
}

/* The path of a non-directory: its directory's path, '/', its name. */
static int
file_path(struct fs_ctx *c, const char *path, char *out, size_t n)
{
    char *buf;
    struct vnode *dir;
    const char *name;
    size_t len;
    bool slash;
    int err = fs_namei_parent(c, NULL, path, &buf, &dir, &name, &len, &slash);
    if (err)
        return err;
    long l = fs_vn_path(dir, out, n);
    fs_vn_unref(dir);
    if (l >= 0 && (size_t)l + (l > 1) + len + 1 > n)
        l = -ERANGE;
    if (l >= 0) {
        if (l > 1)
            out[l++] = '/';
        memcpy(out + l, name, len);
        out[l + len] = '\0';
    }
    kfree(buf);
    return l < 0 ? -ENAMETOOLONG : 0;
}

int
fs_vn_realpath(struct vnode *v, char *out, size_t n)
{
    if (FS_ISDIR(v->mode) || !v->parent || !v->name[0])
        return -ENOENT;
    long l = fs_vn_path(v, out, n);
    return l < 0 ? -ENAMETOOLONG : 0;
}

int
fs_realpath(struct fs_ctx *c, const char *path, char *out, size_t n)
{
    /* A file that knows its directory and name (the initrd's, the shared
     * volume's): one resolution, no second walk of its directory. */
    struct vnode *f;
    if (fs_namei(c, NULL, path, FS_NAMEI_FOLLOW, &f, NULL) == 0) {
        int e = fs_vn_realpath(f, out, n);
        fs_vn_unref(f);
        if (e != -ENOENT)
            return e;
    }
    char *cur = kmalloc(FS_PATH_MAX), *tgt = kmalloc(FS_PATH_MAX);
    int err = cur && tgt ? 0 : -ENOMEM;
    size_t pl = strnlen(path, FS_PATH_MAX);
    if (!err && pl >= FS_PATH_MAX)
        err = -ENAMETOOLONG;
    if (!err)
        memcpy(cur, path, pl + 1);
    for (int hop = 0; !err; hop++) {
        struct vnode *v;
        if ((err = fs_namei(c, NULL, cur, 0, &v, NULL)) != 0)
            break;
        if (FS_ISLNK(v->mode) && v->ops->readlink) {
            long tl = hop < FS_LINK_MAX ? v->ops->readlink(v, tgt, FS_PATH_MAX) : -ELOOP;
            fs_vn_unref(v);
            err = tl < 0 ? (int)tl : link_path(cur, tgt, (size_t)tl, cur);
            continue;
        }
        if (FS_ISDIR(v->mode)) {
            long l = fs_vn_path(v, out, n);
            err = l < 0 ? -ENAMETOOLONG : 0;
        } else {
            err = file_path(c, cur, out, n);
        }
        fs_vn_unref(v);
        break;
    }
    kfree(cur);
    kfree(tgt);
    return err;
}
