/*
 * madvise(2). All Wisp user memory is private and anonymous, so
 * MADV_DONTNEED (and MADV_FREE, which Linux may treat the same way) drops
 * the range's pages: the next touch faults in a zero page, as on Linux.
 * Every other advice is accepted and changes nothing. The rest of the
 * memory calls are sys_mem.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sys.h"
#include "kernel/vm.h"

#define MADV_DONTNEED 4
#define MADV_FREE     8

/* Drop the pages of [start, end) that are mapped; the regions stay.
 * -ENOMEM when part of the range is not in any region (as Linux). */
static long
discard(struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t covered = start;
    for (struct vm_region *r = vm->regions; r && r->start < end; r = r->next) {
        if (r->end <= start)
            continue;
        if (r->start > covered)
            return -ENOMEM;
        uint64_t va = MAX(r->start, start), lim = MIN(r->end, end), pa;
        unsigned f;
        while (arch_pt_next(vm->root, &va, lim, &pa, &f)) {
            if (arch_pt_unmap(vm->root, va, &pa))
                mem_frame_unref(pa);    /* a copy-on-write sharer keeps its copy */
            va += PAGE_SIZE;
        }
        covered = lim;
    }
    return covered < end ? -ENOMEM : 0;
}

long
sys_madvise(uint64_t addr, size_t len, int advice)
{
    if (addr & (PAGE_SIZE - 1))
        return -EINVAL;
    uint64_t end = addr + ALIGN_UP(len, PAGE_SIZE);
    if (end < addr)
        return -EINVAL;
    if (len == 0 || (advice != MADV_DONTNEED && advice != MADV_FREE))
        return 0;
    return discard(proc_vm(proc_current()), addr, end);
}
