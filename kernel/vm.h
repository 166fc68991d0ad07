/*
 * User address spaces: a page-table root plus a sorted list of regions
 * (anonymous memory: ELF segments are copied in at exec, the heap, the
 * stack, mmap). Pages are faulted in on demand (zero-filled) and shared
 * copy-on-write after fork. The page-table format is arch's.
 */
#pragma once
#include "kernel/compiler.h"

enum { VM_R = 1, VM_W = 2, VM_X = 4 };

#define VM_STACK_TOP   0x00007ffffffff000ull
#define VM_STACK_SIZE  (8ull << 20)
#define VM_MMAP_BASE   0x0000100000000000ull

struct vm_region {
    uint64_t start, end;       /* page-aligned, [start, end) */
    unsigned prot;             /* VM_R | VM_W | VM_X */
    struct vm_region *next;
};

struct vm {
    uint64_t root;             /* page-table root (physical) */
    struct vm_region *regions; /* sorted, non-overlapping */
    uint64_t brk_start, brk;   /* heap: [brk_start, ALIGN_UP(brk)) */
    uint64_t mapped;           /* bytes in regions */
};

struct vm *vm_new(void);                   /* NULL when out of memory */
void vm_free(struct vm *vm);
/* Copy for fork: regions duplicated, pages shared copy-on-write. */
struct vm *vm_fork(struct vm *parent);
void vm_activate(struct vm *vm);
/* Add a region; it must not overlap. 0, -EINVAL, -ENOMEM. */
MUST_CHECK int vm_map(struct vm *vm, uint64_t start, uint64_t len, unsigned prot);
/* Remove [start, start+len): regions are split, pages released. */
MUST_CHECK int vm_unmap(struct vm *vm, uint64_t start, uint64_t len);
MUST_CHECK int vm_protect(struct vm *vm, uint64_t start, uint64_t len, unsigned prot);
/* Resolve a fault at addr; access is TRAP_WRITE/TRAP_EXEC bits. 0 or -EFAULT. */
MUST_CHECK int vm_fault(struct vm *vm, uint64_t addr, unsigned access);
/* Write len bytes at user address addr of vm (not necessarily the active
 * one), faulting pages in; used by exec to fill a new image. 0 or -EFAULT/-ENOMEM. */
MUST_CHECK int vm_write(struct vm *vm, uint64_t addr, const void *src, size_t len);
/* A free range of len bytes at or above hint. 0 when none. */
uint64_t vm_find_free(struct vm *vm, uint64_t hint, uint64_t len);
struct vm_region *vm_find(struct vm *vm, uint64_t addr);
