/*
 * For the address-space host tests (kernel/vm*_test.c): the real frame
 * allocator over a small arena of FRAMES frames, a known commit limit,
 * and the heap as the host's (mem_frame.c's hooks into kmalloc do
 * nothing). Page tables are tests/host/fake_pt.c. Included once by each
 * test file: it defines the kmalloc functions that binary links.
 */
#pragma once
#include <stdlib.h>
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/trap.h"
#include "kernel/vm.h"
#include "tests/host/fake_mem.h"
#include "tests/host/fake_pt.h"
#include "tests/host/test.h"

#define P      PAGE_SIZE
#define BASE   0x10000000ull
#define LIMIT  3072   /* pages: vm_commit_init(4096) keeps 1024 back */
#define K      VM_KERNEL_PAGES   /* charged by vm_new */
#define ROOM   (LIMIT - K)       /* what one address space can map */
#define FRAMES 64

void *kmalloc(size_t n) { return malloc(n); }
void *kzalloc(size_t n) { return calloc(1, n); }
void kfree(void *p) { free(p); }
uint64_t mem_kmalloc_bytes(void) { return 0; }
void mem_kmalloc_reset(void) {}
void mem_kmalloc_reclaim(void) {}

static void *arena;

/* Pages charged now, over every address space. */
static inline uint64_t
committed(void)
{
    uint64_t c;
    vm_commit_stats(NULL, &c);
    return c / P;
}

/* A fresh pool of FRAMES frames, the limit LIMIT, and a new address space. */
static inline struct vm *
fresh_vm(void)
{
    free(arena);
    arena = fake_mem_arena((FRAMES + 1) * P);
    struct mem_range r = { (uint64_t)(uintptr_t)arena, (FRAMES + 1) * P };
    EXPECT_EQ(mem_frame_init(&r, 1), 0);
    vm_commit_init(4096);
    fake_pt_fail_after = -1;
    return vm_new();
}

/* The byte at user address va, or -1 when nothing is mapped there. */
static inline int
peek(struct vm *vm, uint64_t va)
{
    uint64_t pa;
    if (!arch_pt_lookup(vm->root, va & ~(P - 1), &pa, NULL))
        return -1;
    return ((uint8_t *)mem_p2v(pa))[va & (P - 1)];
}

/* Frees vm; every charge must have come back. */
static inline void
done(struct vm *vm)
{
    vm_free(vm);
    EXPECT_EQ(committed(), 0);
}
