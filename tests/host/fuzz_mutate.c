/*
 * The host fuzz tests' shared mutator (fuzz_mutate.h).
 */
#include <string.h>
#include "tests/host/fuzz_mutate.h"

uint64_t
fuzz_next(struct fuzz_rng *r)
{
    r->s ^= r->s << 13;
    r->s ^= r->s >> 7;
    r->s ^= r->s << 17;
    return r->s;
}

void
fuzz_edit(struct fuzz_rng *r, uint8_t *b, size_t span, const uint64_t *special, size_t nspecial)
{
    if (span == 0)
        return;
    size_t off = (size_t)(fuzz_next(r) % span);
    switch (fuzz_next(r) % 4) {
    case 0:
        b[off] = (uint8_t)fuzz_next(r);
        break;
    case 1:
        b[off] ^= (uint8_t)(1u << (fuzz_next(r) % 8));
        break;
    default: {
        static const size_t widths[] = { 2, 4, 8 };
        size_t w = widths[fuzz_next(r) % 3];
        off &= ~(w - 1);                        /* field-aligned, like real fields */
        if (off + w > span || nspecial == 0)
            break;
        uint64_t v = special[fuzz_next(r) % nspecial], old = 0;
        if (fuzz_next(r) % 4 == 0) {
            memcpy(&old, b + off, w);
            v += old;                           /* nudge the existing value */
        }
        memcpy(b + off, &v, w);
    }
    }
}
