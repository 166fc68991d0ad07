/*
 * Hostile requests to the file server, host side: a bounded fuzz run of
 * the request decoder and the server's dispatch together (fsproto.c and
 * fssrv*.c). Valid requests of every op (live, stale and forged handles,
 * `..` at the root, names of every length, huge offsets and sizes) are
 * encoded, mutated with the shared mutator (tests/host/fuzz_mutate.c),
 * decoded as the RPC handler does, and what decodes is served from a
 * random client node. Nothing may crash, trip ASan or an ASSERT; every
 * reply must encode; and after it all, every node's opens dropped, the
 * volume must unmount and fsck clean. A few hostile cases are also
 * checked for their exact error. FSSRV_FUZZ_ITERS in the environment
 * changes the count (default 30000).
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c tests/host/fake_sync.c fs/fssrv.c fs/fssrv_walk.c fs/fssrv_open.c fs/fssrv_recov.c fs/fsconsist.c fs/fsproto.c kernel/wire.c tests/host/fuzz_mutate.c fs/fssrv_stream.c
#include <stdlib.h>
#include "fs/fssrv_testlib.h"
#include "tests/host/fuzz_mutate.h"

static struct fsproto_msg dec;
static uint8_t wirebuf[FSPROTO_IO_MAX + 8192], repbuf[FSPROTO_IO_MAX + 8192];
static struct fuzz_rng rng = { 0x51ed270b27e1a5c3ull };
static struct fsproto_fh handles[6];
static const char *names[] = { "a", "b", "..", ".", "d", "sub", "x" };

static const uint64_t special[] = {
    0, 1, 2, 0xff, 0x100, 0xfff, 0x1000, 0xf000, 0xffff, 0x10000, 0x7fffffff, 0xffffffff,
    0x100000000ull, INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX, UINT64_MAX - 0xfff,
};

static int
notify(void *ctx, int node, unsigned op, struct fsproto_fh fh, uint64_t version)
{
    return fuzz_next(&rng) % 8 ? 0 : -EHOSTDOWN;   /* some clients unreachable */
}

static uint64_t
rnd(uint64_t n)
{
    return fuzz_next(&rng) % n;
}

static void
setup(void)
{
    srv_start(3, notify);
    uint32_t d, f;
    struct wfs_attr a;
    EXPECT_EQ(wfs_mkdir(fs, WFS_ROOT_INO, "d", 0755, 0, 0, &d), 0);
    EXPECT_EQ(wfs_create(fs, d, "a", WFS_S_IFREG | 0644, 0, 0, &f), 0);
    EXPECT_EQ(wfs_write(fs, f, 0, "hello", 5), 5);
    uint32_t inos[] = { WFS_ROOT_INO, d, f };
    for (int i = 0; i < 3; i++) {
        EXPECT_EQ(wfs_getattr(fs, inos[i], &a), 0);
        handles[i] = (struct fsproto_fh){ inos[i], a.generation };
    }
    handles[3] = (struct fsproto_fh){ f, handles[2].gen + 1 };     /* stale */
    handles[4] = (struct fsproto_fh){ 0xffffffffu, 0 };              /* forged */
    handles[5] = (struct fsproto_fh){ 0, 0 };
}

/* A valid request of op, with fields chosen to reach the edges. */
static void
make_req(unsigned op)
{
    memset(&req, 0, sizeof(req));
    req.op = (uint16_t)op;
    req.fh = handles[rnd(6)];
    req.fh2 = handles[rnd(3)];
    req.cred.uid = rnd(3) ? 0 : 1000;
    req.cred.gid = req.cred.uid;
    req.cred.ngroups = (uint16_t)rnd(3);
    strcpy(req.name, names[rnd(ARRAY_SIZE(names))]);
    strcpy(req.name2, names[rnd(ARRAY_SIZE(names))]);
    if (rnd(8) == 0) {
        memset(req.name, 'n', FSPROTO_NAME_MAX);     /* the longest name */
        req.name[FSPROTO_NAME_MAX] = 0;
    }
    static const char *paths[] = { "d/a", "../../..", "/d/../..", "d", "a/b/c", "/" };
    strcpy(req.path, paths[rnd(ARRAY_SIZE(paths))]);
    req.flags = (uint32_t)rnd(8);
    req.mode = (uint32_t)rnd(01000);
    req.off = rnd(3) ? rnd(70000) : special[rnd(ARRAY_SIZE(special))];
    req.len = (uint32_t)(rnd(3) ? rnd(9000) : special[rnd(ARRAY_SIZE(special))]);
    req.count = (uint32_t)rnd(3);
    req.mask = (uint32_t)rnd(64);
    req.attr.size = rnd(2) ? rnd(100000) : special[rnd(ARRAY_SIZE(special))];
    req.attr.mode = (uint32_t)rnd(0777);
    req.cookie = rnd(4) ? rnd(10) : UINT64_MAX;
    req.data = buf;
    req.datalen = (size_t)rnd(5000);
}

static void
fuzz_one(long i)
{
    unsigned op = 1 + (unsigned)rnd(FSP_NOPS - 1);
    if (!fsproto_req_fields(op) && op != FSP_STATFS)
        return;
    make_req(op);
    long n = fsproto_put_req(&req, wirebuf, sizeof(wirebuf));
    if (n < 0)
        return;
    int edits = (int)rnd(4);                    /* some go through unmutated */
    for (int k = 0; k < edits; k++)
        fuzz_edit(&rng, wirebuf, (size_t)n, special, ARRAY_SIZE(special));
    if (rnd(10) == 0)
        n = (long)rnd((uint64_t)n + 1);         /* cut short */
    if (fsproto_get_req(op, wirebuf, (size_t)n, &dec) != 0)
        return;
    dec.op = (uint16_t)op;
    fssrv_serve(srv, (int)rnd(6), &dec, &rep, buf);
    EXPECT_TRUE(rep.err <= 0 && rep.err >= -4095);
    long r = fsproto_put_rep(&rep, repbuf, sizeof(repbuf));
    if (r < 0)
        fprintf(stderr, "iteration %ld: op %u: reply does not encode (%ld)\n", i, op, r);
    EXPECT_TRUE(r >= 4);
}

static void
test_fssrv_fuzz_requests(void)
{
    long iters = 30000;
    const char *env = getenv("FSSRV_FUZZ_ITERS");
    if (env)
        iters = atol(env);
    setup();
    for (long i = 0; i < iters; i++)
        fuzz_one(i);
    for (int node = 0; node < 6; node++)
        fssrv_node_down(srv, node);
    struct fssrv_stats st;
    fssrv_get_stats(srv, &st);
    fprintf(stderr, "%ld requests: %lu served with an error\n", iters, (unsigned long)st.errors);
    teardown();
}

static void
test_fssrv_hostile_cases(void)
{
    setup();
    make_req(FSP_READ);
    req.fh = handles[2];
    req.off = UINT64_MAX - 10;
    req.len = 100;
    EXPECT_TRUE(serve(1, FSP_READ) <= 0 && rep.datalen == 0);   /* past any end: nothing */
    make_req(FSP_WRITE);
    req.fh = handles[2];
    req.flags = 0;
    req.off = UINT64_MAX - 10;
    req.datalen = 100;
    EXPECT_TRUE(serve(1, FSP_WRITE) < 0);                        /* too big a file */
    make_req(FSP_READ);
    req.fh = handles[2];
    req.len = FSPROTO_IO_MAX + 1;
    EXPECT_EQ(serve(1, FSP_READ), -EINVAL);
    make_req(FSP_WALK);
    req.fh = handles[0];
    req.flags = 0;
    strcpy(req.path, "../../../d");      /* `..` past the root: the client's root decides */
    EXPECT_EQ(serve(1, FSP_WALK), 0);
    EXPECT_TRUE(rep.flags & FSP_REDIRECT);
    EXPECT_TRUE(strncmp(rep.path, "/", 1) == 0);
    make_req(FSP_GETATTR);
    req.fh = handles[3];
    EXPECT_EQ(serve(1, FSP_GETATTR), -ESTALE);
    req.fh = handles[4];
    EXPECT_TRUE(serve(1, FSP_GETATTR) < 0);
    make_req(FSP_CLOSE);
    req.fh = handles[2];
    req.flags = O_RDWR;
    EXPECT_EQ(serve(1, FSP_CLOSE), -EBADF);                      /* a forged close */
    /* a name one byte too long never decodes */
    make_req(FSP_CREATE);
    long n = fsproto_put_req(&req, wirebuf, sizeof(wirebuf));
    EXPECT_TRUE(n > 0);
    memset(req.name, 'n', sizeof(req.name));
    EXPECT_TRUE(fsproto_put_req(&req, wirebuf, sizeof(wirebuf)) < 0);
    teardown();
}

void
tests_run(void)
{
    RUN(test_fssrv_hostile_cases);
    RUN(test_fssrv_fuzz_requests);
}
