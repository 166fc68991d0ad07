/*
 * Path name resolution: absolute or relative to a base directory (the cwd,
 * or a dirfd for the *at calls), ".", "..", repeated and trailing slashes,
 * and symbolic links (followed up to FS_LINK_MAX deep, relative targets
 * from the link's directory), and mount points (a directory whose
 * ->mounted is set is replaced by the mounted root). Errors follow Linux:
 * ENOENT, ENOTDIR, ENAMETOOLONG (4096-byte paths, 255-byte names), ELOOP.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

static int walk(struct fs_ctx *c, struct vnode *base, const char *path, int flags,
                struct vnode **out, bool *last_missing, int depth, struct fs_ahead *ah);

/* Replace the symlink *vp (found in dir) by what it points to. */
static int
follow(struct fs_ctx *c, struct vnode *dir, struct vnode **vp, bool *last_missing, int depth,
       struct fs_ahead *ah)
{
    struct vnode *link = *vp;
    if (depth >= FS_LINK_MAX)
        return -ELOOP;
    if (!link->ops->readlink)
        return -EINVAL;
    char *target = kmalloc(FS_PATH_MAX);
    if (!target)
        return -ENOMEM;
    long l = link->ops->readlink(link, target, FS_PATH_MAX - 1);
    int err;
    if (l < 0) {
        err = (int)l;
    } else {
        target[l] = '\0';
        struct vnode *res;
        err = walk(c, dir, target, FS_NAMEI_FOLLOW, &res, last_missing, depth + 1, ah);
        if (!err) {
            fs_vn_unref(link);
            *vp = res;
        }
    }
    kfree(target);
    return err;
}

static int
walk(struct fs_ctx *c, struct vnode *base, const char *path, int flags, struct vnode **out,
     bool *last_missing, int depth, struct fs_ahead *ah)
{
    size_t plen = strnlen(path, FS_PATH_MAX);
    if (plen >= FS_PATH_MAX)
        return -ENAMETOOLONG;
    if (plen == 0)
        return -ENOENT;
    /* the last component is followed if asked, or if a slash ends the path */
    bool follow_last = (flags & FS_NAMEI_FOLLOW) || path[plen - 1] == '/';

    struct vnode *cur = base ? base : (c && c->cwd ? c->cwd : fs_root);
    if (path[0] == '/')
        cur = fs_root;
    fs_vn_ref(cur);

    const char *p = path;
    int err = 0;
    for (;;) {
        while (*p == '/')
            p++;
        if (!*p)
            break;
        const char *name = p;
        while (*p && *p != '/')
            p++;
        size_t len = (size_t)(p - name);
        const char *rest = p;
        while (*rest == '/')
            rest++;
        bool last = *rest == '\0';
        bool slash = last && *p == '/';

        if (!FS_ISDIR(cur->mode)) {
            err = -ENOTDIR;
            goto fail;
        }
        if (len > FS_NAME_MAX) {
            err = -ENAMETOOLONG;
            goto fail;
        }
        if (len == 1 && name[0] == '.')
            continue;
        struct vnode *next;
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            spin_lock(&fs_names_lock);    /* a rename may move cur */
            next = cur->parent ? cur->parent : cur;
            fs_vn_ref(next);
            spin_unlock(&fs_names_lock);
        } else {
            if (cur->ops->lookup_ahead)
                err = cur->ops->lookup_ahead(cur, name, len, follow_last, ah, &next);
            else
                err = cur->ops->lookup ? cur->ops->lookup(cur, name, len, &next) : -ENOENT;
            if (err) {
                if (err == -ENOENT && last && last_missing)
                    *last_missing = true;
                goto fail;
            }
            if (FS_ISLNK(next->mode) && (!last || slash || (flags & FS_NAMEI_FOLLOW))) {
                err = follow(c, cur, &next, last ? last_missing : NULL, depth, ah);
                if (err) {
                    fs_vn_unref(next);
                    goto fail;
                }
            }
        }
        if (next->mounted) {
            struct vnode *root = next->mounted;
            fs_vn_ref(root);
            fs_vn_unref(next);
            next = root;
        }
        fs_vn_unref(cur);
        cur = next;
        if (slash && !FS_ISDIR(cur->mode)) {
            err = -ENOTDIR;
            goto fail;
        }
    }
    *out = cur;
    return 0;
fail:
    fs_vn_unref(cur);
    return err;
}

int
fs_namei(struct fs_ctx *c, struct vnode *base, const char *path, int flags, struct vnode **out,
         bool *last_missing)
{
    if (last_missing)
        *last_missing = false;
    struct fs_ahead ah = { .open_read = (flags & FS_NAMEI_OPEN_READ) != 0 };
    int err = walk(c, base, path, flags & FS_NAMEI_FOLLOW, out, last_missing, 0, &ah);
    if (ah.drop)
        ah.drop(&ah);
    kfree(ah.buf);
    return err;
}

int
fs_namei_parent(struct fs_ctx *c, struct vnode *base, const char *path, char **bufp,
                struct vnode **dir, const char **name, size_t *len, bool *slash)
{
    size_t plen = strnlen(path, FS_PATH_MAX);
    if (plen >= FS_PATH_MAX)
        return -ENAMETOOLONG;
    if (plen == 0)
        return -ENOENT;
    char *buf = kmalloc(plen + 2);
    if (!buf)
        return -ENOMEM;
    memcpy(buf, path, plen + 1);
    size_t end = plen;
    while (end > 1 && buf[end - 1] == '/')
        end--;
    *slash = end < plen;
    buf[end] = '\0';
    size_t start = end;
    while (start > 0 && buf[start - 1] != '/')
        start--;
    int err = 0;
    if (start == end)                   /* the path is "/" */
        err = -EBUSY;
    else if (end - start > FS_NAME_MAX)
        err = -ENAMETOOLONG;
    if (!err) {
        /* buf becomes "dirpart\0name\0"; dirpart keeps its '/'. */
        memmove(buf + start + 1, buf + start, end - start + 1);
        buf[start] = '\0';
        err = fs_namei(c, base, start ? buf : ".", FS_NAMEI_FOLLOW, dir, NULL);
    }
    if (!err && !FS_ISDIR((*dir)->mode)) {
        fs_vn_unref(*dir);
        err = -ENOTDIR;
    }
    if (err) {
        kfree(buf);
        return err;
    }
    *bufp = buf;
    *name = buf + start + 1;
    *len = end - start;
    return 0;
}
