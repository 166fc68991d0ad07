/*
 * File mappings in an address space (mmap of a file, and exec's
 * demand-loaded segments): regions whose pages come from the file's map
 * on this node (fs/fs_mmap.c, one frame per file page, shared by every
 * mapping of the file here). A private mapping maps those frames
 * read-only with the COW bit, so its first store copies the page; a
 * shared one maps them read-only until the first store, which marks the
 * page dirty in the map and makes it writable, so msync, munmap, exit
 * and fsync know what to write back. Faults past the end of the file
 * give -ENXIO (the trap turns it into SIGBUS). The rest of the
 * address-space code (regions, splits, fork) is vm.c; docs/memory.md
 * "File mappings" has the rules.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/trap.h"
#include "kernel/vm_int.h"
#include "fs/fs.h"

static uint64_t
page_of(const struct vm_region *r, uint64_t va)
{
    return r->pgoff + (va - r->start) / PAGE_SIZE;
}

int
vm_map_fmap(struct vm *vm, uint64_t start, uint64_t len, unsigned prot, struct fs_map *m,
            uint64_t pgoff, unsigned mflags)
{
    bool shared = mflags & VM_FILE_SHARED;
    if (!m || pgoff > (1ull << 40))
        return -EINVAL;
    /* Shared pages are the file's: mapped uncharged (as read-only), then
     * given their protection. */
    int err = vm_map(vm, start, len, shared ? prot & ~VM_W : prot);
    if (err)
        return err;
    struct vm_region *r = vm_find(vm, start);
    r->prot = prot;
    if (r->acct == VM_ACCT_TOUCH)
        r->acct = VM_ACCT_FILE;
    r->map = m;
    r->pgoff = pgoff;
    r->mflags = mflags;
    fs_map_ref(m);
    return 0;
}

int
vm_file_fault(struct vm *vm, struct vm_region *r, uint64_t va, unsigned access, uint64_t *pa)
{
    int err = fs_map_page(r->map, page_of(r, va), pa);
    if (err)
        return err;
    unsigned f = vm_pte_flags(r->prot) & ~ARCH_PTE_W;
    if (!(r->mflags & VM_FILE_SHARED))
        f |= ARCH_PTE_COW;      /* private: the first store copies */
    else if ((access & TRAP_WRITE) && (r->prot & VM_W)) {
        fs_map_dirty(r->map, page_of(r, va));
        f |= ARCH_PTE_W;
    }
    if (arch_pt_map(vm->root, va, *pa, f)) {
        mem_frame_unref(*pa);
        return -ENOMEM;
    }
    return 0;
}

int
vm_file_write_fault(struct vm *vm, struct vm_region *r, uint64_t va, uint64_t pa)
{
    fs_map_dirty(r->map, page_of(r, va));
    return arch_pt_map(vm->root, va, pa, vm_pte_flags(r->prot));
}

void
vm_file_split(struct vm_region *r, struct vm_region *n)
{
    n->pgoff = r->pgoff + (n->start - r->start) / PAGE_SIZE;
    fs_map_ref(n->map);
}

void
vm_file_copy(struct vm_region *dst, const struct vm_region *src)
{
    dst->map = src->map;
    dst->pgoff = src->pgoff;
    dst->mflags = src->mflags;
    fs_map_ref(dst->map);
}

void
vm_file_drop(struct vm_region *r)
{
    if ((r->mflags & VM_FILE_SHARED) && (r->prot & VM_W))
        (void)fs_map_sync(r->map, r->pgoff, page_of(r, r->end), false);
    fs_map_put(r->map);
    r->map = NULL;
}

int
vm_sync(struct vm *vm, uint64_t start, uint64_t len, bool durable)
{
    uint64_t end = start + ALIGN_UP(len, PAGE_SIZE), covered = start;
    int err = 0;
    for (struct vm_region *r = vm->regions; r && r->start < end; r = r->next) {
        if (r->end <= start)
            continue;
        if (r->start > covered)
            return -ENOMEM;
        covered = MIN(r->end, end);
        if (!r->map || !(r->mflags & VM_FILE_SHARED))
            continue;
        uint64_t lo = MAX(r->start, start);
        int e = fs_map_sync(r->map, page_of(r, lo), page_of(r, covered), durable);
        if (e && !err)
            err = e;
    }
    return covered < end ? -ENOMEM : err;
}

/* Read in every absent page of private file region r (past EOF: left
 * absent, a zero page at the target). */
static int
fill_region(struct vm *vm, struct vm_region *r)
{
    for (uint64_t va = r->start; va < r->end; va += PAGE_SIZE) {
        uint64_t pa;
        if (arch_pt_lookup(vm->root, va, &pa, NULL))
            continue;
        int err = vm_file_fault(vm, r, va, 0, &pa);
        if (err == -ENXIO)
            break;
        if (err)
            return err;
    }
    return 0;
}

int
vm_file_mig_prepare(struct vm *vm)
{
    for (struct vm_region *r = vm->regions; r; r = r->next)
        if (r->map && (r->mflags & VM_FILE_SHARED) && (r->prot & VM_W))
            return -EOPNOTSUPP;
    for (struct vm_region *r = vm->regions; r; r = r->next) {
        int err = r->map ? fill_region(vm, r) : 0;
        if (err)
            return err;
    }
    return 0;
}
