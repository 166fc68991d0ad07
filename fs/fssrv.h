/*
 * The file server of the shared file system (DESIGN.md section 6,
 * docs/fs.md "File server"): serves fsproto requests from client nodes on
 * one WFS volume, checks owner and permission bits against the caller's
 * credentials, and keeps Sprite's cache consistency (fsconsist.h) for
 * every file some client has open, calling clients back (RECALL, DISABLE)
 * before it answers an open that needs it.
 *
 * SYNCHRONIZATION: one mutex serialises every call into the volume (the
 * WFS library is single-threaded) and the open-file table. It is dropped
 * while clients are called back: a recalled client writes its dirty
 * blocks back with WRITE requests, which need it.
 */
#pragma once
#include <stdint.h>
#include "fs/fsproto.h"

struct wfs;
struct fssrv;

/* How the server calls a client back (an RPC in the kernel, a function in
 * the host tests): op is FSP_RECALL or FSP_DISABLE. 0 when the client has
 * done it; an error when it could not be reached (then the server treats
 * the node as down: its opens and unwritten blocks are gone). */
typedef int (*fssrv_notify_t)(void *ctx, int node, unsigned op, struct fsproto_fh fh,
                              uint64_t version);

struct fssrv_stats {
    uint64_t requests[FSP_NOPS];  /* by op */
    uint64_t errors, bad, recalls, disables, callback_failures;
    uint64_t bytes_read, bytes_written;
    uint32_t files;               /* file records kept (open, or with a version clients may cache) */
    uint64_t reopens, grace_waits;  /* recovery: files reopened; opens told to wait (fssrv_recov.c) */
    uint64_t callback_waits;      /* opens told to retry: FSSRV_CALLBACKS_MAX waiting already */
};

/* A server for the mounted volume fs. epoch makes this boot's versions
 * differ from every earlier boot's (a random 32-bit number). NULL without
 * memory. */
struct fssrv *fssrv_new(struct wfs *fs, uint32_t epoch, fssrv_notify_t notify, void *ctx);
/* Forgets every open (the volume stays mounted) and frees the server. */
void fssrv_free(struct fssrv *s);

/* Serve req from node into rep (rep->op = req->op; rep->err set). READ and
 * READDIR put their bytes in buf (FSPROTO_IO_MAX bytes) and point
 * rep->data at them. May sleep (mutex, callbacks). */
void fssrv_serve(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep,
                 uint8_t *buf);

/* Recovery after this server's boot (fssrv_recov.c): for grace_ns from
 * now, OPEN and CREATE from a client (but self, the server's own node)
 * that has not finished reopening are answered -EAGAIN. Without it (host tests) there is no grace period. */
void fssrv_recov_start(struct fssrv *s, int self, uint64_t (*now_ns)(void), uint64_t grace_ns);

/* node went down or rebooted: its opens are dropped. */
void fssrv_node_down(struct fssrv *s, int node);

void fssrv_get_stats(struct fssrv *s, struct fssrv_stats *out);

/* ---- in the kernel (fssrv_rpc.c) ---- */
struct cmdline;
/* Start serving if this node is the one fsserver= names (0 by default):
 * mount the first disk, refusing a corrupt or foreign image with a clear
 * message. 0 (also when another node serves), -ENODEV, -EINVAL, -ENOMEM. */
int fssrv_start(int self, const struct cmdline *c);
bool fssrv_running(void);
/* This node's server's counters and its malformed requests; false if it serves nothing. */
bool fssrv_rpc_stats(struct fssrv_stats *out, uint64_t *bad);
/* Stream records this node's server keeps now (0 if it serves nothing). */
unsigned fssrv_rpc_streams(void);
/* A request from this node's own client, served without an RPC to itself
 * (an RPC handler's contract: the reply's bytes into r, *rlen its room). */
int fssrv_rpc_local(unsigned op, const void *q, size_t qlen, void *r, size_t *rlen);
/* The RPC handlers of the FS ops (net/rpc/rpc_ops.h rows 50-66). */
int fssrv_rpc_walk(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_steps(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_open(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_create(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_close(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_read(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_write(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_getattr(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_setattr(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_remove(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_mkdir(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_symlink(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_link(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_rename(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_readlink(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_readdir(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_fsync(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_statfs(int from, const void *q, size_t qlen, void *r, size_t *rlen);
/* Streams shared across nodes and migration (rows 69-72). */
int fssrv_rpc_sshare(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_sref(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_sio(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_move(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fssrv_rpc_reopen(int from, const void *q, size_t qlen, void *r, size_t *rlen);
