/*
 * ELF64 validation for execve (contract in elf.h). The image comes from a
 * file anyone may write, so every field is checked before use, all offset
 * and address arithmetic is overflow-checked, and fields are read with
 * memcpy (no alignment is assumed). Produces the PT_LOAD list sorted by
 * address; mapping it is proc_exec.c's job. Pure logic, fuzzed on the host
 * (elf_fuzz_test.c).
 */
#include "kernel/elf.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

/* ELF64 header and program header field offsets (System V ABI). */
#define EH_SIZE       64
#define EH_TYPE       16
#define EH_MACHINE    18
#define EH_VERSION    20
#define EH_ENTRY      24
#define EH_PHOFF      32
#define EH_PHENTSIZE  54
#define EH_PHNUM      56
#define PH_SIZE       56
#define PH_TYPE       0
#define PH_FLAGS      4
#define PH_OFFSET     8
#define PH_VADDR      16
#define PH_FILESZ     32
#define PH_MEMSZ      40

#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PT_INTERP     3
#define PF_X          1
#define PF_W          2
#define PF_R          4

static uint16_t
rd16(const uint8_t *p)
{
    uint16_t v;
    memcpy(&v, p, sizeof v);   /* x86-64 and the host are little-endian */
    return v;
}

static uint32_t
rd32(const uint8_t *p)
{
    uint32_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static uint64_t
rd64(const uint8_t *p)
{
    uint64_t v;
    memcpy(&v, p, sizeof v);
    return v;
}

static const char *
check_header(const uint8_t *b, size_t len)
{
    if (len < EH_SIZE)
        return "file too short for an ELF header";
    if (b[0] != 0x7f || b[1] != 'E' || b[2] != 'L' || b[3] != 'F')
        return "bad magic";
    if (b[4] != ELFCLASS64)
        return "not ELF64";
    if (b[5] != ELFDATA2LSB)
        return "not little-endian";
    if (b[6] != 1 || rd32(b + EH_VERSION) != 1)
        return "bad ELF version";
    if (rd16(b + EH_MACHINE) != EM_X86_64)
        return "not x86_64";
    if (rd16(b + EH_TYPE) == ET_DYN)
        return "not ET_EXEC (static-pie is refused for now)";
    if (rd16(b + EH_TYPE) != ET_EXEC)
        return "not ET_EXEC";
    if (rd16(b + EH_PHENTSIZE) != PH_SIZE)
        return "bad program header size";
    uint16_t phnum = rd16(b + EH_PHNUM);
    if (phnum == 0 || phnum == 0xffff)   /* 0xffff: count lives in a section header */
        return "bad program header count";
    uint64_t phoff = rd64(b + EH_PHOFF);
    if (phoff > len || (uint64_t)phnum * PH_SIZE > len - phoff)
        return "phdrs out of file";
    return NULL;
}

/* Checks one PT_LOAD program header ph and, if it occupies memory, appends
 * it to out. */
static const char *
add_load(const uint8_t *ph, size_t len, uint64_t user_top, struct elf_info *out)
{
    uint32_t flags = rd32(ph + PH_FLAGS);
    struct elf_seg s = {
        .vaddr = rd64(ph + PH_VADDR),
        .memsz = rd64(ph + PH_MEMSZ),
        .offset = rd64(ph + PH_OFFSET),
        .filesz = rd64(ph + PH_FILESZ),
        .prot = ((flags & PF_R) ? ELF_PROT_R : 0) | ((flags & PF_W) ? ELF_PROT_W : 0) |
                ((flags & PF_X) ? ELF_PROT_X : 0),
    };

    if (s.filesz > s.memsz)
        return "filesz > memsz";
    if (s.offset > len || s.filesz > len - s.offset)
        return "segment out of file";
    if (s.memsz == 0)
        return NULL;   /* occupies nothing: nothing to map */
    if (s.vaddr + s.memsz < s.vaddr || s.vaddr + s.memsz > UINT64_MAX - PAGE_SIZE)
        return "overflow";
    if (s.vaddr < PAGE_SIZE)
        return "segment in the first page";
    if (ALIGN_UP(s.vaddr + s.memsz, PAGE_SIZE) > user_top)
        return "segment in kernel half";
    if ((s.vaddr - s.offset) % PAGE_SIZE != 0)
        return "segment vaddr and offset differ modulo the page size";
    if (out->nsegs == ELF_MAX_SEGS)
        return "too many segments";
    out->segs[out->nsegs++] = s;
    return NULL;
}

/* Sorts the segments by address and checks that no two share a byte
 * (sharing a page is fine: musl's data often starts on text's last page). */
static const char *
check_overlap(struct elf_info *out)
{
    for (int i = 1; i < out->nsegs; i++) {
        struct elf_seg s = out->segs[i];
        int j = i;
        for (; j > 0 && out->segs[j - 1].vaddr > s.vaddr; j--)
            out->segs[j] = out->segs[j - 1];
        out->segs[j] = s;
    }
    for (int i = 1; i < out->nsegs; i++) {
        const struct elf_seg *a = &out->segs[i - 1];
        if (a->vaddr + a->memsz > out->segs[i].vaddr)
            return "overlapping segments";
    }
    return NULL;
}

/* Fills lo, hi and phdr_vaddr, and checks the entry point; segments are
 * sorted and valid. */
static const char *
finish(const uint8_t *b, struct elf_info *out)
{
    uint64_t phoff = rd64(b + EH_PHOFF);
    uint64_t phend = phoff + (uint64_t)out->phnum * PH_SIZE;
    bool entry_ok = false;

    if (out->nsegs == 0)
        return "no loadable segments";
    out->lo = ALIGN_DOWN(out->segs[0].vaddr, PAGE_SIZE);
    const struct elf_seg *last = &out->segs[out->nsegs - 1];
    out->hi = ALIGN_UP(last->vaddr + last->memsz, PAGE_SIZE);
    for (int i = 0; i < out->nsegs; i++) {
        const struct elf_seg *s = &out->segs[i];
        if ((s->prot & ELF_PROT_X) && out->entry >= s->vaddr && out->entry - s->vaddr < s->memsz)
            entry_ok = true;
        /* AT_PHDR: the program headers are in memory if a segment loads
         * their file bytes (musl's static start finds PT_TLS through it). */
        if (!out->phdr_vaddr && phoff >= s->offset && phend <= s->offset + s->filesz)
            out->phdr_vaddr = s->vaddr + (phoff - s->offset);
    }
    if (!entry_ok)
        return "entry outside an executable segment";
    return NULL;
}

static const char *
parse(const uint8_t *b, size_t len, uint64_t user_top, struct elf_info *out)
{
    const char *why = check_header(b, len);
    if (why)
        return why;
    out->entry = rd64(b + EH_ENTRY);
    out->phnum = rd16(b + EH_PHNUM);
    out->phentsize = PH_SIZE;
    const uint8_t *ph = b + rd64(b + EH_PHOFF);
    for (unsigned i = 0; i < out->phnum; i++, ph += PH_SIZE) {
        uint32_t type = rd32(ph + PH_TYPE);
        if (type == PT_INTERP)
            return "PT_INTERP present (dynamic executables are not supported)";
        if (type == PT_LOAD && (why = add_load(ph, len, user_top, out)) != NULL)
            return why;
    }
    why = check_overlap(out);
    if (why)
        return why;
    return finish(b, out);
}

int
elf_parse(const void *img, size_t len, uint64_t user_top, struct elf_info *out,
          const char **why)
{
    memset(out, 0, sizeof *out);
    const char *w = parse(img, len, user_top, out);
    if (why)
        *why = w;
    return w ? -ENOEXEC : 0;
}
