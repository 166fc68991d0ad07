/*
 * execve and the first process: get the program from fs/ (an initrd
 * program as its shared page image, fs_exec_image: whole file pages are
 * mapped from it, read-only or copy-on-write, and faulted in as touched;
 * other files are demand-loaded: their whole file pages become private
 * file mappings, fs_exec_open and kernel/vm_file.c, read through the file
 * system, for /shared through its block cache, as they are touched; a file
 * whose headers or segments do not allow that is read whole and copied),
 * validate it
 * (kernel/elf.c), build a new address space with its segments, heap and a
 * System V stack (argc, argv, envp, auxv), and swap it in only when
 * everything has succeeded, so a failed exec leaves the caller intact.
 */
#include "fs/fs.h"
#include "kernel/arch.h"
#include "kernel/elf.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"

#define EXEC_ARG_MAX   (128 * 1024)   /* bytes of argv + envp strings */
#define EXEC_ARGC_MAX  1024
#define EXEC_PATH_MAX  4096

enum { AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_BASE = 7,
       AT_FLAGS = 8, AT_ENTRY = 9, AT_UID = 11, AT_EUID = 12, AT_GID = 13, AT_EGID = 14,
       AT_HWCAP = 16, AT_CLKTCK = 17, AT_SECURE = 23, AT_RANDOM = 25, AT_EXECFN = 31 };

static unsigned
seg_prot(const struct elf_seg *s)
{
    return ((s->prot & ELF_PROT_R) ? VM_R : 0) | ((s->prot & ELF_PROT_W) ? VM_W : 0) |
           ((s->prot & ELF_PROT_X) ? VM_X : 0);
}

/* The end of s's pages that can map the image itself: those whose part
 * of s is all file bytes and that no later segment shares (next_lo: the
 * next segment's first page, or ~0). */
static uint64_t
file_end(const struct elf_seg *s, uint64_t start, uint64_t end, uint64_t next_lo)
{
    uint64_t fend = s->memsz == s->filesz ? end : ALIGN_DOWN(s->vaddr + s->filesz, PAGE_SIZE);
    fend = MIN(fend, next_lo);
    return fend > start ? fend : start;
}

/* Where the program's bytes are: all of them in memory at img (an initrd
 * page image at img_pa, or a copy), or in the file behind map. */
struct exec_src {
    const uint8_t *img;
    uint64_t img_pa;
    struct fs_map *map;
    char exe[PROC_EXE_MAX];     /* the program's path, "" unknown */
};

/* Copy n file bytes from off to user address addr of vm. */
static int
copy_bytes(struct vm *vm, const struct exec_src *src, uint64_t addr, uint64_t off, uint64_t n)
{
    if (src->img)
        return vm_write(vm, addr, src->img + off, n);
    uint8_t *buf = kmalloc(PAGE_SIZE);
    int err = buf ? 0 : -ENOMEM;
    while (!err && n > 0) {
        long r = fs_map_read(src->map, buf, MIN(n, (uint64_t)PAGE_SIZE), off);
        if (r <= 0)
            err = r < 0 ? (int)r : -EIO;
        else
            err = vm_write(vm, addr, buf, (size_t)r);
        if (r > 0) {
            addr += (uint64_t)r;
            off += (uint64_t)r;
            n -= (uint64_t)r;
        }
    }
    kfree(buf);
    return err;
}

/* The end of s's pages in [start, end) mapped straight from the program's
 * pages (start when none can be). */
static uint64_t
mapped_end(const struct exec_src *src, const struct elf_seg *s, uint64_t start, uint64_t end,
           uint64_t next_lo)
{
    if (src->img_pa)
        return file_end(s, start, end, next_lo);
    if (src->map && (s->offset % PAGE_SIZE) == (s->vaddr % PAGE_SIZE))
        return file_end(s, start, end, next_lo);
    return start;
}

/* Map segment s over [start, end): its whole file pages from the program's
 * pages (the initrd image's frames shared, or a private file mapping), the
 * rest anonymous with the file bytes copied in. */
static int
load_segment(struct vm *vm, const struct exec_src *src, const struct elf_seg *s,
             uint64_t start, uint64_t end, uint64_t next_lo)
{
    uint64_t fend = mapped_end(src, s, start, end, next_lo);
    uint64_t foff = s->offset - (s->vaddr - start);   /* page-aligned when fend > start */
    int err = 0;
    if (fend > start && src->img_pa)
        err = vm_map_file(vm, start, fend - start, seg_prot(s), src->img_pa + foff);
    else if (fend > start)
        err = vm_map_fmap(vm, start, fend - start, seg_prot(s), src->map, foff / PAGE_SIZE, 0);
    if (!err && fend < end)
        err = vm_map(vm, fend, end - fend, seg_prot(s));
    uint64_t from = MAX(fend, s->vaddr);   /* file bytes not in the mapped pages */
    if (!err && s->vaddr + s->filesz > from)
        err = copy_bytes(vm, src, from, s->offset + (from - s->vaddr),
                         s->vaddr + s->filesz - from);
    return err;
}

static int
load_segments(struct vm *vm, const struct exec_src *src, const struct elf_info *ei)
{
    uint64_t mapped_end = 0;
    for (int i = 0; i < ei->nsegs; i++) {
        const struct elf_seg *s = &ei->segs[i];
        uint64_t start = ALIGN_DOWN(s->vaddr, PAGE_SIZE);
        uint64_t end = ALIGN_UP(s->vaddr + s->memsz, PAGE_SIZE);
        uint64_t next_lo = i + 1 < ei->nsegs ? ALIGN_DOWN(ei->segs[i + 1].vaddr, PAGE_SIZE)
                                             : ~0ull;
        if (start < mapped_end) {
            /* The page is shared with the previous segment: copy into it. */
            if (s->filesz) {
                uint64_t n = MIN(s->filesz, mapped_end - s->vaddr);
                int err = copy_bytes(vm, src, s->vaddr, s->offset, n);
                if (err)
                    return err;
            }
            start = mapped_end;
        }
        if (start < end) {
            int err = load_segment(vm, src, s, start, end, next_lo);
            if (err)
                return err;
            mapped_end = end;
        }
    }
    /* A page shared by two segments gets the union of their permissions. */
    for (uint64_t va = ei->lo; va < ei->hi; va += PAGE_SIZE) {
        unsigned prot = 0;
        int n = 0;
        for (int i = 0; i < ei->nsegs; i++) {
            const struct elf_seg *s = &ei->segs[i];
            if (va + PAGE_SIZE > s->vaddr && va < s->vaddr + s->memsz) {
                prot |= seg_prot(s);
                n++;
            }
        }
        uint64_t pa;
        if (n > 1 && arch_pt_lookup(vm->root, va, &pa, NULL)) {
            unsigned f = ARCH_PTE_U | ((prot & VM_W) ? ARCH_PTE_W : 0) |
                         ((prot & VM_X) ? ARCH_PTE_X : 0);
            int err = arch_pt_map(vm->root, va, pa, f);
            if (err)
                return err;
            struct vm_region *r = vm_find(vm, va);
            if (r)
                r->prot |= prot;
        }
    }
    return 0;
}

/* Lay out strings, pointers and auxv below VM_STACK_TOP. */
static int
build_stack(struct vm *vm, const struct elf_info *ei, char *const argv[], int argc,
            char *const envp[], int envc, uint64_t *sp_out)
{
    uint64_t sp = VM_STACK_TOP;
    uint64_t *ptrs = kmalloc((argc + envc + 2) * sizeof(uint64_t));
    int err = 0;
    if (!ptrs)
        return -ENOMEM;
    for (int i = argc + envc - 1; i >= 0; i--) {
        const char *s = i < argc ? argv[i] : envp[i - argc];
        size_t n = strlen(s) + 1;
        sp -= n;
        if ((err = vm_write(vm, sp, s, n)))
            goto out;
        ptrs[i < argc ? i : i + 1] = sp;
    }
    ptrs[argc] = 0;
    ptrs[argc + envc + 1] = 0;
    uint64_t rnd[2] = { arch_cycles() * 0x9e3779b97f4a7c15ull, arch_time_ns() ^ 0x5bd1e995ull };
    sp = ALIGN_DOWN(sp - 16, 16);
    uint64_t random_at = sp;
    if ((err = vm_write(vm, sp, rnd, sizeof(rnd))))
        goto out;
    uint64_t aux[] = { AT_PHDR, ei->phdr_vaddr, AT_PHENT, ei->phentsize, AT_PHNUM, ei->phnum,
                       AT_PAGESZ, PAGE_SIZE, AT_BASE, 0, AT_FLAGS, 0, AT_ENTRY, ei->entry,
                       AT_UID, 0, AT_EUID, 0, AT_GID, 0, AT_EGID, 0, AT_CLKTCK, 100,
                       AT_SECURE, 0, AT_RANDOM, random_at, AT_NULL, 0 };
    size_t words = 1 + (argc + 1) + (envc + 1) + ARRAY_SIZE(aux);
    sp = ALIGN_DOWN(sp - words * 8, 16);
    uint64_t argc64 = (uint64_t)argc, at = sp;
    if ((err = vm_write(vm, at, &argc64, 8)))
        goto out;
    at += 8;
    if ((err = vm_write(vm, at, ptrs, (argc + envc + 2) * 8)))
        goto out;
    at += (argc + envc + 2) * 8;
    err = vm_write(vm, at, aux, sizeof(aux));
    *sp_out = sp;
out:
    kfree(ptrs);
    return err;
}

/* The headers of a demand-loaded program: its first page into *buf (a
 * kmalloc'd page). 0, -EOPNOTSUPP (the program headers are not in it: the
 * caller reads the file whole) or -errno. */
static int
read_headers(struct fs_map *map, uint64_t size, void **buf)
{
    uint8_t *b = kzalloc(PAGE_SIZE);
    if (!b)
        return -ENOMEM;
    long got = fs_map_read(map, b, (size_t)MIN(size, (uint64_t)PAGE_SIZE), 0);
    uint64_t phoff, phnum = 0;
    memcpy(&phoff, b + 32, 8);                /* e_phoff */
    memcpy(&phnum, b + 56, 2);                /* e_phnum */
    if (got >= 0 && (got < 64 || phoff > (uint64_t)got || phnum * 56 > (uint64_t)got - phoff)) {
        kfree(b);
        return -EOPNOTSUPP;
    }
    if (got < 0) {
        kfree(b);
        return (int)got;
    }
    *buf = b;
    return 0;
}

/* Get the program at path: its initrd page image, else its file map and
 * headers, else (-EOPNOTSUPP from both) the whole file in *buf. *hdr is
 * what elf_parse reads, *len the file's size. */
static int
exec_open(struct proc *p, const char *path, struct exec_src *src, void **buf, const void **hdr,
          size_t *len)
{
    uint64_t size = 0;
    int err = fs_exec_open(p->fs, path, &src->img_pa, &src->map, &size, src->exe,
                           sizeof(src->exe));
    if (!err && !src->map) {
        src->img = mem_p2v(src->img_pa);
        *hdr = src->img;
        *len = (size_t)size;
        return 0;
    }
    if (!err) {
        err = read_headers(src->map, size, buf);
        if (!err) {
            *hdr = *buf;
            *len = (size_t)size;
            return 0;
        }
        fs_map_put(src->map);
        src->map = NULL;
    }
    if (err == -EOPNOTSUPP && (err = fs_read_file(p->fs, path, true, buf, len)) == 0)
        *hdr = src->img = *buf;
    return err;
}

int
proc_exec_image(struct proc *p, const char *path, char *const argv[], int argc,
                char *const envp[], int envc, struct arch_regs *regs)
{
    void *buf = NULL;
    const void *hdr = NULL;
    struct exec_src src = { 0 };
    size_t len;
    struct elf_info ei;
    const char *why = NULL;
    uint64_t sp;

    int err = exec_open(p, path, &src, &buf, &hdr, &len);
    if (err)
        return err;
    err = elf_parse(hdr, len, VM_STACK_TOP - VM_STACK_SIZE, &ei, &why);
    struct vm *vm = err ? NULL : vm_new();
    if (err)
        kprintf("wisp: exec %s: not a runnable program: %s\n", path, why ? why : "?");
    else if (!vm)
        err = -ENOMEM;
    if (!err)
        err = load_segments(vm, &src, &ei);
    kfree(buf);
    if (src.map)
        fs_map_put(src.map);      /* the segments' mappings hold their own */
    if (err && !vm)
        return err;
    if (!err)
        err = vm_map_flags(vm, VM_STACK_TOP - VM_STACK_SIZE, VM_STACK_SIZE, VM_R | VM_W,
                           VM_MAP_TOUCH);   /* charged as it grows, as Linux's stack */
    if (!err)
        err = build_stack(vm, &ei, argv, argc, envp, envc, &sp);
    if (err) {
        vm_free(vm);
        return err == -EINVAL ? -ENOEXEC : err;
    }
    vm->brk_start = vm->brk = ei.hi;

    /* Commit: nothing below can fail. */
    struct vm *old = p->vm;
    p->vm = vm;
    if (p->thread)
        p->thread->pt_root = vm->root;
    vm_activate(vm);
    if (old)
        vm_free(old);
    proc_exe_set(p, path, src.exe);
    proc_name_set(p, path, argv, argc);
    p->did_exec = true;   /* the parent's setpgid on it now fails with EACCES */
    for (int s = 1; s < NSIG; s++)
        if (p->sigact[s].handler != SIG_IGN)
            p->sigact[s] = (struct k_sigaction){ 0 };
    arch_regs_init_user(regs, ei.entry, sp);
    return 0;
}

/* Copy a NULL-terminated user array of strings into buf. */
static int
copy_strv(uint64_t uv, char **out, int max, char **buf, size_t *left, int *count)
{
    int n = 0;
    if (!uv) {
        *count = 0;
        return 0;
    }
    for (;; n++) {
        uint64_t up;
        if (n >= max)
            return -E2BIG;
        if (copyin(&up, uv + n * 8ull, 8))
            return -EFAULT;
        if (!up)
            break;
        long len = copyinstr(*buf, up, *left);
        if (len < 0)
            return len == -ENAMETOOLONG ? -E2BIG : (int)len;
        out[n] = *buf;
        *buf += len + 1;
        *left -= len + 1;
    }
    *count = n;
    return 0;
}

long
sys_execve(uint64_t upath, uint64_t uargv, uint64_t uenvp)
{
    struct proc *p = proc_current();
    char *path = kmalloc(EXEC_PATH_MAX);
    char **argv = kmalloc(2 * EXEC_ARGC_MAX * sizeof(char *));
    char *strings = kmalloc(EXEC_ARG_MAX);
    long err = -ENOMEM;
    int argc = 0, envc = 0;

    if (!path || !argv || !strings)
        goto out;
    err = copyinstr(path, upath, EXEC_PATH_MAX);
    if (err < 0)
        goto out;
    char *cursor = strings;
    size_t left = EXEC_ARG_MAX;
    err = copy_strv(uargv, argv, EXEC_ARGC_MAX, &cursor, &left, &argc);
    if (!err)
        err = copy_strv(uenvp, argv + EXEC_ARGC_MAX, EXEC_ARGC_MAX, &cursor, &left, &envc);
    if (err)
        goto out;
    struct arch_regs regs;
    err = proc_exec_image(p, path, argv, argc, argv + EXEC_ARGC_MAX, envc, &regs);
    if (err)
        goto out;
    fs_ctx_exec(p->fs);
    *arch_user_regs() = regs;
    arch_fpu_init(&p->thread->ctx);
    arch_fpu_restore(&p->thread->ctx);
    arch_set_fs_base(&p->thread->ctx, 0);
out:
    kfree(path);
    kfree(argv);
    kfree(strings);
    return err;
}

int proc_start_init(const char *path, char *const argv[], int argc);
int
proc_start_init(const char *path, char *const argv[], int argc)
{
    static char *const envp[] = { "PATH=/bin", "HOME=/", "TERM=vt100" };
    struct arch_regs regs;
    struct proc *p = proc_alloc();
    if (!p)
        return -ENOMEM;
    p->fs = fs_ctx_new_console();
    if (!p->fs)
        return -ENOMEM;
    /* init leads session 1, whose controlling tty is the console. */
    fs_console_acquire(p->sid, p->pgid);
    int err = proc_exec_image(p, path, argv, argc, envp, ARRAY_SIZE(envp), &regs);
    if (err)
        return err;
    p->thread = sched_new_user("init", p, &regs);
    if (!p->thread)
        return -ENOMEM;
    p->thread->pt_root = p->vm->root;
    sched_make_runnable(p->thread);
    return 0;
}
