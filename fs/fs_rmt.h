/*
 * Inside the shared file system's client (fs_rmt*.c).
 */
#pragma once
#include "fs/fs_int.h"
#include "fs/fsproto.h"

/* A remote file: a dynamic vnode and the server's handle. */
struct fs_rmt_node {
    struct vnode vn;            /* first: container_of by cast */
    struct fsproto_fh fh;
    char *target;               /* a symlink's target if a walk brought it, else NULL */
    size_t tlen;
    /* A STEPS answer opened the file for this node's reading (FSP_OPEN_LAST):
     * the next read-only open takes it; release closes it if none did. */
    bool preopen;
    uint64_t pre_version, pre_prev, pre_size;
    uint32_t pre_flags;
};

static inline struct fs_rmt_node *
fs_rmt_node(struct vnode *v)
{
    return (struct fs_rmt_node *)v;
}

/* One request and its reply: the reply's data points into buf. */
struct fs_rmt_call {
    struct fsproto_msg req, rep;
    uint8_t *buf;               /* RPC_MAX_DATA bytes: the reply */
    uint8_t *qbuf;              /* RPC_MAX_DATA bytes: the encoded request */
    uint32_t epoch;             /* nonzero: -ESTALE, unsent, once fs_rmt_recov_epoch differs */
};

/* A call for op with the caller's credentials filled in; NULL without memory. */
struct fs_rmt_call *fs_rmt_call_new(unsigned op, struct vnode *v);
/* Send it: the reply's error (or the RPC's: -ETIMEDOUT, -EHOSTDOWN...). */
int fs_rmt_call_do(struct fs_rmt_call *c);
void fs_rmt_call_free(struct fs_rmt_call *c);
/* The file server's node (fsserver=), and this node. */
int fs_rmt_server(void);
int fs_rmt_self(void);
/* Copy a reply's attributes into v. */
void fs_rmt_attr_in(struct vnode *v, const struct fsproto_attr *a);
/* The last reference of a remote vnode. */
void fs_rmt_release(struct vnode *v);
/* A new vnode for handle fh (attributes a), child of dir. */
struct vnode *fs_rmt_vnode(struct vnode *dir, struct fsproto_fh fh, const struct fsproto_attr *a);

extern const struct vnode_ops fs_rmt_dir_ops, fs_rmt_file_ops, fs_rmt_link_ops;
/* fs_rmt_ahead.c: a directory's lookup within a walk (vnode_ops.lookup_ahead). */
int fs_rmt_lookup_ahead(struct vnode *dir, const char *from, size_t len, bool follow,
                        struct fs_ahead *ah, struct vnode **out);
void fs_rmt_ahead_stats(uint64_t *used, uint64_t *dropped);
/* Opens made within STEPS: counts of those taken by an open and of those
 * closed unused; one taken; one not taken, closed (behind). */
void fs_rmt_preopen_stats(uint64_t *taken, uint64_t *unused);
void fs_rmt_preopen_taken(void);
void fs_rmt_preopen_drop(struct fsproto_fh fh);
extern bool fs_rmt_rooted;      /* the volume is this node's / (fsroot=on) */
/* fs_rmt_file.c */
int  fs_rmt_open(struct file *f);
void fs_rmt_close(struct file *f);

/* fs_rmt_close.c: closes sent behind. send tells the server of one close
 * (fh, the open's access mode): a read-only one is queued for the close
 * thread unless this node is the server or the queue is full; drain waits
 * until every queued close is answered (sync); init reads fsclose_delay=. */
void fs_rmt_close_init(const struct cmdline *cl);
void fs_rmt_close_send(struct fsproto_fh fh, uint32_t flags);
void fs_rmt_close_drain(void);
void fs_rmt_close_stats(uint64_t *behind, uint64_t *full, uint64_t *moot);
long fs_rmt_read(struct file *f, void *buf, size_t n, uint64_t off, int flags);
long fs_rmt_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags);
int  fs_rmt_getattr(struct file *f);
int  fs_rmt_setattr(struct vnode *v, const struct fs_attr *a);
int  fs_rmt_fsync(struct vnode *v);

/* fs_rmt_cache.c: the client cache. The read and write calls return
 * -EAGAIN when the file is not cached here (the caller asks the server). */
struct cmdline;
struct fs_rmt_stats {
    uint64_t hits, misses, fetched_blocks, written_back, recalled, disabled;
    uint64_t dropped_unsent;    /* dirty blocks dropped unsent: their file was removed */
    uint32_t blocks, dirty_blocks, max_blocks;
};
void fs_rmt_cache_init(const struct cmdline *c);
long fs_rmt_cache_read(struct vnode *v, void *buf, size_t n, uint64_t off);
long fs_rmt_cache_write(struct vnode *v, const void *buf, size_t n, uint64_t off, bool append);
/* An open of v for mode (FSCONSIST_*) was answered with rep. */
void fs_rmt_cache_opened(struct vnode *v, unsigned mode, const struct fsproto_msg *rep);
void fs_rmt_cache_closed(struct vnode *v);
/* v's attributes came from the server: the size is this node's while it caches. */
void fs_rmt_cache_attr(struct vnode *v);
void fs_rmt_cache_truncated(struct vnode *v, uint64_t size);
/* v's file as this node caches it: its version and a count of this node's
 * changes to it; false when not cached (fs_exec.c's sticky maps). */
bool fs_rmt_cache_ident(struct vnode *v, uint64_t *version, uint64_t *changes);
/* Write back the file's dirty blocks; with drop, also forget them and stop
 * caching it (the server's DISABLE). Counted in no statistic: fsync,
 * sync and migration use it. */
int  fs_rmt_cache_flush(struct fsproto_fh fh, bool drop);
/* The server's RECALL (disable false) or DISABLE: fs_rmt_cache_flush,
 * counted in recalled or disabled. */
int  fs_rmt_cache_callback(struct fsproto_fh fh, bool disable);
/* Write back every dirty block (sync). */
int  fs_rmt_cache_sync(void);
/* One pass of the delayed write-back at time now (the thread's loop). */
void fs_rmt_cache_write_back_old(uint64_t now);
void fs_rmt_cache_stats(struct fs_rmt_stats *out);
void fs_rmt_cache_removed(struct fsproto_fh fh);
/* For recovery (fs_rmt_recov.c): whether this node holds dirty blocks of
 * fh; the version its blocks are cached under (0: none); the server's
 * answer to a reopen (blocks kept under the new version, or written back
 * and dropped when it may not cache); the file lost (every block dropped,
 * dirty ones too); fn(fh, arg) for each file with dirty blocks (stops at
 * fn's first error, returned). */
bool fs_rmt_cache_dirty(struct fsproto_fh fh);
uint64_t fs_rmt_cache_version(struct fsproto_fh fh);
void fs_rmt_cache_reopened(struct fsproto_fh fh, bool cacheable, uint64_t version);
void fs_rmt_cache_lose(struct fsproto_fh fh);
int fs_rmt_cache_each_dirty(int (*fn)(struct fsproto_fh fh, void *arg), void *arg);

/* fs_rmt_recov.c: riding out the server's reboot (retry, reopen). */
struct fs_rmt_recov_stats {
    uint64_t recoveries, reopened, lost, retries, gave_up;
};
void fs_rmt_recov_init(int server, int self, const struct cmdline *c);
/* A stream of fh was opened / closed here with mode (FSCONSIST_*). */
void fs_rmt_recov_opened(struct fsproto_fh fh, unsigned mode);
void fs_rmt_recov_closed(struct fsproto_fh fh, unsigned mode);
/* Whether fh could not be reopened after the server's reboot (its streams fail with -EIO). */
bool fs_rmt_recov_lost(struct fsproto_fh fh);
/* Before a call begun at start: wait while this node reopens its files
 * (not in the recovery thread itself), at most fsretry= seconds. */
void fs_rmt_recov_wait(uint64_t start);
/* After a call of op begun at start failed with *err: true to send it
 * again (after a pause); false to return *err (-EIO once fsretry= seconds
 * passed). */
bool fs_rmt_recov_retry(unsigned op, int *err, uint64_t start);
void fs_rmt_recov_stats(struct fs_rmt_recov_stats *out);
/* Bumped whenever the server is seen with a new boot: a close queued
 * before then is moot (the reopen that follows tells the new server this
 * node's opens as they are). */
uint32_t fs_rmt_recov_epoch(void);

/* Directory read-ahead (fs_rmt_dirbuf.c): the last READDIR replies. get
 * answers getdent's (dir, cookie idx) from them: 0 (*de filled), 1 (the
 * directory's end), -1 (ask the server; always for idx 0). put keeps a
 * reply (of at most FS_RMT_DIRBUF_BYTES) of a request at cookie; changed
 * drops them all (a name changed through this node). */
#define FS_RMT_DIRBUF_BYTES 4096
int fs_rmt_dirbuf_get(struct fsproto_fh fh, uint64_t idx, struct fs_dirent *de);
void fs_rmt_dirbuf_put(struct fsproto_fh fh, uint64_t cookie, const uint8_t *data, size_t len,
                       bool eof);
void fs_rmt_dirbuf_changed(void);
void fs_rmt_dirbuf_stats(uint64_t *hit, uint64_t *miss);
