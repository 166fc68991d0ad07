/*
 * The mutator the host fuzz tests share (kernel/elf_fuzz_test.c,
 * fs/wfs_fuzz_test.c, fs/fssrv_fuzz_test.c): a seeded xorshift generator
 * and one random edit of a byte span -- a random byte, a flipped bit, or a
 * boundary value written over a field-aligned 2, 4 or 8 bytes (little-
 * endian, sometimes added to what is there, as a nudge). Each test picks
 * where its edits land (the bytes that decide) and how many.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct fuzz_rng {
    uint64_t s;                 /* never 0 */
};

uint64_t fuzz_next(struct fuzz_rng *r);

/* One edit of b[0..span); special[0..nspecial) are the boundary values. */
void fuzz_edit(struct fuzz_rng *r, uint8_t *b, size_t span, const uint64_t *special,
               size_t nspecial);
