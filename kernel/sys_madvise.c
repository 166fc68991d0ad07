/*
 * madvise(2). All Wisp user memory is private and anonymous, so
 * MADV_DONTNEED (and MADV_FREE, which Linux may treat the same way) drops
 * the range's pages (vm_discard): the next touch faults in a zero page, as
 * on Linux.
 * Every other advice is accepted and changes nothing. The rest of the
 * memory calls are sys_mem.c.
 */
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sys.h"
#include "kernel/vm.h"

#define MADV_DONTNEED 4
#define MADV_FREE     8

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
    return vm_discard(proc_vm(proc_current()), addr, end);
}
