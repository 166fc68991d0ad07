/*
 * wisp-install IMAGE DIR: bring the tree DIR (build/rootfs, the userland)
 * into an existing WFS image without touching anything else in it, so a
 * rebuilt userland reaches a volume that holds users' files
 * (scripts/cluster runs it on <state>/fs.img at each `up`; docs/fs.md).
 *
 * For each entry of DIR: a missing one is created; a regular file whose
 * bytes differ is rewritten in place (same inode); a symlink whose target
 * differs is replaced; a directory is entered. An entry of the image
 * whose type differs is replaced unless it is a directory (kept, with a
 * warning). Nothing absent from DIR is removed. Owners become 0, modes
 * and times are DIR's for what was written. Exit 0, 1 (some entries
 * failed or were kept) or 8 (the image could not be used).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fs/host/wfs_filedev.h"

static struct wfs *fs;
static int failures, added, updated, same;

static void
warn(const char *path, const char *what, int err)
{
    fprintf(stderr, "wisp-install: %s: %s: %s\n", path, what, strerror(-err));
    failures++;
}

static void
put_attrs(uint32_t ino, const struct stat *st)
{
    struct wfs_attr a = {
        .mode = st->st_mode & 07777,
        .mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
    };
    unsigned mask = WFS_SET_MTIME | WFS_SET_UID | WFS_SET_GID;
    if (!S_ISLNK(st->st_mode))
        mask |= WFS_SET_MODE;
    (void)wfs_setattr(fs, ino, &a, mask);
}

/* Whether the image's file ino holds exactly the bytes of the host file fd. */
static bool
same_bytes(int fd, uint32_t ino, uint64_t size)
{
    static char a[1 << 16], b[1 << 16];
    uint64_t off = 0;
    while (off < size) {
        ssize_t n = pread(fd, a, sizeof(a), (off_t)off);
        if (n <= 0 || wfs_read(fs, ino, off, b, (size_t)n) != n || memcmp(a, b, (size_t)n))
            return false;
        off += (uint64_t)n;
    }
    return true;
}

/* Write the host file over ino from offset 0, then cut it to size. */
static int
write_file(int fd, uint32_t ino, uint64_t size)
{
    static char buf[1 << 16];
    uint64_t off = 0;
    struct wfs_attr z = { .size = 0 };
    int err = wfs_setattr(fs, ino, &z, WFS_SET_SIZE);
    while (!err && off < size) {
        ssize_t n = pread(fd, buf, sizeof(buf), (off_t)off);
        if (n <= 0)
            return n < 0 ? -errno : -EIO;
        long w = wfs_write(fs, ino, off, buf, (size_t)n);
        if (w != n)
            return w < 0 ? (int)w : -ENOSPC;
        off += (uint64_t)n;
    }
    return err;
}

/* The image's entry name in dir, if any, as type bits (0: none). */
static uint32_t
image_type(uint32_t dir, const char *name, uint32_t *ino)
{
    struct wfs_attr a;
    if (wfs_lookup(fs, dir, name, ino) != 0 || wfs_getattr(fs, *ino, &a) != 0)
        return 0;
    return a.mode & S_IFMT;
}

static int
install_reg(const char *path, const struct stat *st, uint32_t dir, const char *name,
            uint32_t *ino)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -errno;
    uint32_t type = image_type(dir, name, ino);
    struct wfs_attr a;
    int err = 0;
    if (type == S_IFREG && wfs_getattr(fs, *ino, &a) == 0 &&
        a.size == (uint64_t)st->st_size && same_bytes(fd, *ino, a.size)) {
        same++;
        close(fd);
        return 1;
    }
    if (type && type != S_IFREG)
        err = wfs_unlink(fs, dir, name);
    if (!err && type != S_IFREG)
        err = wfs_create(fs, dir, name, st->st_mode, 0, 0, ino);
    if (!err)
        err = write_file(fd, *ino, (uint64_t)st->st_size);
    if (!err)
        type == S_IFREG ? updated++ : added++;
    close(fd);
    return err;
}

static int
install_link(const char *path, uint32_t dir, const char *name, uint32_t *ino)
{
    char want[WFS_PATH_MAX + 1], have[WFS_PATH_MAX + 1];
    ssize_t n = readlink(path, want, sizeof(want) - 1);
    if (n < 0)
        return -errno;
    want[n] = 0;
    uint32_t type = image_type(dir, name, ino);
    int err = 0;
    if (type == S_IFLNK) {
        int k = wfs_readlink(fs, *ino, have, sizeof(have) - 1);
        if (k == n && !memcmp(have, want, (size_t)n)) {
            same++;
            return 1;
        }
    }
    if (type)
        err = wfs_unlink(fs, dir, name);
    if (!err)
        err = wfs_symlink(fs, dir, name, want, 0, 0, ino);
    if (!err)
        type ? updated++ : added++;
    return err;
}

static void install_tree(const char *path, uint32_t dir);

static void
install_one(const char *path, const char *name, uint32_t dir)
{
    struct stat st;
    uint32_t ino = 0, type;
    int err;
    if (lstat(path, &st) != 0)
        return warn(path, "lstat", -errno);
    type = image_type(dir, name, &ino);
    if ((S_ISREG(st.st_mode) || S_ISLNK(st.st_mode)) && type == S_IFDIR) {
        fprintf(stderr, "wisp-install: %s: a directory in the image: kept\n", path);
        failures++;
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        err = 0;
        if (type && type != S_IFDIR)
            err = wfs_unlink(fs, dir, name);
        if (!err && type != S_IFDIR && !(err = wfs_mkdir(fs, dir, name, st.st_mode, 0, 0, &ino)))
            added++;
        if (!err)
            install_tree(path, ino);
    } else if (S_ISREG(st.st_mode)) {
        err = install_reg(path, &st, dir, name, &ino);
    } else if (S_ISLNK(st.st_mode)) {
        err = install_link(path, dir, name, &ino);
    } else {
        fprintf(stderr, "wisp-install: %s: not a file, directory or symlink: skipped\n", path);
        return;
    }
    if (err < 0)
        return warn(path, "install", err);
    if (err == 0 && !(S_ISDIR(st.st_mode) && type == S_IFDIR))
        put_attrs(ino, &st);
}

static void
install_tree(const char *path, uint32_t dir)
{
    DIR *d = opendir(path);
    if (!d)
        return warn(path, "opendir", -errno);
    struct dirent *e;
    while ((e = readdir(d))) {
        if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
            continue;
        char *sub;
        if (asprintf(&sub, "%s/%s", path, e->d_name) < 0)
            exit(8);
        install_one(sub, e->d_name, dir);
        free(sub);
    }
    closedir(d);
}

int
main(int argc, char **argv)
{
    struct wfs_dev dev;
    if (argc != 3) {
        fprintf(stderr, "usage: wisp-install IMAGE DIR\n"
                        "  copy DIR's tree into the WFS image IMAGE: new and changed\n"
                        "  entries only; nothing else in IMAGE is touched\n");
        return 8;
    }
    struct stat st;
    if (stat(argv[2], &st) != 0 || !S_ISDIR(st.st_mode)) {
        fprintf(stderr, "wisp-install: %s: not a directory\n", argv[2]);
        return 8;
    }
    int err = wfs_filedev_open(&dev, argv[1], false);
    fs = err ? NULL : malloc(wfs_size());
    if (err || !fs || wfs_mount(fs, &dev) != 0) {
        fprintf(stderr, "wisp-install: %s: %s\n", argv[1],
                err ? strerror(-err) : fs ? wfs_error(fs) : "out of memory");
        return 8;
    }
    install_tree(argv[2], WFS_ROOT_INO);
    if (wfs_unmount(fs) != 0) {
        fprintf(stderr, "wisp-install: %s: unmount: %s\n", argv[1], wfs_error(fs));
        return 8;
    }
    wfs_filedev_close(&dev);
    free(fs);
    printf("wisp-install: %s: %d added, %d updated, %d unchanged%s\n", argv[1], added, updated,
           same, failures ? ", some failed" : "");
    return failures ? 1 : 0;
}
