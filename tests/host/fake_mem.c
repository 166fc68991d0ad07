/*
 * Host fake of the direct map: a "physical address" in a host test is just
 * the host pointer, so mem_p2v and mem_v2p are the identity. Tests hand the
 * frame allocator page-aligned arenas from fake_mem_arena().
 */
#include <stdlib.h>
#include <string.h>
#include "kernel/mem.h"
#include "tests/host/fake_mem.h"

void *
mem_p2v(uint64_t pa)
{
    return (void *)(uintptr_t)pa;
}

uint64_t
mem_v2p(const void *va)
{
    return (uint64_t)(uintptr_t)va;
}

void *
fake_mem_arena(size_t bytes)
{
    void *p = aligned_alloc(PAGE_SIZE, ALIGN_UP(bytes, PAGE_SIZE));
    ASSERT(p != NULL, "host has memory for the test arena");
    memset(p, 0xa5, bytes);
    return p;
}
