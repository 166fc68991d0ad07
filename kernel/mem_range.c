/*
 * The usable-memory computation of mem.h: boot memory map "available"
 * ranges minus every reserved range (kernel image, modules, boot data),
 * page-aligned inward. Runs before any allocator exists, so it needs no
 * scratch memory and leaves its inputs alone: it walks the address space
 * upward, finding one maximal usable piece at a time. The inputs are a few
 * dozen ranges, so the quadratic scans cost nothing. The frame allocator
 * that consumes the result is mem_frame.c.
 */
#include "kernel/mem.h"

/* Exclusive end, saturated so a range reaching the top cannot wrap. */
static uint64_t
end_of(const struct mem_range *r)
{
    return r->len > UINT64_MAX - r->base ? UINT64_MAX : r->base + r->len;
}

/* Lowest available address >= cur, or false when none. */
static bool
next_avail(const struct mem_range *avail, int navail, uint64_t cur, uint64_t *start)
{
    bool found = false;

    for (int i = 0; i < navail; i++) {
        if (avail[i].len == 0 || end_of(&avail[i]) <= cur)
            continue;
        uint64_t s = MAX(avail[i].base, cur);
        if (!found || s < *start)
            *start = s;
        found = true;
    }
    return found;
}

/* End of the reserved range holding addr, or 0 when addr is not reserved. */
static uint64_t
resv_end(const struct mem_range *resv, int nresv, uint64_t addr)
{
    for (int i = 0; i < nresv; i++) {
        if (resv[i].len && resv[i].base <= addr && addr < end_of(&resv[i]))
            return end_of(&resv[i]);
    }
    return 0;
}

/* End of the usable piece starting at start (which is available and not
 * reserved): grow across overlapping or adjacent available ranges, then cut
 * at the first reserved range. */
static uint64_t
piece_end(const struct mem_range *avail, int navail, const struct mem_range *resv, int nresv,
          uint64_t start)
{
    uint64_t end = start;
    bool grew = true;

    while (grew) {
        grew = false;
        for (int i = 0; i < navail; i++) {
            if (avail[i].len && avail[i].base <= end && end_of(&avail[i]) > end) {
                end = end_of(&avail[i]);
                grew = true;
            }
        }
    }
    for (int i = 0; i < nresv; i++) {
        if (resv[i].len && resv[i].base > start && resv[i].base < end)
            end = resv[i].base;
    }
    return end;
}

int
mem_ranges_usable(const struct mem_range *avail, int navail, const struct mem_range *resv,
                  int nresv, struct mem_range *out, int maxout)
{
    uint64_t cur = 0;
    uint64_t start = 0;
    int n = 0;

    /* each pass moves cur strictly upward, past a reserved range or a piece */
    while (n < maxout && next_avail(avail, navail, cur, &start)) {
        uint64_t skip = resv_end(resv, nresv, start);
        if (skip) {
            cur = skip;
            continue;
        }
        uint64_t end = piece_end(avail, navail, resv, nresv, start);
        if (start <= UINT64_MAX - (PAGE_SIZE - 1)) {
            uint64_t lo = ALIGN_UP(start, PAGE_SIZE);
            uint64_t hi = ALIGN_DOWN(end, PAGE_SIZE);
            if (lo < hi) {
                out[n].base = lo;
                out[n].len = hi - lo;
                n++;
            }
        }
        if (end == UINT64_MAX)
            break;
        cur = end;
    }
    return n;
}
