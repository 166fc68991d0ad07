/*
 * The source side of a migration (DESIGN.md 5), run by the process's own
 * thread at a safe point on its way back to user mode (proc_mig_freeze):
 * negotiate with the target, pack every row of the encapsulation table,
 * send the state and the pages (rpc_stream_send), have the target prepare
 * the process, commit (home_moved), have the target resume it, and leave.
 * Any failure before the commit undoes the packing and the process goes
 * on here; it never runs at both nodes. The target's side is
 * kernel/migrate_dst.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/migrate_int.h"
#include "kernel/proc.h"
#include "kernel/vm.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

static uint64_t
now_ns(void)
{
    return arch_time_ns();
}

static void
stream_ctx(uint8_t ctx[MIG_STREAM_CTX], const struct mig_ctx *m, uint32_t round, uint32_t first)
{
    migrate_put_be64(ctx, m->id);
    migrate_put_be64(ctx + 8, (uint64_t)round << 32 | first);
}

static int
call_id(const struct mig_ctx *m, int op)
{
    uint8_t req[8];
    size_t rl;
    migrate_put_be64(req, m->id);
    return rpc_call(m->target, op, req, sizeof(req), NULL, 0, &rl);
}

/* Negotiate: the target accepts or refuses (memory, policy, table). */
static int
offer(struct proc *p, struct mig_ctx *m, int uid)
{
    struct mig_buf b;
    mig_buf_init(&b);
    mig_put_u64(&b, m->id);
    mig_put_u32(&b, (uint32_t)m->pid);
    mig_put_u32(&b, (uint32_t)m->source);
    mig_put_u32(&b, (uint32_t)m->target);
    mig_put_u32(&b, (uint32_t)m->strategy);
    mig_put_u32(&b, (uint32_t)uid);
    mig_put_u64(&b, vm_resident_pages(proc_vm(p)));
    size_t rl;
    int err = b.err ? b.err : rpc_call(m->target, RPC_OP_MIG_OFFER, b.data, b.len, NULL, 0, &rl);
    mig_buf_free(&b);
    return err;
}

/* Every row as (u32 row id, u32 length, bytes), after a u32 row count. */
static int
pack_rows(struct proc *p, struct mig_ctx *m, struct mig_buf *out)
{
    struct mig_buf b;
    int err = 0;
    uint32_t nrows = 0;
#define MIG_COUNT_ROW_(id, NAME, pack, unpack, done, abort) nrows++;
    MIG_ENCAP_TABLE(MIG_COUNT_ROW_)
#undef MIG_COUNT_ROW_
    mig_put_u32(out, nrows);
#define MIG_PACK_ROW_(id, NAME, pack, unpack, done, abort)                  \
    if (!err) {                                                             \
        mig_buf_init(&b);                                                   \
        err = pack(p, &b, m);                                               \
        if (!err)                                                           \
            err = b.err;                                                    \
        mig_put_u32(out, id);                                               \
        mig_put_u32(out, (uint32_t)b.len);                                  \
        mig_put(out, b.data, b.len);                                        \
        mig_buf_free(&b);                                                   \
        if (err)                                                            \
            kprintf("wisp: migrate pid %d: row " #NAME ": error %d\n", m->pid, err); \
    }
    MIG_ENCAP_TABLE(MIG_PACK_ROW_)
#undef MIG_PACK_ROW_
    return err ? err : out->err;
}

/* Every row's source_done, in reverse order. */
static void
rows_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    void (*fns[])(struct proc *, struct mig_ctx *, bool) = {
#define MIG_DONE_ROW_(id, NAME, pack, unpack, done, abort) done,
        MIG_ENCAP_TABLE(MIG_DONE_ROW_)
#undef MIG_DONE_ROW_
    };
    for (size_t i = ARRAY_SIZE(fns); i-- > 0;)
        fns[i](p, m, committed);
}

static int
send_list(struct mig_ctx *m, uint32_t round, const uint64_t *va, size_t n)
{
    uint8_t ctx[MIG_STREAM_CTX];
    uint8_t *buf = kmalloc(n ? n * 8 : 8);
    if (!buf)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        migrate_put_be64(buf + 8 * i, va[i]);
    stream_ctx(ctx, m, round, 0);
    int err = rpc_stream_send(m->target, RPC_OP_MIG_LIST, ctx, sizeof(ctx), buf, n * 8, NULL);
    kfree(buf);
    m->bytes_sent += n * 8;
    return err;
}

/* The pages at va[0..n) of vm, in batches; the target places page i of
 * the round at the i-th address of its list. */
static int
send_pages(struct mig_ctx *m, struct vm *vm, uint32_t round, const uint64_t *va, size_t n)
{
    uint8_t ctx[MIG_STREAM_CTX];
    uint8_t *buf = kmalloc(MIG_BATCH_PAGES * PAGE_SIZE);
    int err = buf ? 0 : -ENOMEM;
    for (size_t i = 0; i < n && !err; i += MIG_BATCH_PAGES) {
        size_t k = MIN((size_t)MIG_BATCH_PAGES, n - i);
        for (size_t j = 0; j < k; j++)
            if (vm_mig_read_page(vm, va[i + j], buf + j * PAGE_SIZE))
                memset(buf + j * PAGE_SIZE, 0, PAGE_SIZE);   /* gone meanwhile: reads as zeros */
        stream_ctx(ctx, m, round, (uint32_t)i);
        err = rpc_stream_send(m->target, RPC_OP_MIG_PAGES, ctx, sizeof(ctx), buf, k * PAGE_SIZE,
                              NULL);
        if (!err) {
            m->pages_sent += k;
            m->bytes_sent += k * PAGE_SIZE;
        }
    }
    kfree(buf);
    return err;
}

/* State, the page list and the pages, then the target builds the process. */
static int
transfer(struct proc *p, struct mig_ctx *m, const struct mig_buf *st)
{
    uint8_t ctx[MIG_STREAM_CTX];
    stream_ctx(ctx, m, 0, 0);
    int err = rpc_stream_send(m->target, RPC_OP_MIG_STATE, ctx, sizeof(ctx), st->data, st->len,
                              NULL);
    m->bytes_sent += st->len;
    if (!err)
        migrate_test_delay("transfer", m->pid);
    if (!err)
        err = send_list(m, m->round, m->page_va, m->npages);
    if (!err && m->strategy != MIG_LAZY)    /* lazy: they follow after the resume */
        err = send_pages(m, proc_vm(p), m->round, m->page_va, m->npages);
    if (m->round)
        m->pages_resent += m->npages;   /* pre-copy: the last round's pages, again */
    if (!err)
        err = call_id(m, RPC_OP_MIG_PREPARE);
    return err;
}

/* Committed: the target runs the process. The reply is the target's
 * time to start it; a self-migration's statistics go with the request. */
static void
resume(struct mig_ctx *m)
{
    struct mig_buf b;
    uint8_t rep[8];
    size_t rl = 0;
    mig_buf_init(&b);
    mig_put_u64(&b, m->id);
    mig_put_u64(&b, m->stats_uptr);
    for (int i = 0; i < MIG_NPHASE; i++)
        mig_put_u64(&b, m->ns[i]);
    mig_put_u64(&b, m->pages_sent);
    mig_put_u64(&b, m->bytes_sent);
    mig_put_u64(&b, m->pages_resent);
    int err = b.err ? b.err
                    : rpc_call(m->target, RPC_OP_MIG_RESUME, b.data, b.len, rep, sizeof(rep), &rl);
    mig_buf_free(&b);
    if (err)   /* committed: home owns what happens next (DESIGN.md 4, failure) */
        kprintf("wisp: migrate pid %d: resume at node %d failed (%d)\n", m->pid, m->target, err);
    else if (rl == 8)
        m->ns[MIG_PH_RESUME] = migrate_get_be64(rep);
}

static int
negotiate(struct proc *p, struct mig_ctx *m)
{
    migrate_test_delay("negotiate", m->pid);
    uint64_t t = now_ns();
    int err = offer(p, m, 0);
    m->ns[MIG_PH_NEGOTIATE] = now_ns() - t;
    if (err)
        MIG_COUNT(refused_by_peer, 1);
    return err;
}

/* One pre-copy round while the process runs: the pages written since the
 * last (all of them the first time). 1: another round is worth it (the
 * request is given back, the process runs on to its next safe point);
 * 0: go on to the frozen phase; or -errno. */
static int
precopy_round(struct proc *p, struct mig_ctx *m)
{
    uint64_t t = now_ns();
    int err = vm_mig_pick(p, m, m->round > 0);
    if (!err)
        err = send_list(m, m->round, m->page_va, m->npages);
    if (!err)
        err = send_pages(m, proc_vm(p), m->round, m->page_va, m->npages);
    if (!err && m->round > 0)
        m->pages_resent += m->npages;
    m->ns[MIG_PH_TRANSFER] += now_ns() - t;
    if (err)
        return err;
    bool more = m->round > 0 && m->npages > MIG_PRECOPY_STOP;
    m->round++;
    /* A process moving itself is frozen in the call: no round would find
     * anything new, so it goes straight on to the frozen phase. */
    if (!m->self && (m->round == 1 || (more && m->round < MIG_PRECOPY_ROUNDS))) {
        proc_mig_rearm(p, m);
        return 1;
    }
    return 0;
}

/* Pack and transfer, frozen, then commit: 0, or the process stays and
 * this fails. */
static int
move_out(struct proc *p, struct mig_ctx *m)
{
    uint64_t t;
    int err;
    struct mig_buf st;
    mig_buf_init(&st);
    t = now_ns();
    err = pack_rows(p, m, &st);
    m->ns[MIG_PH_FREEZE] += now_ns() - t;
    t = now_ns();
    if (!err)
        err = transfer(p, m, &st);
    m->ns[MIG_PH_TRANSFER] += now_ns() - t;
    mig_buf_free(&st);
    t = now_ns();
    if (!err)
        err = home_moved(m->pid, m->target);   /* the commit record */
    m->ns[MIG_PH_COMMIT] = now_ns() - t;
    if (err) {
        /* Even after a timeout: a PREPARE whose reply was lost may have
         * built the process there (migrate_fsm_test.c found it). A target
         * marked down answers -EHOSTDOWN at once. */
        if (err != -EHOSTDOWN)
            (void)call_id(m, RPC_OP_MIG_ABORT);
        rows_done(p, m, false);
    }
    return err;
}

void
migrate_self(struct proc *p, struct arch_regs *r)
{
    struct mig_ctx *m = proc_mig_take(p);
    if (!m)
        return;
    int err = 0;
    m->regs = r;
    if (proc_vm(p)->mig_lazy) {
        err = -EBUSY;          /* some of its pages are still at the last node */
    } else if (m->round == 0 && !m->offered) {
        m->source = main_node_id();
        m->ns[MIG_PH_FREEZE] = now_ns() - m->ns[MIG_PH_FREEZE];   /* it held the request time */
        err = negotiate(p, m);
        m->offered = true;
    }
    if (!err && m->strategy == MIG_PRECOPY) {
        err = precopy_round(p, m);
        if (err > 0)
            return;            /* it runs on; the next round at its next safe point */
        if (err)
            (void)call_id(m, RPC_OP_MIG_ABORT);
    }
    if (!err)
        err = move_out(p, m);
    if (err) {
        MIG_COUNT(failed, 1);
        kprintf("wisp: migrate pid %d to node %d failed (%d): it goes on at node %d\n", m->pid,
                m->target, err, m->source);
        migrate_complete(m, err);
        return;
    }
    migrate_test_delay("commit", m->pid);
    uint64_t t = now_ns();
    resume(m);
    uint64_t t_resume = now_ns() - t;
    if (!m->ns[MIG_PH_RESUME])
        m->ns[MIG_PH_RESUME] = t_resume;
    MIG_COUNT(out, 1);
    MIG_COUNT(pages_sent, m->pages_sent);
    MIG_COUNT(bytes_sent, m->bytes_sent);
    MIG_COUNT(pages_resent, m->pages_resent);
    rows_done(p, m, true);
    migrate_complete(m, 0);
    proc_mig_exit_moved(p);
}
