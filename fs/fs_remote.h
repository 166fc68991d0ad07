/*
 * Streams across nodes (docs/fs.md "Streams across nodes"), inside the fs
 * module: the export table (fs_export.c), remote files (fs_remote.c), the
 * server side of the STREAM_* RPC ops (fs_remote_srv.c) and the packing of
 * descriptor tables (fs_ctx_pack.c). Other modules use fs/fs.h.
 *
 * A node exports an open file description under a 64-bit id, never reused
 * in a boot, and counts references per holder node. A holder's struct file
 * has a "remote" vnode whose ops go by RPC to the exporter, where the
 * description (and so the offset) stays.
 */
#pragma once
#include "fs/fs_int.h"

/* Longest a server holds an RPC thread for a blocking read or write; it
 * then answers FS_REMOTE_RETRY and the client asks again. */
#define FS_REMOTE_SLICE_NS (250 * 1000000ull)
/* The error a server returns when a slice ended with nothing done: "ask
 * again" (not a Linux errno the ops ever return: ERESTART, 85). */
#define FS_REMOTE_RETRY 85
#define FS_EXPORT_MAX 256      /* (id, node) rows */

/* A file's attributes as an exporter sends them (fstat at the holder). */
struct fs_attr_wire {
    uint64_t mode, dev, ino, rdev, size, nlink, uid, gid, blocks, atime, mtime, ctime;
};
#define FS_ATTR_WIRE_LEN (12 * 8)
void fs_attr_wire_of(struct vnode *v, struct fs_attr_wire *a);
void fs_attr_wire_put(uint8_t *p, const struct fs_attr_wire *a);
void fs_attr_wire_get(const uint8_t *p, struct fs_attr_wire *a);

/* Holders of references: node n itself, or references node n packed for
 * a receiver that has not claimed them yet ("in transit", fs_ctx_pack). A
 * node going down drops both. */
#define FS_HOLDER_TRANSIT(n) (256 + (n))
#define FS_HOLDER_MAX 512

/* ---- fs_export.c ---- */
/* Export f to node (one more reference of node): *id is f's export id (the
 * one it already has, or a new one). 0, -ENOSPC (table full). */
int  fs_export_ref(struct file *f, int node, uint64_t *id);
/* node's references on id change by delta (+1 or -1): -EBADF when node
 * holds none (a stale or forged request), else 0. The last reference of
 * the last node drops the table's file reference. */
int  fs_export_adjust(uint64_t id, int node, int delta);
/* The exported file id, referenced, if node holds a reference; else NULL. */
struct file *fs_export_get(uint64_t id, int node);
/* Drop every reference node holds (it went down or rebooted); how many. */
int  fs_export_node_down(int node);
/* Counters for wisp_streamstat (struct wisp_streamstat, kernel/wisp_abi.h). */
struct wisp_streamstat;
void fs_export_stats(struct wisp_streamstat *s);
/* Count a refused request (bad id, not a holder, malformed). */
void fs_export_count_bad(void);
/* Count a remote op served / a stream imported (client side). */
void fs_export_count_served(void);
void fs_export_count_import(int delta);

/* ---- fs_remote.c ---- */
extern const struct vnode_ops fs_remote_ops;
/* A new description on node's export id, with the attributes the exporter
 * sent; the caller's reference (one of this node's on the export) moves to
 * it and is dropped by its last close. NULL when out of memory. */
struct file *fs_remote_file(int node, uint64_t id, int flags, const struct fs_attr_wire *a);
/* f (from fs_remote_file) was made from a reference its exporter took for
 * this node itself (a migration's sender exporting its own streams,
 * fs_ctx_pack.c KIND_HELD): if the migration is not committed, the sender
 * drops that reference, so fs_remote_forget_held makes f's last close send
 * nothing. Both are no-ops on any other file. */
void fs_remote_mark_held(struct file *f);
void fs_remote_forget_held(struct file *f);
/* The exporter node and id of a remote file; false if f is not remote. */
bool fs_remote_whose(struct file *f, int *node, uint64_t *id);
/* Ask node to move one reference on its export id from holder `from` to
 * holder `to` (-1: none; so from -1 takes one, to -1 drops one). 0 or
 * -errno (-EIO: node is down). */
int  fs_remote_ref(int node, uint64_t id, int from, int to);
/* ioctl argument size and direction (1 in, 2 out, 0: the value itself). */
int  fs_ioctl_arg(uint32_t cmd, int *dir);

/* The caller block of READ, WRITE and IOCTL: u32 pgid, u32 sid, u32 flags. */
#define FS_CALLER_LEN 12

/* Big-endian helpers for the ops' fixed fields. */
static inline void
fs_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

static inline uint64_t
fs_get64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

static inline void
fs_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static inline uint32_t
fs_get32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}
