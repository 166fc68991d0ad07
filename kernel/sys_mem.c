/*
 * Memory system calls: brk, mmap (anonymous, and of files: kernel/vm_file.c
 * and fs/fs_mmap.c), munmap, mprotect, mremap, msync, and
 * arch_prctl (the FS base musl uses for TLS). Always served where the
 * process runs (its memory is there). Each mapping is charged against the
 * node's commit limit by kernel/vm.c: brk, mmap and mremap fail with
 * ENOMEM (brk: returns the old break) when the node cannot back them.
 * madvise is sys_madvise.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"
#include "fs/fs.h"

#define MAP_SHARED    0x01
#define MAP_PRIVATE   0x02
#define MAP_FIXED     0x10
#define MAP_ANONYMOUS 0x20
#define MAP_NORESERVE 0x4000
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

/* Where a mapping of len bytes goes: addr with MAP_FIXED (what was there
 * is unmapped), else a free range at or above the hint. 0 with *at set, or
 * -errno. */
static int
place(struct vm *vm, uint64_t addr, uint64_t len, int flags, uint64_t *at)
{
    if (flags & MAP_FIXED) {
        if (addr & (PAGE_SIZE - 1) || addr < PAGE_SIZE || addr + len > VM_STACK_TOP ||
            addr + len < addr)
            return -EINVAL;
        *at = addr;
        return vm_unmap(vm, addr, len);
    }
    *at = vm_find_free(vm, addr, len);
    return *at ? 0 : -ENOMEM;
}

/* mmap of fd at page-aligned off. */
static long
map_file(struct vm *vm, uint64_t addr, uint64_t len, int prot, int flags, int fd, long off)
{
    bool shared = flags & MAP_SHARED;
    struct fs_map *m;
    bool maywrite;
    uint64_t at;
    if (off < 0 || (off & (PAGE_SIZE - 1)) || (uint64_t)off + len < (uint64_t)off)
        return -EINVAL;
    int err = fs_map_fd(fd, shared && (prot & VM_W) ? FS_MAP_WRITE : 0, &m, &maywrite);
    if (err)
        return err;
    err = place(vm, addr, len, flags, &at);
    if (!err)
        err = vm_map_fmap(vm, at, len, (unsigned)prot, m, (uint64_t)off / PAGE_SIZE,
                          (shared ? VM_FILE_SHARED : 0) | (maywrite ? VM_FILE_MAYWRITE : 0));
    fs_map_put(m);      /* the mapping holds its own reference */
    if (err == -EINVAL && !(flags & MAP_FIXED))
        err = -ENOMEM;
    return err ? err : (long)at;
}

long
sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, long off)
{
    struct vm *vm = proc_vm(proc_current());
    if (len == 0 || len > VM_STACK_TOP || (prot & ~PROT_MASK))
        return -EINVAL;
    if (!(flags & (MAP_SHARED | MAP_PRIVATE)))
        return -EINVAL;
    len = ALIGN_UP(len, PAGE_SIZE);
    if (!(flags & MAP_ANONYMOUS))
        return map_file(vm, addr, len, prot, flags, fd, off);
    unsigned vflags = (flags & MAP_NORESERVE) ? VM_MAP_NORESERVE : 0;
    if (flags & MAP_FIXED) {
        if (addr & (PAGE_SIZE - 1) || addr < PAGE_SIZE || addr + len > VM_STACK_TOP ||
            addr + len < addr)
            return -EINVAL;
        int err = vm_unmap(vm, addr, len);
        if (!err)
            err = vm_map_flags(vm, addr, len, (unsigned)prot, vflags);
        return err ? err : (long)addr;
    }
    uint64_t a = vm_find_free(vm, addr, len);
    if (!a)
        return -ENOMEM;
    int err = vm_map_flags(vm, a, len, (unsigned)prot, vflags);
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
sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, unsigned int flags, uint64_t new_addr)
{
    return vm_remap(proc_vm(proc_current()), old, old_len, new_len, (unsigned)flags, new_addr);
}

#define MS_ASYNC      1
#define MS_INVALIDATE 2
#define MS_SYNC       4

/* Shared file pages go back to the file now with either flag (MS_SYNC also
 * makes the file durable); MS_INVALIDATE has nothing to do: mappings of a
 * file on one node share its frames. */
long
sys_msync(uint64_t addr, uint64_t len, int flags)
{
    if ((addr & (PAGE_SIZE - 1)) || (flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC)) ||
        ((flags & MS_ASYNC) && (flags & MS_SYNC)) || addr + len < addr)
        return -EINVAL;
    if (len == 0)
        return 0;
    return vm_sync(proc_vm(proc_current()), addr, len, (flags & MS_SYNC) != 0);
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
