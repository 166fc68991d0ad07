/*
 * Host tests of commit accounting in address spaces (vm.c) and of mremap
 * (vm_remap.c): what each kind of region is charged, that unmap, free,
 * fork failure and mremap give charges back, and that running out of
 * frames is -ENOMEM, never a crash; program images (vm_map_file) shared
 * uncharged or copy-on-write. The frame allocator is the real one
 * over a small arena; page tables are tests/host/fake_pt.c.
 */
// TEST_SRCS: kernel/vm_remap.c kernel/vm_commit.c kernel/mem_frame.c tests/host/fake_mem.c tests/host/fake_sync.c tests/host/fake_pt.c tests/host/fake_migrate.c kernel/vm_file.c fs/fs_pagemap.c tests/host/fake_fsmap.c
#include <string.h>
#include "kernel/vm_testlib.h"

static void
test_commit_reserve_bounds(void)
{
    EXPECT_EQ(vm_commit_reserve(4096), 1024);          /* 16 MiB: at least 4 MiB */
    EXPECT_EQ(vm_commit_reserve(1000), 500);           /* never more than half */
    EXPECT_EQ(vm_commit_reserve(80000), 10000);        /* an eighth */
    EXPECT_EQ(vm_commit_reserve(1u << 22), 16384);     /* at most 64 MiB */
    vm_commit_init(4096);
    uint64_t limit;
    vm_commit_stats(&limit, NULL);
    EXPECT_EQ(limit, LIMIT * P);
}

static void
test_commit_charge_to_the_limit(void)
{
    vm_commit_init(4096);
    EXPECT_EQ(vm_commit_charge(LIMIT - 1), 0);
    EXPECT_EQ(vm_commit_charge(2), -ENOMEM);
    EXPECT_EQ(vm_commit_charge(1), 0);
    EXPECT_EQ(vm_commit_charge(1), -ENOMEM);
    EXPECT_EQ(vm_commit_charge(~0ull), -ENOMEM);       /* no overflow */
    vm_commit_uncharge(LIMIT);
    EXPECT_EQ(committed(), 0);
}

/* A reclaimer holding `held` charged pages (fs's kept maps), called how often. */
static uint64_t held, reclaims;

static uint64_t
give_back(void)
{
    uint64_t n = held;
    reclaims++;
    vm_commit_uncharge(n);
    held = 0;
    return n;
}

static void
test_commit_reclaims_once_over_the_limit(void)
{
    vm_commit_init(4096);
    vm_commit_set_reclaim(give_back);
    held = 10, reclaims = 0;
    EXPECT_EQ(vm_commit_charge(held), 0);
    EXPECT_EQ(vm_commit_charge(LIMIT - 10), 0);        /* fits: no reclaim */
    EXPECT_EQ(reclaims, 0);
    EXPECT_EQ(vm_commit_charge(4), 0);                 /* the kept pages make room */
    EXPECT_EQ(reclaims, 1);
    EXPECT_EQ(vm_commit_charge(7), -ENOMEM);           /* nothing left to give: once */
    EXPECT_EQ(reclaims, 2);
    vm_commit_set_reclaim(NULL);
    EXPECT_EQ(vm_commit_charge(7), -ENOMEM);
    EXPECT_EQ(reclaims, 2);
    vm_commit_uncharge(LIMIT - 10 + 4);
    EXPECT_EQ(committed(), 0);
}

static void
test_vm_map_charges_by_kind(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 100 * P, VM_R | VM_W), 0);
    EXPECT_EQ(committed(), K + 100);                     /* writable: whole */
    EXPECT_EQ(vm_map(vm, BASE + 200 * P, 100 * P, VM_R), 0);
    EXPECT_EQ(committed(), K + 100);                     /* read-only: as touched */
    EXPECT_EQ(vm_fault(vm, BASE + 200 * P, 0), 0);
    EXPECT_EQ(vm_fault(vm, BASE + 201 * P, 0), 0);
    EXPECT_EQ(committed(), K + 102);
    EXPECT_EQ(vm_map_flags(vm, BASE + 400 * P, 1000 * P, VM_R | VM_W, VM_MAP_NORESERVE), 0);
    EXPECT_EQ(vm_fault(vm, BASE + 400 * P, TRAP_WRITE), 0);
    EXPECT_EQ(committed(), K + 102);                     /* NORESERVE: never */
    EXPECT_EQ(vm_unmap(vm, BASE + 50 * P, 200 * P), 0);  /* half the RW, two RO pages */
    EXPECT_EQ(committed(), K + 50);
    EXPECT_EQ(vm->committed, K + 50);
    done(vm);
}

static void
test_vm_map_past_limit_is_enomem(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, (ROOM + 1) * P, VM_R | VM_W), -ENOMEM);
    EXPECT_EQ(vm_map(vm, BASE, (ROOM - 10) * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_map(vm, BASE + ROOM * P, 11 * P, VM_R | VM_W), -ENOMEM);
    EXPECT_EQ(vm_find(vm, BASE + ROOM * P), NULL);
    EXPECT_EQ(vm_map(vm, BASE + ROOM * P, 10 * P, VM_R | VM_W), 0);
    EXPECT_EQ(committed(), K + ROOM);
    done(vm);
}

static void
test_vm_stack_charged_as_touched(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map_flags(vm, BASE, 2048 * P, VM_R | VM_W, VM_MAP_TOUCH), 0);
    EXPECT_EQ(committed(), K);
    for (int i = 0; i < 5; i++)
        EXPECT_EQ(vm_fault(vm, BASE + (2047 - i) * P, TRAP_WRITE), 0);
    uint64_t v = 7;
    EXPECT_EQ(vm_write(vm, BASE + 10 * P, &v, sizeof(v)), 0);
    EXPECT_EQ(committed(), K + 6);
    EXPECT_EQ(vm_unmap(vm, BASE + 2046 * P, 2 * P), 0);
    EXPECT_EQ(committed(), K + 4);
    done(vm);
}

static void
test_vm_fork_charges_the_child(void)
{
    struct vm *a = fresh_vm();
    EXPECT_EQ(vm_map(a, BASE, 1100 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_map_flags(a, BASE + 2000 * P, 16 * P, VM_R | VM_W, VM_MAP_TOUCH), 0);
    EXPECT_EQ(vm_fault(a, BASE + 2000 * P, TRAP_WRITE), 0);
    EXPECT_EQ(vm_fault(a, BASE, TRAP_WRITE), 0);
    struct vm *b = vm_fork(a);
    EXPECT_TRUE(b != NULL);
    EXPECT_EQ(committed(), 2 * K + 2202);
    EXPECT_EQ(vm_fork(a), NULL);                 /* a third 1101 does not fit */
    EXPECT_EQ(committed(), 2 * K + 2202);
    EXPECT_EQ(vm_fault(b, BASE, TRAP_WRITE), 0); /* COW break: already charged */
    EXPECT_EQ(committed(), 2 * K + 2202);
    vm_free(b);
    EXPECT_EQ(committed(), K + 1101);
    done(a);
}

/* madvise(DONTNEED) on a stack-like region: the dropped pages' charge
 * comes back, so dropping and touching again never grows the charge; a
 * whole-charged region keeps its charge; a hole in the range is -ENOMEM. */
static void
test_vm_discard_uncharges_touched(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map_flags(vm, BASE, 16 * P, VM_R | VM_W, VM_MAP_TOUCH), 0);
    EXPECT_EQ(vm_map(vm, BASE + 16 * P, 4 * P, VM_R | VM_W), 0);
    for (int round = 0; round < 3; round++) {
        for (int i = 0; i < 8; i++)
            EXPECT_EQ(vm_fault(vm, BASE + i * P, TRAP_WRITE), 0);
        EXPECT_EQ(committed(), K + 4 + 8);
        EXPECT_EQ(vm_discard(vm, BASE, BASE + 20 * P), 0);
        EXPECT_EQ(committed(), K + 4);
    }
    EXPECT_EQ(vm_discard(vm, BASE, BASE + 40 * P), -ENOMEM);
    done(vm);
}

static void
test_vm_protect_writable_charges_whole(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 10 * P, VM_R), 0);
    EXPECT_EQ(vm_fault(vm, BASE, 0), 0);
    EXPECT_EQ(vm_fault(vm, BASE + P, 0), 0);
    EXPECT_EQ(committed(), K + 2);
    EXPECT_EQ(vm_protect(vm, BASE, 10 * P, VM_R | VM_W), 0);
    EXPECT_EQ(committed(), K + 10);
    EXPECT_EQ(vm_map(vm, BASE + 100 * P, (ROOM - 9) * P, VM_R), 0);
    EXPECT_EQ(vm_protect(vm, BASE + 100 * P, (ROOM - 9) * P, VM_R | VM_W), -ENOMEM);
    EXPECT_EQ(committed(), K + 10);
    EXPECT_EQ(vm_protect(vm, BASE + 100 * P, (ROOM - 10) * P, VM_R | VM_W), 0);
    EXPECT_EQ(committed(), K + ROOM);
    done(vm);
}

static void
test_vm_fault_without_frames_is_enomem(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map_flags(vm, BASE, 200 * P, VM_R | VM_W, VM_MAP_TOUCH), 0);
    int i = 0, err = 0;
    for (; i < 200 && !(err = vm_fault(vm, BASE + i * P, TRAP_WRITE)); i++)
        ;
    EXPECT_EQ(err, -ENOMEM);
    EXPECT_TRUE(i > 0 && i <= FRAMES);
    EXPECT_EQ(committed(), K + i);                   /* the failed page was uncharged */
    uint64_t v = 1;
    EXPECT_EQ(vm_write(vm, BASE + 199 * P, &v, sizeof(v)), -ENOMEM);
    done(vm);
}

static void
test_vm_new_charges_kernel_share(void)
{
    struct vm *a = fresh_vm();
    EXPECT_EQ(committed(), K);
    EXPECT_EQ(vm_commit_charge(ROOM - K + 1), 0);   /* leave K - 1 pages */
    EXPECT_EQ(vm_new(), NULL);                      /* no fork or exec now */
    vm_commit_uncharge(1);
    struct vm *b = vm_new();
    EXPECT_TRUE(b != NULL);
    EXPECT_EQ(committed(), LIMIT);
    vm_free(b);
    vm_commit_uncharge(ROOM - K);
    done(a);
}

/* Four image frames filled with their index, as fs_exec_image makes. */
static uint64_t
image(void)
{
    uint64_t img = mem_frame_alloc_contig(4);
    EXPECT_TRUE(img != 0);
    for (int i = 0; i < 4; i++)
        memset(mem_p2v(img + i * P), 'a' + i, P);
    return img;
}

static void
test_vm_file_readonly_shares_uncharged(void)
{
    struct vm *vm = fresh_vm();
    uint64_t img = image(), pa;
    EXPECT_EQ(vm_map_file(vm, BASE, 4 * P, VM_R | VM_X, img), 0);
    EXPECT_EQ(committed(), K);                        /* the image's pages: not charged */
    EXPECT_EQ(vm_fault(vm, BASE + 2 * P, TRAP_EXEC), 0);
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE + 2 * P, &pa, NULL) && pa == img + 2 * P);
    EXPECT_EQ(mem_frame_refcount(img + 2 * P), 2);
    EXPECT_EQ(vm_fault(vm, BASE + 2 * P, TRAP_WRITE), -EFAULT);
    struct vm *b = vm_fork(vm);
    EXPECT_TRUE(b != NULL);
    EXPECT_EQ(mem_frame_refcount(img + 2 * P), 2);   /* fork copies no image entries */
    EXPECT_TRUE(!arch_pt_lookup(b->root, BASE + 2 * P, &pa, NULL));
    EXPECT_EQ(vm_fault(b, BASE + 3 * P, 0), 0);       /* the child faults in from the image */
    EXPECT_TRUE(arch_pt_lookup(b->root, BASE + 3 * P, &pa, NULL) && pa == img + 3 * P);
    vm_free(b);
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, 8 * P, 1, 0), -ENOMEM);   /* may not grow or move */
    uint64_t v = 1;
    EXPECT_EQ(vm_write(vm, BASE, &v, sizeof(v)), -EFAULT);        /* nor be written by exec */
    EXPECT_EQ(vm_unmap(vm, BASE + P, P), 0);          /* split: the tail keeps its frames */
    EXPECT_EQ(vm_fault(vm, BASE + 3 * P, 0), 0);
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE + 3 * P, &pa, NULL) && pa == img + 3 * P);
    EXPECT_EQ(vm_protect(vm, BASE + 2 * P, 2 * P, VM_R | VM_W), 0);
    EXPECT_EQ(committed(), K + 2);                    /* writable now: charged whole */
    EXPECT_EQ(vm_fault(vm, BASE + 3 * P, TRAP_WRITE), 0);
    EXPECT_EQ(*(char *)mem_p2v(img + 3 * P), 'd');    /* the write went to a copy */
    done(vm);
    for (int i = 0; i < 4; i++)
        EXPECT_EQ(mem_frame_refcount(img + i * P), 1);
}

static void
test_vm_file_writable_is_copy_on_write(void)
{
    struct vm *vm = fresh_vm();
    uint64_t img = image(), pa;
    EXPECT_EQ(vm_map_file(vm, BASE, 2 * P, VM_R | VM_W, img + 2 * P), 0);
    EXPECT_EQ(committed(), K + 2);                    /* private memory: charged whole */
    EXPECT_EQ(vm_fault(vm, BASE, 0), 0);
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE, &pa, NULL) && pa == img + 2 * P);
    EXPECT_EQ(vm_fault(vm, BASE, TRAP_WRITE), 0);     /* present: COW break */
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE, &pa, NULL) && pa != img + 2 * P);
    EXPECT_EQ(*(char *)mem_p2v(pa), 'c');
    uint64_t v = 0x4242424242424242ull;
    EXPECT_EQ(vm_write(vm, BASE + P, &v, sizeof(v)), 0);   /* absent: mapped, then copied */
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE + P, &pa, NULL) && pa != img + 3 * P);
    EXPECT_EQ(*(char *)mem_p2v(pa), 'B');
    EXPECT_EQ(*(char *)mem_p2v(img + 3 * P), 'd');
    EXPECT_EQ(vm_map_file(vm, BASE + 8 * P, P, VM_R, 0), -EINVAL);
    done(vm);
    for (int i = 0; i < 4; i++)
        EXPECT_EQ(mem_frame_refcount(img + i * P), 1);
}

void
tests_run(void)
{
    RUN(test_commit_reserve_bounds);
    RUN(test_commit_charge_to_the_limit);
    RUN(test_commit_reclaims_once_over_the_limit);
    RUN(test_vm_map_charges_by_kind);
    RUN(test_vm_map_past_limit_is_enomem);
    RUN(test_vm_stack_charged_as_touched);
    RUN(test_vm_fork_charges_the_child);
    RUN(test_vm_protect_writable_charges_whole);
    RUN(test_vm_fault_without_frames_is_enomem);
    RUN(test_vm_new_charges_kernel_share);
    RUN(test_vm_discard_uncharges_touched);
    RUN(test_vm_file_readonly_shares_uncharged);
    RUN(test_vm_file_writable_is_copy_on_write);
}
