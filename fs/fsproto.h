/*
 * The shared file system's messages (docs/fs.md "File-server protocol"):
 * one request and one reply layout for every op, each op naming in a table
 * which fields it carries, so one encoder and one decoder (fsproto.c) serve
 * the client (fs_rmt.c), the server (fssrv) and the server's callbacks to
 * clients, and one fuzz test covers them all. Handles are (inode,
 * generation): a handle to a freed and reused inode is stale (-ESTALE).
 * Every string is length-prefixed and checked: names at most
 * FSPROTO_NAME_MAX bytes without '/' or NUL, paths and symlink targets at
 * most FSPROTO_PATH_MAX; data at most FSPROTO_IO_MAX per message.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define FSPROTO_NAME_MAX   255
#define FSPROTO_PATH_MAX   4095
#define FSPROTO_GROUPS_MAX 16
#define FSPROTO_IO_MAX     (15 * 4096)      /* bytes of file data per message */

/* Ops. Client -> server unless marked. RPC op numbers are FSPROTO_RPC_BASE
 * + op (net/rpc/rpc_ops.h). */
enum fsproto_op {
    FSP_WALK = 1,     /* dir, path -> handle + attr (or a redirect: a path to restart from /) */
    FSP_OPEN,         /* handle, open flags -> attr, version, prev, cacheable */
    FSP_CREATE,       /* dir, name, mode, flags -> handle + attr (+ the open's answer) */
    FSP_CLOSE,        /* handle, mode */
    FSP_READ,         /* handle, off, len -> data */
    FSP_WRITE,        /* handle, flags (FSP_APPEND), off, data -> count, attr */
    FSP_GETATTR,      /* handle -> attr */
    FSP_SETATTR,      /* handle, mask, attr -> attr */
    FSP_REMOVE,       /* dir, name, flags (FSP_RM_DIR) */
    FSP_MKDIR,        /* dir, name, mode -> handle + attr */
    FSP_SYMLINK,      /* dir, name, path (target) -> handle + attr */
    FSP_LINK,         /* handle, dir (fh2), name */
    FSP_RENAME,       /* dir, name, dir2 (fh2), name2 */
    FSP_READLINK,     /* handle -> path */
    FSP_READDIR,      /* dir, cookie, len (reply bytes at most) -> data (entries), flags (FSP_EOF) */
    FSP_FSYNC,        /* handle */
    FSP_STATFS,       /* -> statfs */
    FSP_RECALL,       /* server -> client: handle: write your dirty blocks back */
    FSP_DISABLE,      /* server -> client: handle: write back, drop, stop caching */
    /* Streams shared across nodes (fs/fssrv_stream.c; docs/fs.md): */
    FSP_SSHARE = 20,  /* handle, open flags, offset -> cookie: a stream record, the caller holding it */
    FSP_SREF = 21,    /* cookie, mask (from holder), mode (to holder): move one reference */
    FSP_SIO = 22,     /* cookie, flags (FSP_SIO_*), off (~0: the stream's), len, data ->
                       * data, count, off (the stream's offset after), attr */
    FSP_MOVE = 23,    /* handle, open flags, mask (from node), mode (to node): one open moves ->
                       * flags (CACHEABLE), version, prev, attr: the target's open answer */
    /* 20-25: fsmig's */
    FSP_REOPEN = 26,  /* handle, flags (FSP_REOPEN_*), count (opens for reading only), len
                       * (opens for writing), version (cached) -> flags (FSP_CACHEABLE),
                       * version: after a server reboot (fssrv_recov.c, docs/fs.md) */
    FSP_STEPS = 27,   /* dir, flags (FSP_FOLLOW, _ROOTED, _OPEN_LAST), path, len (reply bytes at most) -> data:
                       * the answers to the lookups a client's walk of path will make,
                       * in order (fsproto_step_*; fssrv_walk.c, fs_rmt_ahead.c) */
    FSP_NOPS
};
/* SREF holders: a node n, n in transit (FSP_HOLDER_TRANSIT), or none. */
#define FSP_HOLDER_NONE        0xffffffffu
#define FSP_HOLDER_TRANSIT(n)  (256u + (uint32_t)(n))
/* SIO request flags: the op, and O_APPEND for writes. */
#define FSP_SIO_READ   1u
#define FSP_SIO_WRITE  2u
#define FSP_SIO_SEEK   3u         /* off: the signed offset; len: whence */
#define FSP_SIO_OPMASK 3u
#define FSP_SIO_APPEND 4u
#define FSP_SIO_CUR    (~0ull)    /* off: at the stream's offset, advancing it */
#define FSPROTO_RPC_BASE 49       /* FSP_WALK is RPC op 50 */

/* Request fields. */
enum {
    FSF_FH = 1u << 0, FSF_FH2 = 1u << 1, FSF_CRED = 1u << 2, FSF_NAME = 1u << 3,
    FSF_NAME2 = 1u << 4, FSF_PATH = 1u << 5, FSF_FLAGS = 1u << 6, FSF_MODE = 1u << 7,
    FSF_OFF = 1u << 8, FSF_LEN = 1u << 9, FSF_DATA = 1u << 10, FSF_ATTR = 1u << 11,
    FSF_MASK = 1u << 12, FSF_COOKIE = 1u << 13, FSF_VERSION = 1u << 14,
    FSF_STATFS = 1u << 15, FSF_COUNT = 1u << 16, FSF_PREV = 1u << 17,
};

/* flags bits of replies and some requests */
#define FSP_CACHEABLE 0x1         /* open/create reply: the client may cache */
#define FSP_EOF       0x2         /* readdir reply: no more entries */
#define FSP_REDIRECT  0x4         /* walk reply: `path` is where to restart, from / */
#define FSP_RM_DIR    0x1         /* remove request: rmdir */
#define FSP_FOLLOW    0x1         /* walk request: follow a symlink in the last component */
#define FSP_ROOTED    0x2         /* steps request: the volume's root is the client's / */
#define FSP_OPEN_LAST 0x4         /* steps request: open the path's file for reading, as OPEN */
#define FSP_APPEND    0x1         /* write request: at the end of the file, whatever off says */
#define FSP_REOPEN_DIRTY 0x1      /* reopen request: the client holds dirty blocks of the file */
#define FSP_REOPEN_DONE  0x2      /* reopen request: no handle; every file is reopened */

struct fsproto_fh {
    uint32_t ino, gen;
};

struct fsproto_cred {
    uint32_t uid, gid;
    uint16_t ngroups;
    uint32_t groups[FSPROTO_GROUPS_MAX];
};

struct fsproto_attr {
    uint32_t mode, uid, gid, nlink;
    uint64_t size, blocks, version;
    int64_t atime, mtime, ctime;
};

struct fsproto_statfs {
    uint64_t bsize, blocks, bfree, files, ffree, namelen;
};

/* One message, request or reply: only the fields of the op's row are sent;
 * data points into the message it was decoded from (or the caller's bytes
 * when encoding). About 4.6 KiB: kmalloc it, not on a kernel stack. */
struct fsproto_msg {
    uint16_t op;
    int32_t err;                  /* replies: 0 or a negative errno (then nothing else) */
    struct fsproto_fh fh, fh2;
    struct fsproto_cred cred;
    uint32_t flags, mode, mask, len, count;
    uint64_t off, cookie, version, prev;
    struct fsproto_attr attr;
    struct fsproto_statfs statfs;
    char name[FSPROTO_NAME_MAX + 1], name2[FSPROTO_NAME_MAX + 1];
    char path[FSPROTO_PATH_MAX + 1];
    const uint8_t *data;
    size_t datalen;
};

/* The fields op's request / reply carry (0 for an op that does not exist). */
uint32_t fsproto_req_fields(unsigned op);
uint32_t fsproto_rep_fields(unsigned op);

/* Encode m (a request of m->op, or its reply) into buf (cap bytes); returns
 * the length, or -EMSGSIZE / -EINVAL (an unknown op, a bad name). */
long fsproto_put_req(const struct fsproto_msg *m, void *buf, size_t cap);
long fsproto_put_rep(const struct fsproto_msg *m, void *buf, size_t cap);
/* Decode a request (op given: the RPC op says it) / a reply of op into m.
 * -EBADMSG for anything malformed: short, long, a bad name or length. */
int fsproto_get_req(unsigned op, const void *buf, size_t len, struct fsproto_msg *m);
int fsproto_get_rep(unsigned op, const void *buf, size_t len, struct fsproto_msg *m);

/* A readdir entry in a reply's data: u64 next cookie, u32 ino, u8 type,
 * u8 name length, the name. fsproto_dirent_put returns the bytes used or 0
 * when it does not fit; fsproto_dirent_get walks: returns bytes consumed,
 * 0 at the end, -EBADMSG when malformed. */
size_t fsproto_dirent_put(uint8_t *buf, size_t cap, uint64_t next, uint32_t ino, unsigned type,
                          const char *name, size_t namelen);
long fsproto_dirent_get(const uint8_t *buf, size_t len, uint64_t *next, uint32_t *ino,
                        unsigned *type, char *name);

/* A STEPS reply's entry: one lookup of name in dir and its answer: err 0
 * and the child's handle and attributes (and, for a symlink, its target:
 * tlen 0 when unknown), or a negative errno. On the wire: u32 dir ino, u32
 * dir gen, u8 name length, name, i32 err; if err is 0: u32 ino, u32 gen,
 * the attributes, and for a symlink u16 target length, target; for a
 * regular file u8 opened (0 or 1) and, when 1, the OPEN the request asked
 * for (FSP_OPEN_LAST) was made: u64 version, u64 prev, u32 flags, as an
 * OPEN's reply carries them (the attributes are then the open's).
 * fsproto_step_put returns the bytes used or 0 when it does not fit;
 * fsproto_step_get returns bytes consumed, 0 at the end, -EBADMSG when
 * malformed (name and target point into buf). */
struct fsproto_step {
    struct fsproto_fh dir, fh;
    const char *name;
    size_t namelen;
    int32_t err;
    struct fsproto_attr attr;
    const char *target;
    size_t tlen;
    bool opened;                /* a regular file opened for reading by this request */
    uint64_t version, prev;     /* the open's answer (FSP_OPEN_LAST) */
    uint32_t oflags;            /* FSP_CACHEABLE */
};
size_t fsproto_step_put(uint8_t *buf, size_t cap, const struct fsproto_step *st);
long fsproto_step_get(const uint8_t *buf, size_t len, struct fsproto_step *st);

/* A name the decoder accepts: 1..255 bytes, no '/'. ("." and ".." pass:
 * the server's ops refuse them with Linux's errno for each call.) */
bool fsproto_name_ok(const char *name);
