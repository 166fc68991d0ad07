/*
 * Lazy migration: the target resumes the process before its pages arrive.
 * The source keeps the address space after the commit (a "page server"
 * record), answers MIG_FETCH for a page the process faults on at the
 * target, and pushes every page in the background (MIG_PUSH) until the
 * target has them all (MIG_DONE), then frees them. At the target a lazy
 * address space (vm->mig_lazy) sends faults on absent pages of the list
 * here; a page is installed only while it is still absent, so a fetched
 * or pushed copy never overwrites one the process has since written. If
 * the source goes down first, the process is ended with a message.
 *
 * Locking: src_lock and dst_lock are spinlocks over the two tables; a
 * page is installed in a target address space with dst_lock held, which
 * migrate_lazy_vm_gone (the process's exit) also takes before the address
 * space is freed. A source record's busy count keeps its address space
 * alive while a FETCH reads it unlocked.
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
#include "kernel/sync.h"
#include "kernel/vm.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define LAZY_MAX 8
#define FETCH_EARLY_TRIES 500            /* ESRCH: the source's page server is */
#define FETCH_EARLY_WAIT_NS 10000000ull  /* not up yet; 5 s in 10 ms steps */

struct lazy_src {
    bool used;
    bool closing;             /* no new FETCH: the push is over */
    int busy;                 /* FETCHes reading vm */
    uint64_t id;
    int target, pid;
    struct vm *vm;
    uint64_t *va;             /* host order, ascending */
    size_t n;
};

struct lazy_dst {
    bool used;
    uint64_t id;
    int from, pid;
    struct proc *p;
    struct vm *vm;
    uint64_t *va;             /* host order, ascending */
    size_t n;
};

static struct spinlock src_lock = { .name = "migrate.lazysrc", .cpu = -1 };
static struct spinlock dst_lock = { .name = "migrate.lazydst", .cpu = -1 };
static struct lazy_src srcs[LAZY_MAX];
static struct lazy_dst dsts[LAZY_MAX];

/* ---- source ---- */

static void
push_thread(void *arg)
{
    struct lazy_src *s = arg;
    uint8_t ctx[MIG_STREAM_CTX];
    uint8_t *buf = kmalloc(MIG_BATCH_PAGES * PAGE_SIZE);
    int err = buf ? 0 : -ENOMEM;
    migrate_test_delay("push", s->pid);     /* tests: fetches only, for a while */
    for (size_t i = 0; i < s->n && !err; i += MIG_BATCH_PAGES) {
        size_t k = MIN((size_t)MIG_BATCH_PAGES, s->n - i);
        for (size_t j = 0; j < k; j++)
            if (vm_mig_read_page(s->vm, s->va[i + j], buf + j * PAGE_SIZE))
                memset(buf + j * PAGE_SIZE, 0, PAGE_SIZE);
        migrate_put_be64(ctx, s->id);
        migrate_put_be64(ctx + 8, (uint32_t)i);
        err = rpc_stream_send(s->target, RPC_OP_MIG_PUSH, ctx, sizeof(ctx), buf, k * PAGE_SIZE,
                              NULL);
        if (!err) {
            MIG_COUNT(pages_sent, k);
            MIG_COUNT(bytes_sent, k * PAGE_SIZE);
        }
    }
    kfree(buf);
    if (!err) {
        size_t rl;
        migrate_put_be64(ctx, s->id);
        err = rpc_call(s->target, RPC_OP_MIG_DONE, ctx, 8, NULL, 0, &rl);
    }
    if (err)
        kprintf("wisp: migrate pid %d: pushing its pages to node %d stopped (%d)\n", s->pid,
                s->target, err);
    spin_lock(&src_lock);
    s->closing = true;
    while (s->busy) {
        spin_unlock(&src_lock);
        if (sched_sleep_ns(10000000))
            continue;   /* a kernel thread has no signals; the loop re-checks anyway */
        spin_lock(&src_lock);
    }
    struct vm *vm = s->vm;
    uint64_t *va = s->va;
    memset(s, 0, sizeof(*s));
    spin_unlock(&src_lock);
    vm_free(vm);
    kfree(va);
}

void
migrate_lazy_serve(struct mig_ctx *m, struct vm *vm)
{
    struct lazy_src *s = NULL;
    spin_lock(&src_lock);
    for (int i = 0; i < LAZY_MAX && !s; i++)
        if (!srcs[i].used)
            s = &srcs[i];
    if (s) {
        s->used = true;
        s->id = m->id;
        s->target = m->target;
        s->pid = m->pid;
        s->vm = vm;
        s->va = m->page_va;
        s->n = m->npages;
        m->page_va = NULL;
        m->npages = 0;
    }
    spin_unlock(&src_lock);
    if (!s || !sched_spawn("migpush", push_thread, s)) {
        /* The target cannot get the pages: it will end the process when a
         * fetch fails. Nothing else can be done here after the commit. */
        kprintf("wisp: migrate pid %d: no page server; its pages are lost\n", m->pid);
        if (s) {
            spin_lock(&src_lock);
            memset(s, 0, sizeof(*s));
            spin_unlock(&src_lock);
        }
        vm_free(vm);
    }
}

int
migrate_rpc_fetch(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    if (reqlen != 16 || *replen < PAGE_SIZE) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    uint64_t id = migrate_get_be64(req), va = migrate_get_be64((const uint8_t *)req + 8);
    struct lazy_src *s = NULL;
    spin_lock(&src_lock);
    for (int i = 0; i < LAZY_MAX && !s; i++)
        if (srcs[i].used && !srcs[i].closing && srcs[i].id == id && srcs[i].target == from)
            s = &srcs[i];
    if (s)
        s->busy++;
    spin_unlock(&src_lock);
    if (!s) {
        MIG_COUNT(stale, 1);
        *replen = 0;
        return -ESRCH;
    }
    int err = vm_mig_read_page(s->vm, va & ~(PAGE_SIZE - 1), rep);
    spin_lock(&src_lock);
    s->busy--;
    spin_unlock(&src_lock);
    *replen = err ? 0 : PAGE_SIZE;
    return err ? -ENOENT : 0;
}

/* ---- target ---- */

static bool
in_list(const struct lazy_dst *d, uint64_t va)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->va[mid] == va)
            return true;
        if (d->va[mid] < va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Caller holds dst_lock. */
static struct lazy_dst *
dst_of_vm(struct vm *vm)
{
    for (int i = 0; i < LAZY_MAX; i++)
        if (dsts[i].used && dsts[i].vm == vm)
            return &dsts[i];
    return NULL;
}

static void
dst_free(struct lazy_dst *d)
{
    if (d->vm)
        d->vm->mig_lazy = false;
    kfree(d->va);
    memset(d, 0, sizeof(*d));
}

/* Install frame pa at va if the page is still absent; else free it.
 * Caller holds dst_lock and d is live. */
static void
install(struct lazy_dst *d, uint64_t va, uint64_t pa)
{
    if (arch_pt_lookup(d->vm->root, va, NULL, NULL) || vm_mig_install(d->vm, va, pa))
        mem_frame_free(pa);
}

int
migrate_lazy_adopt(uint64_t id, int from, struct proc *p, const void *list, size_t n)
{
    uint64_t *va = kmalloc(n ? n * sizeof(*va) : 8);
    if (!va)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        va[i] = migrate_get_be64((const uint8_t *)list + 8 * i);
    for (size_t i = 1; i < n; i++)
        if (va[i] <= va[i - 1]) {
            kfree(va);
            return -EBADMSG;   /* the source sends them ascending */
        }
    int err = -EAGAIN;
    spin_lock(&dst_lock);
    for (int i = 0; i < LAZY_MAX && err; i++) {
        struct lazy_dst *d = &dsts[i];
        if (d->used)
            continue;
        d->used = true;
        d->id = id;
        d->from = from;
        d->pid = proc_pid(p);
        d->p = p;
        d->vm = proc_vm(p);
        d->va = va;
        d->n = n;
        d->vm->mig_lazy = true;
        err = 0;
    }
    spin_unlock(&dst_lock);
    if (err)
        kfree(va);
    return err;
}

static void
lost(int pid, struct proc *p, int from)
{
    kprintf("wisp: process %d (%s) ended: node %d holding its pages went down\n", pid,
            proc_name(p), from);
    proc_signal(p, SIGKILL);
}

int
migrate_lazy_fault(struct vm *vm, uint64_t va)
{
    spin_lock(&dst_lock);
    struct lazy_dst *d = dst_of_vm(vm);
    bool remote = d && in_list(d, va);
    uint64_t id = d ? d->id : 0;
    int from = d ? d->from : -1, pid = d ? d->pid : 0;
    struct proc *p = d ? d->p : NULL;
    spin_unlock(&dst_lock);
    if (!d)
        return migrate_flush_fault(vm, va);    /* the flush strategy's (migrate_flush.c) */
    if (!remote)
        return 1;
    uint64_t pa = mem_frame_alloc();
    if (!pa)
        return -ENOMEM;
    uint8_t req[16];
    size_t rl = 0;
    migrate_put_be64(req, id);
    migrate_put_be64(req + 8, va);
    int err;
    /* The source starts its page server after the resume (its other rows'
     * source_done come first: closing streams is RPC now), so a first
     * fault can get there before it: ESRCH for a while means "not yet". */
    for (int t = 0;; t++) {
        rl = 0;
        err = rpc_call(from, RPC_OP_MIG_FETCH, req, sizeof(req), mem_p2v(pa), PAGE_SIZE, &rl);
        if (err != -ESRCH || t >= FETCH_EARLY_TRIES)
            break;
        if (sched_sleep_ns(FETCH_EARLY_WAIT_NS) != 0) {
            mem_frame_free(pa);
            return 0;           /* a signal: the fault is taken again after it */
        }
    }
    if (err == 0 && rl != PAGE_SIZE)
        err = -EBADMSG;
    if (err) {
        mem_frame_free(pa);
        spin_lock(&dst_lock);
        d = dst_of_vm(vm);
        bool gone = d && !arch_pt_lookup(vm->root, va, NULL, NULL);
        spin_unlock(&dst_lock);
        if (!gone)
            return 0;           /* pushed meanwhile (the source is done): retry */
        if (err == -ENOENT)
            return 1;
        spin_lock(&dst_lock);
        d = dst_of_vm(vm);
        if (d)
            dst_free(d);        /* no more fetches: the process ends */
        spin_unlock(&dst_lock);
        lost(pid, p, from);
        return 0;
    }
    spin_lock(&dst_lock);
    d = dst_of_vm(vm);
    if (d)
        install(d, va, pa);
    else
        mem_frame_free(pa);     /* DONE came first: the page is there */
    MIG_COUNT(lazy_fetches, 1);
    spin_unlock(&dst_lock);
    return 0;
}

void
migrate_lazy_vm_gone(struct vm *vm)
{
    spin_lock(&dst_lock);
    struct lazy_dst *d = dst_of_vm(vm);
    if (d)
        dst_free(d);
    spin_unlock(&dst_lock);
    migrate_flush_vm_gone(vm);
}

int
migrate_rpc_push(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct rpc_piece pc;
    *replen = 0;
    if (rpc_stream_parse(req, reqlen, MIG_STREAM_CTX, &pc) || (pc.offset | pc.len) % PAGE_SIZE) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    uint64_t id = migrate_get_be64(pc.ctx);
    size_t first = (uint32_t)migrate_get_be64(pc.ctx + 8) + pc.offset / PAGE_SIZE;
    size_t n = pc.len / PAGE_SIZE;
    spin_lock(&dst_lock);
    struct lazy_dst *d = NULL;
    for (int i = 0; i < LAZY_MAX && !d; i++)
        if (dsts[i].used && dsts[i].id == id && dsts[i].from == from)
            d = &dsts[i];
    int err = !d ? -ESRCH : first > d->n || n > d->n - first ? -EBADMSG : 0;
    for (size_t i = 0; i < n && !err && d->vm; i++) {
        uint64_t va = d->va[first + i];
        if (arch_pt_lookup(d->vm->root, va, NULL, NULL))
            continue;           /* fetched already, maybe written since */
        uint64_t pa = mem_frame_alloc();
        if (!pa) {
            err = -ENOMEM;
            break;
        }
        memcpy(mem_p2v(pa), pc.data + i * PAGE_SIZE, PAGE_SIZE);
        install(d, va, pa);
    }
    spin_unlock(&dst_lock);
    if (err == -ESRCH)
        MIG_COUNT(stale, 1);
    else if (err == -EBADMSG)
        MIG_COUNT(malformed, 1);
    else if (!err)
        MIG_COUNT(pages_received, n);
    return err;
}

int
migrate_rpc_done(int from, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    *replen = 0;
    if (reqlen != 8) {
        MIG_COUNT(malformed, 1);
        return -EBADMSG;
    }
    uint64_t id = migrate_get_be64(req);
    int err = -ESRCH;
    spin_lock(&dst_lock);
    for (int i = 0; i < LAZY_MAX && err; i++) {
        if (dsts[i].used && dsts[i].id == id && dsts[i].from == from) {
            dst_free(&dsts[i]);
            err = 0;
        }
    }
    spin_unlock(&dst_lock);
    if (err)
        MIG_COUNT(stale, 1);
    return err;
}

void
migrate_lazy_node_down(int node)
{
    spin_lock(&dst_lock);
    for (int i = 0; i < LAZY_MAX; i++) {
        struct lazy_dst *d = &dsts[i];
        if (d->used && d->from == node) {
            lost(d->pid, d->p, node);
            dst_free(d);    /* faults now fill zeros, but SIGKILL ends it first */
        }
    }
    spin_unlock(&dst_lock);
}
