/*
 * wisp-mkfs [-i INODES] [-L LABEL] [-p] IMAGE SIZE [DIR]: create IMAGE of
 * SIZE bytes (suffix K, M or G), format it as WFS, and copy the tree DIR
 * into it through the library's own calls: directories, regular files,
 * symlinks, permission bits and times; owners are 0 unless -p keeps
 * them. Other file types are skipped with a warning. See docs/wfs.md.
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
static bool keep_owner;
static int failures;

static void
complain(const char *path, const char *what, int err)
{
    fprintf(stderr, "wisp-mkfs: %s: %s: %s\n", path, what, strerror(-err));
    failures++;
}

static void
set_attrs(uint32_t ino, const struct stat *st)
{
    struct wfs_attr a = {
        .mode = st->st_mode & 07777,
        .atime = (int64_t)st->st_atim.tv_sec * 1000000000 + st->st_atim.tv_nsec,
        .mtime = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec,
        .uid = keep_owner ? st->st_uid : 0, .gid = keep_owner ? st->st_gid : 0,
    };
    unsigned mask = WFS_SET_ATIME | WFS_SET_MTIME | WFS_SET_UID | WFS_SET_GID;
    if (!S_ISLNK(st->st_mode))
        mask |= WFS_SET_MODE;
    int err = wfs_setattr(fs, ino, &a, mask);
    if (err)
        complain("(attributes)", "setattr", err);
}

static bool
all_zero(const char *p, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (p[i])
            return false;
    return true;
}

/* Copy the bytes, leaving blocks of zeros as holes; the size is set at
 * the end so a trailing hole counts. */
static int
copy_file(const char *path, uint32_t ino)
{
    static char buf[1 << 16];
    uint64_t off = 0;
    int fd = open(path, O_RDONLY), err = 0;
    if (fd < 0)
        return -errno;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n <= 0) {
            err = n < 0 ? -errno : 0;
            break;
        }
        for (ssize_t at = 0; at < n && !err; at += WFS_BLOCK) {
            size_t k = (size_t)(n - at < WFS_BLOCK ? n - at : WFS_BLOCK);
            if (all_zero(buf + at, k))
                continue;
            long w = wfs_write(fs, ino, off + (uint64_t)at, buf + at, k);
            if (w != (long)k)
                err = w < 0 ? (int)w : -ENOSPC;
        }
        if (err)
            break;
        off += (uint64_t)n;
    }
    close(fd);
    struct wfs_attr a = { .size = off };
    return err ? err : wfs_setattr(fs, ino, &a, WFS_SET_SIZE);
}

static void add_tree(const char *path, uint32_t dir);

static void
add_one(const char *path, const char *name, uint32_t dir)
{
    struct stat st;
    uint32_t ino;
    int err;
    if (lstat(path, &st) != 0)
        return complain(path, "lstat", -errno);
    uint32_t uid = keep_owner ? st.st_uid : 0, gid = keep_owner ? st.st_gid : 0;
    if (S_ISDIR(st.st_mode)) {
        err = wfs_mkdir(fs, dir, name, st.st_mode, uid, gid, &ino);
        if (err == -EEXIST && wfs_lookup(fs, dir, name, &ino) == 0)
            err = 0;            /* lost+found is made by the format */
        if (!err)
            add_tree(path, ino);
    } else if (S_ISREG(st.st_mode)) {
        err = wfs_create(fs, dir, name, st.st_mode, uid, gid, &ino);
        if (!err)
            err = copy_file(path, ino);
    } else if (S_ISLNK(st.st_mode)) {
        char target[WFS_PATH_MAX + 1];
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n < 0)
            return complain(path, "readlink", -errno);
        target[n] = 0;
        err = wfs_symlink(fs, dir, name, target, uid, gid, &ino);
    } else {
        fprintf(stderr, "wisp-mkfs: %s: not a file, directory or symlink: skipped\n", path);
        return;
    }
    if (err)
        return complain(path, "copy", err);
    set_attrs(ino, &st);
}

static int
by_name(const struct dirent **a, const struct dirent **b)
{
    return strcmp((*a)->d_name, (*b)->d_name);
}

static void
add_tree(const char *path, uint32_t dir)
{
    struct dirent **list;
    int n = scandir(path, &list, NULL, by_name);
    if (n < 0)
        return complain(path, "scandir", -errno);
    for (int i = 0; i < n; i++) {
        const char *name = list[i]->d_name;
        if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
            char *sub;
            if (asprintf(&sub, "%s/%s", path, name) < 0)
                exit(8);
            add_one(sub, name, dir);
            free(sub);
        }
        free(list[i]);
    }
    free(list);
}

static long long
parse_size(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    switch (*end) {
    case 'k': case 'K': v <<= 10; end++; break;
    case 'm': case 'M': v <<= 20; end++; break;
    case 'g': case 'G': v <<= 30; end++; break;
    }
    return *end || v <= 0 ? -1 : v;
}

static int
usage(void)
{
    fprintf(stderr, "usage: wisp-mkfs [-i INODES] [-L LABEL] [-p] IMAGE SIZE [DIR]\n"
                    "  SIZE in bytes, or with K, M or G; at least 1M\n"
                    "  DIR  copied in (files, directories, symlinks, modes, times)\n"
                    "  -p   keep owners (default: uid and gid 0)\n");
    return 8;
}

static int
build(const char *image, long long size, const char *tree, uint32_t ninodes, const char *label)
{
    struct wfs_dev dev;
    int fd = open(image, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, size / WFS_BLOCK * WFS_BLOCK) != 0) {
        perror(image);
        return 8;
    }
    close(fd);
    int err = wfs_filedev_open(&dev, image, false);
    if (!err)
        err = wfs_mkfs(&dev, ninodes, label);
    if (err) {
        fprintf(stderr, "wisp-mkfs: %s: cannot format (%s)\n", image,
                err == -EINVAL ? "size out of range" : strerror(-err));
        return 8;
    }
    fs = malloc(wfs_size());
    if (!fs || wfs_mount(fs, &dev) != 0) {
        fprintf(stderr, "wisp-mkfs: %s: %s\n", image, fs ? wfs_error(fs) : "out of memory");
        return 8;
    }
    if (tree) {
        struct stat st;
        add_tree(tree, WFS_ROOT_INO);
        if (stat(tree, &st) == 0)
            set_attrs(WFS_ROOT_INO, &st);
    }
    if (wfs_unmount(fs) != 0) {
        fprintf(stderr, "wisp-mkfs: %s: unmount: %s\n", image, wfs_error(fs));
        return 8;
    }
    wfs_filedev_close(&dev);
    free(fs);
    return failures ? 1 : 0;
}

int
main(int argc, char **argv)
{
    uint32_t ninodes = 0;
    const char *label = "wisp";
    int opt;
    while ((opt = getopt(argc, argv, "i:L:p")) != -1) {
        if (opt == 'i')
            ninodes = (uint32_t)strtoul(optarg, NULL, 0);
        else if (opt == 'L')
            label = optarg;
        else if (opt == 'p')
            keep_owner = true;
        else
            return usage();
    }
    if (argc - optind < 2 || argc - optind > 3)
        return usage();
    long long size = parse_size(argv[optind + 1]);
    if (size < 0)
        return usage();
    return build(argv[optind], size, argc - optind == 3 ? argv[optind + 2] : NULL, ninodes,
                 label);
}
