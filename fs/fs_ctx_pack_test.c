/*
 * Host tests of packing a descriptor table (fs/fs_ctx_pack.c): a round
 * trip on one node gives back the same descriptions (fds that shared one
 * still share it), boot-image files reopened by path at their offset,
 * close-on-exec fds left out for exec and kept with their bit for
 * migration, the cwd and umask, and every transit reference claimed; a
 * stream of another node becomes a remote file whose reference is claimed
 * and given back by RPC; every truncation and many corruptions of a
 * message are refused without touching a reference, and discard gives
 * the references back. A migration's own streams (exported by the sender)
 * are held for the target at once: the target makes no call while it
 * builds; not committed, the sender drops them and the target's copy
 * closes without a call; committed, the target's last close drops them.
 * A remote exec holds them for its node the same way; refused there, the
 * receiver's copy closes without a call and the discard drops them. A
 * foreign process's exit lists the references on home's exports that only
 * it holds (its closes then make no call) for the exit report, which
 * drops them at home.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c fs/fs_export.c fs/fs_remote.c kernel/migrate_buf.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c tests/host/fake_rmt_stream.c
#include <stdarg.h>
#include "fs/fs_testlib.h"
#include "fs/fs_remote.h"
#include "kernel/migrate.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc_ops.h"
#include "tests/host/fake_proc.h"

#define PROC_EXIT_TEST_MAX 16

void
kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

int
sched_sleep_ns(uint64_t ns)
{
    return 0;
}

uint32_t
rpc_boot_id(void)
{
    return 0x5eed;
}

int
recov_register(recov_fn fn, void *arg)
{
    return 0;
}

/* The RPCs fs_remote.c makes: recorded, answered 0. */
struct call {
    int node, op;
    int64_t id, from, to;
};
static struct call calls[16];
static int ncalls;

int
rpc_call(int node, int op, const void *req, size_t reqlen, void *rep, size_t repcap,
         size_t *replen)
{
    const uint8_t *q = req;
    if (ncalls < 16 && reqlen >= 24)
        calls[ncalls++] = (struct call){ node, op, (int64_t)fs_get64(q),
                                         (int64_t)fs_get64(q + 8), (int64_t)fs_get64(q + 16) };
    *replen = 0;
    return 0;
}

static uint64_t
refs_now(void)
{
    struct wisp_streamstat s;
    fs_export_stats(&s);
    return s.refs;
}

/* fds: 0-2 console, 3 /etc/big at offset 5 (close-on-exec), 4 a pipe's
 * reading end; cwd /etc, umask 027. */
static struct file *
setup_ctx(struct file **wr)
{
    tsetup();
    struct fs_ctx *c = tproc->fs;
    struct file *f, *rd;
    EXPECT_EQ(fs_open_path(c, NULL, "/etc/big", O_RDONLY, 0, &f), 0);
    f->off = 5;
    EXPECT_EQ(fs_fd_install(c, f, 3, true), 3);
    EXPECT_EQ(fs_pipe_create(&rd, wr, 0), 0);
    EXPECT_EQ(fs_fd_install(c, rd, 4, false), 4);
    struct vnode *etc;
    EXPECT_EQ(fs_namei(c, NULL, "/etc", FS_NAMEI_FOLLOW, &etc, NULL), 0);
    fs_vn_unref(c->cwd);
    c->cwd = etc;
    c->umask = 027;
    return rd;
}

static void
test_pack_round_trip_one_node(void)
{
    struct file *wr;
    struct file *rd = setup_ctx(&wr);
    struct fs_ctx *c = tproc->fs;
    uint64_t refs0 = refs_now();
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack(c, &b, -1), 0);
    EXPECT_EQ(refs_now() - refs0, 2);       /* console and pipe: in transit */
    struct mig_cur cur;
    mig_cur_init(&cur, b.data, b.len);
    int err = 1;
    struct fs_ctx *n = fs_ctx_unpack(&cur, &err);
    EXPECT_TRUE(n != NULL);
    EXPECT_EQ(err, 0);
    EXPECT_EQ(refs_now(), refs0);           /* claimed: back to this node's own */
    EXPECT_TRUE(n->fd[0] == c->fd[0] && n->fd[1] == c->fd[0] && n->fd[2] == c->fd[0]);
    EXPECT_TRUE(n->fd[3] == NULL);          /* close-on-exec: not for exec */
    EXPECT_TRUE(n->fd[4] == rd);
    EXPECT_TRUE(n->cwd == c->cwd);
    EXPECT_EQ(n->umask, 027);
    fs_ctx_free(n);
    mig_buf_free(&b);

    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack_fds(c, &b, true), 0);
    mig_cur_init(&cur, b.data, b.len);
    n = fs_ctx_unpack(&cur, &err);
    EXPECT_TRUE(n != NULL);
    EXPECT_TRUE(n->fd[3] != NULL && n->fd[3] != c->fd[3]);   /* reopened by path */
    EXPECT_TRUE(n->fd[3] && n->fd[3]->vn == c->fd[3]->vn && n->fd[3]->off == 5);
    EXPECT_EQ(n->cloexec, 1ull << 3);
    fs_ctx_free(n);
    mig_buf_free(&b);
    EXPECT_EQ(refs_now(), refs0);
    fs_file_unref(wr);
    tteardown();
}

static void
test_unpack_remote_stream(void)
{
    tsetup();
    struct mig_buf b;
    mig_buf_init(&b);
    mig_put_u32(&b, 0x57465343u);
    mig_put_u32(&b, 1);
    mig_put_u32(&b, 2);                     /* from node 2 */
    mig_put_str(&b, "/nowhere");            /* missing here: cwd stays / */
    mig_put_u32(&b, 022);
    mig_put_u32(&b, 64);
    mig_put_u32(&b, 1);
    mig_put_u32(&b, 2);                     /* REMOTE */
    mig_put_u32(&b, O_RDWR);
    mig_put_u32(&b, 3);                     /* exported by node 3 */
    mig_put_u64(&b, 77);
    for (int i = 0; i < 12; i++)
        mig_put_u64(&b, i == 0 ? (S_IFCHR | 0620) : 0);
    mig_put_u32(&b, 2);
    mig_put_u32(&b, 0), mig_put_u32(&b, 0), mig_put_u32(&b, 0);
    mig_put_u32(&b, 1), mig_put_u32(&b, 0), mig_put_u32(&b, 0);
    ncalls = 0;
    struct mig_cur cur;
    mig_cur_init(&cur, b.data, b.len);
    int err;
    struct fs_ctx *n = fs_ctx_unpack(&cur, &err);
    EXPECT_TRUE(n != NULL);
    int node;
    uint64_t id;
    EXPECT_TRUE(n && fs_remote_whose(n->fd[0], &node, &id) && node == 3 && id == 77);
    EXPECT_TRUE(n && n->fd[1] == n->fd[0] && n->cwd == fs_root);
    EXPECT_EQ(ncalls, 1);                   /* claimed: transit of 2 -> node 0 */
    EXPECT_TRUE(calls[0].node == 3 && calls[0].op == RPC_OP_STREAM_REF && calls[0].id == 77 &&
                calls[0].from == FS_HOLDER_TRANSIT(2) && calls[0].to == 0);
    fs_ctx_free(n);
    EXPECT_EQ(ncalls, 2);                   /* the last close gives it back */
    EXPECT_TRUE(calls[1].from == 0 && calls[1].to == -1);
    mig_buf_free(&b);
    tteardown();
}

static void
test_unpack_refuses_bad_input(void)
{
    struct file *wr;
    (void)setup_ctx(&wr);
    uint64_t refs0 = refs_now();
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack_fds(tproc->fs, &b, true), 0);
    uint64_t held = refs_now();
    int err;
    struct mig_cur cur;
    for (size_t len = 0; len < b.len; len++) {
        mig_cur_init(&cur, b.data, len);
        EXPECT_TRUE(fs_ctx_unpack(&cur, &err) == NULL);
        EXPECT_EQ(err, -EBADMSG);
    }
    EXPECT_EQ(refs_now(), held);            /* nothing claimed */
    uint8_t *bad = malloc(b.len);
    srand(7);
    for (int i = 0; i < 3000; i++) {
        memcpy(bad, b.data, b.len);
        for (int k = 0; k < 1 + i % 3; k++)
            bad[(size_t)rand() % b.len] ^= (uint8_t)(1 + rand() % 255);
        mig_cur_init(&cur, bad, b.len);
        struct fs_ctx *n = fs_ctx_unpack(&cur, &err);
        if (n)
            fs_ctx_free(n);                 /* a change the format cannot see */
    }
    free(bad);
    fs_ctx_pack_discard(b.data, b.len);
    EXPECT_TRUE(refs_now() <= refs0);
    mig_buf_free(&b);
    for (int k = 0; k < 256; k++)
        (void)fs_export_node_down(k);
    fs_file_unref(wr);
    tteardown();
}

/* Export rows of holder h (the console and the pipe of setup_ctx). */
static void
held_ids(int h, uint64_t *ids, int *n)
{
    *n = 0;
    for (uint64_t id = 1; id < 64 && *n < 4; id++) {
        struct file *f = fs_export_get(0x5eedull << 32 | id, h);
        if (f) {
            ids[(*n)++] = 0x5eedull << 32 | id;
            fs_file_unref(f);
        }
    }
}

/* Pack c for node 2 (a migration, or a remote exec), check that node 0
 * took the references of the console and the pipe for node 2 itself (none
 * in transit), then build the context at node 2: no call may go back. */
static struct fs_ctx *
pack_held_unpack(struct fs_ctx *c, struct mig_buf *b, bool mig, uint64_t refs0)
{
    mig_buf_init(b);
    EXPECT_EQ(mig ? fs_ctx_pack_mig(c, b, 2) : fs_ctx_pack(c, b, 2), 0);
    EXPECT_EQ(refs_now() - refs0, 2);       /* console and pipe, held for node 2 */
    uint64_t ids[4];
    int n;
    held_ids(2, ids, &n);
    EXPECT_EQ(n, 2);
    held_ids(FS_HOLDER_TRANSIT(0), ids + 2, &n);
    EXPECT_EQ(n, 0);                        /* nothing in transit */
    ncalls = 0;
    struct mig_cur cur;
    mig_cur_init(&cur, b->data, b->len);
    int err = 1;
    fake_node_self = 2;                     /* the receiver builds it */
    struct fs_ctx *t = fs_ctx_unpack(&cur, &err);
    EXPECT_TRUE(t != NULL && err == 0);
    EXPECT_EQ(ncalls, 0);                   /* no claim went back to the sender */
    return t;
}

static void
test_migration_holds_its_own_streams_for_the_target(void)
{
    struct file *wr;
    struct file *rd = setup_ctx(&wr);
    struct fs_ctx *c = tproc->fs;
    uint64_t refs0 = refs_now();
    for (int commit = 0; commit < 2; commit++) {
        struct mig_buf b;
        struct fs_ctx *t = pack_held_unpack(c, &b, true, refs0);
        int node;
        uint64_t id;
        EXPECT_TRUE(t && fs_remote_whose(t->fd[0], &node, &id) && node == 0);
        EXPECT_TRUE(t && t->fd[1] == t->fd[0] && t->fd[4] && t->fd[4] != rd);
        if (!commit) {
            /* Not committed: the target's copies close without a call, the
             * sender's discard drops what it took. */
            for (int i = 0; t && i < FS_NFD; i++)
                if (t->fd[i])
                    fs_remote_forget_held(t->fd[i]);
            fs_ctx_free(t);
            EXPECT_EQ(ncalls, 0);
            fake_node_self = 0;
            fs_ctx_pack_discard(b.data, b.len);
            EXPECT_EQ(refs_now(), refs0);
        } else {
            /* Committed: the sender keeps nothing of its own; the target's
             * last closes drop node 2's references at the exporter. */
            fs_ctx_free(t);
            EXPECT_EQ(ncalls, 2);
            for (int i = 0; i < ncalls && i < 2; i++) {
                EXPECT_TRUE(calls[i].node == 0 && calls[i].op == RPC_OP_STREAM_REF &&
                            calls[i].from == 2 && calls[i].to == -1);
                EXPECT_EQ(fs_export_adjust((uint64_t)calls[i].id, 2, -1), 0);
            }
            fake_node_self = 0;
            EXPECT_EQ(refs_now(), refs0);
        }
        mig_buf_free(&b);
    }
    /* A HELD record for another node, or claiming another exporter, is refused. */
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_ctx_pack_mig(c, &b, 3), 0);
    struct mig_cur cur;
    mig_cur_init(&cur, b.data, b.len);
    int err = 0;
    fake_node_self = 2;
    EXPECT_TRUE(fs_ctx_unpack(&cur, &err) == NULL);
    EXPECT_EQ(err, -EBADMSG);
    fake_node_self = 0;
    fs_ctx_pack_discard(b.data, b.len);
    EXPECT_EQ(refs_now(), refs0);
    mig_buf_free(&b);
    fs_file_unref(wr);
    tteardown();
}

static void
test_rexec_holds_and_exit_reports_drops(void)
{
    struct file *wr;
    struct file *rd = setup_ctx(&wr);
    struct fs_ctx *c = tproc->fs;
    uint64_t refs0 = refs_now();
    for (int refused = 1; refused >= 0; refused--) {
        struct mig_buf b;
        struct fs_ctx *t = pack_held_unpack(c, &b, false, refs0);
        EXPECT_TRUE(c->fd[4] == rd);        /* the caller keeps its own */
        EXPECT_TRUE(t && t->fd[3] == NULL); /* close-on-exec: not for exec */
        if (refused) {
            /* The program could not start there: no call, the caller's
             * discard drops both. */
            fs_ctx_forget_held(t);
            fs_ctx_free(t);
            EXPECT_EQ(ncalls, 0);
            fake_node_self = 0;
            fs_ctx_pack_discard(b.data, b.len);
            EXPECT_EQ(refs_now(), refs0);
        } else {
            /* It ran and exits: a dup of the console (same description)
             * counts once; a second description of the pipe held elsewhere
             * too is left to its own close. */
            EXPECT_TRUE(t != NULL);
            struct file *extra = t ? t->fd[4] : NULL;
            if (extra)
                fs_file_ref(extra);         /* as another process's table would */
            uint64_t drop[PROC_EXIT_TEST_MAX];
            int nd = fs_ctx_exit_drops(t, 0, drop, PROC_EXIT_TEST_MAX);
            EXPECT_EQ(nd, 1);
            EXPECT_EQ(fs_ctx_exit_drops(t, 3, drop + 1, 1), 0);   /* not node 3's */
            fs_ctx_free(t);
            EXPECT_EQ(ncalls, 0);           /* the console's close sent nothing */
            fake_node_self = 0;
            fs_export_drop_refs(2, drop, nd);   /* home, on the exit report */
            EXPECT_EQ(refs_now() - refs0, 1);
            fake_node_self = 2;
            if (extra)
                fs_file_unref(extra);       /* the pipe's last close: one call */
            EXPECT_EQ(ncalls, 1);
            EXPECT_TRUE(calls[0].node == 0 && calls[0].op == RPC_OP_STREAM_REF &&
                        calls[0].from == 2 && calls[0].to == -1);
            fake_node_self = 0;
            EXPECT_EQ(fs_export_adjust((uint64_t)calls[0].id, 2, -1), 0);
            EXPECT_EQ(refs_now(), refs0);
            /* A drop of a reference node 2 no longer holds changes nothing. */
            fs_export_drop_refs(2, drop, nd);
            EXPECT_EQ(refs_now(), refs0);
        }
        mig_buf_free(&b);
    }
    fs_file_unref(wr);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_pack_round_trip_one_node);
    RUN(test_unpack_remote_stream);
    RUN(test_unpack_refuses_bad_input);
    RUN(test_migration_holds_its_own_streams_for_the_target);
    RUN(test_rexec_holds_and_exit_reports_drops);
}
