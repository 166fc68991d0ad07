/*
 * The flush strategy (Sprite's own: its migrating process's dirty pages
 * went to its swap file on the file server, and the target paged them in
 * from there). While the process is frozen the source writes every page
 * the VM row picked to a backing file on the shared file system
 * (fs/fs_swap.h: page i of the list at byte i * 4096), then moves the
 * state and the page list as lazy does and frees the address space after
 * the commit: nothing is left at the source. At the target the address
 * space is marked (vm->mig_lazy, as for lazy) and a fault on an absent
 * page of the list reads it from the backing file; a thread reads the
 * rest in the background, installs what is still absent (so neither
 * overwrites a page the process wrote since) and then removes the file.
 * The source may go down at once after the commit; the file server may
 * not (a read that fails ends the process with a message).
 *
 * Locking: flush_lock (a spinlock) over the table; pages are installed
 * with it held, and migrate_flush_vm_gone (the process's exit) takes it
 * before the address space goes, so the thread never installs into a freed
 * one. Reads of the file happen without it.
 */
#include "fs/fs_swap.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/migrate_flush.h"
#include "kernel/migrate_int.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/vm.h"

#define FLUSH_MAX 8
#define FLUSH_RUN 15                    /* pages per read or write (60 KiB) */

struct flush_dst {
    bool used;
    uint64_t id;
    int pid;
    struct proc *p;
    struct vm *vm;                      /* NULL: the process is gone */
    uint64_t *va;                       /* host order, ascending */
    size_t n;
    bool have_fh;
    struct fsproto_fh fh;
};

static struct spinlock flush_lock = { .name = "migrate.flush", .cpu = -1 };
static struct flush_dst dsts[FLUSH_MAX];
static struct migrate_flush_stats stats;
#define FLUSH_COUNT(f, n) __atomic_add_fetch(&stats.f, (n), __ATOMIC_RELAXED)

void
migrate_flush_get_stats(struct migrate_flush_stats *out)
{
    out->out = __atomic_load_n(&stats.out, __ATOMIC_RELAXED);
    out->in = __atomic_load_n(&stats.in, __ATOMIC_RELAXED);
    out->pages_written = __atomic_load_n(&stats.pages_written, __ATOMIC_RELAXED);
    out->pages_faulted = __atomic_load_n(&stats.pages_faulted, __ATOMIC_RELAXED);
    out->pages_pulled = __atomic_load_n(&stats.pages_pulled, __ATOMIC_RELAXED);
    out->files_removed = __atomic_load_n(&stats.files_removed, __ATOMIC_RELAXED);
}

/* ---- source ---- */

int
migrate_flush_out(struct mig_ctx *m)
{
    struct fsproto_fh fh;
    uint8_t *buf = kmalloc(FLUSH_RUN * PAGE_SIZE);
    int err = buf ? fs_swap_create(m->id, &fh) : -ENOMEM;
    bool made = !err;
    for (size_t i = 0; i < m->npages && !err; i += FLUSH_RUN) {
        size_t k = MIN((size_t)FLUSH_RUN, m->npages - i);
        for (size_t j = 0; j < k; j++)
            memcpy(buf + j * PAGE_SIZE, mem_p2v(m->page_pa[i + j]), PAGE_SIZE);
        long w = fs_swap_write(fh, i * PAGE_SIZE, buf, k * PAGE_SIZE);
        err = w < 0 ? (int)w : (size_t)w != k * PAGE_SIZE ? -EIO : 0;
    }
    kfree(buf);
    if (made)
        fs_swap_close(fh);
    if (err) {
        kprintf("wisp: migrate pid %d: flushing its pages failed (%d)\n", m->pid, err);
        if (made)
            (void)fs_swap_remove(m->id);
        return err;
    }
    m->pages_sent += m->npages;
    m->bytes_sent += m->npages * PAGE_SIZE;
    FLUSH_COUNT(out, 1);
    FLUSH_COUNT(pages_written, m->npages);
    return 0;
}

void
migrate_flush_abort(struct mig_ctx *m)
{
    (void)fs_swap_remove(m->id);        /* not committed: nobody reads it */
}

/* ---- target ---- */

/* Index of va in d's list, or -1. */
static long
index_of(const struct flush_dst *d, uint64_t va)
{
    size_t lo = 0, hi = d->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->va[mid] == va)
            return (long)mid;
        if (d->va[mid] < va)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

static struct flush_dst *
dst_of_vm(struct vm *vm)
{
    for (int i = 0; i < FLUSH_MAX; i++)
        if (dsts[i].used && dsts[i].vm == vm && vm)
            return &dsts[i];
    return NULL;
}

/* Install frame pa at va if d's process is alive and the page absent;
 * else free it. Caller holds flush_lock. */
static void
install(struct flush_dst *d, uint64_t va, uint64_t pa)
{
    if (!d->vm || arch_pt_lookup(d->vm->root, va, NULL, NULL) || vm_mig_install(d->vm, va, pa))
        mem_frame_free(pa);
}

static int
get_fh(struct flush_dst *d, uint64_t id, struct fsproto_fh *fh)
{
    spin_lock(&flush_lock);
    bool have = d->have_fh;
    *fh = d->fh;
    spin_unlock(&flush_lock);
    if (have)
        return 0;
    int err = fs_swap_find(id, fh);
    if (!err) {
        spin_lock(&flush_lock);
        if (d->used && d->id == id) {   /* still the same record */
            d->fh = *fh;
            d->have_fh = true;
        }
        spin_unlock(&flush_lock);
    }
    return err;
}

static void
lost(int pid, struct proc *p, int err)
{
    kprintf("wisp: process %d (%s) ended: its pages could not be read from the file "
            "server (%d)\n", pid, proc_name(p), err);
    proc_signal(p, SIGKILL);
}

/* Read pages [i, i + k) of d into frames and install the absent ones. */
static int
pull_run(struct flush_dst *d, uint64_t id, size_t i, size_t k, uint8_t *buf)
{
    struct fsproto_fh fh;
    int err = get_fh(d, id, &fh);
    long r = err ? err : fs_swap_read(fh, i * PAGE_SIZE, buf, k * PAGE_SIZE);
    if (r < 0)
        return (int)r;
    if ((size_t)r != k * PAGE_SIZE)
        return -EIO;
    for (size_t j = 0; j < k; j++) {
        uint64_t pa = mem_frame_alloc();
        if (!pa)
            return -ENOMEM;
        memcpy(mem_p2v(pa), buf + j * PAGE_SIZE, PAGE_SIZE);
        spin_lock(&flush_lock);
        install(d, d->va[i + j], pa);
        spin_unlock(&flush_lock);
    }
    FLUSH_COUNT(pages_pulled, k);
    return 0;
}

static void
dst_free(struct flush_dst *d)
{
    if (d->vm)
        d->vm->mig_lazy = false;
    kfree(d->va);
    memset(d, 0, sizeof(*d));
}

/* The background reader: every page, then the file goes and the address
 * space is whole (it may migrate again). */
static void
pull_thread(void *arg)
{
    struct flush_dst *d = arg;
    uint8_t *buf = kmalloc(FLUSH_RUN * PAGE_SIZE);
    uint64_t id = d->id;
    int err = buf ? 0 : -ENOMEM;
    for (size_t i = 0; i < d->n && !err; i += FLUSH_RUN) {
        spin_lock(&flush_lock);
        bool alive = d->vm != NULL;
        spin_unlock(&flush_lock);
        if (!alive)
            break;
        err = pull_run(d, id, i, MIN((size_t)FLUSH_RUN, d->n - i), buf);
    }
    kfree(buf);
    spin_lock(&flush_lock);
    if (err && d->vm)
        lost(d->pid, d->p, err);
    dst_free(d);
    spin_unlock(&flush_lock);
    if (fs_swap_remove(id) == 0)
        FLUSH_COUNT(files_removed, 1);
}

int
migrate_flush_adopt(uint64_t id, struct proc *p, const void *list, size_t n)
{
    uint64_t *va = kmalloc(n ? n * sizeof(*va) : 8);
    if (!va)
        return -ENOMEM;
    for (size_t i = 0; i < n; i++)
        va[i] = migrate_get_be64((const uint8_t *)list + 8 * i);
    for (size_t i = 1; i < n; i++)
        if (va[i] <= va[i - 1]) {
            kfree(va);
            return -EBADMSG;
        }
    struct flush_dst *d = NULL;
    spin_lock(&flush_lock);
    for (int i = 0; i < FLUSH_MAX && !d; i++)
        if (!dsts[i].used)
            d = &dsts[i];
    if (d) {
        *d = (struct flush_dst){ .used = true, .id = id, .pid = proc_pid(p), .p = p,
                                 .vm = proc_vm(p), .va = va, .n = n };
        d->vm->mig_lazy = true;
    }
    spin_unlock(&flush_lock);
    if (!d) {
        kfree(va);
        return -EAGAIN;
    }
    FLUSH_COUNT(in, 1);
    if (!sched_spawn("migflush", pull_thread, d)) {
        kprintf("wisp: migrate pid %d: no thread to read its pages; faults read them\n",
                proc_pid(p));    /* they stay marked: it cannot migrate again */
    }
    return 0;
}

int
migrate_flush_fault(struct vm *vm, uint64_t va)
{
    spin_lock(&flush_lock);
    struct flush_dst *d = dst_of_vm(vm);
    long i = d ? index_of(d, va) : -1;
    uint64_t id = d ? d->id : 0;
    spin_unlock(&flush_lock);
    if (i < 0)
        return 1;               /* not one of its pages: an ordinary fault */
    uint8_t *buf = kmalloc(PAGE_SIZE);
    struct fsproto_fh fh;
    int err = buf ? get_fh(d, id, &fh) : -ENOMEM;
    long r = err ? err : fs_swap_read(fh, (uint64_t)i * PAGE_SIZE, buf, PAGE_SIZE);
    uint64_t pa = r == PAGE_SIZE ? mem_frame_alloc() : 0;
    if (pa)
        memcpy(mem_p2v(pa), buf, PAGE_SIZE);
    kfree(buf);
    spin_lock(&flush_lock);
    d = dst_of_vm(vm);
    if (pa && d) {
        install(d, va, pa);
        FLUSH_COUNT(pages_faulted, 1);
    } else if (pa) {
        mem_frame_free(pa);     /* the thread finished first: the page is there */
    } else if (d && !arch_pt_lookup(vm->root, va, NULL, NULL)) {
        lost(d->pid, d->p, r < 0 ? (int)r : -EIO);
    }
    spin_unlock(&flush_lock);
    return 0;
}

void
migrate_flush_vm_gone(struct vm *vm)
{
    spin_lock(&flush_lock);
    struct flush_dst *d = dst_of_vm(vm);
    if (d)
        d->vm = NULL;           /* the thread stops, removes the file and frees d */
    spin_unlock(&flush_lock);
}
