/*
 * Host tests of the export table (fs/fs_export.c): per-node reference
 * counts on one id, a description kept alive by its exports and let go by
 * the last one, refused stale and unknown requests (counted), a node's
 * references (its own and those in transit from it) dropped when it goes
 * down, ids never reused, and a full table.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c
#include "fs/fs_testlib.h"
#include "fs/fs_remote.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"

#include <stdarg.h>

static recov_fn recov_cb;

void
kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

uint32_t
rpc_boot_id(void)
{
    return 0x5eed;
}

int
recov_register(recov_fn fn, void *arg)
{
    recov_cb = fn;
    return 0;
}

static struct wisp_streamstat
stats(void)
{
    struct wisp_streamstat s;
    fs_export_stats(&s);
    return s;
}

static void
test_export_counts_per_node(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, 0), 0);
    struct wisp_streamstat s0 = stats();
    uint64_t a, b, c;
    EXPECT_EQ(fs_export_ref(rd, 1, &a), 0);
    EXPECT_EQ(fs_export_ref(rd, 1, &b), 0);
    EXPECT_EQ(fs_export_ref(rd, 2, &c), 0);
    EXPECT_TRUE(a != 0 && a == b && b == c);
    struct wisp_streamstat s = stats();
    EXPECT_EQ(s.refs - s0.refs, 3);
    EXPECT_EQ(s.rows - s0.rows, 2);
    EXPECT_EQ(s.exports - s0.exports, 1);
    struct file *f = fs_export_get(a, 2);
    EXPECT_TRUE(f == rd);
    fs_file_unref(f);
    EXPECT_TRUE(fs_export_get(a, 3) == NULL);       /* node 3 holds none */
    EXPECT_EQ(stats().bad - s0.bad, 1);
    EXPECT_EQ(fs_export_adjust(a, 1, -1), 0);
    EXPECT_EQ(fs_export_adjust(a, 1, -1), 0);
    EXPECT_EQ(fs_export_adjust(a, 1, -1), -EBADF);  /* stale: none left */
    EXPECT_EQ(fs_export_adjust(a, 2, -1), 0);
    EXPECT_EQ(stats().refs, s0.refs);
    EXPECT_EQ(stats().rows, s0.rows);
    fs_file_unref(rd);
    fs_file_unref(wr);
    tteardown();
}

/* The export holds the description: a pipe keeps its reader while a node
 * holds it, and the writer sees EPIPE once the last export goes. */
static void
test_export_keeps_description(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, O_NONBLOCK), 0);
    uint64_t id;
    EXPECT_EQ(fs_export_ref(rd, 1, &id), 0);
    fs_file_unref(rd);                              /* the local fd closes */
    EXPECT_EQ(fs_file_write(wr, "x", 1, 0, 0), 1);
    EXPECT_EQ(fs_export_adjust(id, FS_HOLDER_TRANSIT(1), 1), 0);   /* 1 packs it on */
    EXPECT_EQ(fs_export_adjust(id, 1, -1), 0);
    EXPECT_EQ(fs_file_write(wr, "x", 1, 0, 0), 1);  /* in transit: still held */
    EXPECT_EQ(fs_export_adjust(id, 2, 1), 0);       /* node 2 claims it ... */
    EXPECT_EQ(fs_export_adjust(id, FS_HOLDER_TRANSIT(1), -1), 0);
    EXPECT_EQ(fs_export_adjust(id, 2, -1), 0);      /* ... and closes it */
    EXPECT_EQ(fs_file_write(wr, "x", 1, 0, 0), -EPIPE);
    EXPECT_EQ(fs_export_adjust(id, 4, 1), -EBADF);  /* gone: nothing to take */
    fs_file_unref(wr);
    tteardown();
}

static void
test_export_node_down(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, 0), 0);
    struct wisp_streamstat s0 = stats();
    uint64_t a, b;
    EXPECT_EQ(fs_export_ref(rd, 5, &a), 0);
    EXPECT_EQ(fs_export_ref(rd, 5, &a), 0);
    EXPECT_EQ(fs_export_ref(wr, FS_HOLDER_TRANSIT(5), &b), 0);
    EXPECT_EQ(fs_export_ref(wr, 6, &b), 0);
    EXPECT_TRUE(recov_cb != NULL);
    recov_cb(NULL, 5, RECOV_EVENT_DOWN, 0);
    struct wisp_streamstat s = stats();
    EXPECT_EQ(s.dropped - s0.dropped, 3);
    EXPECT_EQ(s.refs - s0.refs, 1);                 /* node 6's */
    EXPECT_TRUE(fs_export_get(a, 5) == NULL);
    recov_cb(NULL, 6, RECOV_EVENT_UP, 1);           /* up events change nothing */
    EXPECT_EQ(stats().refs - s0.refs, 1);
    EXPECT_EQ(fs_export_node_down(6), 1);
    EXPECT_EQ(stats().refs, s0.refs);
    fs_file_unref(rd);
    fs_file_unref(wr);
    tteardown();
}

static void
test_export_ids_not_reused_and_table_full(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, 0), 0);
    uint64_t a, b;
    EXPECT_EQ(fs_export_ref(rd, 1, &a), 0);
    EXPECT_EQ(fs_export_adjust(a, 1, -1), 0);
    EXPECT_EQ(fs_export_ref(rd, 1, &b), 0);
    EXPECT_TRUE(b != a);                            /* a stale id never names it again */
    EXPECT_TRUE(fs_export_get(a, 1) == NULL);
    EXPECT_EQ(fs_export_adjust(b, 1, -1), 0);
    int n = 0;
    uint64_t id;
    while (n < FS_EXPORT_MAX + 1 && fs_export_ref(rd, n, &id) == 0)
        n++;
    EXPECT_EQ(n, FS_EXPORT_MAX);
    EXPECT_EQ(fs_export_ref(wr, 1, &id), -ENOSPC);
    for (int k = 0; k < 256; k++)
        (void)fs_export_node_down(k);
    EXPECT_EQ(stats().rows, 0);
    EXPECT_EQ(stats().refs, 0);
    fs_file_unref(rd);
    fs_file_unref(wr);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_export_counts_per_node);
    RUN(test_export_keeps_description);
    RUN(test_export_node_down);
    RUN(test_export_ids_not_reused_and_table_full);
}
