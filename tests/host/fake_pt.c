/*
 * Host fake of arch's page tables (kernel/arch.h, arch_pt_*): each root
 * is an unsorted array of entries, searched linearly. Tests keep address
 * spaces small, so that is fast enough. No TLB, nothing to activate. As
 * on x86, a map can fail only where a new last-level table (2 MiB of
 * address space) would be needed; those are remembered until the root is
 * freed.
 */
#include <stdlib.h>
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "tests/host/fake_pt.h"

#define PT_MAX    4096
#define TABLE_MAX 256
#define TABLE_SPAN (2ull << 20)

struct fake_entry {
    uint64_t va, pa;
    unsigned flags;
};

struct fake_pt {
    int n;
    struct fake_entry e[PT_MAX];
    int ntables;
    uint64_t tables[TABLE_MAX];   /* base of each 2 MiB span with a table */
};

long fake_pt_fail_after = -1;

static struct fake_pt *
pt(uint64_t root)
{
    return (struct fake_pt *)(uintptr_t)root;
}

static struct fake_entry *
find(uint64_t root, uint64_t va)
{
    struct fake_pt *t = pt(root);
    for (int i = 0; i < t->n; i++)
        if (t->e[i].va == va)
            return &t->e[i];
    return NULL;
}

uint64_t
arch_pt_new(void)
{
    return (uint64_t)(uintptr_t)calloc(1, sizeof(struct fake_pt));
}

void
arch_pt_free(uint64_t root)
{
    free(pt(root));
}

/* The table for va exists, or is made (counting against fake_pt_fail_after). */
static bool
have_table(struct fake_pt *t, uint64_t va)
{
    uint64_t base = va & ~(TABLE_SPAN - 1);
    for (int i = 0; i < t->ntables; i++)
        if (t->tables[i] == base)
            return true;
    if (fake_pt_fail_after == 0)
        return false;
    if (fake_pt_fail_after > 0)
        fake_pt_fail_after--;
    ASSERT(t->ntables < TABLE_MAX, "fake page table has room for tables");
    t->tables[t->ntables++] = base;
    return true;
}

int
arch_pt_map(uint64_t root, uint64_t va, uint64_t pa, unsigned flags)
{
    if (!have_table(pt(root), va))
        return -ENOMEM;
    struct fake_entry *e = find(root, va);
    if (!e) {
        ASSERT(pt(root)->n < PT_MAX, "fake page table has room");
        e = &pt(root)->e[pt(root)->n++];
    }
    *e = (struct fake_entry){ va, pa, flags };
    return 0;
}

bool
arch_pt_lookup(uint64_t root, uint64_t va, uint64_t *pa, unsigned *flags)
{
    struct fake_entry *e = find(root, va);
    if (e && pa)
        *pa = e->pa;
    if (e && flags)
        *flags = e->flags;
    return e != NULL;
}

bool
arch_pt_unmap(uint64_t root, uint64_t va, uint64_t *pa)
{
    struct fake_entry *e = find(root, va);
    if (!e)
        return false;
    if (pa)
        *pa = e->pa;
    *e = pt(root)->e[--pt(root)->n];
    return true;
}

bool
arch_pt_next(uint64_t root, uint64_t *va, uint64_t end, uint64_t *pa, unsigned *flags)
{
    struct fake_entry *best = NULL;
    struct fake_pt *t = pt(root);
    for (int i = 0; i < t->n; i++)
        if (t->e[i].va >= *va && t->e[i].va < end && (!best || t->e[i].va < best->va))
            best = &t->e[i];
    if (!best)
        return false;
    *va = best->va;
    *pa = best->pa;
    *flags = best->flags;
    return true;
}

void
arch_pt_activate(uint64_t root)
{
}

void
arch_tlb_flush_page(uint64_t va)
{
}

uint64_t
arch_pt_kernel_root(void)
{
    return 0;
}

int
fake_pt_count(uint64_t root)
{
    return pt(root)->n;
}
