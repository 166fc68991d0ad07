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
