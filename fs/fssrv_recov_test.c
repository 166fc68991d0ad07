/*
 * Host tests of the file server's recovery after its reboot
 * (fssrv_recov.c): a new server on the same volume rebuilds its records
 * from the clients' REOPENs (the last writer with dirty blocks is
 * recalled before another client reads; concurrent write-sharing found
 * among reopens turns caching off); a repeated reopen changes nothing;
 * a removed file is -ESTALE; dirty blocks of a file another node wrote
 * since are -EIO; the grace period holds OPEN and CREATE of clients that
 * have not reopened, and only for its length; malformed reopens are
 * refused; and the volume is clean after it all. Also the bound on
 * requests waiting on callbacks: with three opens each waiting on a
 * recall (nested calls stand for three busy RPC server threads), the
 * recalled client's WRITE is still served and a fourth open that may
 * need a callback is told to retry (-EAGAIN) instead of taking the last
 * thread.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c tests/host/fake_sync.c fs/fssrv.c fs/fssrv_walk.c fs/fssrv_open.c fs/fsconsist.c fs/fsproto.c kernel/wire.c fs/fssrv_stream.c
#include "fs/fssrv_testlib.h"

static uint64_t clock_ns;

static uint64_t
now(void)
{
    return clock_ns;
}

static struct fsproto_fh
setup(void)
{
    srv_start(7, NULL);
    struct wfs_attr a;
    uint32_t ino;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "f", WFS_S_IFREG | 0666, 0, 0, &ino), 0);
    EXPECT_EQ(wfs_getattr(fs, ino, &a), 0);
    return (struct fsproto_fh){ ino, a.generation };
}

/* The server crashes and boots again on the same volume. */
static void
reboot(uint32_t epoch)
{
    fssrv_free(srv);
    srv = fssrv_new(fs, epoch, record_notify, NULL);
    ncalls = 0;
}

static int
reopen(int node, struct fsproto_fh fh, unsigned readers, unsigned writers, bool dirty)
{
    memset(&req, 0, sizeof(req));
    req.fh = fh;
    req.count = readers;
    req.len = writers;
    req.flags = dirty ? FSP_REOPEN_DIRTY : 0;
    return serve(node, FSP_REOPEN);
}

static int
done(int node)
{
    memset(&req, 0, sizeof(req));
    req.flags = FSP_REOPEN_DONE;
    return serve(node, FSP_REOPEN);
}

static void
test_fssrv_recov_rebuilds_records(void)
{
    struct fsproto_fh f = setup();
    EXPECT_EQ(open_as(1, 0, f, O_RDWR), 0);
    reboot(8);
    /* node 1 had it open for writing and holds dirty blocks */
    EXPECT_EQ(reopen(1, f, 0, 1, true), 0);
    EXPECT_TRUE(rep.flags & FSP_CACHEABLE);
    EXPECT_TRUE(rep.version >> 32 == 8);
    EXPECT_EQ(reopen(1, f, 0, 1, true), 0);            /* again: nothing added */
    EXPECT_EQ(ncalls, 0);
    /* node 2 reads: node 1 is recalled, then, both open and one
     * writing, node 1 stops caching */
    EXPECT_EQ(open_as(2, 0, f, O_RDONLY), 0);
    EXPECT_TRUE(ncalls >= 1 && calls[0][0] == 1);
    EXPECT_TRUE(!(rep.flags & FSP_CACHEABLE));
    EXPECT_EQ(close_as(2, f, O_RDONLY), 0);
    EXPECT_EQ(close_as(1, f, O_RDWR), 0);
    EXPECT_EQ(close_as(1, f, O_RDWR), -EBADF);          /* the one reopen counted once */
    struct fssrv_stats st;
    fssrv_get_stats(srv, &st);
    EXPECT_EQ(st.reopens, 2);
    teardown();
}

static void
test_fssrv_recov_shared_reopens(void)
{
    struct fsproto_fh f = setup();
    reboot(9);
    EXPECT_EQ(reopen(1, f, 1, 0, false), 0);
    EXPECT_TRUE(rep.flags & FSP_CACHEABLE);
    EXPECT_EQ(reopen(2, f, 0, 1, false), 0);            /* a writer besides a reader */
    EXPECT_TRUE(!(rep.flags & FSP_CACHEABLE));
    EXPECT_TRUE(ncalls == 1 && calls[0][0] == 1 && calls[0][1] == FSP_DISABLE);
    EXPECT_EQ(close_as(1, f, O_RDONLY), 0);
    EXPECT_EQ(close_as(2, f, O_WRONLY), 0);
    teardown();
}

static void
test_fssrv_recov_stale_and_conflict(void)
{
    struct fsproto_fh f = setup();
    reboot(10);
    /* node 2 opens for writing after the reboot; node 1's dirty blocks
     * from before cannot be reconciled */
    EXPECT_EQ(done(2), 0);
    EXPECT_EQ(open_as(2, 0, f, O_WRONLY), 0);
    EXPECT_EQ(close_as(2, f, O_WRONLY), 0);
    EXPECT_EQ(reopen(1, f, 0, 1, true), -EIO);
    EXPECT_EQ(reopen(1, f, 1, 0, false), 0);            /* clean: fine */
    EXPECT_EQ(close_as(1, f, O_RDONLY), 0);
    /* removed while the server was down */
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "f"), 0);
    reboot(11);
    EXPECT_EQ(reopen(1, f, 1, 0, false), -ESTALE);
    EXPECT_EQ(reopen(1, (struct fsproto_fh){ 999999, 1 }, 1, 0, false), -ESTALE);
    /* malformed */
    EXPECT_EQ(reopen(1, (struct fsproto_fh){ WFS_ROOT_INO, 0 }, 1, 0, false), -EINVAL);
    EXPECT_EQ(reopen(1, f, 70000, 0, false), -EINVAL);
    memset(&req, 0, sizeof(req));
    req.flags = 0x80;
    EXPECT_EQ(serve(1, FSP_REOPEN), -EINVAL);
    EXPECT_EQ(serve(-1, FSP_REOPEN), -EINVAL);
    teardown();
}

static void
test_fssrv_recov_grace_period(void)
{
    struct fsproto_fh f = setup();
    reboot(12);
    clock_ns = 1000;
    fssrv_recov_start(srv, 0, now, 15000);
    EXPECT_EQ(open_as(0, 0, f, O_RDONLY), 0);              /* the server's own node */
    EXPECT_EQ(close_as(0, f, O_RDONLY), 0);
    EXPECT_EQ(open_as(3, 0, f, O_RDONLY), -EAGAIN);        /* not reopened yet */
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.len = 10;
    EXPECT_EQ(serve(3, FSP_READ), 0);                  /* only opens wait */
    EXPECT_EQ(done(3), 0);
    EXPECT_EQ(open_as(3, 0, f, O_RDONLY), 0);
    EXPECT_EQ(close_as(3, f, O_RDONLY), 0);
    EXPECT_EQ(open_as(4, 0, f, O_RDONLY), -EAGAIN);
    clock_ns += 15000;                                  /* the grace period is over */
    EXPECT_EQ(open_as(4, 0, f, O_RDONLY), 0);
    EXPECT_EQ(close_as(4, f, O_RDONLY), 0);
    struct fssrv_stats st;
    fssrv_get_stats(srv, &st);
    EXPECT_EQ(st.grace_waits, 2);
    teardown();
}

static struct fsproto_fh files[4];
static int depth, nested_open_err[4], write_err;


/* The recalled node 1 answers each recall while the server waits: the
 * first three recalls start one more open of another file each (another
 * server thread taken); at the fourth level node 1 writes back. */
static void
busy_threads(int node)
{
    int d = depth++;
    if (d < 3) {
        struct fsproto_msg save = req;
        memset(&req, 0, sizeof(req));
        req.fh = files[d + 1];
        req.flags = O_RDONLY;
        nested_open_err[d + 1] = serve(2 + d + 1, FSP_OPEN);
        req = save;
    } else {
        memset(&req, 0, sizeof(req));
        req.fh = files[0];
        req.data = (const uint8_t *)"back";
        req.datalen = 4;
        write_err = serve(1, FSP_WRITE);
    }
}

static void
test_fssrv_recov_callbacks_leave_a_thread(void)
{
    files[0] = setup();
    for (int i = 1; i < 4; i++) {
        uint32_t ino;
        char name[4] = { 'g', (char)('0' + i), 0 };
        struct wfs_attr a;
        EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, name, WFS_S_IFREG | 0666, 0, 0, &ino), 0);
        EXPECT_EQ(wfs_getattr(fs, ino, &a), 0);
        files[i] = (struct fsproto_fh){ ino, a.generation };
    }
    /* node 1 wrote every file and closed it: it may hold dirty blocks */
    for (int i = 0; i < 4; i++) {
        EXPECT_EQ(open_as(1, 0, files[i], O_RDWR), 0);
        EXPECT_EQ(close_as(1, files[i], O_RDWR), 0);
    }
    depth = 0;
    write_err = 1;
    in_callback = busy_threads;
    EXPECT_EQ(open_as(2, 0, files[0], O_RDONLY), 0);       /* recall -> 3 more opens */
    in_callback = NULL;
    EXPECT_EQ(nested_open_err[1], 0);
    EXPECT_EQ(nested_open_err[2], 0);
    EXPECT_EQ(nested_open_err[3], -EAGAIN);             /* the 4th would take the last thread */
    EXPECT_EQ(depth, 3);
    struct fssrv_stats st;
    fssrv_get_stats(srv, &st);
    EXPECT_EQ(st.callback_waits, 1);
    /* its retry, now that nobody waits on a callback, goes through */
    EXPECT_EQ(open_as(5, 0, files[3], O_RDONLY), 0);
    EXPECT_EQ(close_as(5, files[3], O_RDONLY), 0);
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(close_as(2 + i, files[i], O_RDONLY), 0);
    teardown();
}

static void
test_fssrv_recov_write_back_during_callbacks(void)
{
    files[0] = setup();
    EXPECT_EQ(open_as(1, 0, files[0], O_RDWR), 0);
    EXPECT_EQ(close_as(1, files[0], O_RDWR), 0);
    depth = 3;                  /* straight to node 1's write-back */
    write_err = 1;
    in_callback = busy_threads;
    EXPECT_EQ(open_as(2, 0, files[0], O_RDONLY), 0);
    in_callback = NULL;
    EXPECT_EQ(write_err, 0);    /* served while the open waits on the recall */
    memset(&req, 0, sizeof(req));
    req.fh = files[0];
    req.len = 10;
    EXPECT_EQ(serve(2, FSP_READ), 0);
    EXPECT_TRUE(rep.datalen == 4 && !memcmp(rep.data, "back", 4));
    EXPECT_EQ(close_as(2, files[0], O_RDONLY), 0);
    teardown();
}

/* Unlinked open files (docs/wfs.md "The orphan list"): readable and
 * writable by handle on every node that has them open, freed at the last
 * close anywhere, or when the last node that has one open goes down. */
static void
test_fssrv_recov_unlinked_open_files(void)
{
    struct fsproto_fh f = setup();
    struct wfs_statfs st0, st1;
    EXPECT_EQ(open_as(1, 0, f, O_RDWR), 0);
    EXPECT_EQ(open_as(2, 0, f, O_RDONLY), 0);
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.data = (const uint8_t *)"kept";
    req.datalen = 4;
    EXPECT_EQ(serve(1, FSP_WRITE), 0);
    EXPECT_EQ(wfs_statfs(fs, &st0), 0);
    memset(&req, 0, sizeof(req));
    req.fh = (struct fsproto_fh){ WFS_ROOT_INO, 0 };
    strcpy(req.name, "f");
    EXPECT_EQ(serve(1, FSP_REMOVE), 0);
    memset(&req, 0, sizeof(req));
    req.fh = (struct fsproto_fh){ WFS_ROOT_INO, 0 };
    strcpy(req.path, "f");
    EXPECT_EQ(serve(2, FSP_WALK), -ENOENT);             /* the name is gone */
    memset(&req, 0, sizeof(req));
    req.fh = f;
    req.len = 100;
    EXPECT_EQ(serve(2, FSP_READ), 0);                   /* the file is not */
    EXPECT_TRUE(rep.datalen == 4 && !memcmp(rep.data, "kept", 4));
    EXPECT_EQ(serve(2, FSP_GETATTR), 0);
    EXPECT_EQ(rep.attr.nlink, 0);
    EXPECT_EQ(close_as(1, f, O_RDWR), 0);
    memset(&req, 0, sizeof(req));
    req.fh = f;
    EXPECT_EQ(serve(2, FSP_GETATTR), 0);                /* node 2 still has it */
    EXPECT_EQ(close_as(2, f, O_RDONLY), 0);
    memset(&req, 0, sizeof(req));
    req.fh = f;
    EXPECT_EQ(serve(2, FSP_GETATTR), -ESTALE);          /* freed at the last close */
    EXPECT_EQ(wfs_statfs(fs, &st1), 0);
    EXPECT_EQ(st1.ffree, st0.ffree + 1);
    /* the last node that has one open goes down */
    uint32_t ino;
    struct wfs_attr a;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "g", WFS_S_IFREG | 0666, 0, 0, &ino), 0);
    EXPECT_EQ(wfs_getattr(fs, ino, &a), 0);
    struct fsproto_fh g = { ino, a.generation };
    EXPECT_EQ(open_as(3, 0, g, O_RDONLY), 0);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "g"), 0);
    EXPECT_EQ(wfs_getattr(fs, ino, &a), 0);
    fssrv_node_down(srv, 3);
    EXPECT_EQ(wfs_getattr(fs, ino, &a), -ENOENT);
    teardown();
}

void
tests_run(void)
{
    RUN(test_fssrv_recov_rebuilds_records);
    RUN(test_fssrv_recov_shared_reopens);
    RUN(test_fssrv_recov_stale_and_conflict);
    RUN(test_fssrv_recov_grace_period);
    RUN(test_fssrv_recov_callbacks_leave_a_thread);
    RUN(test_fssrv_recov_write_back_during_callbacks);
    RUN(test_fssrv_recov_unlinked_open_files);
}
