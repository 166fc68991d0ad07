/*
 * Address spaces: regions, demand-zero faults, copy-on-write fork, and
 * munmap/mprotect splitting, each keeping the region's commit charge
 * right (the rule is in vm.h; the node-wide counter is vm_commit.c,
 * mremap is vm_remap.c). A present page's writability is decided by
 * the page table (copy-on-write pages are mapped read-only with the COW
 * bit).
 * No locking: an address space belongs to one single-threaded process and
 * is only changed by that process's own thread (or by exec/exit of it).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/migrate.h"
#include "kernel/trap.h"
#include "kernel/vm_int.h"

unsigned
vm_pte_flags(unsigned prot)
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
    if (!vm->root || vm_charge(vm, VM_KERNEL_PAGES)) {
        if (vm->root)
            arch_pt_free(vm->root);
        kfree(vm);
        return NULL;
    }
    return vm;
}

int
vm_charge(struct vm *vm, uint64_t n)
{
    if (n == 0)
        return 0;
    int err = vm_commit_charge(n);
    if (!err)
        vm->committed += n;
    return err;
}

void
vm_uncharge(struct vm *vm, uint64_t n)
{
    ASSERT(n <= vm->committed, "an address space returns only pages it was charged");
    vm->committed -= n;
    vm_commit_uncharge(n);
}

/* Mapped pages only: a region may be huge and almost empty (mmap of
 * terabytes is lazy), so every walk goes through arch_pt_next. Returns
 * how many pages were released. */
static uint64_t
release_pages(struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t va = start, pa, n = 0;
    unsigned f;
    while (arch_pt_next(vm->root, &va, end, &pa, &f)) {
        if (arch_pt_unmap(vm->root, va, &pa)) {
            mem_frame_unref(pa);
            n++;
        }
        va += PAGE_SIZE;
    }
    return n;
}

static uint64_t
count_present(struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t va = start, pa, n = 0;
    unsigned f;
    for (; arch_pt_next(vm->root, &va, end, &pa, &f); va += PAGE_SIZE)
        n++;
    return n;
}

uint64_t
vm_resident_pages(struct vm *vm)
{
    uint64_t n = 0;
    for (struct vm_region *r = vm->regions; r; r = r->next)
        n += count_present(vm, r->start, r->end);
    return n;
}

int
vm_discard(struct vm *vm, uint64_t start, uint64_t end)
{
    uint64_t covered = start;
    for (struct vm_region *r = vm->regions; r && r->start < end; r = r->next) {
        if (r->end <= start)
            continue;
        if (r->start > covered)
            return -ENOMEM;
        uint64_t lim = MIN(r->end, end);
        uint64_t released = release_pages(vm, MAX(r->start, start), lim);
        if (r->acct == VM_ACCT_TOUCH)   /* charged page by page: a refault charges again */
            vm_uncharge(vm, released);
        covered = lim;
    }
    return covered < end ? -ENOMEM : 0;
}

/* Release r's pages and return its charge; r stays linked. */
static void
drop_region(struct vm *vm, struct vm_region *r)
{
    uint64_t released = release_pages(vm, r->start, r->end);
    if (r->acct == VM_ACCT_ALL)
        vm_uncharge(vm, (r->end - r->start) / PAGE_SIZE);
    else if (r->acct == VM_ACCT_TOUCH)
        vm_uncharge(vm, released);
    vm->mapped -= r->end - r->start;
    if (r->map)
        vm_file_drop(r);
}

void
vm_free(struct vm *vm)
{
    if (vm->mig_lazy)
        migrate_lazy_vm_gone(vm);
    struct vm_region *r = vm->regions;
    while (r) {
        struct vm_region *n = r->next;
        drop_region(vm, r);
        kfree(r);
        r = n;
    }
    /* Zero, except after a fork that failed half-way: it was charged for
     * pages it never got. */
    vm_uncharge(vm, vm->committed);
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

bool
vm_overlaps(struct vm *vm, uint64_t start, uint64_t end)
{
    for (struct vm_region *r = vm->regions; r && r->start < end; r = r->next)
        if (start < r->end)
            return true;
    return false;
}

int
vm_add_region(struct vm *vm, uint64_t start, uint64_t end, unsigned prot, unsigned acct)
{
    struct vm_region *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    n->start = start;
    n->end = end;
    n->prot = prot;
    n->acct = acct;
    struct vm_region **pp = &vm->regions;
    while (*pp && (*pp)->start < start)
        pp = &(*pp)->next;
    n->next = *pp;
    *pp = n;
    vm->mapped += end - start;
    return 0;
}

int
vm_map_flags(struct vm *vm, uint64_t start, uint64_t len, unsigned prot, unsigned flags)
{
    uint64_t end = start + len;
    if ((start | len) & (PAGE_SIZE - 1) || len == 0 || end > VM_STACK_TOP || end < start ||
        start < PAGE_SIZE)
        return -EINVAL;
    if (vm_overlaps(vm, start, end))
        return -EINVAL;
    unsigned acct = (flags & VM_MAP_NORESERVE)             ? VM_ACCT_NONE
                    : (flags & VM_MAP_TOUCH) || !(prot & VM_W) ? VM_ACCT_TOUCH
                                                               : VM_ACCT_ALL;
    uint64_t charge = acct == VM_ACCT_ALL ? len / PAGE_SIZE : 0;
    if (vm_charge(vm, charge))
        return -ENOMEM;
    int err = vm_add_region(vm, start, end, prot, acct);
    if (err)
        vm_uncharge(vm, charge);
    return err;
}

int
vm_map(struct vm *vm, uint64_t start, uint64_t len, unsigned prot)
{
    return vm_map_flags(vm, start, len, prot, 0);
}

int
vm_split_at(struct vm *vm, uint64_t addr)
{
    struct vm_region *r = vm_find(vm, addr);
    if (!r || r->start == addr)
        return 0;
    struct vm_region *n = kzalloc(sizeof(*n));
    if (!n)
        return -ENOMEM;
    *n = *r;
    n->start = addr;
    if (r->file_pa)
        n->file_pa = r->file_pa + (addr - r->start);
    if (r->map)
        vm_file_split(r, n);
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
    if (vm_split_at(vm, start) || vm_split_at(vm, end))
        return -ENOMEM;
    struct vm_region **pp = &vm->regions;
    while (*pp) {
        struct vm_region *r = *pp;
        if (r->start >= start && r->end <= end) {
            drop_region(vm, r);
            *pp = r->next;
            kfree(r);
        } else {
            pp = &r->next;
        }
    }
    return 0;
}

/* Read-only regions made writable become charged whole (Linux charges a
 * private mapping when mprotect first makes it writable); the pages they
 * already had were charged one by one. 0 or -ENOMEM, nothing changed. */
static int
charge_for_write(struct vm *vm, uint64_t start, uint64_t end, unsigned prot)
{
    uint64_t need = 0;
    if (!(prot & VM_W))
        return 0;
    for (struct vm_region *r = vm->regions; r && r->start < end; r = r->next) {
        if (r->start < start || (r->prot & VM_W) || (r->mflags & VM_FILE_SHARED))
            continue;
        if (r->acct == VM_ACCT_TOUCH)
            need += (r->end - r->start) / PAGE_SIZE - count_present(vm, r->start, r->end);
        else if (r->acct == VM_ACCT_FILE)   /* its present pages are the image's */
            need += (r->end - r->start) / PAGE_SIZE;
    }
    if (vm_charge(vm, need))
        return -ENOMEM;
    for (struct vm_region *r = vm->regions; r && r->start < end; r = r->next)
        if (r->start >= start && (r->acct == VM_ACCT_TOUCH || r->acct == VM_ACCT_FILE) &&
            !(r->prot & VM_W) && !(r->mflags & VM_FILE_SHARED))
            r->acct = VM_ACCT_ALL;
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
        if ((prot & VM_W) && (r->mflags & VM_FILE_SHARED) && !(r->mflags & VM_FILE_MAYWRITE))
            return -EACCES;  /* a shared mapping of a file not open for writing */
        a = r->end;
    }
    if (vm_split_at(vm, start) || vm_split_at(vm, end))
        return -ENOMEM;
    if (charge_for_write(vm, start, end, prot))
        return -ENOMEM;
    for (struct vm_region *r = vm->regions; r; r = r->next) {
        if (r->start < start || r->end > end)
            continue;
        r->prot = prot;
        uint64_t pa, va = r->start;
        unsigned f;
        for (; arch_pt_next(vm->root, &va, r->end, &pa, &f); va += PAGE_SIZE) {
            unsigned nf = vm_pte_flags(prot);
            if (r->mflags & VM_FILE_SHARED)
                nf &= ~ARCH_PTE_W;   /* the next store marks the page dirty */
            else if ((f & ARCH_PTE_COW) && (prot & VM_W))
                nf = (nf & ~ARCH_PTE_W) | ARCH_PTE_COW;  /* still shared: copy on write */
            else if (f & ARCH_PTE_COW)
                nf |= ARCH_PTE_COW;
            if (arch_pt_map(vm->root, va, pa, nf))
                return -ENOMEM;
        }
    }
    return 0;
}

/* Give va a private writable frame (copy-on-write break). The page was
 * charged already (or its region is not charged), so only the frame can
 * be missing: -ENOMEM. */
static int
break_cow(struct vm *vm, uint64_t va, uint64_t pa, unsigned prot)
{
    if (mem_frame_refcount(pa) == 1)
        return arch_pt_map(vm->root, va, pa, vm_pte_flags(prot));
    uint64_t copy = mem_frame_alloc();
    if (!copy)
        return -ENOMEM;
    memcpy(mem_p2v(copy), mem_p2v(pa), PAGE_SIZE);
    int err = arch_pt_map(vm->root, va, copy, vm_pte_flags(prot));
    if (err) {
        mem_frame_free(copy);
        return err;
    }
    mem_frame_unref(pa);
    return 0;
}

/* A zeroed page for va in region r, charged when r is charged by touch.
 * Its frame in *pa; 0 or -ENOMEM. */
static int
fill_page(struct vm *vm, struct vm_region *r, uint64_t va, uint64_t *pa)
{
    uint64_t charge = r->acct == VM_ACCT_TOUCH ? 1 : 0;
    if (vm_charge(vm, charge))
        return -ENOMEM;
    *pa = mem_frame_alloc_zero();
    if (*pa && arch_pt_map(vm->root, va, *pa, vm_pte_flags(r->prot)) == 0)
        return 0;
    if (*pa)
        mem_frame_free(*pa);
    vm_uncharge(vm, charge);
    return -ENOMEM;
}

/* Map the image's frame for va in file-backed region r, read-only with
 * the COW bit. Its frame in *pa; 0 or -ENOMEM (no page table). */
static int
map_file_page(struct vm *vm, struct vm_region *r, uint64_t va, uint64_t *pa)
{
    *pa = r->file_pa + (va - r->start);
    unsigned f = (vm_pte_flags(r->prot) & ~ARCH_PTE_W) | ARCH_PTE_COW;
    if (arch_pt_map(vm->root, va, *pa, f))
        return -ENOMEM;
    mem_frame_ref(*pa);
    return 0;
}

/* An absent page of r at va made present: the image's or a zeroed one. */
static int
absent_page(struct vm *vm, struct vm_region *r, uint64_t va, unsigned access, uint64_t *pa)
{
    if (r->map)
        return vm_file_fault(vm, r, va, access, pa);
    return r->file_pa ? map_file_page(vm, r, va, pa) : fill_page(vm, r, va, pa);
}

/* Pages of r that are copied on their first store. */
static bool
cow_region(const struct vm_region *r)
{
    return r->file_pa || (r->map && !(r->mflags & VM_FILE_SHARED));
}

int
vm_map_file(struct vm *vm, uint64_t start, uint64_t len, unsigned prot, uint64_t pa)
{
    if (!pa || (pa & (PAGE_SIZE - 1)))
        return -EINVAL;
    int err = vm_map(vm, start, len, prot);
    if (err)
        return err;
    struct vm_region *r = vm_find(vm, start);
    r->file_pa = pa;
    if (r->acct == VM_ACCT_TOUCH)
        r->acct = VM_ACCT_FILE;
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
            return break_cow(vm, va, pa, r->prot) ? -ENOMEM : 0;
        if ((access & TRAP_WRITE) && !(f & ARCH_PTE_W) && (r->mflags & VM_FILE_SHARED))
            return vm_file_write_fault(vm, r, va, pa) ? -ENOMEM : 0;
        /* Present and permitted: another thread's fix or a stale TLB entry. */
        arch_tlb_flush_page(va);
        return (access & TRAP_WRITE) && !(f & ARCH_PTE_W) ? -EFAULT : 0;
    }
    if (vm->mig_lazy) {        /* a lazy migration's page may be at the source */
        int lerr = migrate_lazy_fault(vm, va);
        if (lerr <= 0)
            return lerr;
    }
    int err = absent_page(vm, r, va, access, &pa);
    if (err || !(access & TRAP_WRITE) || !cow_region(r))
        return err;
    return break_cow(vm, va, pa, r->prot) ? -ENOMEM : 0;
}

/* The child's regions and page-table entries, its charge already taken.
 * A read-only program image's entries are not copied (most children exec
 * at once; copying and then dropping them costs more than faulting in
 * the few a child uses). */
static int
fork_copy(struct vm *vm, struct vm *parent)
{
    for (struct vm_region *r = parent->regions; r; r = r->next) {
        if (vm_add_region(vm, r->start, r->end, r->prot, r->acct))
            return -ENOMEM;
        vm_find(vm, r->start)->file_pa = r->file_pa;
        if (r->map)     /* shared ones are VM_ACCT_FILE: the child faults them in */
            vm_file_copy(vm_find(vm, r->start), r);
        if (r->acct == VM_ACCT_FILE)
            continue;   /* the image's pages: the child faults in those it uses */
        uint64_t pa, va = r->start;
        unsigned f;
        for (; arch_pt_next(parent->root, &va, r->end, &pa, &f); va += PAGE_SIZE) {
            if (f & (ARCH_PTE_W | ARCH_PTE_COW)) {
                f = (f & ~ARCH_PTE_W) | ARCH_PTE_COW;
                if (arch_pt_map(parent->root, va, pa, f))
                    return -ENOMEM;
            }
            if (arch_pt_map(vm->root, va, pa, f))
                return -ENOMEM;
            mem_frame_ref(pa);
        }
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
    /* The child owns a copy of every charged page (shared only until
     * written), so it is charged exactly what the parent is (vm_new has
     * charged the kernel's share). */
    if (vm_charge(vm, parent->committed - VM_KERNEL_PAGES) || fork_copy(vm, parent)) {
        vm_free(vm);
        return NULL;
    }
    return vm;
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
        struct vm_region *r = vm_find(vm, addr);
        /* A read-only image's pages stay the image's (fork does not copy them). */
        if (!r || r->acct == VM_ACCT_FILE)
            return -EFAULT;
        if (!arch_pt_lookup(vm->root, va, &pa, &f)) {
            if (absent_page(vm, r, va, TRAP_WRITE, &pa))
                return -ENOMEM;
            f = cow_region(r) ? ARCH_PTE_COW : 0;
        }
        /* The kernel writes for the process: never to a shared frame. */
        if ((f & ARCH_PTE_COW) &&
            (break_cow(vm, va, pa, r->prot) || !arch_pt_lookup(vm->root, va, &pa, &f)))
            return -ENOMEM;
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
