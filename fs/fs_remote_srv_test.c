/*
 * Host tests of the exporter's STREAM_* handlers (fs/fs_remote_srv.c):
 * reads and writes on an exported pipe at the description, a read that
 * would block ending its slice with FS_REMOTE_RETRY, poll, lseek's ESPIPE
 * on a pipe and an offset shared on a file, stat, and every malformed,
 * stale or unauthorised request refused and counted: short requests,
 * unknown ids, a node that holds no reference, bad holders, bad ioctl
 * argument sizes.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c fs/fs_export.c fs/fs_remote.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c
#include <stdarg.h>
#include "fs/fs_testlib.h"
#include "fs/fs_remote.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"

int fs_rpc_stream_read(int, const void *, size_t, void *, size_t *);
int fs_rpc_stream_write(int, const void *, size_t, void *, size_t *);
int fs_rpc_stream_ioctl(int, const void *, size_t, void *, size_t *);
int fs_rpc_stream_poll(int, const void *, size_t, void *, size_t *);
int fs_rpc_stream_lseek(int, const void *, size_t, void *, size_t *);
int fs_rpc_stream_stat(int, const void *, size_t, void *, size_t *);
int fs_rpc_stream_ref(int, const void *, size_t, void *, size_t *);

void
kprintf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

int
recov_register(recov_fn fn, void *arg)
{
    return 0;
}

uint32_t
rpc_boot_id(void)
{
    return 0x5eed;
}

int
rpc_call(int node, int op, const void *req, size_t reqlen, void *rep, size_t repcap,
         size_t *replen)
{
    return -EHOSTDOWN;
}

int
sched_sleep_ns(uint64_t ns)
{
    return 0;
}

struct thread *
sched_current(void)
{
    return (struct thread *)&fake_procs[0];     /* any fixed address */
}

/* A clock that moves 100 ms per look, so a slice ends after a few tries. */
static uint64_t now_ns;

uint64_t
arch_time_ns(void)
{
    return now_ns += 100 * 1000000ull;
}

static uint8_t rep[65536];
static size_t replen;

#define CALL(fn, node, req, len) (replen = sizeof(rep), fn((node), (req), (len), rep, &replen))

static uint64_t
bad_now(void)
{
    struct wisp_streamstat s;
    fs_export_stats(&s);
    return s.bad;
}

/* READ/WRITE/IOCTL request heads (the caller block left zero). */
static size_t
rd_req(uint8_t *q, uint64_t id, uint64_t off, uint64_t n, uint64_t flags)
{
    memset(q, 0, 32 + FS_CALLER_LEN);
    fs_put64(q, id);
    fs_put64(q + 8, off);
    fs_put64(q + 16, n);
    fs_put64(q + 24, flags);
    return 32 + FS_CALLER_LEN;
}

static size_t
wr_req(uint8_t *q, uint64_t id, uint64_t off, const char *data)
{
    memset(q, 0, 24 + FS_CALLER_LEN);
    fs_put64(q, id);
    fs_put64(q + 8, off);
    size_t n = strlen(data);
    memcpy(q + 24 + FS_CALLER_LEN, data, n);
    return 24 + FS_CALLER_LEN + n;
}

static void
test_srv_pipe_read_write(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, 0), 0);
    uint64_t rid, wid;
    EXPECT_EQ(fs_export_ref(rd, 1, &rid), 0);
    EXPECT_EQ(fs_export_ref(wr, 1, &wid), 0);
    uint8_t q[128];
    size_t n = rd_req(q, rid, FS_REMOTE_CUR, 16, 0);
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, n), -FS_REMOTE_RETRY);   /* empty: a slice */
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, rd_req(q, rid, FS_REMOTE_CUR, 16, O_NONBLOCK)),
              -EAGAIN);
    n = wr_req(q, wid, FS_REMOTE_CUR, "hello");
    EXPECT_EQ(CALL(fs_rpc_stream_write, 1, q, n), 0);
    EXPECT_TRUE(replen == 8 && fs_get64(rep) == 5);
    fs_put64(q, wid);
    EXPECT_EQ(CALL(fs_rpc_stream_poll, 1, q, 8), 0);
    EXPECT_TRUE(fs_get64(rep) & FS_POLLOUT);
    n = rd_req(q, rid, FS_REMOTE_CUR, 16, 0);
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, n), 0);
    EXPECT_TRUE(replen == 5 && memcmp(rep, "hello", 5) == 0);
    n = rd_req(q, rid, 3, 16, 0);               /* pread on a pipe */
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, n), -ESPIPE);
    fs_put64(q, rid);
    fs_put64(q + 8, 0);
    fs_put64(q + 16, SEEK_SET);
    EXPECT_EQ(CALL(fs_rpc_stream_lseek, 1, q, 24), -ESPIPE);
    EXPECT_EQ(CALL(fs_rpc_stream_stat, 1, q, 8), 0);
    EXPECT_TRUE(replen == FS_ATTR_WIRE_LEN && (fs_get64(rep) & S_IFMT) == S_IFIFO);
    EXPECT_EQ(fs_export_node_down(1), 2);
    fs_file_unref(rd);
    fs_file_unref(wr);
    tteardown();
}

static void
test_srv_refuses_bad_requests(void)
{
    tsetup();
    struct file *rd, *wr;
    EXPECT_EQ(fs_pipe_create(&rd, &wr, 0), 0);
    uint64_t id;
    EXPECT_EQ(fs_export_ref(rd, 1, &id), 0);
    uint64_t bad0 = bad_now();
    uint8_t q[128];
    size_t n = rd_req(q, id, FS_REMOTE_CUR, 16, O_NONBLOCK);
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, n - 1), -EBADF);       /* short */
    EXPECT_EQ(CALL(fs_rpc_stream_read, 2, q, n), -EBADF);           /* node 2 holds none */
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, rd_req(q, id + 7, 0, 1, 0)), -EBADF);
    EXPECT_EQ(CALL(fs_rpc_stream_poll, 1, q, 3), -EBADF);
    EXPECT_EQ(CALL(fs_rpc_stream_stat, 3, q, 8), -EBADF);
    EXPECT_EQ(bad_now() - bad0, 5);
    /* ioctl: an argument of the wrong size; an unknown command. */
    memset(q, 0, sizeof(q));
    fs_put64(q, id);
    fs_put64(q + 8, 0x5414);                    /* TIOCSWINSZ needs 8 bytes in */
    EXPECT_EQ(CALL(fs_rpc_stream_ioctl, 1, q, 16 + FS_CALLER_LEN + 3), -EBADMSG);
    fs_put64(q + 8, 0x541B);                    /* FIONREAD: 4 bytes out */
    EXPECT_EQ(CALL(fs_rpc_stream_ioctl, 1, q, 16 + FS_CALLER_LEN), 0);
    EXPECT_TRUE(replen == 4);
    fs_put64(q + 8, 0x1234);
    EXPECT_EQ(CALL(fs_rpc_stream_ioctl, 1, q, 16 + FS_CALLER_LEN), -ENOTTY);
    /* REF: bad lengths and holders; taking one needs one; moves. */
    fs_put64(q, id);
    fs_put64(q + 8, (uint64_t)-1);
    fs_put64(q + 16, 4);
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 1, q, 23), -EBADMSG);
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 3, q, 24), -EBADF);           /* 3 holds none */
    fs_put64(q + 16, 9999);
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 1, q, 24), -EINVAL);
    fs_put64(q + 8, (uint64_t)-1);
    fs_put64(q + 16, (uint64_t)-1);
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 1, q, 24), -EINVAL);
    fs_put64(q + 16, FS_HOLDER_TRANSIT(1));
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 1, q, 24), 0);               /* 1 packs one */
    fs_put64(q + 8, FS_HOLDER_TRANSIT(1));
    fs_put64(q + 16, 2);
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 2, q, 24), 0);               /* 2 claims it */
    EXPECT_EQ(CALL(fs_rpc_stream_ref, 2, q, 24), -EBADF);          /* not twice */
    n = rd_req(q, id, FS_REMOTE_CUR, 16, O_NONBLOCK);
    EXPECT_EQ(CALL(fs_rpc_stream_read, 2, q, n), -EAGAIN);         /* 2 may read now */
    EXPECT_EQ(fs_export_node_down(1), 1);
    EXPECT_EQ(fs_export_node_down(2), 1);
    fs_file_unref(rd);
    fs_file_unref(wr);
    tteardown();
}

/* Holders on two nodes share one offset: the description's. */
static void
test_srv_shared_offset(void)
{
    tsetup();
    struct file *f;
    EXPECT_EQ(fs_open_path(tproc->fs, NULL, "/etc/big", O_RDONLY, 0, &f), 0);
    uint64_t id;
    EXPECT_EQ(fs_export_ref(f, 1, &id), 0);
    EXPECT_EQ(fs_export_ref(f, 2, &id), 0);
    uint8_t q[64];
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, rd_req(q, id, FS_REMOTE_CUR, 10, 0)), 0);
    EXPECT_EQ(replen, 10);
    EXPECT_EQ(CALL(fs_rpc_stream_read, 2, q, rd_req(q, id, FS_REMOTE_CUR, 10, 0)), 0);
    EXPECT_TRUE(replen == 10 && rep[0] == 10);  /* byte i is i % 251 */
    EXPECT_EQ(f->off, 20);
    fs_put64(q, id);
    fs_put64(q + 8, (uint64_t)-5);
    fs_put64(q + 16, SEEK_END);
    EXPECT_EQ(CALL(fs_rpc_stream_lseek, 2, q, 24), 0);
    EXPECT_EQ(fs_get64(rep), TBIG_SIZE - 5);
    EXPECT_EQ(CALL(fs_rpc_stream_read, 1, q, rd_req(q, id, 100, 1, 0)), 0);   /* pread */
    EXPECT_TRUE(replen == 1 && rep[0] == 100 && f->off == TBIG_SIZE - 5);
    EXPECT_EQ(fs_export_node_down(1), 1);
    EXPECT_EQ(fs_export_node_down(2), 1);
    fs_file_unref(f);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_srv_pipe_read_write);
    RUN(test_srv_refuses_bad_requests);
    RUN(test_srv_shared_offset);
}
