/*
 * User address spaces: a page-table root plus a sorted list of regions
 * (anonymous memory: the heap, the stack, mmap, the ends of ELF segments;
 * or file-backed: the pages of a program's image, shared, vm_map_file;
 * or a file mapping, vm_map_fmap). Pages are faulted in on demand (zero-filled) and shared
 * copy-on-write after fork. The page-table format is arch's.
 *
 * Commit accounting (docs/memory.md): every region is charged against the
 * node-wide commit limit, either whole when it is mapped (writable private
 * memory, VM_ACCT_ALL) or page by page as pages appear (the stack and
 * read-only memory, VM_ACCT_TOUCH); MAP_NORESERVE regions are never
 * charged (VM_ACCT_NONE), so only they (and a kernel that ate its reserve)
 * can run out of frames at fault time. A read-only file-backed region is
 * never charged (VM_ACCT_FILE: its pages are the image's, charged once
 * when the image was made); a writable one is charged whole, as private
 * memory.
 */
#pragma once
#include "kernel/compiler.h"

enum { VM_R = 1, VM_W = 2, VM_X = 4 };

/* How a region is charged (struct vm_region.acct). */
enum { VM_ACCT_NONE, VM_ACCT_ALL, VM_ACCT_TOUCH, VM_ACCT_FILE };
/* Flags of vm_map_flags. */
#define VM_MAP_NORESERVE 1u   /* never charged: a fault may find no memory */
#define VM_MAP_TOUCH     2u   /* charged page by page as touched (the stack) */

/* Pages every address space is charged for the kernel memory a process
 * costs besides its pages: its page tables' first levels, kernel stack
 * (16 KiB), thread and descriptor structures. So a node with many small
 * processes refuses fork/exec instead of eating the kernel's reserve. */
#define VM_KERNEL_PAGES 16

#define VM_STACK_TOP   0x00007ffffffff000ull
#define VM_STACK_SIZE  (8ull << 20)
#define VM_MMAP_BASE   0x0000100000000000ull

struct vm_region {
    uint64_t start, end;       /* page-aligned, [start, end) */
    unsigned prot;             /* VM_R | VM_W | VM_X */
    unsigned acct;             /* VM_ACCT_* */
    uint64_t file_pa;          /* file-backed: the frame of start's page; else 0 */
    struct vm_region *next;
    struct fs_map *map;        /* a file mapping (vm_file.c): the file's pages, referenced */
    uint64_t pgoff;            /* with map: the file page at start */
    unsigned mflags;           /* with map: VM_FILE_* */
};

struct fs_map;
#define VM_FILE_SHARED   1u    /* MAP_SHARED: stores reach the file */
#define VM_FILE_MAYWRITE 2u    /* its fd could write (mprotect may add PROT_WRITE) */

struct vm {
    uint64_t root;             /* page-table root (physical) */
    struct vm_region *regions; /* sorted, non-overlapping */
    uint64_t brk_start, brk;   /* heap: [brk_start, ALIGN_UP(brk)) */
    uint64_t mapped;           /* bytes in regions */
    uint64_t committed;        /* pages charged to the node's commit */
    bool oom_killed;           /* the OOM report was printed; SIGKILL is posted */
    bool mig_lazy;             /* pages still at a migration's source (kernel/migrate_lazy.c) */
};

/* An empty address space, charged VM_KERNEL_PAGES. NULL when out of
 * memory or over the commit limit. */
struct vm *vm_new(void);
/* Release every page and uncharge the whole commit. */
void vm_free(struct vm *vm);
/* Copy for fork: regions duplicated, pages shared copy-on-write. The child
 * is charged what the parent is (Linux's strict accounting); NULL when
 * that does not fit the commit limit or memory is short. */
struct vm *vm_fork(struct vm *parent);
void vm_activate(struct vm *vm);
/* Add a region; it must not overlap. Writable regions are charged whole,
 * others as touched. 0, -EINVAL, -ENOMEM (no memory or over the limit). */
MUST_CHECK int vm_map(struct vm *vm, uint64_t start, uint64_t len, unsigned prot);
/* vm_map with VM_MAP_* flags. */
MUST_CHECK int vm_map_flags(struct vm *vm, uint64_t start, uint64_t len, unsigned prot,
                            unsigned flags);
/* Map [start, start+len) onto the contiguous frames from pa (a program
 * image, fs_exec_image, which keeps a reference on each): pages are
 * mapped as touched, each taking a reference, always read-only with the
 * COW bit, so a write to a writable region gets a private copy. Read-only
 * regions are not charged, writable ones whole. 0, -EINVAL, -ENOMEM. */
MUST_CHECK int vm_map_file(struct vm *vm, uint64_t start, uint64_t len, unsigned prot,
                           uint64_t pa);
/* Remove [start, start+len): regions are split, pages released, charges
 * returned. */
MUST_CHECK int vm_unmap(struct vm *vm, uint64_t start, uint64_t len);
/* Change protection; making an uncharged (touch-charged) region writable
 * charges it whole. 0, -EINVAL, -ENOMEM. */
MUST_CHECK int vm_protect(struct vm *vm, uint64_t start, uint64_t len, unsigned prot);
/* Resolve a fault at addr; access is TRAP_WRITE/TRAP_EXEC bits. 0, -EFAULT
 * (no mapping or not permitted), -ENOMEM (no frame or over the commit
 * limit: the caller ends the process, vm_oom_kill). */
MUST_CHECK int vm_fault(struct vm *vm, uint64_t addr, unsigned access);
/* Write len bytes at user address addr of vm (not necessarily the active
 * one), faulting pages in, copying shared ones; used by exec to fill a new
 * image. 0 or -EFAULT (no region, or a read-only image's) / -ENOMEM. */
MUST_CHECK int vm_write(struct vm *vm, uint64_t addr, const void *src, size_t len);
/* A free range of len bytes at or above hint. 0 when none. */
uint64_t vm_find_free(struct vm *vm, uint64_t hint, uint64_t len);
struct vm_region *vm_find(struct vm *vm, uint64_t addr);
/* Pages present in vm's page table (its resident size). */
uint64_t vm_resident_pages(struct vm *vm);
/* madvise(MADV_DONTNEED): drop the pages of [start, end), which read back
 * as zeros (or the program file's bytes); the regions stay, and pages
 * charged one by one are uncharged. -ENOMEM when part of the range is in
 * no region (as Linux). */
MUST_CHECK int vm_discard(struct vm *vm, uint64_t start, uint64_t end);

/* Map [start, start+len) onto file map m from file page pgoff (kernel/vm_file.c;
 * docs/memory.md "File mappings"), taking a reference on m; mflags
 * VM_FILE_*. Pages are read in as touched. A private mapping is charged
 * as private memory (whole when writable); a shared one never (its pages
 * are the file's, charged by the map). 0, -EINVAL, -ENOMEM. */
MUST_CHECK int vm_map_fmap(struct vm *vm, uint64_t start, uint64_t len, unsigned prot,
                           struct fs_map *m, uint64_t pgoff, unsigned mflags);
/* msync: write back the shared file pages of [start, start+len) (durable:
 * MS_SYNC). 0, -ENOMEM (part of the range is unmapped), or the write's
 * error. Sleeps. */
MUST_CHECK int vm_sync(struct vm *vm, uint64_t start, uint64_t len, bool durable);

/* mremap of [old, old+old_len) to new_len bytes (MREMAP_MAYMOVE 1,
 * MREMAP_FIXED 2 in flags, new_addr with FIXED): shrinks in place, grows in
 * place when the following range is free, else moves the page-table
 * entries (no data is copied). Returns the new address, or -EINVAL (bad
 * arguments), -EFAULT (the old range is not one mapping), -ENOMEM (cannot
 * grow in place without MAYMOVE, no room, or over the commit limit). */
long vm_remap(struct vm *vm, uint64_t old, uint64_t old_len, uint64_t new_len, unsigned flags,
              uint64_t new_addr);

/*
 * The node's commit (kernel/vm_commit.c). Figures are in pages. The limit
 * is set once, from the free frames when the first charge is made (after
 * the kernel's boot allocations), minus a reserve for the kernel's own
 * later needs (kmalloc, page tables, network buffers).
 */
/* Charge n pages: 0, or -ENOMEM when committed + n would pass the limit.
 * Never sleeps; takes vm.commit. tmpfs charges its file pages here too. */
MUST_CHECK int vm_commit_charge(uint64_t n);
/* Return n charged pages. */
void vm_commit_uncharge(uint64_t n);
/* fn frees memory kept only to save work (fs's kept program maps) and says
 * how many pages it returned: a charge over the limit calls it and tries
 * once more. */
void vm_commit_set_reclaim(uint64_t (*fn)(void));
/* The limit and what is committed now, in bytes (for migration's
 * accept/refuse decision and /proc/meminfo). Either pointer may be NULL. */
void vm_commit_stats(uint64_t *limit, uint64_t *committed);
/* Set the limit from free_pages (free frames now): free_pages minus the
 * reserve vm_commit_reserve(free_pages). Done lazily at the first charge;
 * callable earlier (tests, or a boot path that knows better). */
void vm_commit_init(uint64_t free_pages);
/* The pages kept back for the kernel out of free_pages: an eighth, at
 * least 4 MiB, at most 64 MiB (and never more than half). Pure. */
uint64_t vm_commit_reserve(uint64_t free_pages);

/*
 * Out of memory (kernel/vm_oom.c): a fault on proc's address space could
 * not get memory. The first time, report "out of memory: killed process
 * PID (name), N KiB" and post SIGKILL, returning 0 (the process dies on its
 * way back to user mode); again (a kernel copy retrying the access), return
 * -EFAULT so the copy fails.
 */
struct proc;
int vm_oom_kill(struct proc *p);
