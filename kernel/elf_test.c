/*
 * Tests of the ELF validator (elf.c) on images built here: a musl-like
 * static executable, and one broken copy of it per rule in elf.h. If
 * build/user/hello exists (a real musl static binary), it must parse too.
 */
#include <stdlib.h>
#include "kernel/elf.h"
#include "kernel/errno.h"
#include "tests/host/test.h"

#define USER_TOP 0x0000800000000000ull

struct ph {
    uint32_t type, flags;
    uint64_t off, vaddr, filesz, memsz;
};

static uint8_t img[0x3000];
static struct elf_info info;
static const char *why;

static void
put16(size_t off, uint16_t v) { memcpy(img + off, &v, 2); }
static void
put32(size_t off, uint32_t v) { memcpy(img + off, &v, 4); }
static void
put64(size_t off, uint64_t v) { memcpy(img + off, &v, 8); }

static void
set_ph(int i, const struct ph *p)
{
    size_t o = 64 + (size_t)i * 56;
    put32(o, p->type);
    put32(o + 4, p->flags);
    put64(o + 8, p->off);
    put64(o + 16, p->vaddr);
    put64(o + 24, p->vaddr);
    put64(o + 32, p->filesz);
    put64(o + 40, p->memsz);
    put64(o + 48, 0x1000);
}

/* Like `musl-gcc -static`: headers in a read-only first segment, text,
 * rodata, then data+bss starting on rodata's last page at another offset. */
static const struct ph good[] = {
    {1, 4, 0x0000, 0x400000, 0x200, 0x200},
    {1, 5, 0x1000, 0x401000, 0x800, 0x800},
    {1, 4, 0x2000, 0x402000, 0x100, 0x100},
    {1, 6, 0x2fc0, 0x402fc0, 0x40, 0x1100},
    {0x6474e551, 6, 0, 0, 0, 0},   /* PT_GNU_STACK */
};

static void
build(const struct ph *phs, int n, uint64_t entry)
{
    memset(img, 0, sizeof img);
    memcpy(img, "\x7f" "ELF\x02\x01\x01", 7);
    put16(16, 2);       /* ET_EXEC */
    put16(18, 62);      /* EM_X86_64 */
    put32(20, 1);
    put64(24, entry);
    put64(32, 64);      /* phoff */
    put16(52, 64);
    put16(54, 56);
    put16(56, (uint16_t)n);
    for (int i = 0; i < n; i++)
        set_ph(i, &phs[i]);
}

static void
build_good(void)
{
    build(good, ARRAY_SIZE(good), 0x401010);
}

static int
parse(void)
{
    return elf_parse(img, sizeof img, USER_TOP, &info, &why);
}

#define EXPECT_REFUSED(reason)                                                 \
    do {                                                                       \
        EXPECT_EQ(parse(), -ENOEXEC);                                          \
        EXPECT_TRUE(why != NULL && strstr(why, reason) != NULL);               \
        if (why && !strstr(why, reason))                                       \
            fprintf(stderr, "  (reason was \"%s\")\n", why);                   \
    } while (0)

static void
test_elf_valid_musl_like(void)
{
    build_good();
    EXPECT_EQ(parse(), 0);
    EXPECT_TRUE(why == NULL);
    EXPECT_EQ(info.nsegs, 4);
    EXPECT_EQ(info.entry, 0x401010);
    EXPECT_EQ(info.lo, 0x400000);
    EXPECT_EQ(info.hi, 0x405000);
    EXPECT_EQ(info.phdr_vaddr, 0x400040);
    EXPECT_EQ(info.phnum, 5);
    EXPECT_EQ(info.phentsize, 56);
    EXPECT_EQ(info.segs[1].prot, ELF_PROT_R | ELF_PROT_X);
    EXPECT_EQ(info.segs[3].prot, ELF_PROT_R | ELF_PROT_W);
    EXPECT_EQ(info.segs[3].vaddr, 0x402fc0);
    EXPECT_EQ(info.segs[3].offset, 0x2fc0);
    EXPECT_EQ(info.segs[3].filesz, 0x40);
    EXPECT_EQ(info.segs[3].memsz, 0x1100);
}

static void
test_elf_segments_come_out_sorted(void)
{
    struct ph p[] = {good[3], good[1], good[0], good[2]};
    build(p, 4, 0x401010);
    EXPECT_EQ(parse(), 0);
    for (int i = 1; i < info.nsegs; i++)
        EXPECT_TRUE(info.segs[i - 1].vaddr < info.segs[i].vaddr);
    EXPECT_EQ(info.hi, 0x405000);
}

static void
test_elf_no_phdr_in_memory(void)
{
    struct ph p[] = {good[1]};
    build(p, 1, 0x401000);
    EXPECT_EQ(parse(), 0);
    EXPECT_EQ(info.phdr_vaddr, 0);
    EXPECT_EQ(info.lo, 0x401000);
    EXPECT_EQ(info.hi, 0x402000);
}

static void
test_elf_bad_header(void)
{
    build_good(); img[0] = 0x7e;            EXPECT_REFUSED("bad magic");
    build_good(); img[4] = 1;               EXPECT_REFUSED("not ELF64");
    build_good(); img[5] = 2;               EXPECT_REFUSED("little-endian");
    build_good(); put32(20, 2);             EXPECT_REFUSED("version");
    build_good(); put16(18, 3);             EXPECT_REFUSED("not x86_64");
    build_good(); put16(16, 3);             EXPECT_REFUSED("static-pie");
    build_good(); put16(16, 1);             EXPECT_REFUSED("not ET_EXEC");
    build_good(); put16(54, 64);            EXPECT_REFUSED("program header size");
    build_good(); put16(56, 0);             EXPECT_REFUSED("program header count");
    build_good();
    EXPECT_EQ(elf_parse(img, 63, USER_TOP, &info, &why), -ENOEXEC);
    EXPECT_TRUE(strstr(why, "too short") != NULL);
}

static void
test_elf_phdrs_out_of_file(void)
{
    build_good(); put64(32, sizeof img - 5 * 56 + 1);     EXPECT_REFUSED("phdrs out of file");
    build_good(); put64(32, UINT64_MAX - 8);              EXPECT_REFUSED("phdrs out of file");
    build_good(); put16(56, 0xfffe);                      EXPECT_REFUSED("phdrs out of file");
    build_good(); put64(32, sizeof img - 5 * 56);         /* exactly fits: phdrs now zeros */
    EXPECT_REFUSED("no loadable segments");
}

static void
test_elf_segment_file_range(void)
{
    struct ph p[ARRAY_SIZE(good)];
    memcpy(p, good, sizeof good);
    p[3].filesz = 0x41;                       /* one byte past the end of the file */
    build(p, 5, 0x401010);                    EXPECT_REFUSED("segment out of file");
    p[3].filesz = 0x40;
    p[3].off = UINT64_MAX - 0x3f;             /* offset + filesz wraps */
    p[3].vaddr = 0x403000 + (p[3].off & 0xfff);
    build(p, 5, 0x401010);                    EXPECT_REFUSED("segment out of file");
    memcpy(p, good, sizeof good);
    p[2].filesz = 0x101;                      /* filesz > memsz */
    build(p, 5, 0x401010);                    EXPECT_REFUSED("filesz > memsz");
    memcpy(p, good, sizeof good);
    p[2].off = 0x2010;                        /* vaddr 0x402000 at offset 0x2010 */
    build(p, 5, 0x401010);                    EXPECT_REFUSED("modulo the page size");
}

static void
test_elf_address_rules(void)
{
    struct ph p[ARRAY_SIZE(good)];
    memcpy(p, good, sizeof good);
    p[2].memsz = UINT64_MAX - 0x401fff;       /* vaddr + memsz wraps */
    build(p, 5, 0x401010);                    EXPECT_REFUSED("overflow");
    memcpy(p, good, sizeof good);
    p[0].vaddr = 0;                           /* page 0 stays unmapped */
    build(p, 5, 0x401010);                    EXPECT_REFUSED("first page");
    p[0].vaddr = 0xfff;
    p[0].off = 0xfff;
    build(p, 5, 0x401010);                    EXPECT_REFUSED("first page");
    memcpy(p, good, sizeof good);
    p[3].vaddr = USER_TOP - 0x1040;           /* ends one page past user_top */
    p[3].off = 0x2fc0;
    build(p, 5, 0x401010);                    EXPECT_REFUSED("kernel half");
    p[3].vaddr = 0xffffffff80002fc0ull;
    build(p, 5, 0x401010);                    EXPECT_REFUSED("kernel half");
    p[3].vaddr = USER_TOP - 0x2040;           /* last page below user_top: fine */
    build(p, 5, 0x401010);
    EXPECT_EQ(parse(), 0);
    EXPECT_EQ(info.hi, USER_TOP);
}

static void
test_elf_overlap(void)
{
    struct ph p[ARRAY_SIZE(good)];
    memcpy(p, good, sizeof good);
    p[2].memsz = 0xfc1;                       /* one byte into the data segment */
    p[2].filesz = 0xfc1;
    build(p, 5, 0x401010);                    EXPECT_REFUSED("overlapping segments");
    p[2].memsz = p[2].filesz = 0xfc0;         /* touching is fine */
    build(p, 5, 0x401010);
    EXPECT_EQ(parse(), 0);
    struct ph q[] = {good[1], good[1]};       /* the same segment twice */
    build(q, 2, 0x401010);                    EXPECT_REFUSED("overlapping segments");
    struct ph big = good[1];
    big.memsz = 0x3000;                       /* text swallows rodata and data */
    struct ph r[] = {good[3], good[2], big};
    build(r, 3, 0x401010);                    EXPECT_REFUSED("overlapping segments");
}

static void
test_elf_entry_must_be_executable(void)
{
    build(good, 5, 0x402fc8);                 EXPECT_REFUSED("entry outside");  /* data */
    build(good, 5, 0x401800);                 EXPECT_REFUSED("entry outside");  /* just past text */
    build(good, 5, 0x10);                     EXPECT_REFUSED("entry outside");
    build(good, 5, 0x4017ff);
    EXPECT_EQ(parse(), 0);
}

static void
test_elf_too_many_segments(void)
{
    struct ph p[ELF_MAX_SEGS + 1];
    for (int i = 0; i <= ELF_MAX_SEGS; i++)
        p[i] = (struct ph){1, 5, 0x1000, 0x401000 + 0x10000ull * i, 0x10, 0x10};
    build(p, ELF_MAX_SEGS, 0x401000);
    EXPECT_EQ(parse(), 0);
    EXPECT_EQ(info.nsegs, ELF_MAX_SEGS);
    build(p, ELF_MAX_SEGS + 1, 0x401000);     EXPECT_REFUSED("too many segments");
}

static void
test_elf_interp_and_empty(void)
{
    struct ph p[ARRAY_SIZE(good) + 1];
    memcpy(p, good, sizeof good);
    p[5] = (struct ph){3, 4, 0x100, 0x400100, 0x1c, 0x1c};
    build(p, 6, 0x401010);                    EXPECT_REFUSED("PT_INTERP");
    struct ph stack_only[] = {good[4]};
    build(stack_only, 1, 0x401010);           EXPECT_REFUSED("no loadable segments");
    struct ph zero[] = {good[1], {1, 6, 0x2000, 0x10, 0, 0}};  /* empty LOAD is ignored */
    build(zero, 2, 0x401010);
    EXPECT_EQ(parse(), 0);
    EXPECT_EQ(info.nsegs, 1);
}

static void
test_elf_real_musl_binary_if_built(void)
{
    FILE *f = fopen("build/user/hello", "rb");
    if (!f)
        return;   /* host tests must not need musl; nothing to check */
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *buf = malloc((size_t)n);
    EXPECT_TRUE(buf && fread(buf, 1, (size_t)n, f) == (size_t)n);
    fclose(f);
    int err = elf_parse(buf, (size_t)n, USER_TOP, &info, &why);
    if (err)
        fprintf(stderr, "build/user/hello refused: %s\n", why);
    EXPECT_EQ(err, 0);
    EXPECT_TRUE(info.nsegs >= 2);
    EXPECT_TRUE(info.phdr_vaddr != 0);
    free(buf);
}

void
tests_run(void)
{
    RUN(test_elf_valid_musl_like);
    RUN(test_elf_segments_come_out_sorted);
    RUN(test_elf_no_phdr_in_memory);
    RUN(test_elf_bad_header);
    RUN(test_elf_phdrs_out_of_file);
    RUN(test_elf_segment_file_range);
    RUN(test_elf_address_rules);
    RUN(test_elf_overlap);
    RUN(test_elf_entry_must_be_executable);
    RUN(test_elf_too_many_segments);
    RUN(test_elf_interp_and_empty);
    RUN(test_elf_real_musl_binary_if_built);
}
