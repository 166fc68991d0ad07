/*
 * Host tests of file mappings in address spaces (vm_file.c with vm.c and
 * vm_remap.c), over a fake file map (tests/host/fake_fsmap.c): pages read
 * on demand and shared between mappings, private stores copied and never
 * written back, shared stores marked dirty and written back by msync and
 * munmap, -ENXIO past EOF, splitting by munmap and mprotect keeping each
 * piece on its own file pages, fork, mremap moving a file mapping, the
 * EACCES rule of mprotect, commit charges, and the migration preparation
 * (every page read in; a writable shared mapping refused).
 */
// TEST_SRCS: kernel/vm.c kernel/vm_remap.c kernel/vm_commit.c kernel/mem_frame.c fs/fs_pagemap.c tests/host/fake_fsmap.c tests/host/fake_mem.c tests/host/fake_sync.c tests/host/fake_pt.c tests/host/fake_migrate.c
#include <string.h>
#include "fs/fs.h"
#include "kernel/vm_int.h"
#include "kernel/vm_testlib.h"
#include "tests/host/fake_fsmap.h"

#define NPG    4

static uint8_t file[NPG * P];

/* A fresh frame pool and a map of a NPG-page file, page i filled with 'A'+i
 * (the last page only half: the file ends there). */
static struct fs_map *
setup(struct vm **vm)
{
    *vm = fresh_vm();
    for (int i = 0; i < NPG; i++)
        memset(file + i * P, 'A' + i, P);
    return fake_fsmap_new(file, NPG * P - P / 2);
}

static void
poke(struct vm *vm, uint64_t va, char c)
{
    uint64_t pa;
    unsigned f;
    ASSERT(arch_pt_lookup(vm->root, va & ~(uint64_t)(P - 1), &pa, &f) && (f & ARCH_PTE_W),
           "poke a writable page");
    *((char *)mem_p2v(pa) + (va & (P - 1))) = c;
}

static void
test_file_private_read_and_cow(void)
{
    struct vm *vm;
    struct fs_map *m = setup(&vm);
    EXPECT_EQ(vm_map_fmap(vm, BASE, 2 * P, VM_R, m, 1, 0), 0);
    EXPECT_EQ(committed(), K);                       /* read-only private: uncharged */
    EXPECT_EQ(vm_fault(vm, BASE + 10, 0), 0);
    EXPECT_EQ(peek(vm, BASE + 10), 'B');          /* file page 1 */
    EXPECT_EQ(vm_fault(vm, BASE, TRAP_WRITE), -EFAULT);
    EXPECT_EQ(fake_fsmap_reads(m), 1);
    EXPECT_EQ(vm_map_fmap(vm, BASE + 4 * P, 2 * P, VM_R | VM_W, m, 1, 0), 0);
    EXPECT_EQ(committed(), K + 2);                   /* writable private: whole */
    EXPECT_EQ(vm_fault(vm, BASE + 4 * P, 0), 0);
    uint64_t pa1, pa2;
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE, &pa1, NULL));
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE + 4 * P, &pa2, NULL));
    EXPECT_EQ(pa1, pa2);                             /* one frame per file page */
    EXPECT_EQ(fake_fsmap_reads(m), 1);
    EXPECT_EQ(vm_fault(vm, BASE + 4 * P, TRAP_WRITE), 0);
    poke(vm, BASE + 4 * P, 'z');
    EXPECT_EQ(peek(vm, BASE), 'B');               /* the copy was private */
    EXPECT_EQ(vm_unmap(vm, BASE, 8 * P), 0);
    EXPECT_EQ(fake_fsmap_writes(m), 0);              /* private stores never go back */
    fs_map_put(m);
    vm_free(vm);
}

static void
test_file_shared_dirty_and_sync(void)
{
    struct vm *vm, *vm2;
    struct fs_map *m = setup(&vm);
    vm2 = vm_new();
    unsigned fl = VM_FILE_SHARED | VM_FILE_MAYWRITE;
    EXPECT_EQ(vm_map_fmap(vm, BASE, 2 * P, VM_R | VM_W, m, 0, fl), 0);
    EXPECT_EQ(vm_map_fmap(vm2, BASE + 8 * P, 2 * P, VM_R | VM_W, m, 0, fl), 0);
    EXPECT_EQ(committed(), 2 * K);                   /* shared: never charged */
    EXPECT_EQ(vm_fault(vm, BASE, 0), 0);
    unsigned f;
    uint64_t pa;
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE, &pa, &f) && !(f & ARCH_PTE_W));
    EXPECT_EQ(vm_fault(vm, BASE, TRAP_WRITE), 0);    /* first store: dirty, writable */
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE, &pa, &f) && (f & ARCH_PTE_W));
    poke(vm, BASE + 1, 'x');
    EXPECT_EQ(vm_fault(vm2, BASE + 8 * P, 0), 0);
    EXPECT_EQ(peek(vm2, BASE + 8 * P + 1), 'x');  /* the other space sees it at once */
    EXPECT_EQ(fake_fsmap_bytes(m)[1], 'A');          /* not yet in the file */
    EXPECT_EQ(vm_sync(vm, BASE, 2 * P, true), 0);
    EXPECT_EQ(fake_fsmap_bytes(m)[1], 'x');
    EXPECT_EQ(vm_sync(vm, BASE, 4 * P, false), -ENOMEM);   /* a hole */
    EXPECT_EQ(vm_fault(vm2, BASE + 9 * P, TRAP_WRITE), 0);
    poke(vm2, BASE + 9 * P, 'y');
    vm_free(vm2);                                    /* exit writes back */
    EXPECT_EQ(fake_fsmap_bytes(m)[P], 'y');
    EXPECT_EQ(fake_fsmap_refs(m), 2);
    fs_map_put(m);
    int freed = fake_fsmap_freed;
    vm_free(vm);
    EXPECT_EQ(fake_fsmap_freed, freed + 1);          /* the last mapping freed the map */
}

static void
test_file_past_eof_is_enxio(void)
{
    struct vm *vm;
    struct fs_map *m = setup(&vm);
    EXPECT_EQ(vm_map_fmap(vm, BASE, 6 * P, VM_R, m, 0, 0), 0);
    EXPECT_EQ(vm_fault(vm, BASE + 3 * P + P / 2 + 5, 0), 0);   /* the last page's tail */
    EXPECT_EQ(peek(vm, BASE + 3 * P + P / 2 + 5), 0);
    EXPECT_EQ(vm_fault(vm, BASE + 4 * P, 0), -ENXIO);
    EXPECT_EQ(vm_fault(vm, BASE + 6 * P, 0), -EFAULT);         /* no region at all */
    fs_map_put(m);
    vm_free(vm);
}

static void
test_file_split_keeps_file_offsets(void)
{
    struct vm *vm;
    struct fs_map *m = setup(&vm);
    EXPECT_EQ(vm_map_fmap(vm, BASE, 4 * P, VM_R, m, 0, VM_FILE_SHARED), 0);
    EXPECT_EQ(vm_unmap(vm, BASE + P, P), 0);
    EXPECT_EQ(fake_fsmap_refs(m), 3);                /* two pieces and ours */
    EXPECT_EQ(vm_protect(vm, BASE + 3 * P, P, VM_R | VM_W), -EACCES);  /* fd was read-only */
    EXPECT_EQ(vm_fault(vm, BASE + 2 * P, 0), 0);
    EXPECT_EQ(peek(vm, BASE + 2 * P), 'C');
    EXPECT_EQ(vm_fault(vm, BASE + 3 * P, 0), 0);
    EXPECT_EQ(peek(vm, BASE + 3 * P), 'D');
    EXPECT_EQ(vm_fault(vm, BASE + P, 0), -EFAULT);
    EXPECT_EQ(vm_unmap(vm, BASE, 4 * P), 0);
    EXPECT_EQ(fake_fsmap_refs(m), 1);
    fs_map_put(m);
    vm_free(vm);
}

static void
test_file_fork_private_and_shared(void)
{
    struct vm *vm;
    struct fs_map *m = setup(&vm);
    unsigned fl = VM_FILE_SHARED | VM_FILE_MAYWRITE;
    EXPECT_EQ(vm_map_fmap(vm, BASE, P, VM_R | VM_W, m, 0, 0), 0);
    EXPECT_EQ(vm_map_fmap(vm, BASE + 4 * P, P, VM_R | VM_W, m, 1, fl), 0);
    EXPECT_EQ(vm_fault(vm, BASE, TRAP_WRITE), 0);
    poke(vm, BASE, 'p');
    struct vm *c = vm_fork(vm);
    EXPECT_TRUE(c != NULL);
    EXPECT_EQ(vm_fault(c, BASE, TRAP_WRITE), 0);     /* the child's own copy */
    poke(c, BASE, 'q');
    EXPECT_EQ(peek(vm, BASE), 'p');
    EXPECT_EQ(vm_fault(c, BASE + 4 * P, TRAP_WRITE), 0);
    poke(c, BASE + 4 * P, 's');
    EXPECT_EQ(vm_fault(vm, BASE + 4 * P, 0), 0);
    EXPECT_EQ(peek(vm, BASE + 4 * P), 's');       /* shared stays shared */
    vm_free(c);
    EXPECT_EQ(fake_fsmap_bytes(m)[P], 's');
    EXPECT_EQ(fake_fsmap_bytes(m)[0], 'A');          /* private stores never reach it */
    fs_map_put(m);
    vm_free(vm);
}

static void
test_file_mremap_moves_with_the_file(void)
{
    struct vm *vm;
    struct fs_map *m = setup(&vm);
    EXPECT_EQ(vm_map_fmap(vm, BASE, P, VM_R, m, 1, VM_FILE_SHARED), 0);
    EXPECT_EQ(vm_map(vm, BASE + P, P, VM_R), 0);     /* no room to grow in place */
    EXPECT_EQ(vm_fault(vm, BASE, 0), 0);
    long to = vm_remap(vm, BASE, P, 3 * P, 1, 0);
    EXPECT_TRUE(to > 0 && (uint64_t)to != BASE);
    EXPECT_EQ(peek(vm, (uint64_t)to), 'B');       /* the page moved */
    EXPECT_EQ(vm_fault(vm, (uint64_t)to + 2 * P, 0), 0);
    EXPECT_EQ(peek(vm, (uint64_t)to + 2 * P), 'D');   /* and the rest is the file's */
    EXPECT_EQ(vm_fault(vm, BASE, 0), -EFAULT);       /* the old range is gone */
    EXPECT_EQ(fake_fsmap_refs(m), 2);
    fs_map_put(m);
    vm_free(vm);
}

static void
test_file_mig_prepare(void)
{
    struct vm *vm;
    struct fs_map *m = setup(&vm);
    EXPECT_EQ(vm_map_fmap(vm, BASE, 6 * P, VM_R, m, 0, 0), 0);
    EXPECT_EQ(vm_file_mig_prepare(vm), 0);
    EXPECT_EQ(vm_resident_pages(vm), 4);             /* the file's pages, not past EOF */
    EXPECT_EQ(vm_map_fmap(vm, BASE + 8 * P, P, VM_R | VM_W, m, 0,
                          VM_FILE_SHARED | VM_FILE_MAYWRITE), 0);
    EXPECT_EQ(vm_file_mig_prepare(vm), -EOPNOTSUPP);
    fs_map_put(m);
    vm_free(vm);
    EXPECT_EQ(committed(), 0);
}

void
tests_run(void)
{
    RUN(test_file_private_read_and_cow);
    RUN(test_file_shared_dirty_and_sync);
    RUN(test_file_past_eof_is_enxio);
    RUN(test_file_split_keeps_file_offsets);
    RUN(test_file_fork_private_and_shared);
    RUN(test_file_mremap_moves_with_the_file);
    RUN(test_file_mig_prepare);
}
