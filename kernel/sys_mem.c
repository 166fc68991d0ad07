/*
 * Memory system calls: brk, anonymous mmap, munmap, mprotect, and
 * arch_prctl (the FS base musl uses for TLS). Always served where the
 * process runs (its memory is there). madvise is sys_madvise.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define PROT_MASK     7
#define HEAP_MAX      (1ull << 40)

long
sys_brk(uint64_t addr)
{
    struct vm *vm = proc_vm(proc_current());
    uint64_t old_end = ALIGN_UP(vm->brk, PAGE_SIZE);
    if (addr < vm->brk_start || addr > vm->brk_start + HEAP_MAX)
        return (long)vm->brk;
    uint64_t new_end = ALIGN_UP(addr, PAGE_SIZE);
    if (new_end > old_end) {
        if (vm_map(vm, old_end, new_end - old_end, VM_R | VM_W))
            return (long)vm->brk;
    } else if (new_end < old_end) {
        if (vm_unmap(vm, new_end, old_end - new_end))
            return (long)vm->brk;
    }
    vm->brk = addr;
    return (long)addr;
}

long
sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, long off)
{
    struct vm *vm = proc_vm(proc_current());
    if (len == 0 || len > VM_STACK_TOP || (prot & ~PROT_MASK))
        return -EINVAL;
    if (!(flags & (MAP_SHARED | MAP_PRIVATE)))
        return -EINVAL;
    if (!(flags & MAP_ANONYMOUS))
        return -ENODEV;  /* file-backed mappings come with the file system */
    len = ALIGN_UP(len, PAGE_SIZE);
    if (flags & MAP_FIXED) {
        if (addr & (PAGE_SIZE - 1) || addr < PAGE_SIZE || addr + len > VM_STACK_TOP ||
            addr + len < addr)
            return -EINVAL;
        int err = vm_unmap(vm, addr, len);
        if (!err)
            err = vm_map(vm, addr, len, (unsigned)prot);
        return err ? err : (long)addr;
    }
    uint64_t a = vm_find_free(vm, addr, len);
    if (!a)
        return -ENOMEM;
    int err = vm_map(vm, a, len, (unsigned)prot);
    return err ? (err == -EINVAL ? -ENOMEM : err) : (long)a;
}

long
sys_munmap(uint64_t addr, uint64_t len)
{
    if (len == 0)
        return -EINVAL;
    return vm_unmap(proc_vm(proc_current()), addr, len);
}

long
sys_mprotect(uint64_t addr, uint64_t len, int prot)
{
    if (prot & ~PROT_MASK)
        return -EINVAL;
    if (len == 0)
        return addr & (PAGE_SIZE - 1) ? -EINVAL : 0;
    return vm_protect(proc_vm(proc_current()), addr, len, (unsigned)prot);
}

#define ARCH_SET_FS 0x1002
#define ARCH_GET_FS 0x1003

long
sys_arch_prctl(int code, uint64_t addr)
{
    struct thread *t = sched_current();
    if (code == ARCH_SET_FS) {
        if (addr >= ARCH_USER_TOP)
            return -EPERM;
        arch_set_fs_base(&t->ctx, addr);
        return 0;
    }
    if (code == ARCH_GET_FS)
        return copyout(addr, &t->ctx.fs_base, sizeof(uint64_t));
    return -EINVAL;
}
