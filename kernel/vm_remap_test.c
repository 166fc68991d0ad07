/*
 * Host tests of mremap (vm_remap.c): growing in place, moving page-table
 * entries (the frames stay, so data is kept without a copy), shrinking,
 * MREMAP_FIXED, bad arguments, the commit charge following the mapping,
 * and a move that runs out of page tables half-way being undone.
 */
// TEST_SRCS: kernel/vm.c kernel/vm_commit.c kernel/mem_frame.c tests/host/fake_mem.c tests/host/fake_sync.c tests/host/fake_pt.c tests/host/fake_migrate.c kernel/vm_file.c fs/fs_pagemap.c tests/host/fake_fsmap.c
#include "kernel/vm_testlib.h"

#define MAYMOVE 1u
#define FIXED   2u

/* n pages at va, page i holding the byte i + 1. */
static void
fill(struct vm *vm, uint64_t va, int n)
{
    for (int i = 0; i < n; i++) {
        uint8_t b = (uint8_t)(i + 1);
        EXPECT_EQ(vm_write(vm, va + i * P, &b, 1), 0);
    }
}

static void
test_remap_grows_in_place(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 4 * P, VM_R | VM_W), 0);
    fill(vm, BASE, 4);
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, 8 * P, 0, 0), (long)BASE);
    EXPECT_EQ(committed(), K + 8);
    EXPECT_EQ(peek(vm, BASE + 3 * P), 4);
    EXPECT_EQ(vm_fault(vm, BASE + 7 * P, TRAP_WRITE), 0);
    EXPECT_EQ(vm->mapped, 8 * P);
    done(vm);
}

static void
test_remap_moves_entries_not_data(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 4 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_map(vm, BASE + 4 * P, P, VM_R), 0);   /* in the way */
    fill(vm, BASE, 3);
    uint64_t pa0, pa1;
    EXPECT_TRUE(arch_pt_lookup(vm->root, BASE, &pa0, NULL));
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, 8 * P, 0, 0), -ENOMEM);
    long to = vm_remap(vm, BASE, 4 * P, 8 * P, MAYMOVE, 0);
    EXPECT_TRUE(to >= (long)VM_MMAP_BASE);
    EXPECT_TRUE(arch_pt_lookup(vm->root, (uint64_t)to, &pa1, NULL));
    EXPECT_EQ(pa0, pa1);                               /* same frame: no copy */
    EXPECT_EQ(peek(vm, (uint64_t)to + 2 * P), 3);
    EXPECT_EQ(peek(vm, BASE), -1);
    EXPECT_EQ(vm_find(vm, BASE), NULL);
    EXPECT_EQ(committed(), K + 8);
    EXPECT_EQ(vm->mapped, 9 * P);
    done(vm);
}

static void
test_remap_shrinks_and_uncharges(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 8 * P, VM_R | VM_W), 0);
    fill(vm, BASE, 8);
    EXPECT_EQ(vm_remap(vm, BASE, 8 * P, 2 * P, MAYMOVE, 0), (long)BASE);
    EXPECT_EQ(committed(), K + 2);
    EXPECT_EQ(peek(vm, BASE + P), 2);
    EXPECT_EQ(peek(vm, BASE + 2 * P), -1);
    EXPECT_EQ(fake_pt_count(vm->root), 2);
    done(vm);
}

static void
test_remap_fixed_replaces_target(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 2 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_map(vm, BASE + 100 * P, 4 * P, VM_R | VM_W), 0);
    fill(vm, BASE, 2);
    fill(vm, BASE + 100 * P, 4);
    EXPECT_EQ(vm_remap(vm, BASE, 2 * P, 3 * P, MAYMOVE | FIXED, BASE + 101 * P),
              (long)(BASE + 101 * P));
    EXPECT_EQ(peek(vm, BASE + 100 * P), 1);            /* the part not replaced */
    EXPECT_EQ(peek(vm, BASE + 102 * P), 2);
    EXPECT_EQ(peek(vm, BASE + 103 * P), -1);           /* new: filled on touch */
    EXPECT_EQ(committed(), K + 4);
    EXPECT_EQ(vm_remap(vm, BASE + 101 * P, P, P, MAYMOVE | FIXED, BASE + 101 * P), -EINVAL);
    done(vm);
}

static void
test_remap_bad_arguments(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 4 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_remap(vm, BASE + 1, P, 2 * P, MAYMOVE, 0), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE, P, 0, MAYMOVE, 0), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE, 0, P, MAYMOVE, 0), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE, P, 2 * P, 8, 0), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE, P, 2 * P, FIXED, BASE + 50 * P), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE, P, 2 * P, MAYMOVE | FIXED, BASE + 7), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE, P, ~0ull, MAYMOVE, 0), -EINVAL);
    EXPECT_EQ(vm_remap(vm, BASE + 10 * P, P, 2 * P, MAYMOVE, 0), -EFAULT);
    EXPECT_EQ(vm_remap(vm, BASE, 5 * P, 6 * P, MAYMOVE, 0), -EFAULT);   /* past the end */
    EXPECT_EQ(vm_remap(vm, ~0ull << 12, P, 2 * P, MAYMOVE, 0), -EFAULT);
    EXPECT_EQ(committed(), K + 4);
    done(vm);
}

static void
test_remap_past_limit_changes_nothing(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 4 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, (ROOM + 1) * P, 0, 0), -ENOMEM);
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, (ROOM + 1) * P, MAYMOVE, 0), -ENOMEM);
    EXPECT_EQ(vm_find(vm, BASE)->end, BASE + 4 * P);
    EXPECT_EQ(committed(), K + 4);
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, ROOM * P, 0, 0), (long)BASE);
    EXPECT_EQ(committed(), K + ROOM);
    done(vm);
}

static void
test_remap_spans_adjacent_regions(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map(vm, BASE, 2 * P, VM_R | VM_W), 0);        /* two brk steps */
    EXPECT_EQ(vm_map(vm, BASE + 2 * P, 2 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_map(vm, BASE + 4 * P, P, VM_R), 0);
    fill(vm, BASE, 4);
    EXPECT_EQ(vm_remap(vm, BASE, 4 * P, 5 * P, 0, 0), -ENOMEM);
    EXPECT_EQ(vm_remap(vm, BASE, 5 * P, 6 * P, MAYMOVE, 0), -EFAULT);  /* mixed kinds */
    long to = vm_remap(vm, BASE, 4 * P, 6 * P, MAYMOVE, 0);
    EXPECT_TRUE(to > 0);
    EXPECT_EQ(peek(vm, (uint64_t)to + 3 * P), 4);
    EXPECT_EQ(committed(), K + 6);
    done(vm);
}

static void
test_remap_move_undone_without_page_tables(void)
{
    struct vm *vm = fresh_vm();
    /* Three pages in three 2 MiB spans: the move needs three new tables. */
    EXPECT_EQ(vm_map(vm, BASE, 1100 * P, VM_R | VM_W), 0);
    EXPECT_EQ(vm_map(vm, BASE + 1100 * P, P, VM_R), 0);
    for (int i = 0; i < 3; i++) {
        uint8_t b = (uint8_t)(i + 1);
        EXPECT_EQ(vm_write(vm, BASE + i * 512 * P, &b, 1), 0);
    }
    fake_pt_fail_after = 2;                            /* the third one fails */
    EXPECT_EQ(vm_remap(vm, BASE, 1100 * P, 2200 * P, MAYMOVE, 0), -ENOMEM);
    fake_pt_fail_after = -1;
    for (int i = 0; i < 3; i++)
        EXPECT_EQ(peek(vm, BASE + i * 512 * P), i + 1);
    EXPECT_EQ(fake_pt_count(vm->root), 3);
    EXPECT_EQ(vm_find(vm, BASE)->end, BASE + 1100 * P);
    EXPECT_EQ(vm_find(vm, VM_MMAP_BASE), NULL);
    EXPECT_EQ(vm->mapped, 1101 * P);
    EXPECT_EQ(committed(), K + 1100);
    done(vm);
}

static void
test_remap_stack_kind_keeps_touched_charge(void)
{
    struct vm *vm = fresh_vm();
    EXPECT_EQ(vm_map_flags(vm, BASE, 4 * P, VM_R | VM_W, VM_MAP_TOUCH), 0);
    EXPECT_EQ(vm_map(vm, BASE + 4 * P, P, VM_R), 0);
    fill(vm, BASE, 2);
    EXPECT_EQ(committed(), K + 2);
    long to = vm_remap(vm, BASE, 4 * P, 64 * P, MAYMOVE, 0);
    EXPECT_TRUE(to > 0);
    EXPECT_EQ(committed(), K + 2);
    EXPECT_EQ(vm_remap(vm, (uint64_t)to, 64 * P, P, 0, 0), to);
    EXPECT_EQ(committed(), K + 1);
    done(vm);
}

void
tests_run(void)
{
    RUN(test_remap_grows_in_place);
    RUN(test_remap_moves_entries_not_data);
    RUN(test_remap_shrinks_and_uncharges);
    RUN(test_remap_fixed_replaces_target);
    RUN(test_remap_bad_arguments);
    RUN(test_remap_past_limit_changes_nothing);
    RUN(test_remap_spans_adjacent_regions);
    RUN(test_remap_move_undone_without_page_tables);
    RUN(test_remap_stack_kind_keeps_touched_charge);
}
