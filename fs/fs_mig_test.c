/*
 * Host tests of the STREAMS row (fs/fs_mig.c): a pack not committed gives
 * its transit references back and leaves the process's context as it
 * was; a committed one frees the source's context while the target's
 * (unpacked) one holds every stream, with each fd's close-on-exec bit;
 * target_abort frees what unpack built and gives the references back.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c fs/fs_export.c fs/fs_remote.c fs/fs_ctx_pack.c kernel/migrate_buf.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c tests/host/fake_rmt_stream.c
#include <stdarg.h>
#include "fs/fs_testlib.h"
#include "fs/fs_remote.h"
#include "kernel/migrate.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"

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

int
rpc_call(int node, int op, const void *req, size_t reqlen, void *rep, size_t repcap,
         size_t *replen)
{
    return -EHOSTDOWN;          /* every stream here is local */
}

struct fs_ctx *
proc_fs_swap(struct proc *p, struct fs_ctx *c)
{
    struct fs_ctx *old = p->fs;
    p->fs = c;
    return old;
}

static uint64_t
refs_now(void)
{
    struct wisp_streamstat s;
    fs_export_stats(&s);
    return s.refs;
}

static void
test_mig_not_committed_gives_back(void)
{
    tsetup();
    struct fs_ctx *before = tproc->fs;
    struct file *f0 = before->fd[0];
    uint64_t refs0 = refs_now();
    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_mig_pack(tproc, &b, NULL), 0);
    EXPECT_EQ(refs_now() - refs0, 1);       /* the console, in transit */
    fs_mig_source_done(tproc, NULL, false);
    EXPECT_EQ(refs_now(), refs0);
    EXPECT_TRUE(tproc->fs == before && before->fd[0] == f0);
    mig_buf_free(&b);
    tteardown();
}

static void
test_mig_commit_and_abort(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, O_NONBLOCK), 0);
    EXPECT_EQ(fs_fd_install(tproc->fs, rd, 5, true), 5);
    uint64_t refs0 = refs_now();
    struct proc *target = fake_proc_make(1, 20, 0, 20, "target");

    struct mig_buf b;
    mig_buf_init(&b);
    EXPECT_EQ(fs_mig_pack(tproc, &b, NULL), 0);
    struct mig_cur c;
    mig_cur_init(&c, b.data, b.len);
    EXPECT_EQ(fs_mig_unpack(target, &c, NULL), 0);
    fs_mig_target_abort(target, NULL);      /* the target gives up ... */
    EXPECT_TRUE(target->fs == NULL);
    fs_mig_source_done(tproc, NULL, false); /* ... so the source keeps it */
    EXPECT_EQ(refs_now(), refs0);
    mig_buf_free(&b);

    mig_buf_init(&b);
    EXPECT_EQ(fs_mig_pack(tproc, &b, NULL), 0);
    mig_cur_init(&c, b.data, b.len);
    EXPECT_EQ(fs_mig_unpack(target, &c, NULL), 0);
    fs_mig_source_done(tproc, NULL, true);  /* committed: the source frees */
    EXPECT_TRUE(tproc->fs == NULL);
    EXPECT_TRUE(target->fs && target->fs->fd[5] == rd && target->fs->fd[0] != NULL);
    EXPECT_TRUE(target->fs && target->fs->cloexec == 1ull << 5);
    EXPECT_EQ(fs_file_write(wr, "x", 1, 0, 0), 1);  /* the reader lives on */
    fs_ctx_free(target->fs);
    target->fs = NULL;
    EXPECT_EQ(fs_file_write(wr, "x", 1, 0, 0), -EPIPE);
    EXPECT_EQ(refs_now(), refs0);
    fs_file_unref(wr);
    mig_buf_free(&b);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_mig_not_committed_gives_back);
    RUN(test_mig_commit_and_abort);
}
