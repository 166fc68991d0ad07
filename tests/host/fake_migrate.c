/*
 * Host fake of migration's hooks in the address-space code (kernel/vm.c):
 * host tests never make an address space lazy, so a fault is never
 * migration's and a free needs no notice.
 */
#include "kernel/migrate.h"

int
migrate_lazy_fault(struct vm *vm, uint64_t va)
{
    return 1;
}

void
migrate_lazy_vm_gone(struct vm *vm)
{
}
