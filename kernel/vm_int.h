/*
 * Interfaces shared inside the vm module only (vm.c, vm_remap.c,
 * vm_commit.c, vm_oom.c); other modules use kernel/vm.h.
 */
#pragma once
#include "kernel/vm.h"

/* Make a region boundary at addr (split the region containing it).
 * 0 or -ENOMEM. */
int vm_split_at(struct vm *vm, uint64_t addr);
/* True when some region overlaps [start, end). */
bool vm_overlaps(struct vm *vm, uint64_t start, uint64_t end);
/* Charge n pages to vm and the node: 0 or -ENOMEM. */
int vm_charge(struct vm *vm, uint64_t n);
/* Return n of vm's charged pages. */
void vm_uncharge(struct vm *vm, uint64_t n);
/* The page-table flags for prot. */
unsigned vm_pte_flags(unsigned prot);
/* Link a new region [start, end) in address order; charges nothing, checks
 * nothing. 0 or -ENOMEM. */
int vm_add_region(struct vm *vm, uint64_t start, uint64_t end, unsigned prot, unsigned acct);

/* vm_file.c: file mappings' side of faults, splits, fork and unmap. */
/* The absent page va of file region r made present (read in when
 * needed); *pa its frame. 0, -ENXIO (past EOF: SIGBUS), -ENOMEM. */
int vm_file_fault(struct vm *vm, struct vm_region *r, uint64_t va, unsigned access,
                  uint64_t *pa);
/* A store to present, write-protected page va of a shared file region:
 * marked dirty and made writable. 0 or -ENOMEM. */
int vm_file_write_fault(struct vm *vm, struct vm_region *r, uint64_t va, uint64_t pa);
/* n was split off r (n->start inside r's old range): its own reference. */
void vm_file_split(struct vm_region *r, struct vm_region *n);
/* dst is fork's copy of src: the same file pages, its own reference. */
void vm_file_copy(struct vm_region *dst, const struct vm_region *src);
/* r goes away (its pages already released): write back, drop the map. */
void vm_file_drop(struct vm_region *r);
/* Before migration: every page of each private file mapping read in (they
 * travel as anonymous pages). 0, -EOPNOTSUPP (a writable MAP_SHARED mapping:
 * it cannot move), -ENOMEM. Sleeps. */
int vm_file_mig_prepare(struct vm *vm);
