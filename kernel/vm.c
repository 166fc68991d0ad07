/*
 * Address spaces: regions, demand-zero faults, copy-on-write fork, and
 * munmap/mprotect splitting. A present page's writability is decided by
 * the page table (copy-on-write pages are mapped read-only with the COW
 * bit), so two regions may share a page (ELF segments do).
 * No locking: an address space belongs to one single-threaded process and
 * is only changed by that process's own thread (or by exec/exit of it).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/trap.h"
#include "kernel/vm.h"

static unsigned
pte_flags(unsigned prot)
{
    unsigned f = ARCH_PTE_U;
    if (prot & VM_W)
        f |= ARCH_PTE_W;
    if (prot & VM_X)
        f |= ARCH_PTE_X;
    return f;
}

struct vm *
vm_new(void)
{
    struct vm *vm = kzalloc(sizeof(*vm));
    if (!vm)
        return NULL;
    vm->root = arch_pt_new();
    if (!vm->root) {
        kfree(vm);
        return NULL;
    }
    return vm;
}

/* Mapped pages only: a region may be huge and almost empty (mmap of
 * terabytes is lazy), so every walk goes through arch_pt_next. */
static void
release_pages(struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t va = start, pa;
    unsigned f;
    while (arch_pt_next(vm->root, &va, end, &pa, &f)) {
        if (arch_pt_unmap(vm->root, va, &pa))
            mem_frame_unref(pa);
        va += PAGE_SIZE;
    }
}

void
vm_free(struct vm *vm)
{
    struct vm_region *r = vm->regions;
    while (r) {
        struct vm_region *n = r->next;
        release_pages(vm, r->start, r->end);
        kfree(r);
        r = n;
    }
    arch_pt_free(vm->root);
    kfree(vm);
}

struct vm_region *
vm_find(struct vm *vm, uint64_t addr)
{
    for (struct vm_region *r = vm->regions; r && r->start <= addr; r = r->next)
        if (addr < r->end)
            return r;
    return NULL;
}

static bool
overlaps(struct vm *vm, uint64_t start, uint64_t end)
{
    for (struct vm_region *r = vm->regions; r; r = r->next)
        if (r->start < end && start < r->end)
            return true;
    return false;
}

int
vm_map(struct vm *vm, uint64_t start, uint64_t len, unsigned prot)
{
    uint64_t end = start + len;
    if ((start | len) & (PAGE_SIZE - 1) || len == 0 || end > VM_STACK_TOP || end < start ||
        start < PAGE_SIZE)
        return -EINVAL;
    if (overlaps(vm, start, end))
        return -EINVAL;
    struct vm_region *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->start = start;
    n->end = end;
    n->prot = prot;
    struct vm_region **pp = &vm->regions;
    while (*pp && (*pp)->start < start)
        pp = &(*pp)->next;
    n->next = *pp;
    *pp = n;
    vm->mapped += len;
    return 0;
}

/* Make a region boundary at addr (split the region containing it). */
static int
split_at(struct vm *vm, uint64_t addr)
{
    struct vm_region *r = vm_find(vm, addr);
    if (!r || r->start == addr)
        return 0;
    struct vm_region *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = *r;
    n->start = addr;
    r->end = addr;
    r->next = n;
    return 0;
}

int
vm_unmap(struct vm *vm, uint64_t start, uint64_t len)
{
    uint64_t end = start + ALIGN_UP(len, PAGE_SIZE);
    if (start & (PAGE_SIZE - 1) || len == 0 || end > VM_STACK_TOP || end < start)
        return -EINVAL;
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    struct vm_region **pp = &vm->regions;
    while (*pp) {
        struct vm_region *r = *pp;
        if (r->start >= start && r->end <= end) {
            release_pages(vm, r->start, r->end);
            vm->mapped -= r->end - r->start;
            *pp = r->next;
            kfree(r);
        } else {
            pp = &r->next;
        }
    }
    return 0;
}

int
vm_protect(struct vm *vm, uint64_t start, uint64_t len, unsigned prot)
{
    uint64_t end = start + ALIGN_UP(len, PAGE_SIZE);
    if (start & (PAGE_SIZE - 1) || end > VM_STACK_TOP || end < start)
        return -EINVAL;
    for (uint64_t a = start; a < end;) {
        struct vm_region *r = vm_find(vm, a);
        if (!r)
            return -ENOMEM;  /* Linux: a hole in the range */
        a = r->end;
    }
    if (split_at(vm, start) || split_at(vm, end))
        return -ENOMEM;
    for (struct vm_region *r = vm->regions; r; r = r->next) {
        if (r->start < start || r->end > end)
            continue;
        r->prot = prot;
        uint64_t pa, va = r->start;
        unsigned f;
        for (; arch_pt_next(vm->root, &va, r->end, &pa, &f); va += PAGE_SIZE) {
            unsigned nf = pte_flags(prot);
            if ((f & ARCH_PTE_COW) && (prot & VM_W))
                nf = (nf & ~ARCH_PTE_W) | ARCH_PTE_COW;  /* still shared: copy on write */
            else if (f & ARCH_PTE_COW)
                nf |= ARCH_PTE_COW;
            if (arch_pt_map(vm->root, va, pa, nf))
                return -ENOMEM;
        }
    }
    return 0;
}

/* Give va a private writable frame (copy-on-write break). */
static int
break_cow(struct vm *vm, uint64_t va, uint64_t pa, unsigned prot)
{
    if (mem_frame_refcount(pa) == 1)
        return arch_pt_map(vm->root, va, pa, pte_flags(prot));
    uint64_t copy = mem_frame_alloc();
    if (!copy)
        return -ENOMEM;
    memcpy(mem_p2v(copy), mem_p2v(pa), PAGE_SIZE);
    int err = arch_pt_map(vm->root, va, copy, pte_flags(prot));
    if (err) {
        mem_frame_free(copy);
        return err;
    }
    mem_frame_unref(pa);
    return 0;
}

int
vm_fault(struct vm *vm, uint64_t addr, unsigned access)
{
    uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE), pa;
    unsigned f;
    struct vm_region *r = vm_find(vm, addr);

    if (!r)
        return -EFAULT;
    if ((access & TRAP_WRITE) && !(r->prot & VM_W))
        return -EFAULT;
    if ((access & TRAP_EXEC) && !(r->prot & VM_X))
        return -EFAULT;
    if (!(access & (TRAP_WRITE | TRAP_EXEC)) && !(r->prot & (VM_R | VM_W | VM_X)))
        return -EFAULT;
    if (arch_pt_lookup(vm->root, va, &pa, &f)) {
        if ((access & TRAP_WRITE) && (f & ARCH_PTE_COW))
            return break_cow(vm, va, pa, r->prot) ? -EFAULT : 0;
        /* Present and permitted: another thread's fix or a stale TLB entry. */
        arch_tlb_flush_page(va);
        return (access & TRAP_WRITE) && !(f & ARCH_PTE_W) ? -EFAULT : 0;
    }
    pa = mem_frame_alloc_zero();
    if (!pa)
        return -EFAULT;  /* out of memory: the process gets SIGSEGV, the kernel lives */
    if (arch_pt_map(vm->root, va, pa, pte_flags(r->prot))) {
        mem_frame_free(pa);
        return -EFAULT;
    }
    return 0;
}

struct vm *
vm_fork(struct vm *parent)
{
    struct vm *vm = vm_new();
    if (!vm)
        return NULL;
    vm->brk_start = parent->brk_start;
    vm->brk = parent->brk;
    for (struct vm_region *r = parent->regions; r; r = r->next) {
        if (vm_map(vm, r->start, r->end - r->start, r->prot))
            goto fail;
        uint64_t pa, va = r->start;
        unsigned f;
        for (; arch_pt_next(parent->root, &va, r->end, &pa, &f); va += PAGE_SIZE) {
            if (arch_pt_lookup(vm->root, va, NULL, NULL))
                continue;  /* a page shared by two regions: done already */
            if (f & (ARCH_PTE_W | ARCH_PTE_COW)) {
                f = (f & ~ARCH_PTE_W) | ARCH_PTE_COW;
                if (arch_pt_map(parent->root, va, pa, f))
                    goto fail;
            }
            if (arch_pt_map(vm->root, va, pa, f))
                goto fail;
            mem_frame_ref(pa);
        }
    }
    return vm;
fail:
    vm_free(vm);
    return NULL;
}

void
vm_activate(struct vm *vm)
{
    arch_pt_activate(vm ? vm->root : arch_pt_kernel_root());
}

int
vm_write(struct vm *vm, uint64_t addr, const void *src, size_t len)
{
    const uint8_t *s = src;
    while (len > 0) {
        uint64_t va = ALIGN_DOWN(addr, PAGE_SIZE), pa;
        unsigned f;
        if (!arch_pt_lookup(vm->root, va, &pa, &f)) {
            struct vm_region *r = vm_find(vm, addr);
            if (!r)
                return -EFAULT;
            pa = mem_frame_alloc_zero();
            if (!pa)
                return -ENOMEM;
            if (arch_pt_map(vm->root, va, pa, pte_flags(r->prot))) {
                mem_frame_free(pa);
                return -ENOMEM;
            }
        }
        size_t n = MIN(len, PAGE_SIZE - (addr - va));
        memcpy((uint8_t *)mem_p2v(pa) + (addr - va), s, n);
        s += n;
        addr += n;
        len -= n;
    }
    return 0;
}

uint64_t
vm_find_free(struct vm *vm, uint64_t hint, uint64_t len)
{
    uint64_t a = ALIGN_UP(MAX(hint, VM_MMAP_BASE), PAGE_SIZE);
    for (struct vm_region *r = vm->regions; r; r = r->next) {
        if (r->end <= a)
            continue;
        if (r->start >= a + len)
            break;
        a = r->end;
    }
    return a + len <= VM_STACK_TOP - VM_STACK_SIZE ? a : 0;
}
