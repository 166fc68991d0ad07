/*
 * Host fake of the kernel heap (kernel/mem.h): kmalloc is malloc, so ASan
 * sees every overflow and leak in code under test. fake_kmalloc_fail_after
 * makes the n-th next allocation fail, for out-of-memory paths.
 * mem_get_stats reports a fixed small machine, and vm_commit_stats its
 * commit (weak: a test that links kernel/vm_commit.c gets the real one).
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/mem.h"
#include "kernel/vm.h"
#include "tests/host/fake_kmalloc.h"

long fake_kmalloc_fail_after = -1;

void *
kmalloc(size_t n)
{
    if (fake_kmalloc_fail_after == 0)
        return NULL;
    if (fake_kmalloc_fail_after > 0)
        fake_kmalloc_fail_after--;
    return malloc(n ? n : 1);
}

void *
kzalloc(size_t n)
{
    void *p = kmalloc(n);
    if (p)
        memset(p, 0, n);
    return p;
}

void
kfree(void *p)
{
    free(p);
}

void
mem_get_stats(struct mem_stats *s)
{
    s->total_frames = 32768;    /* 128 MiB */
    s->free_frames = 16384;
    s->kmalloc_bytes = 4096;
}

__attribute__((weak)) void
vm_commit_stats(uint64_t *limit, uint64_t *committed)
{
    if (limit)
        *limit = 56ull << 20;     /* 64 MiB free less an eighth */
    if (committed)
        *committed = 1ull << 20;
}

/* The node's commit, for tests that do not link kernel/vm_commit.c (tmpfs
 * charges its pages): unlimited unless fake_commit_limit is set. */
uint64_t fake_commit_limit = ~0ull, fake_committed;

__attribute__((weak)) int
vm_commit_charge(uint64_t n)
{
    if (fake_committed + n > fake_commit_limit)
        return -12;   /* ENOMEM */
    fake_committed += n;
    return 0;
}

__attribute__((weak)) void
vm_commit_uncharge(uint64_t n)
{
    fake_committed -= n;
}
