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
#include "kernel/migrate_flush.h"
#include "kernel/migrate_int.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
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

/* The GO header: the offer's fields, the flags, and the sizes of what
 * follows (state bytes, list addresses, pages). */
static void
go_header(struct mig_buf *b, struct proc *p, const struct mig_ctx *m, uint32_t flags,
          size_t st, size_t nlist, size_t npg)
{
    mig_put_u64(b, m->id);
    mig_put_u32(b, (uint32_t)m->pid);
    mig_put_u32(b, (uint32_t)m->source);
    mig_put_u32(b, (uint32_t)m->target);
    mig_put_u32(b, (uint32_t)m->strategy);
    mig_put_u32(b, 0);   /* uid: home's credentials decide (issue 8) */
    mig_put_u64(b, vm_resident_pages(proc_vm(p)));
    mig_put_u32(b, flags);
    mig_put_u32(b, (uint32_t)st);
    mig_put_u32(b, (uint32_t)nlist);
    mig_put_u32(b, (uint32_t)npg);
}

/* One GO: the header, the state st (may be NULL), the page list (list),
 * and of the first want pages as many as fit (*put); PREPARE when all of
 * them did and prepare is set. The target refuses an offer before it
 * keeps anything, and drops the record on any error. */
static int
go(struct proc *p, struct mig_ctx *m, uint32_t flags, const struct mig_buf *st, bool list,
   size_t want, bool prepare, size_t *put)
{
    size_t sl = st ? st->len : 0, nl = list ? m->npages : 0, rl, plen = 0, k = 0;
    uint8_t *buf = kmalloc(RPC_MAX_DATA), *d = buf + MIG_GO_HDR;
    struct mig_buf h;
    mig_buf_init(&h);
    if (buf) {
        if (sl)
            memcpy(d, st->data, sl);
        for (size_t i = 0; i < nl; i++)
            migrate_put_be64(d + sl + 8 * i, m->page_va[i]);
        d += sl + nl * 8;
        k = migrate_put_pages(d, RPC_MAX_DATA - (size_t)(d - buf), m->page_va, m->page_pa, want,
                              &plen);
        flags |= prepare && k == want ? MIG_GO_PREPARE : 0;
    }
    go_header(&h, p, m, flags, sl, nl, k);
    int err = !buf ? -ENOMEM : h.err ? h.err : h.len != MIG_GO_HDR ? -EPROTO : 0;
    size_t len = (size_t)(d - buf) + plen;
    if (!err) {
        memcpy(buf, h.data, MIG_GO_HDR);
        err = rpc_call(m->target, RPC_OP_MIG_GO, buf, len, NULL, 0, &rl);
    }
    mig_buf_free(&h);
    kfree(buf);
    *put = k;
    if (!err) {
        m->pages_sent += k;
        m->bytes_sent += len;
        m->offered = true;
    } else if ((flags & MIG_GO_OFFER) && err != -ETIMEDOUT && err != -EHOSTDOWN) {
        MIG_COUNT(refused_by_peer, 1);
    }
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
    int row = 0;
#define MIG_PACK_ROW_(id, NAME, pack, unpack, done, abort)                  \
    if (!err) {                                                             \
        mig_buf_init(&b);                                                   \
        uint64_t t0_ = now_ns();                                            \
        err = pack(p, &b, m);                                               \
        m->pack_ns[row++ & 7] = now_ns() - t0_;                             \
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

/* What the frozen process still has to send, in the fewest exchanges: one
 * GO holds what fits -- for a small process all of it, the offer (unless
 * pre-copy made it), the state, the list (lazy) and the pages, and the
 * target builds the process before it answers; the rest follows (a state
 * or list stream when one does not fit, then PIECEs), PREPARE folded into
 * the last. */
static int
transfer(struct proc *p, struct mig_ctx *m, const struct mig_buf *st, uint32_t offer)
{
    bool lazy = m->strategy == MIG_LAZY || m->strategy == MIG_FLUSH;   /* the list, no pages */
    size_t npg = lazy ? 0 : m->npages, room = RPC_MAX_DATA - MIG_GO_HDR, k;
    if (m->strategy == MIG_FLUSH) {
        int ferr = migrate_flush_out(m);       /* the pages go to the file server */
        if (ferr)
            return ferr;
    }
    bool st_in = st->len <= room;
    room -= st_in ? st->len : 0;
    bool list_in = lazy && m->npages * 8 <= room;
    bool one = st_in && (!lazy || list_in) && !migrate_test_delay_at("transfer");
    int err = go(p, m, offer, st_in ? st : NULL, list_in, npg, one, &k);
    if (err || (one && k == npg))
        return err;     /* refused, failed, or all of it went in the GO */
    migrate_test_delay("transfer", m->pid);
    if (!st_in) {
        uint8_t ctx[MIG_STREAM_CTX];
        stream_ctx(ctx, m, 0, 0);
        err = rpc_stream_send(m->target, RPC_OP_MIG_STATE, ctx, sizeof(ctx), st->data, st->len,
                              NULL);
        m->bytes_sent += st->len;
    }
    if (!err && lazy && !list_in)
        err = send_list(m, 0, m->page_va, m->npages);
    if (!err)
        err = migrate_send_pages(m, m->page_va + k, m->page_pa + k, npg - k, MIG_GO_PREPARE);
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

/* Pre-copy's offer, alone: its rounds need the record before the state. */
static int
negotiate(struct proc *p, struct mig_ctx *m)
{
    migrate_test_delay("negotiate", m->pid);
    uint64_t t = now_ns();
    size_t k;
    int err = go(p, m, MIG_GO_OFFER, NULL, false, 0, false, &k);
    m->ns[MIG_PH_NEGOTIATE] = now_ns() - t;
    return err;
}

static void
failed(struct mig_ctx *m, int err)
{
    MIG_COUNT(failed, 1);
    kprintf("wisp: migrate pid %d to node %d failed (%d): it goes on at node %d\n", m->pid,
            m->target, err, m->source);
    migrate_complete(m, err);
}

/* A pre-copy round sent by a thread of its own while the process runs;
 * then the request is given back, so the process stops at its next safe
 * point (the next round or the frozen rest). */
static void
precopy_thread(void *arg)
{
    struct mig_ctx *m = arg;
    uint64_t t = now_ns();
    int err = migrate_send_pages(m, m->page_va, m->page_pa, m->npages, 0);
    vm_mig_unhold(m);
    if (m->round > 0)
        m->pages_resent += m->npages;
    m->round++;
    m->ns[MIG_PH_TRANSFER] += now_ns() - t;
    if (!err && !proc_mig_rearm_pid(m->pid, m))
        err = -ESRCH;         /* it ended meanwhile */
    if (err) {
        if (err != -EHOSTDOWN)
            (void)call_id(m, RPC_OP_MIG_ABORT);
        failed(m, err);
    }
}

/* Pre-copy at a safe point: the offer the first time, then the pages
 * written since the last round (all of them the first time). If another
 * round is worth it (the first; then while many pages were written and
 * rounds are left) a thread sends it while the process runs on: 1. Else
 * the process stays frozen: the pages go now, the rest with the state
 * (0), or -errno. A process moving itself is frozen in the call: it sends
 * one round, then the rest. */
static int
precopy_step(struct proc *p, struct mig_ctx *m)
{
    int err = m->offered ? 0 : negotiate(p, m);
    uint64_t t = now_ns();
    bool bg = !m->self && m->round < MIG_PRECOPY_ROUNDS;
    if (!err)
        err = vm_mig_pick(p, m, m->round > 0, bg);
    if (err)
        return err;
    if (bg && (m->round == 0 || m->npages > MIG_PRECOPY_STOP)) {
        struct arch_regs *r = m->regs;
        __atomic_store_n(&m->regs, NULL, __ATOMIC_SEQ_CST);   /* not the process's now */
        if (sched_spawn("migprecopy", precopy_thread, m))
            return 1;
        m->regs = r;
    }
    vm_mig_unhold(m);         /* frozen from here: the frames stay as they are */
    m->frozen_at = t;
    err = migrate_send_pages(m, m->page_va, m->page_pa, m->npages, 0);
    if (m->round > 0)
        m->pages_resent += m->npages;
    m->round++;
    m->ns[MIG_PH_TRANSFER] += now_ns() - t;
    return err;
}

/* Pack and transfer, frozen, then commit: 0, or the process stays and
 * this fails. */
static int
move_out(struct proc *p, struct mig_ctx *m)
{
    struct mig_buf st;
    mig_buf_init(&st);
    uint64_t t = now_ns();
    if (!m->frozen_at)
        m->frozen_at = t;
    int err = pack_rows(p, m, &st);
    m->ns[MIG_PH_FREEZE] += now_ns() - t;
    uint32_t offer = m->offered ? 0 : MIG_GO_OFFER;
    if (!err && offer)
        migrate_test_delay("negotiate", m->pid);
    t = now_ns();
    uint64_t idle = sched_idle_ns();
    if (!err)
        err = transfer(p, m, &st, offer);
    m->xfer_idle_ns += sched_idle_ns() - idle;
    if (m->round && m->strategy != MIG_LAZY)
        m->pages_resent += m->npages;   /* pre-copy: the last round's pages, again */
    m->ns[MIG_PH_TRANSFER] += now_ns() - t;
    mig_buf_free(&st);
    t = now_ns();
    if (!err)
        err = home_moved(m->pid, m->target);   /* the commit record */
    m->ns[MIG_PH_COMMIT] = now_ns() - t;
    if (err) {
        /* A GO or PIECE whose reply was lost may have built the process
         * there (migrate_fsm_test.c found it); an open record is dropped
         * too. A target marked down answers -EHOSTDOWN at once. */
        if (err != -EHOSTDOWN && (m->offered || err == -ETIMEDOUT))
            (void)call_id(m, RPC_OP_MIG_ABORT);
        rows_done(p, m, false);
        if (m->strategy == MIG_FLUSH)
            migrate_flush_abort(m);
    }
    return err;
}

/* migrate_trace=1: the source's times, after the resume (the console is
 * slow: nothing timed is printed through). */
static void
trace(const struct mig_ctx *m, uint64_t to_safe, uint64_t resume_rtt)
{
    static const char *const names[] = {
#define MIG_NAME_ROW_(id, NAME, pack, unpack, done, abort) #NAME,
        MIG_ENCAP_TABLE(MIG_NAME_ROW_)
#undef MIG_NAME_ROW_
    };
    char rows[160];
    size_t n = 0;
    rows[0] = 0;
    for (size_t i = 0; i < ARRAY_SIZE(names) && i < 8 && n < sizeof(rows); i++)
        n += (size_t)k_snprintf(rows + n, sizeof(rows) - n, " %s %llu", names[i],
                                (unsigned long long)(m->pack_ns[i] / 1000));
    kprintf("wisp: migrate pid %d trace: to_safe_us %llu pack_us %llu transfer_us %llu "
            "commit_us %llu resume_rtt_us %llu pages %llu bytes %llu idle_us %llu packed_us%s\n",
            m->pid, (unsigned long long)(to_safe / 1000),
            (unsigned long long)((m->ns[MIG_PH_FREEZE] - to_safe) / 1000),
            (unsigned long long)(m->ns[MIG_PH_TRANSFER] / 1000),
            (unsigned long long)(m->ns[MIG_PH_COMMIT] / 1000),
            (unsigned long long)(resume_rtt / 1000), (unsigned long long)m->pages_sent,
            (unsigned long long)m->bytes_sent, (unsigned long long)(m->xfer_idle_ns / 1000), rows);
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
    } else if (!m->started) {
        m->started = true;
        m->source = main_node_id();
        m->ns[MIG_PH_FREEZE] = now_ns() - m->ns[MIG_PH_FREEZE];   /* it held the request time */
    }
    if (!err && m->strategy == MIG_PRECOPY) {
        err = precopy_step(p, m);
        if (err > 0)
            return;            /* it runs on while a thread sends the round */
        if (err && m->offered && err != -EHOSTDOWN)
            (void)call_id(m, RPC_OP_MIG_ABORT);
    }
    uint64_t to_safe = m->ns[MIG_PH_FREEZE];
    if (!err)
        err = move_out(p, m);
    if (err) {
        failed(m, err);
        return;
    }
    migrate_test_delay("commit", m->pid);
    uint64_t t = now_ns();
    resume(m);
    uint64_t t_resume = now_ns() - t;
    if (!m->ns[MIG_PH_RESUME])
        m->ns[MIG_PH_RESUME] = t_resume;
    m->downtime_ns = now_ns() - m->frozen_at;
    if (migrate_tracing())
        trace(m, to_safe, t_resume);
    MIG_COUNT(out, 1);
    MIG_COUNT(pages_sent, m->pages_sent);
    MIG_COUNT(bytes_sent, m->bytes_sent);
    MIG_COUNT(pages_resent, m->pages_resent);
    rows_done(p, m, true);
    migrate_complete(m, 0);
    proc_mig_exit_moved(p);
}
