/*
 * mremap: resize a mapping, in place when it can, else by moving its
 * page-table entries to a free range (the frames stay where they are: no
 * data is copied). The commit charge follows the mapping: a charged-whole
 * mapping is charged for what it grows by and uncharged for what it loses
 * (vm_unmap); pages charged as touched move with their charge. The old
 * range may span several adjacent regions of the same kind, as one Linux
 * vma would (Wisp never merges regions: each brk step is its own).
 * The rest of the address-space code is vm.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/vm_int.h"

#define MREMAP_MAYMOVE 1u
#define MREMAP_FIXED   2u

/* The last region of [start, end) when that range is covered, without a
 * hole, by regions of one protection and kind; NULL otherwise. */
static struct vm_region *
covering_last(struct vm *vm, uint64_t start, uint64_t end)
{
    struct vm_region *r = vm_find(vm, start);
    if (!r)
        return NULL;
    unsigned prot = r->prot;
    unsigned acct = r->acct;
    while (r->end < end) {
        struct vm_region *n = r->next;
        if (!n || n->start != r->end || n->prot != prot || n->acct != acct || n->map != r->map)
            return NULL;
        if (r->map && n->pgoff != r->pgoff + (r->end - r->start) / PAGE_SIZE)
            return NULL;        /* not one piece of the file */
        r = n;
    }
    return r;
}

/* True when a region of [start, end) maps a program image (file
 * mappings, kernel/vm_file.c, move and grow like anonymous ones). */
static bool
has_file(struct vm *vm, uint64_t start, uint64_t end)
{
    for (struct vm_region *r = vm_find(vm, start); r && r->start < end; r = r->next)
        if (r->file_pa)
            return true;
    return false;
}

static bool
range_ok(uint64_t start, uint64_t len)
{
    return !(start & (PAGE_SIZE - 1)) && start >= PAGE_SIZE && len <= VM_STACK_TOP &&
           start + len <= VM_STACK_TOP;
}

/* Grow the mapping ending with region last by delta bytes, in place. */
static long
grow_in_place(struct vm *vm, struct vm_region *last, uint64_t old, uint64_t delta)
{
    uint64_t charge = last->acct == VM_ACCT_ALL ? delta / PAGE_SIZE : 0;
    if (vm_charge(vm, charge))
        return -ENOMEM;
    last->end += delta;
    vm->mapped += delta;
    return (long)old;
}

/* Move the present pages of [from, from+len) to [to, to+len). 0, or
 * -ENOMEM when a page table could not be had (pages moved so far stay
 * moved: the caller moves them back). */
static int
move_ptes(struct vm *vm, uint64_t from, uint64_t to, uint64_t len)
{
    uint64_t va = from, pa;
    unsigned f;
    for (; arch_pt_next(vm->root, &va, from + len, &pa, &f); va += PAGE_SIZE) {
        if (arch_pt_map(vm->root, to + (va - from), pa, f))
            return -ENOMEM;
        arch_pt_unmap(vm->root, va, NULL);
    }
    return 0;
}

/* Unlink the regions of [start, end), whose pages are gone already. */
static void
unlink_range(struct vm *vm, uint64_t start, uint64_t end)
{
    struct vm_region **pp = &vm->regions;
    while (*pp) {
        struct vm_region *r = *pp;
        if (r->start >= start && r->end <= end) {
            vm->mapped -= r->end - r->start;
            if (r->map)
                vm_file_drop(r);
            *pp = r->next;
            kfree(r);
        } else {
            pp = &r->next;
        }
    }
}

/* Move the mapping [old, old+old_len) to dest, new_len >= old_len long. */
static long
move_mapping(struct vm *vm, uint64_t old, uint64_t old_len, uint64_t dest, uint64_t new_len)
{
    if (vm_split_at(vm, old) || vm_split_at(vm, old + old_len))
        return -ENOMEM;
    struct vm_region *r = vm_find(vm, old);
    unsigned prot = r->prot;
    unsigned acct = r->acct;
    uint64_t charge = acct == VM_ACCT_ALL ? (new_len - old_len) / PAGE_SIZE : 0;
    if (vm_charge(vm, charge))
        return -ENOMEM;
    if (vm_add_region(vm, dest, dest + new_len, prot, acct)) {
        vm_uncharge(vm, charge);
        return -ENOMEM;
    }
    if (r->map)
        vm_file_copy(vm_find(vm, dest), r);
    if (move_ptes(vm, old, dest, old_len)) {
        /* Back where they were: those page tables exist, so this cannot fail. */
        int err = move_ptes(vm, dest, old, old_len);
        ASSERT(err == 0, "moving pages back to tables that held them needs no memory");
        unlink_range(vm, dest, dest + new_len);
        vm_uncharge(vm, charge);
        return -ENOMEM;
    }
    unlink_range(vm, old, old + old_len);
    return (long)dest;
}

/* MREMAP_FIXED: the mapping goes to new_addr, replacing what was there. */
static long
remap_fixed(struct vm *vm, uint64_t old, uint64_t old_len, uint64_t new_len, uint64_t new_addr)
{
    if (!range_ok(new_addr, new_len))
        return -EINVAL;
    if (new_addr < old + old_len && old < new_addr + new_len)
        return -EINVAL;
    int err = vm_unmap(vm, new_addr, new_len);
    if (!err && new_len < old_len) {
        err = vm_unmap(vm, old + new_len, old_len - new_len);
        old_len = new_len;
    }
    return err ? err : move_mapping(vm, old, old_len, new_addr, new_len);
}

long
vm_remap(struct vm *vm, uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags,
         uint64_t new_addr)
{
    if (flags & ~(MREMAP_MAYMOVE | MREMAP_FIXED))
        return -EINVAL;
    if ((flags & MREMAP_FIXED) && !(flags & MREMAP_MAYMOVE))
        return -EINVAL;
    if (old_len > VM_STACK_TOP || new_len > VM_STACK_TOP)
        return -EINVAL;
    old_len = ALIGN_UP(old_len, PAGE_SIZE);
    new_len = ALIGN_UP(new_len, PAGE_SIZE);
    if ((old & (PAGE_SIZE - 1)) || old_len == 0 || new_len == 0)
        return -EINVAL;   /* old_len 0 duplicates a shared mapping: none here */
    if (!range_ok(old, old_len))
        return -EFAULT;
    struct vm_region *last = covering_last(vm, old, old + old_len);
    if (!last)
        return -EFAULT;
    /* A program image's pages stay where exec put them: they may shrink
     * but not move or grow (past the image there is nothing to map). */
    if (has_file(vm, old, old + old_len) && ((flags & MREMAP_FIXED) || new_len > old_len))
        return -ENOMEM;
    if (flags & MREMAP_FIXED)
        return remap_fixed(vm, old, old_len, new_len, new_addr);
    if (new_len <= old_len) {
        int err = new_len < old_len ? vm_unmap(vm, old + new_len, old_len - new_len) : 0;
        return err ? err : (long)old;
    }
    uint64_t delta = new_len - old_len;
    if (last->end == old + old_len && range_ok(old, new_len) &&
        !vm_overlaps(vm, old + old_len, old + new_len))
        return grow_in_place(vm, last, old, delta);
    if (!(flags & MREMAP_MAYMOVE))
        return -ENOMEM;
    uint64_t dest = vm_find_free(vm, 0, new_len);
    return dest ? move_mapping(vm, old, old_len, dest, new_len) : -ENOMEM;
}
