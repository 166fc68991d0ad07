/*
 * Host tests of packing /shared streams (fs/fs_ctx_pack.c's SHARED and
 * MOVED records) against a fake of the shared file system's client
 * (fs_rmt_stream.h, here): for migration a description only the process
 * holds moves (its open moved to the target, marked, its offset in the
 * record, the target's open answer handed to the receiver), one another
 * process also holds becomes shared (a transit reference taken, claimed
 * by the receiver); remote exec never moves; discarding gives the transit
 * reference back and asks for the moved open back; a server that does not
 * answer makes the stream an exported one; truncated and malformed
 * records are refused before any call.
 */
// TEST_SRCS: fs/fs_ctx_pack.c fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c fs/fs_export.c fs/fs_remote.c kernel/migrate_buf.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c
#include <stdarg.h>
#include "fs/fs_testlib.h"
#include "fs/fs_remote.h"
#include "fs/fs_rmt_stream.h"
#include "kernel/migrate.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"
#include "tests/host/fake_proc.h"

void
kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

int sched_sleep_ns(uint64_t ns) { return 0; }
uint32_t rpc_boot_id(void) { return 0x5eed; }
int recov_register(recov_fn fn, void *arg) { return 0; }

int
rpc_call(int node, int op, const void *req, size_t reqlen, void *rep, size_t repcap,
         size_t *replen)
{
    *replen = 0;
    return 0;
}

/* ---- the fake client: what was asked, in order ---- */
enum { C_SHARE = 1, C_REF, C_MOVE_OUT, C_MOVE_BACK, C_MOVE_IN, C_FILE };
struct rcall {
    int what;
    uint64_t id, a, b;
};
static struct rcall rc[32];
static int nrc, fail_server;
static struct file *plain[4], *shared[8];
static const struct vnode_ops fake_ops = { .read = NULL };

static void
note(int what, uint64_t id, uint64_t a, uint64_t b)
{
    if (nrc < 32)
        rc[nrc++] = (struct rcall){ what, id, a, b };
}

static bool
in(struct file **set, int n, struct file *f)
{
    for (int i = 0; i < n; i++)
        if (set[i] == f)
            return true;
    return false;
}

bool fs_rmt_stream_is_plain(struct file *f) { return in(plain, 4, f); }
bool fs_rmt_stream_is_shared(struct file *f) { return in(shared, 8, f); }

static void
add(struct file **set, int n, struct file *f)
{
    for (int i = 0; i < n; i++)
        if (!set[i]) {
            set[i] = f;
            return;
        }
}

int
fs_rmt_stream_share(struct file *f, uint64_t *id, struct fsproto_fh *fh)
{
    if (fail_server)
        return -ETIMEDOUT;
    for (int i = 0; i < 4; i++)
        if (plain[i] == f)
            plain[i] = NULL;
    add(shared, 8, f);
    *id = 0x77;
    *fh = (struct fsproto_fh){ 5, 1 };
    note(C_SHARE, *id, 0, 0);
    return 0;
}

int
fs_rmt_stream_ref(uint64_t id, uint32_t from, uint32_t to)
{
    note(C_REF, id, from, to);
    return 0;
}

static struct file *
new_file(int flags, uint64_t off)
{
    struct fs_rmt_node *n = calloc(1, sizeof(*n));
    n->vn.refs = 1;
    n->vn.dynamic = true;
    n->vn.mode = S_IFREG | 0644;
    n->vn.ops = &fake_ops;
    struct file *f = NULL;
    EXPECT_EQ(fs_file_open(&n->vn, flags, &f), 0);
    fs_vn_unref(&n->vn);
    if (f)
        f->off = off;
    return f;
}

struct file *
fs_rmt_stream_file(uint64_t id, struct fsproto_fh fh, int flags, const struct fsproto_attr *a)
{
    note(C_FILE, id, fh.ino, a->size);
    struct file *f = new_file(flags, 0);
    add(shared, 8, f);
    return f;
}

int
fs_rmt_move_out(struct file *f, int to, struct fsproto_msg *rep)
{
    if (fail_server)
        return -ETIMEDOUT;
    note(C_MOVE_OUT, fs_rmt_node(f->vn)->fh.ino, (uint64_t)to, 0);
    rep->flags = FSP_CACHEABLE;
    rep->version = 99;
    rep->prev = 98;
    rep->attr.mode = S_IFREG | 0644;
    rep->attr.size = 12;
    f->priv = FS_RMT_MOVED;
    return 0;
}

int
fs_rmt_move_back(struct fsproto_fh fh, int flags, int from)
{
    note(C_MOVE_BACK, fh.ino, (uint64_t)from, (uint64_t)flags);
    return 0;
}

struct file *
fs_rmt_move_in(struct fsproto_fh fh, int flags, uint64_t off, const struct fsproto_msg *rep)
{
    note(C_MOVE_IN, fh.ino, off, rep->version);
    return new_file(flags, off);
}

/* ---- the tests ---- */

/* fd 3: a /shared file only this process holds (handle ino 3, offset 7);
 * fd 4: one that `other` holds too (ino 4). */
static struct file *
setup(void)
{
    tsetup();
    nrc = fail_server = 0;
    memset(plain, 0, sizeof(plain));
    memset(shared, 0, sizeof(shared));
    struct fs_ctx *c = tproc->fs;
    struct file *a = new_file(O_RDWR, 7), *b = new_file(O_WRONLY, 0);
    fs_rmt_node(a->vn)->fh = (struct fsproto_fh){ 3, 1 };
    fs_rmt_node(b->vn)->fh = (struct fsproto_fh){ 4, 1 };
    plain[0] = a;
    plain[1] = b;
    EXPECT_EQ(fs_fd_install(c, a, 3, false), 3);
    EXPECT_EQ(fs_fd_install(c, b, 4, false), 4);
    fs_file_ref(b);
    return b;                   /* the other holder's reference */
}

static const struct rcall *
find(int what)
{
    for (int i = 0; i < nrc; i++)
        if (rc[i].what == what)
            return &rc[i];
    return NULL;
}

static void
test_pack_mig_moves_and_shares(void)
{
    struct file *other = setup();
    struct fs_ctx *c = tproc->fs;
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack_mig(c, &b, 2), 0);
    const struct rcall *mo = find(C_MOVE_OUT), *sh = find(C_SHARE), *rf = find(C_REF);
    EXPECT_TRUE(mo && mo->id == 3 && mo->a == 2);           /* alone: moved to node 2 */
    EXPECT_TRUE(c->fd[3]->priv == FS_RMT_MOVED);
    EXPECT_TRUE(sh && sh->id == 0x77);                      /* held by another: shared */
    EXPECT_TRUE(rf && rf->a == FSP_HOLDER_NONE && rf->b == FSP_HOLDER_TRANSIT(0));
    nrc = 0;
    struct mig_cur cur;
    mig_cur_init(&cur, b.data, b.len);
    int err = 1;
    fake_node_self = 2;                     /* the target unpacks */
    struct fs_ctx *n = fs_ctx_unpack(&cur, &err);
    EXPECT_TRUE(n != NULL && err == 0);
    const struct rcall *mi = find(C_MOVE_IN), *fl = find(C_FILE);
    rf = find(C_REF);
    EXPECT_TRUE(mi && mi->id == 3 && mi->a == 7 && mi->b == 99);   /* offset, open answer */
    EXPECT_TRUE(rf && rf->a == FSP_HOLDER_TRANSIT(0) && rf->b == 2);   /* claimed */
    EXPECT_TRUE(fl && fl->id == 0x77 && fl->a == 5);
    EXPECT_TRUE(n && n->fd[3] && n->fd[3]->off == 7 && n->fd[4] && fs_rmt_stream_is_shared(n->fd[4]));
    if (n)
        fs_ctx_free(n);
    fake_node_self = 0;
    /* discarding the same message: the transit reference and the open come back */
    nrc = 0;
    fs_ctx_pack_discard(b.data, b.len);
    const struct rcall *mb = find(C_MOVE_BACK);
    rf = find(C_REF);
    EXPECT_TRUE(mb && mb->id == 3 && mb->a == 2 && mb->b == O_RDWR);
    EXPECT_TRUE(rf && rf->a == FSP_HOLDER_TRANSIT(0) && rf->b == FSP_HOLDER_NONE);
    mig_buf_free(&b);
    c->fd[3]->priv = NULL;
    fs_file_unref(other);
    tteardown();
}

static void
test_pack_rexec_never_moves(void)
{
    struct file *other = setup();
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack(tproc->fs, &b, 2), 0);   /* even with its target known */
    EXPECT_TRUE(find(C_MOVE_OUT) == NULL);
    int shares = 0;
    for (int i = 0; i < nrc; i++)
        shares += rc[i].what == C_SHARE;
    EXPECT_EQ(shares, 2);       /* both shared: the caller keeps its fds */
    fs_ctx_pack_discard(b.data, b.len);
    mig_buf_free(&b);
    fs_file_unref(other);
    tteardown();
}

static void
test_pack_server_silent_exports(void)
{
    struct file *other = setup();
    fail_server = 1;
    struct mig_buf b;
    mig_buf_init(&b);
    struct wisp_streamstat s0, s1;
    fs_export_stats(&s0);
    EXPECT_EQ(fs_ctx_pack_mig(tproc->fs, &b, 2), 0);
    fs_export_stats(&s1);
    EXPECT_TRUE(s1.refs >= s0.refs + 2);    /* both exported, in transit */
    EXPECT_TRUE(tproc->fs->fd[3]->priv == NULL);
    fs_ctx_pack_discard(b.data, b.len);
    fs_export_stats(&s1);
    EXPECT_EQ(s1.refs, s0.refs);
    mig_buf_free(&b);
    fs_file_unref(other);
    tteardown();
}

static void
test_unpack_refuses_bad_rmt_records(void)
{
    struct file *other = setup();
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack_mig(tproc->fs, &b, 2), 0);
    for (size_t len = 0; len < b.len; len++) {
        nrc = 0;
        struct mig_cur cur;
        mig_cur_init(&cur, b.data, len);
        int err = 0;
        EXPECT_TRUE(fs_ctx_unpack(&cur, &err) == NULL && err == -EBADMSG);
        EXPECT_EQ(nrc, 0);
    }
    /* a MOVED record for node 258 */
    uint8_t *bad = malloc(b.len);
    int tried = 0;
    for (size_t i = 0; i + 12 <= b.len; i++) {
        memcpy(bad, b.data, b.len);
        if (fs_get32(bad + i) == 4 && fs_get32(bad + i + 8) == 2) {   /* kind MOVED, node 2 */
            bad[i + 10] = 1;    /* 2 -> 258 */
            tried++;
            struct mig_cur cur;
            mig_cur_init(&cur, bad, b.len);
            int err = 0;
            nrc = 0;
            EXPECT_TRUE(fs_ctx_unpack(&cur, &err) == NULL && err == -EBADMSG && nrc == 0);
        }
    }
    EXPECT_TRUE(tried >= 1);
    free(bad);
    fs_ctx_pack_discard(b.data, b.len);
    mig_buf_free(&b);
    tproc->fs->fd[3]->priv = NULL;
    fs_file_unref(other);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_pack_mig_moves_and_shares);
    RUN(test_pack_rexec_never_moves);
    RUN(test_pack_server_silent_exports);
    RUN(test_unpack_refuses_bad_rmt_records);
}
