/*
 * The target side of a migration: the RPC handlers of ops MIG_* (rpc_ops.h)
 * and the table of incoming migrations. An offer reserves a record (or is
 * refused: policy, memory, a full table); the state and the pages arrive
 * as stream pieces and are staged (pages in frames of their own, keyed by
 * address); PREPARE builds the process through the encapsulation table's
 * unpack functions, not runnable; RESUME starts it; ABORT, the source
 * going down, or a stall drops it. A message for an unknown migration, from
 * the wrong node, or in the wrong phase is refused and counted (stale);
 * one that does not parse is refused and counted (malformed). The source's
 * side is kernel/migrate_src.c.
 *
 * Locking: in_lock (a spinlock) protects the table and every record's
 * fields. PREPARE and the aborts build or free a process, which sleeps:
 * they mark the record BUSY under the lock and work without it; no other
 * handler touches a BUSY record.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/migrate_fsm.h"
#include "kernel/migrate_flush.h"
#include "kernel/migrate_int.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/vm.h"
#include "net/rpc/rpc.h"

#define MIG_IN_MAX 8
#define MIG_STALL_NS (120ull * 1000000000)   /* an offer with no progress this long is dropped */

/* The record's states are the state machine's (kernel/migrate_fsm.c). */
#define IN_FREE MIG_FSM_FREE
#define IN_OPEN MIG_FSM_OPEN
#define IN_BUSY MIG_FSM_BUSY
#define IN_PREPARED MIG_FSM_PREPARED


struct stage_ent {
    uint64_t va, pa;          /* pa 0: empty slot */
};

struct mig_in {
    enum mig_fsm_state state;
    bool doomed;              /* the source went down: drop at the next GC */
    uint64_t id;
    int from, pid, strategy;
    uint64_t last_ns;
    uint64_t open_ns, idle0;  /* when the GO opened it; sched_idle_ns() then */
    uint8_t *st;              /* the encapsulated state, st_total bytes */
    size_t st_total, st_got;
    uint64_t *list;           /* the current round's page addresses */
    uint32_t list_round;
    size_t list_n, list_got;
    struct stage_ent *stage;  /* open addressing, stage_cap a power of two */
    size_t stage_cap, stage_used;
    struct proc *p;           /* PREPARED: the process, not runnable */
    struct mig_ctx ctx;
};

/* What build() timed, for migrate_trace=1 (printed once the handler's
 * own time is taken: the console is slow). */
struct build_trace {
    uint64_t row_ns[8];
    int rows;
    uint64_t install_ns;
    size_t pages;
    int pid;
    uint64_t open_ns, idle_ns;   /* from the GO that opened it to the build; idle in it */
};

#define MIG_ROW_NAME_(id, NAME, pack, unpack, done, abort) #NAME,
static const char *const row_names[] = { MIG_ENCAP_TABLE(MIG_ROW_NAME_) };
#undef MIG_ROW_NAME_

/* migrate_trace=1: the target's times: the handler's (op's) and, when it
 * built the process, each row's unpack and the pages' install. */
static void
trace_in(int pid, const char *op, uint64_t ns, size_t bytes, const struct build_trace *bt)
{
    char line[160];
    size_t n = 0;
    line[0] = 0;
    for (int i = 0; i < bt->rows && n < sizeof(line); i++)
        n += (size_t)k_snprintf(line + n, sizeof(line) - n, " %s %llu", row_names[i],
                                (unsigned long long)(bt->row_ns[i] / 1000));
    char since[64] = "";
    if (bt->open_ns)        /* a PIECE that prepared: the time since the GO, and idle in it */
        k_snprintf(since, sizeof(since), " open_us %llu idle_us %llu",
                   (unsigned long long)(bt->open_ns / 1000),
                   (unsigned long long)(bt->idle_ns / 1000));
    kprintf("wisp: migrate pid %d trace: %s_us %llu bytes %llu rows_us%s install_us %llu "
            "pages %llu%s\n", pid, op, (unsigned long long)(ns / 1000), (unsigned long long)bytes,
            line, (unsigned long long)(bt->install_ns / 1000), (unsigned long long)bt->pages,
            since);
}

static struct spinlock in_lock = { .name = "migrate.in", .cpu = -1 };
static struct mig_in incoming[MIG_IN_MAX];

void
migrate_put_be64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

uint64_t
migrate_get_be64(const uint8_t *p)
{
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}

/* The record of migration id from node `from`, or NULL (counted stale).
 * Caller holds in_lock. */
static struct mig_in *
find_in(uint64_t id, int from)
{
    sync_assert_held(&in_lock);
    for (int i = 0; i < MIG_IN_MAX; i++) {
        struct mig_in *r = &incoming[i];
        if (r->state != IN_FREE && r->id == id && r->from == from && !r->doomed)
            return r;
    }
    MIG_COUNT(stale, 1);
    return NULL;
}

static void
stage_free(struct mig_in *r)
{
    for (size_t i = 0; i < r->stage_cap; i++)
        if (r->stage[i].pa)
            mem_frame_free(r->stage[i].pa);
    kfree(r->stage);
    r->stage = NULL;
    r->stage_cap = r->stage_used = 0;
}

/* The staged frame for va, made (zeroed) when absent: its physical
 * address, or 0 when out of memory. Caller holds in_lock. */
static uint64_t
stage_get(struct mig_in *r, uint64_t va)
{
    if (2 * (r->stage_used + 1) > r->stage_cap) {
        size_t cap = r->stage_cap ? 2 * r->stage_cap : 256;
        struct stage_ent *n = kzalloc(cap * sizeof(*n));
        if (!n)
            return 0;
        for (size_t i = 0; i < r->stage_cap; i++) {
            if (!r->stage[i].pa)
                continue;
            size_t h = (r->stage[i].va >> 12) & (cap - 1);
            while (n[h].pa)
                h = (h + 1) & (cap - 1);
            n[h] = r->stage[i];
        }
        kfree(r->stage);
        r->stage = n;
        r->stage_cap = cap;
    }
    size_t h = (va >> 12) & (r->stage_cap - 1);
    while (r->stage[h].pa && r->stage[h].va != va)
        h = (h + 1) & (r->stage_cap - 1);
    if (!r->stage[h].pa) {
        uint64_t pa = mem_frame_alloc();   /* stage_pages writes all of it */
        if (!pa)
            return 0;
        r->stage[h].va = va;
        r->stage[h].pa = pa;
        r->stage_used++;
    }
    return r->stage[h].pa;
}

/* Forget a record's buffers and frames. Caller holds in_lock. */
static void
in_clear(struct mig_in *r)
{
    kfree(r->st);
    kfree(r->list);
    stage_free(r);
    memset(r, 0, sizeof(*r));
}

/* ---- OFFER ---- */

static bool
fits_memory(uint64_t pages)
{
    uint64_t limit, committed;
    vm_commit_stats(&limit, &committed);
    return committed + (pages + VM_KERNEL_PAGES) * PAGE_SIZE <= limit;
}

/* The offer: a record OPEN for migration id of pid from node `from`, or
 * refused (counted). */
static int
open_record(int from, uint64_t id, int pid, int source, int target, int strategy, uint64_t pages)
{
    if (source != from || target != main_node_id() || (int)(id >> 32) != from) {
        MIG_COUNT(stale, 1);
        return -EINVAL;
    }
    migrate_dst_gc();
    int err = migrate_policy_off() ? -EPERM : !fits_memory(pages) ? -ENOMEM : 0;
    spin_lock(&in_lock);
    struct mig_in *slot = NULL;
    for (int i = 0; i < MIG_IN_MAX && !err; i++) {
        struct mig_in *r = &incoming[i];
        if (r->state != IN_FREE && (r->id == id || r->pid == pid))
            err = -EEXIST;    /* a duplicate: the RPC layer already answers retransmissions */
        else if (r->state == IN_FREE && !slot)
            slot = r;
    }
    if (!err && !slot)
        err = -EAGAIN;
    if (!err) {
        memset(slot, 0, sizeof(*slot));
        slot->state = IN_OPEN;
        slot->id = id;
        slot->from = from;
        slot->pid = pid;
        slot->strategy = strategy;
        slot->last_ns = slot->open_ns = arch_time_ns();
        slot->idle0 = sched_idle_ns();
    }
    spin_unlock(&in_lock);
    if (err) {
        MIG_COUNT(refused, 1);
        if (err == -EEXIST)
            MIG_COUNT(stale, 1);
    }
    return err;
}

/* ---- the streams: STATE, LIST, PAGES ---- */

/* A piece of op's stream for an OPEN record: *rp set with in_lock held,
 * or an error (counted) with it released. */
static int
piece_begin(int from, const void *req, size_t reqlen, struct rpc_piece *pc, struct mig_in **rp,
            uint32_t *round, uint32_t *first)
{
    if (rpc_stream_parse(req, reqlen, MIG_STREAM_CTX, pc)) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    uint64_t id = migrate_get_be64(pc->ctx), rf = migrate_get_be64(pc->ctx + 8);
    *round = (uint32_t)(rf >> 32);
    *first = (uint32_t)rf;
    spin_lock(&in_lock);
    struct mig_in *r = find_in(id, from);
    if (!r || migrate_fsm_next(r->state, MIG_EV_PIECE) < 0) {
        if (r)
            MIG_COUNT(stale, 1);
        spin_unlock(&in_lock);
        return -ESRCH;
    }
    r->last_ns = arch_time_ns();
    *rp = r;
    return 0;
}

/* Copy a piece into a whole-stream buffer (state or list) of the record. */
static int
piece_into(uint8_t **buf, size_t *total, size_t *got, const struct rpc_piece *pc, size_t max)
{
    if (pc->total > max)
        return -EMSGSIZE;
    if (!*buf) {
        *buf = kmalloc(pc->total ? pc->total : 1);
        if (!*buf)
            return -ENOMEM;
        *total = pc->total;
        *got = 0;
    }
    if (pc->total != *total)
        return -EBADMSG;
    memcpy(*buf + pc->offset, pc->data, pc->len);
    *got += pc->len;    /* pieces are at-most-once: no piece is counted twice */
    return 0;
}

static int
piece_end(int err)
{
    spin_unlock(&in_lock);
    if (err == -EBADMSG || err == -EMSGSIZE)
        MIG_COUNT(malformed, 1);
    return err;
}

int
migrate_rpc_state(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct rpc_piece pc;
    struct mig_in *r;
    uint32_t round, first;
    *replen = 0;
    int err = piece_begin(from, req, reqlen, &pc, &r, &round, &first);
    if (err)
        return err;
    return piece_end(piece_into(&r->st, &r->st_total, &r->st_got, &pc, MIG_BUF_MAX));
}

int
migrate_rpc_list(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct rpc_piece pc;
    struct mig_in *r;
    uint32_t round, first;
    *replen = 0;
    int err = piece_begin(from, req, reqlen, &pc, &r, &round, &first);
    if (err)
        return err;
    if (pc.total % 8)
        return piece_end(-EBADMSG);
    if (r->list && r->list_round != round) {    /* a new round's list */
        kfree(r->list);
        r->list = NULL;
    }
    r->list_round = round;
    size_t total = r->list_n * 8;
    err = piece_into((uint8_t **)&r->list, &total, &r->list_got, &pc, MIG_PAGES_MAX * 8ull);
    r->list_n = total / 8;
    return piece_end(err);
}

/* Stage n page records (kernel/migrate_send.c: u64 va, u32 first byte,
 * u32 bytes, the bytes; zero outside them) filling d[0..len) exactly.
 * Caller holds in_lock; r is OPEN. */
static int
stage_pages(struct mig_in *r, const uint8_t *d, size_t len, size_t n)
{
    size_t pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (len - pos < MIG_PAGE_REC)
            return -EBADMSG;
        uint64_t va = migrate_get_be64(d + pos), ol = migrate_get_be64(d + pos + 8);
        size_t off = ol >> 32, k = (uint32_t)ol;
        if ((va & (PAGE_SIZE - 1)) || va >= VM_STACK_TOP || off > PAGE_SIZE ||
            k > PAGE_SIZE - off || k > len - pos - MIG_PAGE_REC)
            return -EBADMSG;
        uint64_t pa = stage_get(r, va);
        if (!pa)
            return -ENOMEM;
        uint8_t *pg = mem_p2v(pa);
        memset(pg, 0, off);
        memcpy(pg + off, d + pos + MIG_PAGE_REC, k);
        memset(pg + off + k, 0, PAGE_SIZE - off - k);
        pos += MIG_PAGE_REC + k;
    }
    if (pos != len)
        return -EBADMSG;
    MIG_COUNT(pages_received, n);
    r->last_ns = arch_time_ns();
    return 0;
}

static int prepare(int from, uint64_t id, struct build_trace *bt);

/* PIECE: u64 id, u32 flags (MIG_GO_PREPARE), u32 n, n page records
 * (kernel/migrate_send.c); PREPARE builds the process once they are in. */
int
migrate_rpc_piece(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    const uint8_t *q = req;
    *replen = 0;
    uint64_t fn = reqlen >= MIG_PIECE_HDR ? migrate_get_be64(q + 8) : 0;
    uint32_t flags = (uint32_t)(fn >> 32), n = (uint32_t)fn;
    if (reqlen < MIG_PIECE_HDR || n > MIG_PIECE_PAGES || (flags & ~MIG_GO_PREPARE)) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    uint64_t id = migrate_get_be64(q);
    spin_lock(&in_lock);
    struct mig_in *r = find_in(id, from);
    int err = !r ? -ESRCH : migrate_fsm_next(r->state, MIG_EV_PIECE) < 0 ? -EINVAL : 0;
    if (r && err)
        MIG_COUNT(stale, 1);
    if (!err)
        err = stage_pages(r, q + MIG_PIECE_HDR, reqlen - MIG_PIECE_HDR, n);
    spin_unlock(&in_lock);
    if (err == -EBADMSG)
        MIG_COUNT(malformed, 1);
    struct build_trace bt = { .rows = 0 };
    uint64_t t = arch_time_ns();
    if (!err && (flags & MIG_GO_PREPARE))
        err = prepare(from, id, &bt);
    if (!err && (flags & MIG_GO_PREPARE) && migrate_tracing())
        trace_in(bt.pid, "prepare", arch_time_ns() - t, reqlen, &bt);
    return err;
}

/* GO's state and list into OPEN record r (each at most once). Caller
 * holds in_lock. */
static int
go_stage(struct mig_in *r, const uint8_t *d, size_t st_len, size_t list_n)
{
    if ((st_len && r->st) || (list_n && r->list))
        return -EPROTO;
    if (st_len) {
        if (!(r->st = kmalloc(st_len)))
            return -ENOMEM;
        memcpy(r->st, d, st_len);
        r->st_total = r->st_got = st_len;
    }
    if (list_n) {
        if (!(r->list = kmalloc(list_n * 8)))
            return -ENOMEM;
        memcpy(r->list, d + st_len, list_n * 8);
        r->list_n = list_n;
        r->list_got = list_n * 8;
        r->list_round = 0;
    }
    return 0;
}

/* GO, the one-shot request (kernel/migrate_src.c): u64 id, u32 pid,
 * source, target, strategy, uid, u64 resident pages (the offer's fields),
 * u32 flags (MIG_GO_OFFER: open the record, MIG_GO_PREPARE: build the
 * process), u32 state bytes, list addresses, pages; then the state, the
 * list (big-endian addresses) and the page records (stage_pages). Any
 * error drops the record: nothing is kept of a refused GO. */
int
migrate_rpc_go(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct mig_cur c;
    *replen = 0;
    mig_cur_init(&c, req, reqlen);
    uint64_t id = mig_get_u64(&c);
    int pid = (int)mig_get_u32(&c), source = (int)mig_get_u32(&c), target = (int)mig_get_u32(&c);
    int strategy = (int)mig_get_u32(&c);
    (void)mig_get_u32(&c);   /* uid: home's credentials decide (issue 8) */
    uint64_t pages = mig_get_u64(&c);
    uint32_t flags = mig_get_u32(&c), st_len = mig_get_u32(&c), list_n = mig_get_u32(&c);
    uint64_t npg = mig_get_u32(&c);
    if (c.err || strategy < 0 || strategy >= MIG_NSTRATEGY || pid <= 0 ||
        (flags & ~(MIG_GO_OFFER | MIG_GO_PREPARE)) || list_n > MIG_PAGES_MAX ||
        mig_left(&c) < (uint64_t)st_len + list_n * 8ull || npg > MIG_PAGES_MAX) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    uint64_t t = arch_time_ns();
    int err = flags & MIG_GO_OFFER ? open_record(from, id, pid, source, target, strategy, pages)
                                   : 0;
    if (err)
        return err;
    const uint8_t *d = c.data + c.pos;
    spin_lock(&in_lock);
    struct mig_in *r = find_in(id, from);
    err = !r ? -ESRCH : migrate_fsm_next(r->state, MIG_EV_PIECE) < 0 ? -EINVAL : 0;
    if (r && err)
        MIG_COUNT(stale, 1);
    if (!err)
        err = go_stage(r, d, st_len, list_n);
    if (!err)
        err = stage_pages(r, d + st_len + list_n * 8ull, mig_left(&c) - st_len - list_n * 8ull,
                          (size_t)npg);
    if (err && r && r->state == IN_OPEN) {
        in_clear(r);
        MIG_COUNT(aborted, 1);
    }
    spin_unlock(&in_lock);
    if (err == -EBADMSG)
        MIG_COUNT(malformed, 1);
    struct build_trace bt = { .rows = 0 };
    if (!err && (flags & MIG_GO_PREPARE))
        err = prepare(from, id, &bt);
    if (!err && migrate_tracing())
        trace_in(pid, "go", arch_time_ns() - t, reqlen, &bt);
    if (!err && (flags & MIG_GO_PREPARE))
        migrate_test_delay("go", pid);    /* tests: the target dies before it answers */
    return err;
}

/* ---- PREPARE, RESUME, ABORT ---- */

static void
rows_abort(struct proc *p, struct mig_ctx *m, int nrows)
{
    void (*fns[])(struct proc *, struct mig_ctx *) = {
#define MIG_ABORT_ROW_(id, NAME, pack, unpack, done, abort) abort,
        MIG_ENCAP_TABLE(MIG_ABORT_ROW_)
#undef MIG_ABORT_ROW_
    };
    for (int i = MIN(nrows, (int)ARRAY_SIZE(fns)); i-- > 0;)
        fns[i](p, m);
}

/* Unpack every row in table order; *called: how many unpack functions ran
 * (their target_abort undoes them). */
static int
unpack_rows(struct proc *p, struct mig_ctx *m, struct mig_cur *c, int *called, uint64_t *row_ns)
{
    int err = 0;
    uint32_t nrows = mig_get_u32(c), want = 0;
#define MIG_COUNT_ROW_(id, NAME, pack, unpack, done, abort) want++;
    MIG_ENCAP_TABLE(MIG_COUNT_ROW_)
#undef MIG_COUNT_ROW_
    if (c->err || nrows != want)
        return -EPROTO;     /* a node with other rows: another kernel version */
#define MIG_UNPACK_ROW_(id, NAME, pack, unpack, done, abort)                  \
    if (!err) {                                                               \
        uint32_t rid = mig_get_u32(c), len = mig_get_u32(c);                  \
        if (c->err || rid != (id) || len > mig_left(c)) {                     \
            err = -EBADMSG;                                                   \
        } else {                                                              \
            struct mig_cur sub;                                               \
            mig_cur_init(&sub, c->data + c->pos, len);                        \
            c->pos += len;                                                    \
            uint64_t t0_ = arch_time_ns();                                    \
            err = unpack(p, &sub, m);                                         \
            row_ns[(*called)++] = arch_time_ns() - t0_;                       \
            if (!err && mig_left(&sub))                                       \
                err = -EBADMSG;                                               \
        }                                                                     \
    }
    MIG_ENCAP_TABLE(MIG_UNPACK_ROW_)
#undef MIG_UNPACK_ROW_
    return err;
}

/* Build the process of a BUSY record: the rows, then the staged pages. */
static int
build(struct mig_in *r, struct build_trace *bt)
{
    struct mig_ctx *m = &r->ctx;
    memset(m, 0, sizeof(*m));
    m->id = r->id;
    m->pid = r->pid;
    m->source = r->from;
    m->target = main_node_id();
    m->home = r->pid >> PROC_NODE_SHIFT;
    m->strategy = r->strategy;
    struct proc *p = home_adopt_begin(r->pid, r->from);
    if (!p)
        return -EAGAIN;
    struct mig_cur c;
    int called = 0;
    _Static_assert(ARRAY_SIZE(row_names) <= ARRAY_SIZE(bt->row_ns), "a row_ns per row");
    mig_cur_init(&c, r->st, r->st_total);
    int err = unpack_rows(p, m, &c, &called, bt->row_ns);
    bt->rows = called;
    if (!err && !proc_vm(p))
        err = -EBADMSG;
    uint64_t t = arch_time_ns();
    for (size_t i = 0; i < r->stage_cap && !err; i++) {
        if (!r->stage[i].pa)
            continue;
        err = vm_mig_install(proc_vm(p), r->stage[i].va, r->stage[i].pa);
        if (!err)
            r->stage[i].pa = 0;      /* the address space owns it now */
    }
    if (err) {
        kprintf("wisp: migrate pid %d from node %d: cannot prepare it (%d)\n", r->pid, r->from,
                err);
        rows_abort(p, m, called);
        home_adopt_abort(p);
        return err;
    }
    r->p = p;
    bt->install_ns = arch_time_ns() - t;
    bt->pages = r->stage_used;
    bt->pid = r->pid;
    return 0;
}

/* The record a request (u64 id first) names, if event ev is valid in its
 * state, moved to BUSY while the handler works; NULL (counted) if not. */
static struct mig_in *
claim(int from, const void *req, size_t reqlen, enum mig_fsm_event ev, int *err)
{
    if (reqlen < 8) {
        MIG_COUNT(malformed, 1);
        *err = -EBADMSG;
        return NULL;
    }
    spin_lock(&in_lock);
    struct mig_in *r = find_in(migrate_get_be64(req), from);
    if (r && migrate_fsm_next(r->state, ev) < 0) {
        MIG_COUNT(stale, 1);
        r = NULL;
    }
    if (r)
        r->state = IN_BUSY;
    spin_unlock(&in_lock);
    *err = r ? 0 : -ESRCH;
    return r;
}

static void
release(struct mig_in *r, bool clear)
{
    spin_lock(&in_lock);
    if (clear)
        in_clear(r);
    spin_unlock(&in_lock);
}

/* Build the process of OPEN record id: PREPARED, or the record is dropped
 * (counted aborted). */
static int
prepare(int from, uint64_t id, struct build_trace *bt)
{
    int err;
    uint8_t req[8];
    migrate_put_be64(req, id);
    struct mig_in *r = claim(from, req, sizeof(req), MIG_EV_PREPARE, &err);
    if (!r)
        return err;
    if (!r->st || r->st_got != r->st_total) {
        err = -EPROTO;                 /* the state has not all arrived */
        MIG_COUNT(stale, 1);
    } else {
        bt->open_ns = arch_time_ns() - r->open_ns;
        bt->idle_ns = sched_idle_ns() - r->idle0;
        err = build(r, bt);
    }
    spin_lock(&in_lock);
    if (err) {
        in_clear(r);
        MIG_COUNT(aborted, 1);
    } else {
        r->state = IN_PREPARED;
    }
    spin_unlock(&in_lock);
    return err;
}

int
migrate_rpc_resume(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    int err;
    struct wisp_migrate s = { 0 };
    struct mig_cur c;
    *replen = 0;
    mig_cur_init(&c, req, reqlen);
    (void)mig_get_u64(&c);
    uint64_t uptr = mig_get_u64(&c);
    for (int i = 0; i < WISP_MIG_NPHASE; i++)
        s.ns[i] = mig_get_u64(&c);
    s.pages = mig_get_u64(&c);
    s.bytes = mig_get_u64(&c);
    s.pages_resent = mig_get_u64(&c);
    if (c.err || mig_left(&c)) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    struct mig_in *r = claim(from, req, reqlen, MIG_EV_RESUME, &err);
    if (!r)
        return err;
    uint64_t t = arch_time_ns();
    struct proc *p = r->p;
    s.pid = r->pid;
    s.source = r->from;
    s.target = main_node_id();
    s.strategy = r->strategy;
    s.ns[WISP_MIG_RESUME] = arch_time_ns() - t;
    /* Lazy: the page may still be at the source, and a handler must not
     * call its caller back; a lazy self-migration gets no statistics. */
    if (uptr && r->strategy != MIG_LAZY && r->strategy != MIG_FLUSH &&
        vm_write(proc_vm(p), uptr, &s, sizeof(s)))
        kprintf("wisp: migrate pid %d: no room for its statistics\n", r->pid);
    if (r->strategy == MIG_LAZY &&
        migrate_lazy_adopt(r->id, r->from, p, r->list, r->list ? r->list_n : 0)) {
        kprintf("wisp: process %d (%s) ended: no room to fetch its pages lazily\n", r->pid,
                proc_name(p));
        proc_signal(p, SIGKILL);
    }
    if (r->strategy == MIG_FLUSH &&
        migrate_flush_adopt(r->id, p, r->list, r->list ? r->list_n : 0)) {
        kprintf("wisp: process %d (%s) ended: no room to read its flushed pages\n", r->pid,
                proc_name(p));
        proc_signal(p, SIGKILL);
    }
    proc_mig_start(p);
    release(r, true);
    MIG_COUNT(in, 1);
    migrate_put_be64(rep, arch_time_ns() - t);
    *replen = 8;
    return 0;
}

/* Drop a BUSY record and what it built. Sleeps. */
static void
drop(struct mig_in *r)
{
    if (r->p) {
        rows_abort(r->p, &r->ctx, 99);
        home_adopt_abort(r->p);
        r->p = NULL;
    }
    release(r, true);
    MIG_COUNT(aborted, 1);
}

int
migrate_rpc_abort(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    int err;
    *replen = 0;
    struct mig_in *r = claim(from, req, reqlen, MIG_EV_ABORT, &err);  /* OPEN or PREPARED */
    if (r)
        drop(r);
    return err;
}

void
migrate_dst_node_down(int node)
{
    spin_lock(&in_lock);
    for (int i = 0; i < MIG_IN_MAX; i++)
        if (incoming[i].state != IN_FREE && incoming[i].from == node)
            incoming[i].doomed = true;
    spin_unlock(&in_lock);
}

void
migrate_dst_gc(void)
{
    uint64_t now = arch_time_ns();
    for (int i = 0; i < MIG_IN_MAX; i++) {
        struct mig_in *r = &incoming[i];
        spin_lock(&in_lock);
        bool stalled = now - r->last_ns > MIG_STALL_NS &&
                       migrate_fsm_next(r->state, MIG_EV_STALL) >= 0;
        bool go = stalled || (r->doomed && migrate_fsm_next(r->state, MIG_EV_SOURCE_DOWN) >= 0);
        if (go)
            r->state = IN_BUSY;
        spin_unlock(&in_lock);
        if (go) {
            kprintf("wisp: migrate pid %d from node %d dropped: %s\n", r->pid, r->from,
                    r->doomed ? "its node went down" : "it stalled");
            drop(r);
        }
    }
}
