/*
 * For the file server's host tests (fs/fssrv*_test.c): one server on a
 * fresh WFS image in memory (fs/wfs_testlib.h), the request and reply it
 * is handed, the callbacks it makes recorded in order, and teardown that
 * checks the volume unmounts and fsck finds it clean. Each test file
 * includes this once; the state is that file's own.
 */
#pragma once
#include "fs/fs_abi.h"
#include "fs/fssrv.h"
#include "fs/wfs_testlib.h"

#define FSSRV_TEST_CALLS 32

static struct memdev md;
static struct wfs *fs;
static struct fssrv *srv;
static struct fsproto_msg req, rep;
static uint8_t buf[FSPROTO_IO_MAX];

/* the callbacks the server made: node and op, in order (ncalls counts all) */
static int calls[FSSRV_TEST_CALLS][2], ncalls;
static int unreachable = -1;            /* a node the callbacks cannot reach */
static void (*in_callback)(int node);   /* runs while the server waits on a callback */

static int
record_notify(void *ctx, int node, unsigned op, struct fsproto_fh fh, uint64_t version)
{
    if (ncalls < FSSRV_TEST_CALLS) {
        calls[ncalls][0] = node;
        calls[ncalls][1] = (int)op;
    }
    ncalls++;
    if (in_callback)
        in_callback(node);
    return node == unreachable ? -EHOSTDOWN : 0;
}

/* A server of epoch on a new 2048-block volume; notify NULL records. */
static inline void
srv_start(uint32_t epoch, fssrv_notify_t notify)
{
    fs = md_mkfs_mount(&md, 2048);
    srv = fssrv_new(fs, epoch, notify ? notify : record_notify, NULL);
    ncalls = 0;
    unreachable = -1;
    in_callback = NULL;
}

/* The handle of the volume's root. */
static inline struct fsproto_fh
root_fh(void)
{
    struct wfs_attr a;
    EXPECT_EQ(wfs_getattr(fs, WFS_ROOT_INO, &a), 0);
    return (struct fsproto_fh){ WFS_ROOT_INO, a.generation };
}

static inline void
teardown(void)
{
    fssrv_free(srv);
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

/* Serves req as op from node; the reply's error. */
static inline int
serve(int node, unsigned op)
{
    req.op = (uint16_t)op;
    fssrv_serve(srv, node, &req, &rep, buf);
    return rep.err;
}

/* A cleared request with the credentials of uid (its gid the same). */
static inline void
as(uint32_t uid)
{
    memset(&req, 0, sizeof(req));
    req.cred.uid = uid;
    req.cred.gid = uid;
}

static inline int
open_as(int node, uint32_t uid, struct fsproto_fh fh, uint32_t flags)
{
    as(uid);
    req.fh = fh;
    req.flags = flags;
    return serve(node, FSP_OPEN);
}

static inline int
close_as(int node, struct fsproto_fh fh, uint32_t flags)
{
    as(0);
    req.fh = fh;
    req.flags = flags;
    return serve(node, FSP_CLOSE);
}
