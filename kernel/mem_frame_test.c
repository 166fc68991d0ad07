/*
 * Tests of the frame allocator (mem_frame.c). "Physical" memory is host
 * memory (tests/host/fake_mem.c maps it 1:1); only metadata and zeroed
 * frames are ever touched, so the large maps with holes are reserved with
 * mmap(MAP_NORESERVE) and cost the host almost nothing.
 */
// TEST_SRCS: tests/host/fake_sync.c tests/host/fake_mem.c
#include <stdlib.h>
#include <signal.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include "kernel/mem.h"
#include "kernel/errno.h"
#include "tests/host/fake_mem.h"
#include "tests/host/test.h"

#define P PAGE_SIZE

/* mem_frame.c calls into kmalloc, which this test does not link. */
uint64_t
mem_kmalloc_bytes(void)
{
    return 0;
}

void
mem_kmalloc_reset(void)
{
}

void
mem_kmalloc_reclaim(void)
{
}

static struct mem_stats st;

static uint64_t
free_now(void)
{
    mem_get_stats(&st);
    return st.free_frames;
}

static uint64_t *
alloc_all(uint64_t *n)
{
    mem_get_stats(&st);
    uint64_t *v = malloc((st.total_frames + 1) * sizeof *v);
    *n = 0;
    for (uint64_t pa; (pa = mem_frame_alloc()) != 0;)
        v[(*n)++] = pa;
    return v;
}

static int
cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void
test_frame_alloc_all_free_all(void)
{
    uint8_t *a = fake_mem_arena(256 * P), *b = fake_mem_arena(64 * P);
    struct mem_range r[] = {{(uintptr_t)b, 64 * P}, {(uintptr_t)a, 256 * P}};
    EXPECT_EQ(mem_frame_init(r, 2), 0);
    mem_get_stats(&st);
    EXPECT_EQ(st.total_frames, 320 - 1);   /* one frame of metadata, from a */
    EXPECT_EQ(st.free_frames, st.total_frames);
    for (int round = 0; round < 2; round++) {
        uint64_t n;
        uint64_t *v = alloc_all(&n);
        EXPECT_EQ(n, 319);
        EXPECT_EQ(free_now(), 0);
        qsort(v, n, sizeof *v, cmp_u64);
        for (uint64_t i = 0; i < n; i++) {
            EXPECT_TRUE(i == 0 || v[i] != v[i - 1]);
            EXPECT_EQ(v[i] % P, 0);
            bool in_a = v[i] >= (uintptr_t)a + P && v[i] < (uintptr_t)a + 256 * P;
            bool in_b = v[i] >= (uintptr_t)b && v[i] < (uintptr_t)b + 64 * P;
            EXPECT_TRUE(in_a || in_b);
            EXPECT_EQ(mem_frame_refcount(v[i]), 1);
        }
        for (uint64_t i = 0; i < n; i++)
            mem_frame_free(v[n - 1 - i]);
        EXPECT_EQ(free_now(), 319);
        free(v);
    }
    free(a);
    free(b);
}

static void
test_frame_refcount_cow_sequence(void)
{
    uint8_t *a = fake_mem_arena(16 * P);
    struct mem_range r[] = {{(uintptr_t)a, 16 * P}};
    EXPECT_EQ(mem_frame_init(r, 1), 0);
    uint64_t before = free_now();
    uint64_t pa = mem_frame_alloc();
    EXPECT_EQ(mem_frame_refcount(pa), 1);
    mem_frame_ref(pa);                      /* fork shares the page */
    mem_frame_ref(pa);                      /* and again */
    EXPECT_EQ(mem_frame_refcount(pa), 3);
    EXPECT_EQ(mem_frame_unref(pa), 2);      /* one sharer copied it */
    EXPECT_EQ(mem_frame_unref(pa), 1);      /* another exited */
    EXPECT_EQ(free_now(), before - 1);
    EXPECT_EQ(mem_frame_unref(pa), 0);      /* last one gone: freed */
    EXPECT_EQ(mem_frame_refcount(pa), 0);
    EXPECT_EQ(free_now(), before);
    uint64_t z = mem_frame_alloc_zero();
    for (size_t i = 0; i < P; i++)
        EXPECT_EQ(((uint8_t *)(uintptr_t)z)[i], 0);
    mem_frame_free(z);
    free(a);
}

static void
test_frame_contig(void)
{
    uint8_t *a = fake_mem_arena(65 * P);
    struct mem_range r[] = {{(uintptr_t)a, 65 * P}};
    EXPECT_EQ(mem_frame_init(r, 1), 0);     /* 64 frames after metadata */
    uint64_t c = mem_frame_alloc_contig(10);
    EXPECT_TRUE(c != 0);
    for (int i = 0; i < 10; i++)
        EXPECT_EQ(mem_frame_refcount(c + i * P), 1);
    EXPECT_EQ(free_now(), 54);
    EXPECT_EQ(mem_frame_alloc_contig(55), 0);
    EXPECT_EQ(mem_frame_alloc_contig(0), 0);
    for (int i = 0; i < 10; i++)
        mem_frame_free(c + i * P);
    EXPECT_TRUE(mem_frame_alloc_contig(64) != 0);
    EXPECT_EQ(free_now(), 0);
    uint64_t base = (uintptr_t)a + P;
    for (int i = 0; i < 64; i += 2)         /* free every other frame */
        mem_frame_free(base + i * P);
    EXPECT_EQ(mem_frame_alloc_contig(2), 0);
    mem_frame_free(base + 41 * P);          /* 40, 41, 42 now free */
    EXPECT_EQ(mem_frame_alloc_contig(3), base + 40 * P);
    uint64_t n;                              /* the free list survived the unlinking */
    uint64_t *v = alloc_all(&n);
    EXPECT_EQ(n, 30);
    for (uint64_t i = 0; i < n; i++)
        EXPECT_TRUE(v[i] % (2 * P) == base % (2 * P) && v[i] != base + 40 * P);
    free(v);
    free(a);
}

static void
test_frame_zero_address_never_handed_out(void)
{
    uint8_t *a = fake_mem_arena(8 * P);
    /* a fake range at 0 (its frames are never touched) and a real one */
    struct mem_range r[] = {{0, 3 * P}, {(uintptr_t)a, 8 * P}};
    EXPECT_EQ(mem_frame_init(r, 2), 0);
    mem_get_stats(&st);
    EXPECT_EQ(st.total_frames, 2 + 7);
    uint64_t n;
    uint64_t *v = alloc_all(&n);
    EXPECT_EQ(n, 9);
    for (uint64_t i = 0; i < n; i++)
        EXPECT_TRUE(v[i] != 0);
    free(v);
    free(a);
}

static void
test_frame_too_small_for_metadata(void)
{
    uint8_t *a = fake_mem_arena(P);
    struct mem_range r[] = {{(uintptr_t)a, P}};
    EXPECT_EQ(mem_frame_init(r, 1), -ENOMEM);
    EXPECT_EQ(mem_frame_alloc(), 0);
    EXPECT_EQ(mem_frame_init(r, 0), -ENOMEM);
    EXPECT_EQ(mem_frame_alloc_contig(1), 0);
    free(a);
}

static void
test_frame_more_ranges_than_descriptors(void)
{
    enum { N = 300, DESC = 256 };
    uint8_t *a = fake_mem_arena((8 + 2 * N) * P);
    static struct mem_range r[N];
    r[0] = (struct mem_range){(uintptr_t)a, 8 * P};
    for (int i = 1; i < N; i++)             /* then every other page is a range */
        r[i] = (struct mem_range){(uintptr_t)a + (8 + 2 * i) * P, P};
    EXPECT_EQ(mem_frame_init(r, N), 0);
    mem_get_stats(&st);
    EXPECT_EQ(st.total_frames, 8 + (DESC - 1) - 1);   /* DESC descriptors; a page of metadata */
    uint64_t n;
    free(alloc_all(&n));
    EXPECT_EQ(n, 8 + (DESC - 1) - 1);
    free(a);
}

/* RAM, a 256 GiB hole (PCI and friends), RAM: the hole costs nothing and
 * the metadata stays near 0.1%. */
static void
test_frame_holes_cost_nothing(void)
{
    const uint64_t ram = 1ull << 30, hole = 256ull << 30;
    uint8_t *m = mmap(NULL, 2 * ram + hole, PROT_NONE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (m == MAP_FAILED) {
        printf("holes test skipped: no address space for a 258 GiB reservation\n");
        return;
    }
    uint64_t base = ALIGN_UP((uintptr_t)m, P);
    EXPECT_EQ(mprotect((void *)base, ram - P, PROT_READ | PROT_WRITE), 0);
    EXPECT_EQ(mprotect((void *)(base + ram + hole), ram - P, PROT_READ | PROT_WRITE), 0);
    struct mem_range r[] = {{base + ram + hole, ram - P}, {base, ram - P}};
    EXPECT_EQ(mem_frame_init(r, 2), 0);
    uint64_t usable = 2 * (ram - P) / P;
    uint64_t meta = ALIGN_UP(usable * 4, P) / P;
    mem_get_stats(&st);
    EXPECT_EQ(st.total_frames, usable - meta);
    EXPECT_TRUE(meta * 1000 <= usable * 2);  /* <= 0.2% */
    uint64_t n, in_hole = 0;
    uint64_t *v = alloc_all(&n);
    EXPECT_EQ(n, usable - meta);
    for (uint64_t i = 0; i < n; i++)
        in_hole += v[i] >= base + ram && v[i] < base + ram + hole;
    EXPECT_EQ(in_hole, 0);
    for (uint64_t i = 0; i < n; i++)
        mem_frame_free(v[i]);
    EXPECT_EQ(free_now(), n);
    free(v);
    munmap(m, 2 * ram + hole);
}

static void free_it(uint64_t pa) { mem_frame_free(pa); }
static void unref_it(uint64_t pa) { mem_frame_unref(pa); }
static void ref_it(uint64_t pa) { mem_frame_ref(pa); }

static void
test_frame_misuse_asserts(void)
{
    uint8_t *a = fake_mem_arena(16 * P);
    struct mem_range r[] = {{(uintptr_t)a, 16 * P}};
    EXPECT_EQ(mem_frame_init(r, 1), 0);
    uint64_t pa = mem_frame_alloc();
    uint64_t shared = mem_frame_alloc();
    mem_frame_ref(shared);
    mem_frame_free(pa);
    EXPECT_TRUE(test_aborts(free_it, pa));                  /* double free */
    EXPECT_TRUE(test_aborts(unref_it, pa));                 /* unref of a free frame */
    EXPECT_TRUE(test_aborts(ref_it, pa));                   /* ref of a free frame */
    EXPECT_TRUE(test_aborts(free_it, shared));              /* free while shared */
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)a));        /* the metadata frame */
    EXPECT_TRUE(test_aborts(free_it, (uintptr_t)a + 16 * P)); /* past the end */
    EXPECT_TRUE(test_aborts(free_it, shared + 8));          /* unaligned */
    free(a);
}

void
tests_run(void)
{
    RUN(test_frame_alloc_all_free_all);
    RUN(test_frame_refcount_cow_sequence);
    RUN(test_frame_contig);
    RUN(test_frame_zero_address_never_handed_out);
    RUN(test_frame_too_small_for_metadata);
    RUN(test_frame_more_ranges_than_descriptors);
    RUN(test_frame_holes_cost_nothing);
    RUN(test_frame_misuse_asserts);
}
