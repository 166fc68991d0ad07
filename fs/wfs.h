/*
 * WFS, Wisp's on-disk file system (docs/wfs.md): the library the file
 * server (later) and the host tools (fs/host/) share. It works on a block
 * device given as three callbacks, keeps a fixed cache of blocks inside
 * struct wfs (no allocation after the caller allocates wfs_size() bytes),
 * and logs every metadata change in a write-ahead journal; file data is
 * written in place before the metadata that points at it commits.
 *
 * Files are named by inode number; names are NUL-terminated, at most
 * WFS_NAME_MAX bytes, without '/'. Every function returns 0 (or a count)
 * or a negative Linux errno. Nothing here locks: the caller serialises
 * all calls on one struct wfs (the file server holds one mutex).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define WFS_BLOCK     4096
#define WFS_NAME_MAX  255
#define WFS_ROOT_INO  1
#define WFS_PATH_MAX  4095          /* longest symlink target */

/* Mode bits as Linux numbers them. */
#define WFS_S_IFMT    0170000
#define WFS_S_IFREG   0100000
#define WFS_S_IFDIR   0040000
#define WFS_S_IFLNK   0120000

/* The block device. read/write move one 4096-byte block; flush returns
 * when every write before it is durable. now_ns may be NULL (times 0). */
struct wfs_dev {
    void *ctx;
    int (*read_block)(void *ctx, uint32_t blk, void *buf);
    int (*write_block)(void *ctx, uint32_t blk, const void *buf);
    int (*flush)(void *ctx);
    uint64_t (*now_ns)(void *ctx);
    uint64_t nblocks;               /* size of the device in blocks */
    /* Optional: read blocks [blk, blk + n) into bufs[0..n) in one go (a
     * file's contiguous blocks the cache lacks); NULL: block by block. */
    int (*read_blocks)(void *ctx, uint32_t blk, unsigned n, void *const *bufs);
    /* Optional: write bufs[0..n) to blocks [blk, blk + n) in one go. */
    int (*write_blocks)(void *ctx, uint32_t blk, unsigned n, const void *const *bufs);
};

struct wfs_attr {
    uint32_t ino;
    uint32_t mode;                  /* type and permission bits */
    uint32_t uid, gid;
    uint32_t nlink;
    uint32_t generation;            /* bumped each time the inode is reused */
    uint64_t size;
    uint64_t blocks;                /* 4096-byte blocks held, indirect ones too */
    uint64_t version;               /* bumped by every change of the contents */
    int64_t atime, mtime, ctime;    /* ns since the epoch */
};

/* setattr mask bits */
#define WFS_SET_MODE   0x01
#define WFS_SET_UID    0x02
#define WFS_SET_GID    0x04
#define WFS_SET_SIZE   0x08
#define WFS_SET_ATIME  0x10
#define WFS_SET_MTIME  0x20

struct wfs_statfs {
    uint64_t bsize;
    uint64_t blocks;                /* data blocks */
    uint64_t bfree;
    uint64_t files;
    uint64_t ffree;
    uint64_t namelen;
};

struct wfs;

/* Bytes the caller allocates for one struct wfs (about 780 KiB, the block
 * cache of WFS_NBUF blocks) / with a cache of nbuf blocks (>= WFS_NBUF). */
size_t wfs_size(void);
size_t wfs_size_n(unsigned nbuf);

/* Check the superblock, replay the journal, mark the image in use.
 * -EINVAL for a foreign or corrupt image (wfs_error says why), -EIO for
 * a device error. */
int wfs_mount(struct wfs *fs, const struct wfs_dev *dev);
/* The same for fs allocated with wfs_size_n(nbuf) bytes. */
int wfs_mount_n(struct wfs *fs, unsigned nbuf, const struct wfs_dev *dev);
/* Blocks in fs's cache. */
unsigned wfs_cache_blocks(const struct wfs *fs);
/* Commit, flush and mark the image clean. */
int wfs_unmount(struct wfs *fs);
/* The last mount or operation failure, in words ("" when none). */
const char *wfs_error(const struct wfs *fs);

int wfs_lookup(struct wfs *fs, uint32_t dir, const char *name, uint32_t *ino);
int wfs_create(struct wfs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
               uint32_t gid, uint32_t *ino);
int wfs_mkdir(struct wfs *fs, uint32_t dir, const char *name, uint32_t mode, uint32_t uid,
              uint32_t gid, uint32_t *ino);
int wfs_symlink(struct wfs *fs, uint32_t dir, const char *name, const char *target,
                uint32_t uid, uint32_t gid, uint32_t *ino);
int wfs_link(struct wfs *fs, uint32_t ino, uint32_t dir, const char *name);
int wfs_unlink(struct wfs *fs, uint32_t dir, const char *name);
/* Unlinked open files (docs/wfs.md "The orphan list"): when a regular
 * file loses its last name (unlink, rename over it) and keep(ctx, ino)
 * says it is still open, it is not freed but kept with nlink 0 on the
 * orphan list, which survives a crash: mount frees what is on it, and
 * fsck accepts it. wfs_orphan_release frees one at its last close
 * (-ENOENT if ino is not on the list). */
void wfs_set_keep(struct wfs *fs, bool (*keep)(void *ctx, uint32_t ino), void *ctx);
int wfs_orphan_release(struct wfs *fs, uint32_t ino);
int wfs_rmdir(struct wfs *fs, uint32_t dir, const char *name);
/* Rename within or across directories; an existing target is replaced
 * (a directory only by an empty directory). -EINVAL when a directory
 * would move under itself. */
int wfs_rename(struct wfs *fs, uint32_t sdir, const char *sname, uint32_t ddir,
               const char *dname);
/* Copy the target (not NUL-terminated) into buf; returns its length. */
int wfs_readlink(struct wfs *fs, uint32_t ino, char *buf, size_t size);

/* Called once per entry from readdir; next is the cookie that resumes
 * after this entry. A non-zero return stops the walk. type is DT_*. */
typedef int (*wfs_filldir_t)(void *arg, const char *name, size_t len, uint32_t ino,
                             unsigned type, uint64_t next);
/* Walk dir's entries from cookie (0 = the start; '.' and '..' included).
 * Returns 0 at the end, or the filler's non-zero value. */
int wfs_readdir(struct wfs *fs, uint32_t dir, uint64_t cookie, wfs_filldir_t fill, void *arg);

int wfs_getattr(struct wfs *fs, uint32_t ino, struct wfs_attr *a);
/* Change what mask names (WFS_SET_*); SIZE truncates or extends with a
 * hole; ctime is set to now. -EISDIR for a size on a directory. */
int wfs_setattr(struct wfs *fs, uint32_t ino, const struct wfs_attr *a, unsigned mask);
/* Read up to len bytes at off (holes read as zero); returns the count. */
long wfs_read(struct wfs *fs, uint32_t ino, uint64_t off, void *buf, size_t len);
/* Write len bytes at off; returns the count (short only at -ENOSPC after
 * some bytes went in). -EFBIG past WFS_MAX_FILE. */
long wfs_write(struct wfs *fs, uint32_t ino, uint64_t off, const void *buf, size_t len);
/* Commit the running transaction and flush the device: everything done
 * before the call survives a crash. */
int wfs_fsync(struct wfs *fs);
int wfs_statfs(struct wfs *fs, struct wfs_statfs *st);

#define WFS_MAX_FILE ((12ull + 1024 + 1024ull * 1024) * WFS_BLOCK)

/* Format dev (wfs_mkfs.c): an empty file system with a root directory and
 * /lost+found. ninodes 0 picks one inode per 16 KiB. -EINVAL when the
 * device is smaller than WFS_MIN_BLOCKS or larger than 2^32 blocks. */
#define WFS_MIN_BLOCKS 256
int wfs_mkfs(const struct wfs_dev *dev, uint32_t ninodes, const char *label);

/* Check and repair (wfs_fsck*.c). Flags: WFS_FSCK_FIX repairs; without it
 * nothing is written. Returns e2fsck-like bits (WFS_FSCK_*), messages go
 * to report(arg, line). */
#define WFS_FSCK_FIX     1
#define WFS_FSCK_CLEAN   0
#define WFS_FSCK_FIXED   1
#define WFS_FSCK_ERRORS  4
#define WFS_FSCK_OPER    8
typedef void (*wfs_report_t)(void *arg, const char *line);
int wfs_fsck(const struct wfs_dev *dev, unsigned flags, wfs_report_t report, void *arg);
