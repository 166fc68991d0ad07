/*
 * wisp-wfs-extract IMAGE DIR: copy the tree of a WFS image out into DIR
 * (which must not exist): directories, regular files (holes stay holes),
 * symlinks, permission bits and mtimes. The image is only read: writes
 * (the journal replay, the mount's bookkeeping) go to an in-memory
 * overlay. The counterpart of wisp-mkfs's DIR argument, for round-trip
 * checks and for looking into an image (docs/wfs.md).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "fs/host/wfs_filedev.h"

static struct wfs *fs;
static int failures;

static void extract(uint32_t ino, const char *path);

static void
complain(const char *path, const char *what, int err)
{
    fprintf(stderr, "wisp-wfs-extract: %s: %s: %s\n", path, what, strerror(err < 0 ? -err : err));
    failures++;
}

static int
copy_out(uint32_t ino, const char *path, const struct wfs_attr *a)
{
    static char buf[1 << 16];
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0)
        return -errno;
    for (uint64_t off = 0; off < a->size;) {
        long n = wfs_read(fs, ino, off, buf, sizeof(buf));
        if (n <= 0) {
            close(fd);
            return n < 0 ? (int)n : -EIO;
        }
        bool zero = true;
        for (long i = 0; i < n && zero; i++)
            zero = buf[i] == 0;
        if (!zero && pwrite(fd, buf, (size_t)n, (off_t)off) != n) {
            close(fd);
            return -errno;
        }
        off += (uint64_t)n;
    }
    int err = ftruncate(fd, (off_t)a->size) ? -errno : 0;
    close(fd);
    return err;
}

static int
entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type, uint64_t next)
{
    const char *dir = arg;
    char *sub;
    if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
        return 0;
    if (asprintf(&sub, "%s/%.*s", dir, (int)len, name) < 0)
        exit(8);
    extract(ino, sub);
    free(sub);
    return 0;
}

static void
set_times(const char *path, const struct wfs_attr *a)
{
    struct timespec ts[2] = { { a->atime / 1000000000, a->atime % 1000000000 },
                              { a->mtime / 1000000000, a->mtime % 1000000000 } };
    utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
}

static void
extract(uint32_t ino, const char *path)
{
    struct wfs_attr a;
    int err = wfs_getattr(fs, ino, &a);
    if (err)
        return complain(path, "getattr", err);
    uint32_t type = a.mode & WFS_S_IFMT;
    if (type == WFS_S_IFDIR) {
        if (mkdir(path, 0700) != 0)
            return complain(path, "mkdir", errno);
        err = wfs_readdir(fs, ino, 0, entry, (void *)path);
    } else if (type == WFS_S_IFLNK) {
        char target[WFS_PATH_MAX + 1];
        int n = wfs_readlink(fs, ino, target, WFS_PATH_MAX);
        if (n < 0)
            return complain(path, "readlink", n);
        target[n] = 0;
        err = symlink(target, path) ? -errno : 0;
    } else {
        err = copy_out(ino, path, &a);
    }
    if (err)
        return complain(path, "extract", err);
    if (type != WFS_S_IFLNK)
        chmod(path, a.mode & 07777);
    set_times(path, &a);
}

int
main(int argc, char **argv)
{
    struct wfs_dev dev;
    if (argc != 3) {
        fprintf(stderr, "usage: wisp-wfs-extract IMAGE DIR\n");
        return 8;
    }
    int err = wfs_filedev_open(&dev, argv[1], true);
    if (err) {
        fprintf(stderr, "wisp-wfs-extract: %s: %s\n", argv[1], strerror(-err));
        return 8;
    }
    wfs_filedev_overlay(&dev);
    fs = malloc(wfs_size());
    if (!fs || wfs_mount(fs, &dev) != 0) {
        fprintf(stderr, "wisp-wfs-extract: %s: %s\n", argv[1], fs ? wfs_error(fs) : "no memory");
        return 8;
    }
    extract(WFS_ROOT_INO, argv[2]);
    wfs_filedev_close(&dev);
    free(fs);
    return failures ? 1 : 0;
}
