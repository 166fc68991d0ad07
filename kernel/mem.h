/*
 * Physical memory: page-aligned usable ranges from the boot memory map, the
 * frame allocator with per-frame reference counts (copy-on-write shares
 * frames), and kmalloc/kfree on top of it. Frames are named by physical
 * address; the kernel touches them through the direct map (mem_p2v).
 * Virtual address spaces live in vm.h.
 */
#pragma once
#include "kernel/compiler.h"

#define PAGE_SIZE  4096ull
#define PAGE_SHIFT 12

struct mem_range {
    uint64_t base;
    uint64_t len;
};

/* Usable memory = avail minus every reserved range, each result page-aligned
 * inward, sorted by base and with overlaps/adjacent ranges merged; ranges
 * smaller than a page vanish. Writes at most maxout ranges to out and returns
 * how many it wrote (ranges past maxout are dropped, largest kept is not
 * guaranteed). Pure function. */
int mem_ranges_usable(const struct mem_range *avail, int navail,
                      const struct mem_range *resv, int nresv,
                      struct mem_range *out, int maxout);

/* Build the frame allocator over the usable ranges (as returned by
 * mem_ranges_usable). Its metadata (one struct per frame, for reference
 * counts) is carved out of the ranges themselves. Returns 0 or -ENOMEM when
 * the ranges cannot even hold the metadata. Call once, before any other
 * mem_ function. */
MUST_CHECK int mem_frame_init(const struct mem_range *r, int n);

/* One frame, reference count 1, contents undefined. Returns its physical
 * address, or 0 when memory is exhausted. Never sleeps. */
uint64_t mem_frame_alloc(void);
/* As mem_frame_alloc, filled with zeroes. */
uint64_t mem_frame_alloc_zero(void);
/* n physically contiguous frames, each with count 1; 0 when none. */
uint64_t mem_frame_alloc_contig(size_t n);
/* Take / drop a reference; the frame is freed when the count reaches 0.
 * mem_frame_unref returns the new count. Asserts the frame was allocated. */
void mem_frame_ref(uint64_t pa);
uint32_t mem_frame_unref(uint64_t pa);
uint32_t mem_frame_refcount(uint64_t pa);
/* Same as mem_frame_unref, for a frame that must have count 1. */
void mem_frame_free(uint64_t pa);

struct mem_stats {
    uint64_t total_frames; /* managed frames (after metadata) */
    uint64_t free_frames;
    uint64_t kmalloc_bytes; /* bytes currently handed out by kmalloc */
};
void mem_get_stats(struct mem_stats *s);

/* Kernel heap. Never sleeps; returns NULL when memory is exhausted.
 * kmalloc returns 16-byte aligned memory; kzalloc zeroes it. kfree(NULL) is
 * a no-op; freeing anything else not from kmalloc trips an ASSERT. */
void *kmalloc(size_t n);
void *kzalloc(size_t n);
void  kfree(void *p);

/* Physical <-> kernel virtual through the direct map (arch provides it). */
void    *mem_p2v(uint64_t pa);
uint64_t mem_v2p(const void *va);
