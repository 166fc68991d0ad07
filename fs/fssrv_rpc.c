/*
 * The file server in the kernel: its RPC handlers (one per fsproto op,
 * all through serve_rpc), its callbacks to clients as RPCs, and its start
 * at boot on the node named by fsserver= (node 0 by default): the first
 * disk, checked and mounted as a WFS volume, or a clear message saying why
 * this node does not serve. A commit thread makes what was written durable
 * every fscommit= seconds (5 by default; Sprite's server wrote back its
 * cache every 30 s, but here the clients do not cache yet).
 */
#include "fs/blk.h"
#include "fs/fs.h"
#include "fs/fssrv_int.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/rand.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc.h"

static struct fssrv *server;
static int self_node = -1;
static struct blk_dev *disk;
static uint64_t bad_requests;
static uint64_t commit_ns = 5000000000ull;

/* ---- the volume's block device ---- */

static int
dev_read(void *ctx, uint32_t blk, void *buf)
{
    return blk_read(disk, (uint64_t)blk * (WFS_BLOCK / BLK_SECTOR), buf, WFS_BLOCK);
}

/* A run of blocks in one disk request, through a bounce buffer (the
 * cache's buffers are not contiguous in general). */
static int
dev_read_blocks(void *ctx, uint32_t blk, unsigned n, void *const *bufs)
{
    uint8_t *tmp = kmalloc((size_t)n * WFS_BLOCK);
    if (!tmp)
        return -ENOMEM;
    int err = blk_read(disk, (uint64_t)blk * (WFS_BLOCK / BLK_SECTOR), tmp, (size_t)n * WFS_BLOCK);
    for (unsigned i = 0; !err && i < n; i++)
        memcpy(bufs[i], tmp + (size_t)i * WFS_BLOCK, WFS_BLOCK);
    kfree(tmp);
    return err;
}

static int
dev_write_blocks(void *ctx, uint32_t blk, unsigned n, const void *const *bufs)
{
    uint8_t *tmp = kmalloc((size_t)n * WFS_BLOCK);
    if (!tmp)
        return -ENOMEM;
    for (unsigned i = 0; i < n; i++)
        memcpy(tmp + (size_t)i * WFS_BLOCK, bufs[i], WFS_BLOCK);
    int err = blk_write(disk, (uint64_t)blk * (WFS_BLOCK / BLK_SECTOR), tmp,
                        (size_t)n * WFS_BLOCK);
    kfree(tmp);
    return err;
}

static int
dev_write(void *ctx, uint32_t blk, const void *buf)
{
    return blk_write(disk, (uint64_t)blk * (WFS_BLOCK / BLK_SECTOR), buf, WFS_BLOCK);
}

static int
dev_flush(void *ctx)
{
    int err = blk_flush(disk);
    return err == -EOPNOTSUPP ? 0 : err;
}

static uint64_t
dev_now(void *ctx)
{
    return time_realtime_ns();
}

/* ---- requests ---- */

static int
serve_rpc(unsigned op, int from, const void *q, size_t qlen, void *r, size_t *rlen)
{
    if (!server)
        return -ENODEV;
    struct fsproto_msg *req = kmalloc(2 * sizeof(*req));
    uint8_t *buf = kmalloc(FSPROTO_IO_MAX);
    int err = req && buf ? 0 : -ENOMEM;
    if (!err && fsproto_get_req(op, q, qlen, req) != 0) {
        bad_requests++;
        err = -EBADMSG;
    }
    if (!err) {
        struct fsproto_msg *rep = req + 1;
        fssrv_serve(server, from, req, rep, buf);
        long n = fsproto_put_rep(rep, r, *rlen);
        if (n < 0)
            err = (int)n;
        else
            *rlen = (size_t)n;
    }
    kfree(buf);
    kfree(req);
    return err;
}

int
fssrv_rpc_local(unsigned op, const void *q, size_t qlen, void *r, size_t *rlen)
{
    return serve_rpc(op, self_node, q, qlen, r, rlen);
}

#define FSSRV_RPC(name, op)                                                              \
    int fssrv_rpc_##name(int from, const void *q, size_t qlen, void *r, size_t *rlen)      \
    {                                                                                     \
        return serve_rpc(op, from, q, qlen, r, rlen);                                    \
    }
FSSRV_RPC(walk, FSP_WALK)
FSSRV_RPC(steps, FSP_STEPS)
FSSRV_RPC(open, FSP_OPEN)
FSSRV_RPC(create, FSP_CREATE)
FSSRV_RPC(close, FSP_CLOSE)
FSSRV_RPC(read, FSP_READ)
FSSRV_RPC(write, FSP_WRITE)
FSSRV_RPC(getattr, FSP_GETATTR)
FSSRV_RPC(setattr, FSP_SETATTR)
FSSRV_RPC(remove, FSP_REMOVE)
FSSRV_RPC(mkdir, FSP_MKDIR)
FSSRV_RPC(symlink, FSP_SYMLINK)
FSSRV_RPC(link, FSP_LINK)
FSSRV_RPC(rename, FSP_RENAME)
FSSRV_RPC(readlink, FSP_READLINK)
FSSRV_RPC(readdir, FSP_READDIR)
FSSRV_RPC(fsync, FSP_FSYNC)
FSSRV_RPC(statfs, FSP_STATFS)
FSSRV_RPC(sshare, FSP_SSHARE)
FSSRV_RPC(sref, FSP_SREF)
FSSRV_RPC(sio, FSP_SIO)
FSSRV_RPC(move, FSP_MOVE)
FSSRV_RPC(reopen, FSP_REOPEN)

/* ---- callbacks to clients ---- */

static int
notify(void *ctx, int node, unsigned op, struct fsproto_fh fh, uint64_t version)
{
    struct fsproto_msg *m = kzalloc(2 * sizeof(*m));
    uint8_t q[64], r[64];
    size_t rlen = 0;
    if (!m)
        return -ENOMEM;
    m->op = (uint16_t)op;
    m->fh = fh;
    m->version = version;
    long n = fsproto_put_req(m, q, sizeof(q));
    int err = n < 0 ? (int)n : 0;
    if (!err && node == self_node) {
        /* this node's own client: no RPC to itself */
        rlen = sizeof(r);
        err = op == FSP_RECALL ? fs_rpc_recall(node, q, (size_t)n, r, &rlen)
                               : fs_rpc_disable(node, q, (size_t)n, r, &rlen);
    } else if (!err) {
        err = rpc_call(node, FSPROTO_RPC_BASE + (int)op, q, (size_t)n, r, sizeof(r), &rlen);
    }
    if (!err)
        err = fsproto_get_rep(op, r, rlen, m + 1);
    if (!err)
        err = m[1].err;
    kfree(m);
    return err;
}

static void
node_event(void *arg, int node, int event, uint32_t boot_id)
{
    if (event == RECOV_EVENT_DOWN && server)
        fssrv_node_down(server, node);
}

static void
commit_thread(void *arg)
{
    struct wfs *fs = arg;
    for (;;) {
        if (sched_sleep_ns(commit_ns) != 0)
            continue;           /* woken early: commit anyway next round */
        mutex_lock(&server->lock);
        int err = wfs_fsync(fs);
        mutex_unlock(&server->lock);
        if (err)
            kprintf("wisp: fssrv: commit failed: error %d (%s)\n", -err, wfs_error(fs));
    }
}

/* fsgrace=: seconds after the server starts during which clients that
 * have not reopened their files yet cannot open new ones (fssrv_recov.c). */
static uint64_t
grace_secs(const struct cmdline *c)
{
    uint64_t secs = 15;
    if (cmdline_get_u64(c, "fsgrace", 15, &secs) || secs > 600)
        secs = 15;
    return secs;
}

static int
mount_disk(struct wfs **out, unsigned nbuf)
{
    struct wfs_dev dev = {
        .read_block = dev_read, .write_block = dev_write, .flush = dev_flush,
        .now_ns = dev_now, .nblocks = disk->sectors / (WFS_BLOCK / BLK_SECTOR),
        .read_blocks = dev_read_blocks, .write_blocks = dev_write_blocks,
    };
    struct wfs *fs;
    /* the server's block cache: fssrvcache= blocks, less if memory is short */
    while (!(fs = kzalloc(wfs_size_n(nbuf))) && nbuf > 256)
        nbuf /= 2;
    if (!fs)
        return -ENOMEM;
    int err = wfs_mount_n(fs, nbuf, &dev);
    if (err) {
        kprintf("wisp: fssrv: refusing the disk %s: %s (error %d); not serving\n", disk->name,
                wfs_error(fs), -err);
        kfree(fs);
        return err;
    }
    *out = fs;
    return 0;
}

int
fssrv_start(int self, const struct cmdline *c)
{
    uint64_t srv = 0, secs = 5;
    if (cmdline_get_u64(c, "fsserver", 0, &srv) || srv > 255 ||
        cmdline_get_u64(c, "fscommit", 5, &secs) || secs == 0 || secs > 3600)
        kprintf("wisp: fssrv: bad fsserver= or fscommit=; using fsserver=0 fscommit=5\n");
    else
        commit_ns = secs * 1000000000ull;
    if ((uint64_t)self != srv)
        return 0;
    self_node = self;
    if (!(disk = blk_get(0))) {
        kprintf("wisp: fssrv: node %d is the file server but has no disk; not serving\n", self);
        return -ENODEV;
    }
    uint64_t nbuf = 4096;       /* 16 MiB */
    if (cmdline_get_u64(c, "fssrvcache", 4096, &nbuf) || nbuf < 192 || nbuf > (1u << 20)) {
        kprintf("wisp: fssrv: bad fssrvcache= (192..1048576 blocks); using 4096\n");
        nbuf = 4096;
    }
    struct wfs *fs;
    int err = mount_disk(&fs, (unsigned)nbuf);
    if (err)
        return err;
    uint32_t epoch;
    rand_bytes(&epoch, sizeof(epoch));
    server = fssrv_new(fs, epoch, notify, NULL);
    if (server)
        fssrv_recov_start(server, self, arch_time_ns, grace_secs(c) * 1000000000ull);
    if (!server || recov_register(node_event, NULL) ||
        !sched_spawn("fssrv.commit", commit_thread, fs)) {
        kprintf("wisp: fssrv: cannot start (no memory)\n");
        return -ENOMEM;
    }
    struct wfs_statfs st;
    if (wfs_statfs(fs, &st) == 0)
        kprintf("wisp: fssrv: serving %s: %lu of %lu blocks free, %lu of %lu inodes; "
                "cache %u blocks\n", disk->name, (unsigned long)st.bfree,
                (unsigned long)st.blocks, (unsigned long)st.ffree, (unsigned long)st.files,
                wfs_cache_blocks(fs));
    return 0;
}

bool
fssrv_running(void)
{
    return server != NULL;
}

unsigned
fssrv_rpc_streams(void)
{
    if (!server)
        return 0;
    mutex_lock(&server->lock);
    unsigned n = fssrv_streams_count(server);
    mutex_unlock(&server->lock);
    return n;
}

bool
fssrv_rpc_stats(struct fssrv_stats *out, uint64_t *bad)
{
    if (!server)
        return false;
    fssrv_get_stats(server, out);
    *bad = bad_requests;
    return true;
}
