/*
 * Inside the shared file system's client (fsrmt*.c).
 */
#pragma once
#include "fs/fs_int.h"
#include "fs/fsproto.h"

/* A remote file: a dynamic vnode and the server's handle. */
struct fsrmt_node {
    struct vnode vn;            /* first: container_of by cast */
    struct fsproto_fh fh;
};

static inline struct fsrmt_node *
fsrmt_node(struct vnode *v)
{
    return (struct fsrmt_node *)v;
}

/* One request and its reply: the reply's data points into buf. */
struct fsrmt_call {
    struct fsproto_msg req, rep;
    uint8_t *buf;               /* RPC_MAX_DATA bytes: the reply */
    uint8_t *qbuf;              /* RPC_MAX_DATA bytes: the encoded request */
};

/* A call for op with the caller's credentials filled in; NULL without memory. */
struct fsrmt_call *fsrmt_call_new(unsigned op, struct vnode *v);
/* Send it: the reply's error (or the RPC's: -ETIMEDOUT, -EHOSTDOWN...). */
int fsrmt_call_do(struct fsrmt_call *c);
void fsrmt_call_free(struct fsrmt_call *c);
/* Copy a reply's attributes into v. */
void fsrmt_attr_in(struct vnode *v, const struct fsproto_attr *a);
/* The last reference of a remote vnode. */
void fsrmt_release(struct vnode *v);
/* A new vnode for handle fh (attributes a), child of dir. */
struct vnode *fsrmt_vnode(struct vnode *dir, struct fsproto_fh fh, const struct fsproto_attr *a);

extern const struct vnode_ops fsrmt_dir_ops, fsrmt_file_ops, fsrmt_link_ops;
/* fsrmt_file.c */
int  fsrmt_open(struct file *f);
void fsrmt_close(struct file *f);
long fsrmt_read(struct file *f, void *buf, size_t n, uint64_t off, int flags);
long fsrmt_write(struct file *f, const void *buf, size_t n, uint64_t off, int flags);
int  fsrmt_getattr(struct file *f);
int  fsrmt_setattr(struct vnode *v, const struct fs_attr *a);
