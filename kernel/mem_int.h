/*
 * Interfaces shared inside the mem module only (mem_frame.c, mem_kmalloc.c);
 * other modules use kernel/mem.h.
 */
#pragma once
#include "kernel/compiler.h"

/* Bytes currently handed out by kmalloc, for mem_get_stats. Takes
 * mem.kmalloc briefly. */
uint64_t mem_kmalloc_bytes(void);

/* Forget all slabs and counts, because the frames under them are gone:
 * mem_frame_init calls it. A no-op at boot; host tests re-initialise.
 * Takes no lock: nothing else may use the heap meanwhile. */
void mem_kmalloc_reset(void);
/* Return kmalloc's cache of freed large blocks to the frame allocator
 * (mem_frame_alloc calls it before giving up). Caller holds no mem lock. */
void mem_kmalloc_reclaim(void);
