/*
 * ELF64 executable validation for execve: checks the header and program
 * headers of a static x86_64 executable and reduces them to the segments to
 * map. Anything malformed or hostile is refused with -ENOEXEC and a reason,
 * never trusted. Mapping the segments is vm's job (kernel/proc_exec.c).
 * Pure logic, tested and fuzzed on the host.
 */
#pragma once
#include "kernel/compiler.h"

#define ELF_MAX_SEGS 16

enum { ELF_PROT_R = 1, ELF_PROT_W = 2, ELF_PROT_X = 4 };

struct elf_seg {
    uint64_t vaddr;  /* as in the file; need not be page-aligned */
    uint64_t memsz;
    uint64_t offset; /* file offset of the first byte */
    uint64_t filesz; /* <= memsz */
    uint32_t prot;   /* ELF_PROT_* */
};

struct elf_info {
    uint64_t entry;
    uint64_t phdr_vaddr;  /* where the program headers are in memory (AT_PHDR), 0 if not loaded */
    uint16_t phnum;
    uint16_t phentsize;
    uint64_t lo, hi;      /* page-aligned bounds of all PT_LOAD segments */
    int nsegs;
    struct elf_seg segs[ELF_MAX_SEGS];
};

/*
 * Validate the image img[0..len) and fill out. user_top is the first
 * address not available to user programs; every segment must lie wholly
 * below it and above the first page. Returns 0, or -ENOEXEC with *why set
 * to a static string naming the problem (bad magic, not ELF64, not x86_64,
 * not ET_EXEC (static-pie is refused for now), phdrs out of file, segment out of file,
 * filesz > memsz, overflow, overlapping segments, segment in kernel half,
 * entry outside an executable segment, too many segments, PT_INTERP
 * present (dynamic executables are not supported)).
 */
MUST_CHECK int elf_parse(const void *img, size_t len, uint64_t user_top, struct elf_info *out,
                         const char **why);
