/*
 * Inside the file server (fssrv_*.c): the server record, the open-file
 * table and the helpers the op files share.
 */
#pragma once
#include "fs/fsconsist.h"
#include "fs/fssrv.h"
#include "fs/wfs.h"
#include "kernel/sync.h"

#define FSSRV_FILES_MAX 4096   /* file records kept (each holds its version) */
/* Requests that may wait on callbacks at once: one fewer than the RPC
 * server threads (net/rpc/rpc_kern.c), so one is always left to serve
 * the write-backs a recall makes. */
#define FSSRV_CALLBACKS_MAX 3

/* A file some client has open, or had: its consistency state and version. */
struct fssrv_file {
    uint32_t ino, gen;
    struct fsconsist_file cons;
    int16_t wrote;                /* last node to open it for writing this boot, or NONE */
    struct fssrv_file *next;
};

/* A stream shared across nodes (fssrv_stream.c): its offset lives here. */
#define FSSRV_STREAM_HOLDERS 16
#define FSSRV_STREAMS_MAX    1024
struct fssrv_stream_holder {
    uint32_t holder, count;       /* a node, or FSP_HOLDER_TRANSIT(node); 0: unused */
};
struct fssrv_stream {
    uint64_t id;
    struct fsproto_fh fh;
    uint32_t flags;               /* O_ACCMODE | O_APPEND of the open it came from */
    uint64_t off;
    struct fssrv_stream_holder h[FSSRV_STREAM_HOLDERS];
    struct fssrv_stream *next;
};

struct fssrv {
    struct mutex lock;
    struct wfs *fs;
    uint32_t epoch;
    fssrv_notify_t notify;
    void *ctx;
    struct fssrv_file *files;     /* a list, most recently opened first */
    uint32_t nfiles;
    uint64_t vcount;              /* versions issued this boot */
    struct fssrv_stats st;
    struct fssrv_stream *streams; /* fssrv_stream.c */
    uint32_t nstreams, stream_count;
    /* recovery (fssrv_recov.c): the grace period after this boot */
    uint64_t (*now_ns)(void);     /* NULL: no grace period (host tests) */
    uint64_t grace_end_ns;
    uint8_t reopened[32];         /* bit per node: told us it reopened everything */
    unsigned calling_back;        /* requests waiting on callbacks (FSSRV_CALLBACKS_MAX) */
};

/* Permission bits a caller wants. */
enum { FSSRV_X = 1, FSSRV_W = 2, FSSRV_R = 4 };

/* ---- fssrv_walk.c ---- */
/* The inode of fh if it is live and of that generation, its attributes in
 * *a; -ESTALE otherwise. */
int fssrv_fh(struct fssrv *s, struct fsproto_fh fh, struct wfs_attr *a);
/* Whether cred may access a file with attributes a as want says. */
bool fssrv_may(const struct wfs_attr *a, const struct fsproto_cred *c, unsigned want);
/* The directory fh, checked: a directory the caller may search and, for
 * want W, write. 0, -ESTALE, -ENOTDIR, -EACCES. */
int fssrv_dir(struct fssrv *s, struct fsproto_fh fh, const struct fsproto_cred *c, unsigned want,
              struct wfs_attr *a);
void fssrv_attr_out(const struct wfs_attr *a, struct fsproto_msg *rep);
int fssrv_walk(struct fssrv *s, const struct fsproto_msg *req, struct fsproto_msg *rep);
/* STEPS from node: the lookups' answers into buf (FSPROTO_IO_MAX bytes). */
int fssrv_steps(struct fssrv *s, int node, const struct fsproto_msg *req,
                struct fsproto_msg *rep, uint8_t *buf);

/* ---- fssrv_open.c ---- */
int fssrv_open(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep);
/* As fssrv_open for a file whose attributes a the caller just read
 * (STEPS with FSP_OPEN_LAST); a is updated. */
int fssrv_open_ino(struct fssrv *s, int node, const struct fsproto_msg *req, struct wfs_attr *a,
                   struct fsproto_msg *rep);
int fssrv_create(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep);
int fssrv_close(struct fssrv *s, int node, const struct fsproto_msg *req);
void fssrv_files_node_down(struct fssrv *s, int node);
/* wfs_set_keep's hook: whether some client has inode ino open. */
bool fssrv_ino_open(void *ctx, uint32_t ino);
/* A client's opens of fh after this server's reboot (FSP_REOPEN): its
 * record for node is set to `readers` + `writers` opens (not added to:
 * a repeated reopen changes nothing), and dirty makes it the last writer.
 * -EIO if another node wrote the file since (its dirty blocks cannot be
 * reconciled); rep: cacheable and version. */
int fssrv_open_again(struct fssrv *s, int node, struct fsproto_fh fh, unsigned readers,
                     unsigned writers, bool dirty, struct fsproto_msg *rep);

/* ---- fssrv_recov.c ---- */
int fssrv_reopen(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep);
/* Whether req from node must wait for the grace period (-EAGAIN: the client retries). */
bool fssrv_recov_held(struct fssrv *s, int node, unsigned op);
void fssrv_files_free(struct fssrv *s);
/* For stream records and migration: node's open of fh with open flags
 * (consistency and callbacks as an OPEN, no permission check: the node
 * had it open already); its close; whether it has one; MOVE. */
int fssrv_open_node(struct fssrv *s, int node, struct fsproto_fh fh, uint32_t flags,
                    struct fsproto_msg *rep);
int fssrv_close_node(struct fssrv *s, int node, struct fsproto_fh fh, uint32_t flags);
bool fssrv_node_has_open(struct fssrv *s, int node, struct fsproto_fh fh, uint32_t flags);
int fssrv_move(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep);

/* ---- fssrv_stream.c ---- */
int fssrv_sshare(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep);
int fssrv_sref(struct fssrv *s, int node, const struct fsproto_msg *req);
int fssrv_sio(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep,
              uint8_t *buf);
void fssrv_streams_node_down(struct fssrv *s, int node);
void fssrv_streams_free(struct fssrv *s);
unsigned fssrv_streams_count(struct fssrv *s);
