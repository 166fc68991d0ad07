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
};

/* A call for op with the caller's credentials filled in; NULL without memory. */
struct fs_rmt_call *fs_rmt_call_new(unsigned op, struct vnode *v);
/* Send it: the reply's error (or the RPC's: -ETIMEDOUT, -EHOSTDOWN...). */
int fs_rmt_call_do(struct fs_rmt_call *c);
void fs_rmt_call_free(struct fs_rmt_call *c);
/* Copy a reply's attributes into v. */
void fs_rmt_attr_in(struct vnode *v, const struct fsproto_attr *a);
/* The last reference of a remote vnode. */
void fs_rmt_release(struct vnode *v);
/* A new vnode for handle fh (attributes a), child of dir. */
struct vnode *fs_rmt_vnode(struct vnode *dir, struct fsproto_fh fh, const struct fsproto_attr *a);

extern const struct vnode_ops fs_rmt_dir_ops, fs_rmt_file_ops, fs_rmt_link_ops;
/* fs_rmt_file.c */
int  fs_rmt_open(struct file *f);
void fs_rmt_close(struct file *f);
long fs_rmt_read(struct file *f, void *buf, size_t n, uint64_t off, int flags);
long fs_rmt_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags);
int  fs_rmt_getattr(struct file *f);
int  fs_rmt_setattr(struct vnode *v, const struct fs_attr *a);
