/*
 * libFuzzer target: kernel/elf.c, the validation exec trusts. An accepted
 * image must have every segment inside the file and below user_top, sorted
 * and not overlapping, and an entry inside an executable segment.
 */
#include <stdlib.h>
#include "kernel/elf.h"

#define USER_TOP 0x00007fffff7ff000ull

int LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len);

int
LLVMFuzzerTestOneInput(const uint8_t *buf, size_t len)
{
    struct elf_info ei;
    const char *why = NULL;
    if (elf_parse(buf, len, USER_TOP, &ei, &why) != 0) {
        if (!why)
            abort();   /* a refusal always says why */
        return 0;
    }
    bool entry_ok = false;
    for (int i = 0; i < ei.nsegs; i++) {
        const struct elf_seg *s = &ei.segs[i];
        if (s->filesz > s->memsz || s->offset > len || s->filesz > len - s->offset)
            abort();
        if (s->vaddr + s->memsz > USER_TOP || s->vaddr + s->memsz < s->vaddr)
            abort();
        if (i > 0 && s->vaddr < ei.segs[i - 1].vaddr + ei.segs[i - 1].memsz)
            abort();
        if ((s->prot & ELF_PROT_X) && ei.entry >= s->vaddr && ei.entry < s->vaddr + s->memsz)
            entry_ok = true;
    }
    if (!entry_ok)
        abort();
    return 0;
}
