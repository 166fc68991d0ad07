/*
 * Host tests of the file server's stream records (fssrv_stream.c) and of
 * MOVE (fssrv_open.c) on a WFS image in memory: a stream shared by two
 * nodes has one offset (writes, reads and lseeks from either advance it);
 * a second node's reference is an open for the consistency rules
 * (concurrent write-sharing disables caching at the first); transit
 * references are claimed or given back; forged ids, holders without a
 * reference, wrong access modes and nodes that never opened the file are
 * refused; a node going down drops its references; the last reference
 * frees the record and closes the file. MOVE moves one open from a node to
 * another in one request, without a recall or a disable, and only the two
 * nodes may ask.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c tests/host/fake_sync.c fs/fssrv.c fs/fssrv_walk.c fs/fssrv_open.c fs/fsconsist.c fs/fsproto.c kernel/wire.c fs/fssrv_recov.c
#include "fs/fssrv_int.h"
#include "fs/fssrv_testlib.h"

static struct fsproto_fh
setup(void)
{
    srv_start(7, NULL);
    as(0);
    req.fh = root_fh();
    strcpy(req.name, "f");
    req.mode = 0644;
    req.flags = O_RDWR | O_CREAT;
    EXPECT_EQ(serve(1, FSP_CREATE), 0);         /* node 1 has it open, read-write */
    ncalls = 0;
    return rep.fh;
}

static int
share(int node, struct fsproto_fh fh, uint32_t flags, uint64_t off, uint64_t *id)
{
    memset(&req, 0, sizeof(req));
    req.fh = fh;
    req.flags = flags;
    req.off = off;
    int err = serve(node, FSP_SSHARE);
    *id = rep.cookie;
    return err;
}

static int
sref(int node, uint64_t id, uint32_t from, uint32_t to)
{
    memset(&req, 0, sizeof(req));
    req.cookie = id;
    req.mask = from;
    req.mode = to;
    return serve(node, FSP_SREF);
}

/* SIO: returns the error; the count and the stream's offset in rep. */
static int
sio(int node, uint64_t id, unsigned op, uint64_t off, const char *data, uint32_t len)
{
    memset(&req, 0, sizeof(req));
    req.cookie = id;
    req.flags = op;
    req.off = off;
    req.len = len;
    req.data = (const uint8_t *)data;
    req.datalen = data ? strlen(data) : 0;
    return serve(node, FSP_SIO);
}

static void
test_stream_one_offset(void)
{
    struct fsproto_fh f = setup();
    uint64_t id, bad;
    EXPECT_EQ(share(2, f, O_RDWR, 0, &bad), -EBADF);     /* node 2 never opened it */
    EXPECT_EQ(share(1, f, O_RDWR, 0, &id), 0);
    EXPECT_EQ(sio(1, id, FSP_SIO_WRITE, FSP_SIO_CUR, "abc", 0), 0);
    EXPECT_TRUE(rep.count == 3 && rep.off == 3);
    /* node 1 packs it for node 2: transit, then node 2 claims it */
    EXPECT_EQ(sref(1, id, FSP_HOLDER_NONE, FSP_HOLDER_TRANSIT(1)), 0);
    EXPECT_EQ(sio(2, id, FSP_SIO_READ, FSP_SIO_CUR, NULL, 10), -EBADF);   /* not claimed */
    EXPECT_EQ(sref(2, id, FSP_HOLDER_TRANSIT(1), 2), 0);
    EXPECT_EQ(ncalls, 1);       /* two nodes, one writing: node 1 stops caching */
    EXPECT_TRUE(calls[0][0] == 1 && calls[0][1] == FSP_DISABLE);
    EXPECT_TRUE(fssrv_node_has_open(srv, 2, f, O_RDWR));
    EXPECT_EQ(sio(2, id, FSP_SIO_WRITE, FSP_SIO_CUR, "de", 0), 0);
    EXPECT_TRUE(rep.off == 5 && rep.attr.size == 5);
    EXPECT_EQ(sio(1, id, FSP_SIO_SEEK, 1, NULL, SEEK_SET), 0);
    EXPECT_EQ(rep.off, 1);
    EXPECT_EQ(sio(2, id, FSP_SIO_READ, FSP_SIO_CUR, NULL, 10), 0);
    EXPECT_TRUE(rep.datalen == 4 && !memcmp(rep.data, "bcde", 4) && rep.off == 5);
    EXPECT_EQ(sio(1, id, FSP_SIO_READ, 0, NULL, 2), 0);   /* pread: the offset stays */
    EXPECT_TRUE(rep.datalen == 2 && !memcmp(rep.data, "ab", 2) && rep.off == 5);
    EXPECT_EQ(sio(1, id, FSP_SIO_SEEK, (uint64_t)-2, NULL, SEEK_END), 0);
    EXPECT_EQ(rep.off, 3);
    EXPECT_EQ(sio(1, id, FSP_SIO_SEEK, (uint64_t)-9, NULL, SEEK_CUR), -EINVAL);
    EXPECT_EQ(sio(1, id, FSP_SIO_SEEK, 0, NULL, 7), -EINVAL);
    EXPECT_EQ(sio(1, id, FSP_SIO_WRITE | FSP_SIO_APPEND, FSP_SIO_CUR, "Z", 0), 0);
    EXPECT_TRUE(rep.attr.size == 6 && rep.off == 6);
    /* refused: another node, a forged id, a holder with nothing, a bad op */
    EXPECT_EQ(sio(3, id, FSP_SIO_READ, FSP_SIO_CUR, NULL, 1), -EBADF);
    EXPECT_EQ(sio(1, id + 1, FSP_SIO_READ, FSP_SIO_CUR, NULL, 1), -EBADF);
    EXPECT_EQ(sio(1, id, 0, FSP_SIO_CUR, NULL, 1), -EINVAL);
    EXPECT_EQ(sref(3, id, FSP_HOLDER_NONE, 3), -EBADF);
    EXPECT_EQ(sref(1, id, 3, 1), -EBADF);
    EXPECT_EQ(sref(1, id, 1, 1), -EBADF);
    EXPECT_EQ(sref(1, id, 1, 9999), -EBADF);
    /* the last references: the file is closed everywhere, the record gone */
    EXPECT_EQ(sref(1, id, 1, FSP_HOLDER_NONE), 0);
    EXPECT_TRUE(!fssrv_node_has_open(srv, 1, f, O_RDONLY));
    EXPECT_EQ(fssrv_streams_count(srv), 1);
    EXPECT_EQ(sref(2, id, 2, FSP_HOLDER_NONE), 0);
    EXPECT_EQ(fssrv_streams_count(srv), 0);
    EXPECT_TRUE(!fssrv_node_has_open(srv, 2, f, O_RDONLY));
    EXPECT_EQ(sio(2, id, FSP_SIO_READ, FSP_SIO_CUR, NULL, 1), -EBADF);
    teardown();
}

static void
test_stream_modes_and_node_down(void)
{
    struct fsproto_fh f = setup();
    uint64_t id, id2;
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.flags = O_RDONLY;
    EXPECT_EQ(serve(3, FSP_OPEN), 0);
    EXPECT_EQ(share(3, f, O_WRONLY, 0, &id), -EBADF);    /* node 3 may only read */
    EXPECT_EQ(share(3, f, O_RDONLY, 0, &id), 0);
    EXPECT_EQ(sio(3, id, FSP_SIO_WRITE, FSP_SIO_CUR, "x", 0), -EBADF);
    EXPECT_EQ(share(1, f, O_WRONLY, 0, &id2), 0);
    EXPECT_EQ(sio(1, id2, FSP_SIO_READ, FSP_SIO_CUR, NULL, 1), -EBADF);
    /* node 3 packs its stream, then goes down: its references go */
    EXPECT_EQ(sref(3, id, FSP_HOLDER_NONE, FSP_HOLDER_TRANSIT(3)), 0);
    fssrv_node_down(srv, 3);
    EXPECT_EQ(fssrv_streams_count(srv), 1);
    EXPECT_EQ(sref(2, id, FSP_HOLDER_TRANSIT(3), 2), -EBADF);
    /* a transit reference given back by its receiver */
    EXPECT_EQ(sref(1, id2, FSP_HOLDER_NONE, FSP_HOLDER_TRANSIT(1)), 0);
    EXPECT_EQ(sref(2, id2, FSP_HOLDER_TRANSIT(1), FSP_HOLDER_NONE), 0);
    EXPECT_EQ(sref(1, id2, 1, FSP_HOLDER_NONE), 0);
    EXPECT_EQ(fssrv_streams_count(srv), 0);
    teardown();
}

static int
move(int asker, struct fsproto_fh f, uint32_t flags, int from, int to)
{
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.flags = flags;
    req.mask = (uint32_t)from;
    req.mode = (uint32_t)to;
    return serve(asker, FSP_MOVE);
}

static void
test_move(void)
{
    struct fsproto_fh f = setup();
    EXPECT_EQ(move(3, f, O_RDWR, 1, 2), -EINVAL);        /* neither end asks */
    EXPECT_EQ(move(1, f, O_RDWR, 1, 1), -EINVAL);
    EXPECT_EQ(move(1, f, O_RDWR, 1, 300), -EINVAL);
    EXPECT_EQ(move(2, f, O_RDWR, 2, 1), -EBADF);         /* node 2 has no open */
    EXPECT_EQ(move(1, f, O_RDWR, 1, 2), 0);
    EXPECT_EQ(ncalls, 0);       /* no recall, no disable: the source wrote back */
    EXPECT_TRUE(rep.flags & FSP_CACHEABLE);
    EXPECT_TRUE(fssrv_node_has_open(srv, 2, f, O_RDWR));
    EXPECT_TRUE(!fssrv_node_has_open(srv, 1, f, O_RDONLY));
    EXPECT_EQ(move(1, f, O_RDWR, 1, 2), -EBADF);         /* moved once */
    EXPECT_EQ(move(1, f, O_RDWR, 2, 1), 0);              /* back (a migration undone) */
    EXPECT_TRUE(fssrv_node_has_open(srv, 1, f, O_RDWR));
    /* a reader elsewhere: the moved writer makes it concurrent, as an open would */
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.flags = O_RDONLY;
    EXPECT_EQ(serve(3, FSP_OPEN), 0);
    ncalls = 0;
    EXPECT_EQ(move(1, f, O_RDWR, 1, 2), 0);
    EXPECT_TRUE(!(rep.flags & FSP_CACHEABLE));
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.flags = O_RDWR;
    EXPECT_EQ(serve(2, FSP_CLOSE), 0);
    req.flags = O_RDONLY;
    EXPECT_EQ(serve(3, FSP_CLOSE), 0);
    teardown();
}

void
tests_run(void)
{
    RUN(test_stream_one_offset);
    RUN(test_stream_modes_and_node_down);
    RUN(test_move);
}
