/*
 * The absolute, symlink-free path of a file, for /proc/PID/exe: exec
 * records where the program it loaded lives (kernel/proc_exe.c), so that
 * a program can find and re-exec itself (busybox runs its applets through
 * /proc/self/exe). Name resolution itself is fs_path.c.
 */
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

int
fs_realpath(struct fs_ctx *c, const char *path, char *out, size_t n)
{
    struct vnode *v;
    int err = fs_namei(c, NULL, path, FS_NAMEI_FOLLOW, &v, NULL);
    if (err)
        return err;
    long len = fs_vn_path(v, out, n);
    fs_vn_unref(v);
    return len < 0 ? -ENAMETOOLONG : 0;
}
