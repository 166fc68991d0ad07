/*
 * wisp_migprobe: send a target node the stale, duplicate and malformed
 * migration messages a confused or hostile peer could, over the real RPC
 * layer, and count how many it refused (every one should be). The test
 * tests/qemu/mig_direct.sh checks the target's stale and malformed counters
 * rose and that it still accepts a real migration afterwards.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/migrate_int.h"
#include "kernel/sys.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

static int
call(int node, int op, const void *req, size_t len)
{
    uint8_t rep[16];
    size_t rl;
    return rpc_call(node, op, req, len, rep, sizeof(rep), &rl);
}

/* A GO that only offers (the header alone). */
static int
offer(int node, uint64_t id, int pid, int source, int target)
{
    struct mig_buf b;
    mig_buf_init(&b);
    mig_put_u64(&b, id);
    mig_put_u32(&b, (uint32_t)pid);
    mig_put_u32(&b, (uint32_t)source);
    mig_put_u32(&b, (uint32_t)target);
    mig_put_u32(&b, MIG_DIRECT);
    mig_put_u32(&b, 0);
    mig_put_u64(&b, 1);
    mig_put_u32(&b, MIG_GO_OFFER);
    mig_put_u32(&b, 0);
    mig_put_u32(&b, 0);
    mig_put_u32(&b, 0);
    int err = b.err ? b.err : call(node, RPC_OP_MIG_GO, b.data, b.len);
    mig_buf_free(&b);
    return err;
}

/* An empty PIECE with PREPARE: build the process of migration id. */
static int
prepare(int node, uint64_t id)
{
    uint8_t req[MIG_PIECE_HDR];
    migrate_put_be64(req, id);
    migrate_put_be64(req + 8, (uint64_t)MIG_GO_PREPARE << 32);
    return call(node, RPC_OP_MIG_PIECE, req, sizeof(req));
}

/* One probe: refused (any error but a lost node) counts 1. */
static long
refused(int err, const char *what)
{
    if (err == 0 || err == -ETIMEDOUT || err == -EHOSTDOWN) {
        kprintf("wisp: migprobe: %s was not refused (%d)\n", what, err);
        return 0;
    }
    return 1;
}

long
sys_wisp_migprobe(long node)
{
    int self = main_node_id();
    uint64_t base = (uint64_t)self << 32 | 0x70000000u;
    uint8_t id[8], junk[3] = { 1, 2, 3 }, ctx[MIG_STREAM_CTX] = { 0 };
    long n = 0;
    if (node < 0 || node == self)
        return -EINVAL;
    migrate_put_be64(id, base + 1);
    migrate_put_be64(ctx, base + 2);
    n += refused(call((int)node, RPC_OP_MIG_GO, junk, sizeof(junk)), "a short GO");
    n += refused(offer((int)node, base + 3, 77, self, (int)node + 1), "an offer for another node");
    n += refused(offer((int)node, base + 4 + (1ull << 40), 77, self, (int)node),
                 "an offer with a foreign id");
    n += refused(prepare((int)node, base + 1), "prepare of an unknown id");
    n += refused(call((int)node, RPC_OP_MIG_ABORT, id, 8), "abort of an unknown id");
    n += refused(call((int)node, RPC_OP_MIG_RESUME, id, 8), "a short resume");
    n += refused(rpc_stream_send((int)node, RPC_OP_MIG_STATE, ctx, sizeof(ctx), junk, 3, NULL),
                 "state of an unknown id");
    n += refused(call((int)node, RPC_OP_MIG_PIECE, junk, sizeof(junk)), "a short page piece");
    /* A real offer, then the same again, then prepare with no state. */
    if (offer((int)node, base + 5, 0x7ffff, self, (int)node) == 0) {
        migrate_put_be64(id, base + 5);
        n += refused(offer((int)node, base + 5, 0x7ffff, self, (int)node), "a duplicate offer");
        n += refused(prepare((int)node, base + 5), "prepare before the state");
        n += refused(call((int)node, RPC_OP_MIG_ABORT, id, 8), "abort of a dropped migration");
    }
    return n;
}
