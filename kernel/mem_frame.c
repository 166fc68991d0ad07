/*
 * The physical frame allocator of mem.h. Each usable range gets a
 * descriptor with its own metadata array, one uint32_t per frame, so the
 * cost is 0.1% of RAM and nothing for the holes between ranges. A word is
 * either the frame's reference count or, for a free frame, FREE_BIT plus
 * the index of the next free frame in the same range: one free list per
 * range, O(1) to allocate and free. Contiguous runs are found by scanning
 * and unlinked by walking the list, which is slow but rare. All metadata
 * sits in frames taken from the largest range at init. kmalloc (the heap)
 * is in mem_kmalloc.c; the usable ranges come from mem_range.c.
 *
 * Locking: mem.frame protects every descriptor and metadata word. Frame
 * contents are the owners' business and are never touched under it.
 */
#include "kernel/mem.h"
#include "kernel/mem_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/sync.h"

#define MEM_FRAME_MAX_RANGES 256    /* as many as boot/bootinfo.h allows */
#define FREE_BIT   0x80000000u
#define NIL        0x7fffffffu       /* end of a free list */
#define RANGE_MAX  (NIL - 1)         /* frames per descriptor */
#define REF_MAX    (FREE_BIT - 1)

struct frame_range {
    uint64_t base;       /* physical address of frame 0 */
    uint32_t nframes;
    uint32_t nfree;
    uint32_t free_head;  /* index of a free frame, or NIL */
    uint32_t *meta;      /* direct-map address of nframes words */
};

static struct spinlock frame_lock;   /* protects everything below */
static struct frame_range ranges[MEM_FRAME_MAX_RANGES];  /* sorted by base */
static int nranges;
static int alloc_hint;               /* range that last had a free frame */
static uint64_t total_frames;
static uint64_t free_frames;

/* Descriptors for the page-aligned ranges r[0..n), split to fit a uint32_t
 * index, with the frame at address 0 left out. Extra ranges past the
 * descriptor table are ignored. */
static void
add_ranges(const struct mem_range *r, int n)
{
    nranges = 0;
    for (int i = 0; i < n; i++) {
        uint64_t base = ALIGN_UP(r[i].base, PAGE_SIZE);
        uint64_t end = ALIGN_DOWN(r[i].base + r[i].len, PAGE_SIZE);
        if (base == 0)
            base = PAGE_SIZE;   /* 0 means failure, so never hand it out */
        while (base < end && nranges < MEM_FRAME_MAX_RANGES) {
            uint64_t frames = MIN((end - base) / PAGE_SIZE, (uint64_t)RANGE_MAX);
            int j = nranges++;
            for (; j > 0 && ranges[j - 1].base > base; j--)
                ranges[j] = ranges[j - 1];
            ranges[j] = (struct frame_range){.base = base, .nframes = (uint32_t)frames};
            base += frames * PAGE_SIZE;
        }
    }
}

/* Takes the metadata frames from the front of the largest range. */
static int
carve_metadata(void)
{
    uint64_t words = 0;
    int big = -1;

    for (int i = 0; i < nranges; i++) {
        words += ranges[i].nframes;
        if (big < 0 || ranges[i].nframes > ranges[big].nframes)
            big = i;
    }
    uint64_t meta_frames = ALIGN_UP(words * sizeof(uint32_t), PAGE_SIZE) / PAGE_SIZE;
    if (big < 0 || ranges[big].nframes <= meta_frames)
        return -ENOMEM;
    uint32_t *meta = mem_p2v(ranges[big].base);
    ranges[big].base += meta_frames * PAGE_SIZE;
    ranges[big].nframes -= (uint32_t)meta_frames;
    for (int i = 0; i < nranges; i++) {
        ranges[i].meta = meta;
        meta += ranges[i].nframes;
    }
    return 0;
}

int
mem_frame_init(const struct mem_range *r, int n)
{
    /* host tests call this again to start over; the kernel calls it once */
    spin_init(&frame_lock, "mem.frame");
    mem_kmalloc_reset();
    add_ranges(r, n);
    total_frames = free_frames = 0;
    alloc_hint = 0;
    int err = carve_metadata();
    if (err) {
        nranges = 0;
        return err;
    }
    for (int i = 0; i < nranges; i++) {
        struct frame_range *fr = &ranges[i];
        /* every frame free, listed in address order */
        for (uint32_t f = 0; f < fr->nframes; f++)
            fr->meta[f] = FREE_BIT | (f + 1 < fr->nframes ? f + 1 : NIL);
        fr->free_head = fr->nframes ? 0 : NIL;
        fr->nfree = fr->nframes;
        total_frames += fr->nframes;
    }
    free_frames = total_frames;
    return 0;
}

/* Caller holds frame_lock. The range holding pa; ASSERTs there is one. */
static struct frame_range *
range_of(uint64_t pa, uint32_t *idx)
{
    int lo = 0;
    int hi = nranges - 1;

    ASSERT((pa & (PAGE_SIZE - 1)) == 0, "frame addresses are page-aligned");
    while (lo < hi) {   /* last range with base <= pa */
        int mid = (lo + hi + 1) / 2;
        if (ranges[mid].base <= pa)
            lo = mid;
        else
            hi = mid - 1;
    }
    struct frame_range *r = &ranges[lo];
    ASSERT(nranges > 0 && pa >= r->base && (pa - r->base) / PAGE_SIZE < r->nframes,
           "frame is one the allocator manages");
    *idx = (uint32_t)((pa - r->base) / PAGE_SIZE);
    return r;
}

static uint64_t
frame_alloc_once(void)
{
    spin_lock(&frame_lock);
    for (int k = 0; k < nranges; k++) {
        int i = (alloc_hint + k) % nranges;
        struct frame_range *r = &ranges[i];
        if (r->free_head == NIL)
            continue;
        uint32_t f = r->free_head;
        r->free_head = r->meta[f] & ~FREE_BIT;
        r->meta[f] = 1;
        r->nfree--;
        free_frames--;
        alloc_hint = i;
        spin_unlock(&frame_lock);
        return r->base + (uint64_t)f * PAGE_SIZE;
    }
    spin_unlock(&frame_lock);
    return 0;
}

uint64_t
mem_frame_alloc(void)
{
    uint64_t pa = frame_alloc_once();
    if (!pa) {
        mem_kmalloc_reclaim();   /* freed large blocks kmalloc kept for reuse */
        pa = frame_alloc_once();
    }
    return pa;
}

uint64_t
mem_frame_alloc_zero(void)
{
    uint64_t pa = mem_frame_alloc();

    if (pa)
        memset(mem_p2v(pa), 0, PAGE_SIZE);
    return pa;
}

/* Caller holds frame_lock. Removes frames [s, s+n), all free, from r's
 * free list and gives each one reference. */
static void
take_run(struct frame_range *r, uint32_t s, uint32_t n)
{
    uint32_t prev = NIL;
    uint32_t left = n;

    for (uint32_t f = r->free_head; f != NIL && left;) {
        uint32_t next = r->meta[f] & ~FREE_BIT;
        if (f >= s && f - s < n) {
            if (prev == NIL)
                r->free_head = next;
            else
                r->meta[prev] = FREE_BIT | next;
            left--;
        } else {
            prev = f;
        }
        f = next;
    }
    ASSERT(left == 0, "every frame of a free run is on its range's free list");
    for (uint32_t f = s; f < s + n; f++)
        r->meta[f] = 1;
    r->nfree -= n;
    free_frames -= n;
}

uint64_t
mem_frame_alloc_contig(size_t n)
{
    if (n == 0 || n > RANGE_MAX)
        return 0;
    spin_lock(&frame_lock);
    for (int i = 0; i < nranges; i++) {
        struct frame_range *r = &ranges[i];
        uint32_t run = 0;
        if (r->nfree < n)
            continue;
        for (uint32_t f = 0; f < r->nframes; f++) {
            run = (r->meta[f] & FREE_BIT) ? run + 1 : 0;
            if (run == n) {
                uint32_t s = f + 1 - (uint32_t)n;
                take_run(r, s, (uint32_t)n);
                spin_unlock(&frame_lock);
                return r->base + (uint64_t)s * PAGE_SIZE;
            }
        }
    }
    spin_unlock(&frame_lock);
    return 0;
}

void
mem_frame_ref(uint64_t pa)
{
    uint32_t f;

    spin_lock(&frame_lock);
    struct frame_range *r = range_of(pa, &f);
    ASSERT(!(r->meta[f] & FREE_BIT), "a frame gaining a reference is allocated");
    ASSERT(r->meta[f] < REF_MAX, "frame reference count does not overflow");
    r->meta[f]++;
    spin_unlock(&frame_lock);
}

/* Drops one reference; with last set, it must be the only one. */
static uint32_t
drop_ref(uint64_t pa, bool last)
{
    uint32_t f;

    spin_lock(&frame_lock);
    struct frame_range *r = range_of(pa, &f);
    ASSERT(!(r->meta[f] & FREE_BIT), "a frame losing a reference is allocated (double free?)");
    ASSERT(!last || r->meta[f] == 1, "a frame passed to mem_frame_free has exactly one reference");
    uint32_t left = --r->meta[f];
    if (left == 0) {
        r->meta[f] = FREE_BIT | r->free_head;
        r->free_head = f;
        r->nfree++;
        free_frames++;
    }
    spin_unlock(&frame_lock);
    return left;
}

uint32_t
mem_frame_unref(uint64_t pa)
{
    return drop_ref(pa, false);
}

uint32_t
mem_frame_refcount(uint64_t pa)
{
    uint32_t f;

    spin_lock(&frame_lock);
    struct frame_range *r = range_of(pa, &f);
    uint32_t m = r->meta[f];
    spin_unlock(&frame_lock);
    return (m & FREE_BIT) ? 0 : m;
}

void
mem_frame_free(uint64_t pa)
{
    drop_ref(pa, true);
}

void
mem_get_stats(struct mem_stats *s)
{
    spin_lock(&frame_lock);
    s->total_frames = total_frames;
    s->free_frames = free_frames;
    spin_unlock(&frame_lock);
    s->kmalloc_bytes = mem_kmalloc_bytes();
}
