/*
 * /shared streams that leave their node (fs_rmt_stream.c, fs_rmt_move.c;
 * docs/fs.md "Streams shared across nodes"): a stream shared by processes
 * on several nodes keeps its offset at the file server (a stream record,
 * fs/fssrv_stream.c) and its reads, writes and lseeks go there; a stream
 * only a migrating process holds moves with it (the server's open moves
 * from the source to the target in one FSP_MOVE).
 */
#pragma once
#include "fs/fs_rmt.h"

/* Marks a description whose open moved to another node (f->priv of a
 * /shared file): its close sends nothing to the server. */
#define FS_RMT_MOVED ((void *)1)

/* Whether f is a /shared regular file, plain (its offset here) or shared
 * (its offset at the server). */
bool fs_rmt_stream_is_plain(struct file *f);
bool fs_rmt_stream_is_shared(struct file *f);
/* Make f's stream a shared one (its dirty blocks written back, a record
 * made at the server with f's offset, f's vnode swapped for a stream
 * vnode) unless it is one: its id and handle. */
int  fs_rmt_stream_share(struct file *f, uint64_t *id, struct fsproto_fh *fh);
/* Move one reference of stream id between holders (FSP_HOLDER_*). */
int  fs_rmt_stream_ref(uint64_t id, uint32_t from, uint32_t to);
/* A description of stream id on this node (whose reference this node
 * already holds), for handle fh with attributes a; NULL without memory. */
struct file *fs_rmt_stream_file(uint64_t id, struct fsproto_fh fh, int flags,
                                const struct fsproto_attr *a);
/* The number of stream descriptions open on this node (for tests). */
unsigned fs_rmt_stream_count(void);
/* Counters for wisp_fsmigstat (atomic adds). */
struct fs_rmt_mstats {
    uint64_t shared, stream_ios, moved_out, moved_in, moved_back;
};
extern struct fs_rmt_mstats fs_rmt_mstats;
#define FS_RMT_MCOUNT(f) __atomic_add_fetch(&fs_rmt_mstats.f, 1, __ATOMIC_RELAXED)

/* fs_rmt_move.c: a plain /shared stream that moves with a migrating
 * process. Source: write back, FSP_MOVE the open to `to` (the target's
 * open answer in *rep: flags, version, prev, attr), mark f moved. */
int  fs_rmt_move_out(struct file *f, int to, struct fsproto_msg *rep);
/* Undo (the migration was not committed): the open comes back. */
int  fs_rmt_move_back(struct fsproto_fh fh, int flags, int from);
/* Target: the description the moved open belongs to, at offset off. */
struct file *fs_rmt_move_in(struct fsproto_fh fh, int flags, uint64_t off,
                            const struct fsproto_msg *rep);

/* fs_ctx_pack.c: migration's packing of every fd for node target (a /shared
 * stream only this process holds moves there). */
struct mig_buf;
int  fs_ctx_pack_mig(struct fs_ctx *c, struct mig_buf *b, int target);
