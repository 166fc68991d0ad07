/*
 * Helpers for host tests of physical memory code (tests/host/fake_mem.c).
 */
#pragma once
#include <stddef.h>

/* A page-aligned block of bytes (rounded up to pages), filled with 0xa5,
 * to pass to mem_frame_init as "physical" memory. Free it with free(). */
void *fake_mem_arena(size_t bytes);
