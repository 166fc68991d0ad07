/*
 * In-kernel self tests, selected with test=kernel on the command line:
 * the frame allocator and kmalloc on real memory, kernel threads with wait
 * queues and mutexes under preemption, timed sleeps, and an address space
 * forked copy-on-write. Each prints "ktest: PASS name" or "ktest: FAIL
 * name: why"; main.c turns the result into the QEMU exit status.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/trap.h"
#include "kernel/vm.h"

static int failures;

#define CHECK(name, cond)                                                      \
    do {                                                                       \
        if (cond)                                                              \
            kprintf("ktest: PASS %s\n", name);                                 \
        else {                                                                 \
            kprintf("ktest: FAIL %s: %s\n", name, #cond);                      \
            failures++;                                                        \
        }                                                                      \
    } while (0)

static void
test_frames(void)
{
    struct mem_stats before, after;
    uint64_t f[64];
    mem_get_stats(&before);
    bool distinct = true;
    for (int i = 0; i < 64; i++) {
        f[i] = mem_frame_alloc_zero();
        for (int j = 0; j < i; j++)
            distinct &= f[i] != f[j];
    }
    mem_frame_ref(f[0]);
    CHECK("frame_refcount", mem_frame_refcount(f[0]) == 2 && mem_frame_unref(f[0]) == 1);
    for (int i = 0; i < 64; i++)
        mem_frame_free(f[i]);
    mem_get_stats(&after);
    CHECK("frame_distinct", distinct && f[0] != 0);
    CHECK("frame_free_restores_count", before.free_frames == after.free_frames);
}

static void
test_kmalloc(void)
{
    void *p[200];
    bool ok = true;
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i * 37 % 5000) + 1;
        p[i] = kmalloc(n);
        ok &= p[i] && ((uint64_t)p[i] & 15) == 0;
        if (p[i])
            memset(p[i], i, n);
    }
    for (int i = 0; i < 200; i++) {
        size_t n = (size_t)(i * 37 % 5000) + 1;
        ok &= ((uint8_t *)p[i])[n - 1] == (uint8_t)i;
        kfree(p[i]);
    }
    CHECK("kmalloc_patterns_survive", ok);
}

static struct spinlock pp_lock = { .name = "ktest.pp", .cpu = -1 };
static struct waitq pp_q;
static int pp_turn, pp_count;
static struct mutex mx;
static int mx_counter, mx_done;

static void
pinger(void *arg)
{
    int me = (int)(uint64_t)arg;
    for (int i = 0; i < 100; i++) {
        spin_lock(&pp_lock);
        while (pp_turn != me)
            waitq_wait(&pp_q, &pp_lock);
        pp_turn = 1 - me;
        pp_count++;
        waitq_wake_all(&pp_q);
        spin_unlock(&pp_lock);
    }
}

static void
mutex_worker(void *arg)
{
    for (int i = 0; i < 2000; i++) {
        mutex_lock(&mx);
        int v = mx_counter;
        if (i % 100 == 0)
            sched_yield();   /* let the other worker find the mutex held */
        mx_counter = v + 1;
        mutex_unlock(&mx);
    }
    spin_lock(&pp_lock);
    mx_done++;
    waitq_wake_all(&pp_q);
    spin_unlock(&pp_lock);
}

static void
test_threads(void)
{
    waitq_init(&pp_q);
    mutex_init(&mx, "ktest.mx");
    sched_spawn("ping", pinger, (void *)0);
    sched_spawn("pong", pinger, (void *)1);
    sched_spawn("mx1", mutex_worker, NULL);
    sched_spawn("mx2", mutex_worker, NULL);
    spin_lock(&pp_lock);
    while (pp_count < 200 || mx_done < 2)
        waitq_wait(&pp_q, &pp_lock);
    spin_unlock(&pp_lock);
    CHECK("waitq_ping_pong_200", pp_count == 200);
    CHECK("mutex_excludes", mx_counter == 4000);
}

static void
test_sleep(void)
{
    uint64_t t0 = arch_time_ns();
    int err = sched_sleep_ns(20 * 1000 * 1000);
    uint64_t dt = arch_time_ns() - t0;
    CHECK("sleep_20ms_at_least", err == 0 && dt >= 20 * 1000 * 1000);
    spin_lock(&pp_lock);
    err = waitq_wait_timeout(&pp_q, &pp_lock, 5 * 1000 * 1000);
    spin_unlock(&pp_lock);
    CHECK("waitq_timeout", err == -ETIMEDOUT);
}

static void
test_vm_cow(void)
{
    struct vm *a = vm_new();
    uint64_t base = 0x400000, v1 = 1, v2 = 2, got = 0, pa_a, pa_b;
    bool ok = a && vm_map(a, base, 4 * PAGE_SIZE, VM_R | VM_W) == 0 &&
              vm_write(a, base, &v1, sizeof(v1)) == 0;
    struct vm *b = ok ? vm_fork(a) : NULL;
    ok = ok && b;
    CHECK("vm_fork", ok);
    if (!ok)
        return;
    arch_pt_lookup(a->root, base, &pa_a, NULL);
    arch_pt_lookup(b->root, base, &pa_b, NULL);
    CHECK("vm_fork_shares_frame", pa_a == pa_b && mem_frame_refcount(pa_a) == 2);
    CHECK("vm_cow_break", vm_fault(b, base, TRAP_WRITE) == 0);
    arch_pt_lookup(b->root, base, &pa_b, NULL);
    CHECK("vm_cow_private_copy", pa_a != pa_b && mem_frame_refcount(pa_a) == 1);
    CHECK("vm_write_child", vm_write(b, base, &v2, sizeof(v2)) == 0);
    memcpy(&got, mem_p2v(pa_a), sizeof(got));
    CHECK("vm_cow_parent_unchanged", got == 1);
    CHECK("vm_fault_outside_region", vm_fault(b, 0x10000000, 0) == -EFAULT);
    vm_free(a);
    vm_free(b);
}

/* test=kernel_fault: a deliberate bad kernel access, to show (and test) the
 * exception report: vector, error, registers, address, symbolised backtrace. */
__attribute__((noinline)) static void
ktest_crash(void)
{
    *(volatile uint64_t *)0xdead0000ull = 1;
}

/* A 32 TiB region with two pages touched: fork, mprotect and free must cost
 * what is mapped, not the region's size (the fuzzer found the hang). */
static void
test_vm_sparse(void)
{
    struct vm *a = vm_new();
    uint64_t base = 0x100000000000ull, len = 1ull << 45;
    bool ok = a && vm_map_flags(a, base, len, VM_R | VM_W, VM_MAP_NORESERVE) == 0 &&
              vm_fault(a, base, TRAP_WRITE) == 0 &&
              vm_fault(a, base + len - PAGE_SIZE, TRAP_WRITE) == 0;
    uint64_t t0 = arch_time_ns();
    struct vm *b = ok ? vm_fork(a) : NULL;
    ok = ok && b && vm_protect(a, base, len, VM_R) == 0;
    if (b)
        vm_free(b);
    if (a)
        vm_free(a);
    CHECK("vm_sparse_region_fork_protect_free", ok);
    kprintf("ktest: sparse 32 TiB region: fork+protect+free in %lu us\n",
            (unsigned long)((arch_time_ns() - t0) / 1000));
}

int ktest_run(const char *name);
int
ktest_run(const char *name)
{
    if (strcmp(name, "kernel_fault") == 0) {
        ktest_crash();
        return -EINVAL;
    }
    test_frames();
    test_kmalloc();
    test_threads();
    test_sleep();
    test_vm_cow();
    test_vm_sparse();
    kprintf("ktest: %d failed\n", failures);
    return failures ? -EINVAL : 0;
}
