/*
 * The file system's Linux ABI values and limits (open flags, file types,
 * *at() flags, poll events, st_dev numbers), shared by fs/ and its host
 * tests; split from fs_int.h to keep each header one idea.
 */
#pragma once

/* Linux x86_64 ABI values (guarded: a host libc header may define some). */
#ifndef O_ACCMODE
#define O_ACCMODE   0003
#define O_RDONLY    00
#define O_WRONLY    01
#define O_RDWR      02
#define O_CREAT     0100
#define O_EXCL      0200
#define O_NOCTTY    0400
#define O_TRUNC     01000
#define O_APPEND    02000
#define O_NONBLOCK  04000
#define O_LARGEFILE 0100000
#define O_DIRECTORY 0200000
#define O_NOFOLLOW  0400000
#define O_CLOEXEC   02000000
#define O_PATH      010000000
#endif
#ifndef S_IFMT
#define S_IFMT   0170000
#define S_IFSOCK 0140000
#define S_IFLNK  0120000
#define S_IFREG  0100000
#define S_IFBLK  0060000
#define S_IFDIR  0040000
#define S_IFCHR  0020000
#define S_IFIFO  0010000
#endif
#define FS_ISDIR(m) (((m) & S_IFMT) == S_IFDIR)
#define FS_ISREG(m) (((m) & S_IFMT) == S_IFREG)
#define FS_ISLNK(m) (((m) & S_IFMT) == S_IFLNK)
#ifndef SEEK_SET
#define SEEK_SET 0
#define SEEK_CUR 1
#define SEEK_END 2
#endif
#define FS_AT_FDCWD            (-100)
#define FS_AT_SYMLINK_NOFOLLOW 0x100
#define FS_AT_EACCESS          0x200
#define FS_AT_EMPTY_PATH       0x1000
#define FS_F_OK 0
#define FS_X_OK 1
#define FS_W_OK 2
#define FS_R_OK 4

#define FS_PATH_MAX  4096       /* bytes including the NUL, as Linux */
#define FS_NAME_MAX  255
#define FS_NFD       64         /* descriptors per process */
#define FS_IOCHUNK   16384      /* bounce buffer between user memory and ops */
#define FS_LINK_MAX  8          /* symlinks followed in one resolution */
#define FS_PIPE_BUF  4096       /* writes up to this size are atomic */
#define FS_PIPE_SIZE 65536

/* poll(2) events, Linux's values. */
#define FS_POLLIN   0x001
#define FS_POLLPRI  0x002
#define FS_POLLOUT  0x004
#define FS_POLLERR  0x008
#define FS_POLLHUP  0x010
#define FS_POLLNVAL 0x020

/* Device numbers reported by stat (st_dev). */
#define FS_DEV_INITRD 1
#define FS_DEV_DEVFS  5
#define FS_DEV_PROC   3
#define FS_DEV_PIPE   12
#define FS_DEV_TMP    32        /* + the tmpfs instance number */
#define FS_DEV_SHARED 8         /* the shared file system (fs_rmt.c) */
#define FS_AT_REMOVEDIR     0x200
#define FS_AT_SYMLINK_FOLLOW 0x400
#define FS_RENAME_NOREPLACE 1
