/*
 * Bounded random fuzzing of elf_parse (elf.c): a small valid executable is
 * mutated (bytes, bit flips, boundary values in the headers, truncation)
 * 200000 times under a fixed seed. Each image sits in a malloc block of
 * exactly its length, so ASan catches any read past it; every accepted
 * image is re-checked against the rules of elf.h independently.
 * ELF_FUZZ_ITERS in the environment changes the count.
 */
// TEST_SRCS: kernel/elf.c tests/host/fuzz_mutate.c
#include <stdlib.h>
#include "kernel/elf.h"
#include "kernel/errno.h"
#include "tests/host/fuzz_mutate.h"
#include "tests/host/test.h"

#define USER_TOP 0x0000800000000000ull
#define PG       4096ull
#define SEED_LEN 0x320
#define NPH      5

static uint8_t seed[SEED_LEN];
static struct fuzz_rng rng = { 0x9e3779b97f4a7c15ull };

static uint64_t
next(void)
{
    return fuzz_next(&rng);
}

static void
put(uint8_t *b, size_t off, uint64_t v, int n)
{
    memcpy(b + off, &v, (size_t)n);
}

static uint64_t
get(const uint8_t *b, size_t off, int n)
{
    uint64_t v = 0;
    memcpy(&v, b + off, (size_t)n);
    return v;
}

static void
set_ph(int i, uint32_t type, uint32_t flags, uint64_t off, uint64_t va, uint64_t fsz, uint64_t msz)
{
    size_t o = 64 + (size_t)i * 56;
    put(seed, o, type, 4);
    put(seed, o + 4, flags, 4);
    put(seed, o + 8, off, 8);
    put(seed, o + 16, va, 8);
    put(seed, o + 24, va, 8);
    put(seed, o + 32, fsz, 8);
    put(seed, o + 40, msz, 8);
    put(seed, o + 48, PG, 8);
}

/* Four loads packed into 800 bytes; data shares rodata's page. */
static void
build_seed(void)
{
    memcpy(seed, "\x7f" "ELF\x02\x01\x01", 7);
    put(seed, 16, 2, 2);
    put(seed, 18, 62, 2);
    put(seed, 20, 1, 4);
    put(seed, 24, 0x4011a0, 8);
    put(seed, 32, 64, 8);
    put(seed, 52, 64, 2);
    put(seed, 54, 56, 2);
    put(seed, 56, NPH, 2);
    set_ph(0, 1, 4, 0x000, 0x400000, 0x190, 0x190);
    set_ph(1, 1, 5, 0x190, 0x401190, 0x100, 0x100);
    set_ph(2, 1, 4, 0x290, 0x402290, 0x50, 0x50);
    set_ph(3, 1, 6, 0x2e0, 0x4022e0, 0x40, 0x1000);
    set_ph(4, 0x6474e551, 6, 0, 0, 0, 0);
}

static const uint64_t interesting[] = {
    0, 1, 2, 3, 0x38, 0x40, 0xfff, 0x1000, 0x1001, SEED_LEN, SEED_LEN - 1, SEED_LEN + 1,
    0x7fff, 0xffff, 0x7fffffff, 0xffffffff, 0x400000, 0x401190, USER_TOP, USER_TOP - PG,
    USER_TOP - 1, 0xffffffff80000000ull, INT64_MAX, (uint64_t)INT64_MIN, UINT64_MAX,
    UINT64_MAX - 0xfff, UINT64_MAX - SEED_LEN,
};

static size_t
mutate(uint8_t *b)
{
    size_t len = SEED_LEN;
    int n = 1 + (int)(next() % 4);
    for (int i = 0; i < n; i++) {
        /* mostly hit the headers, where the decisions are made */
        size_t span = next() % 5 ? 64 + NPH * 56 : SEED_LEN;
        fuzz_edit(&rng, b, span, interesting, ARRAY_SIZE(interesting));
    }
    if (next() % 10 == 0)
        len = next() % (SEED_LEN + 1);
    return len;
}

/* The rules of elf.h, checked on an accepted image from scratch. */
static int
breaks_rules(const uint8_t *b, size_t len, const struct elf_info *in)
{
    int loads = 0;
    bool entry_ok = false;

    if (in->nsegs < 1 || in->nsegs > ELF_MAX_SEGS)
        return 1;
    uint64_t phoff = get(b, 32, 8);
    uint64_t phnum = get(b, 56, 2);
    for (uint64_t i = 0; i < phnum; i++) {
        uint32_t type = (uint32_t)get(b, phoff + i * 56, 4);
        if (type == 3)
            return 2;
        if (type == 1 && get(b, phoff + i * 56 + 40, 8) != 0)
            loads++;
    }
    if (loads != in->nsegs)
        return 3;
    for (int i = 0; i < in->nsegs; i++) {
        const struct elf_seg *s = &in->segs[i];
        if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
            return 4;
        if (s->vaddr < PG || s->memsz == 0 || s->vaddr + s->memsz < s->vaddr)
            return 5;
        if (s->vaddr + s->memsz > USER_TOP || ((s->vaddr - s->offset) & (PG - 1)))
            return 6;
        if (i > 0 && in->segs[i - 1].vaddr + in->segs[i - 1].memsz > s->vaddr)
            return 7;
        if ((s->prot & ELF_PROT_X) && in->entry >= s->vaddr && in->entry < s->vaddr + s->memsz)
            entry_ok = true;
        if (in->lo > s->vaddr || in->hi < s->vaddr + s->memsz)
            return 8;
    }
    if (!entry_ok)
        return 9;
    if (in->hi > USER_TOP || in->lo < PG || (in->lo | in->hi) & (PG - 1))
        return 10;
    return 0;
}

static void
test_elf_fuzz_never_crashes_or_accepts_bad(void)
{
    const char *env = getenv("ELF_FUZZ_ITERS");
    long iters = env ? atol(env) : 200000;
    long accepted = 0;
    const char *reasons[32];
    int nreasons = 0;
    uint8_t work[SEED_LEN];
    struct elf_info info;
    const char *why;

    build_seed();
    EXPECT_EQ(elf_parse(seed, SEED_LEN, USER_TOP, &info, &why), 0);
    for (long it = 0; it < iters; it++) {
        memcpy(work, seed, SEED_LEN);
        size_t len = mutate(work);
        uint8_t *img = malloc(len ? len : 1);
        memcpy(img, work, len);
        int err = elf_parse(img, len, USER_TOP, &info, &why);
        if (err == 0) {
            accepted++;
            int rule = breaks_rules(img, len, &info);
            if (rule)
                TEST_FAIL_("iteration %ld: accepted an image breaking rule %d", it, rule);
        } else {
            EXPECT_EQ(err, -ENOEXEC);
            EXPECT_TRUE(why != NULL && why[0] != 0);
            int k = 0;
            while (k < nreasons && reasons[k] != why)
                k++;
            if (k == nreasons && nreasons < (int)ARRAY_SIZE(reasons))
                reasons[nreasons++] = why;
        }
        free(img);
        if (test_cur_failed)
            break;
    }
    printf("elf fuzz: %ld iterations, %ld accepted, %d distinct reasons\n", iters, accepted,
           nreasons);
    if (iters >= 100000) {
        EXPECT_TRUE(accepted > iters / 100);   /* the mutator keeps some images valid */
        EXPECT_TRUE(nreasons >= 15);           /* and reaches most of the checks */
    }
}

void
tests_run(void)
{
    RUN(test_elf_fuzz_never_crashes_or_accepts_bad);
}
