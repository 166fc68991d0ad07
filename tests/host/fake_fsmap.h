/*
 * Host fake of fs's file maps (fs/fs_mmap.c's contract in fs/fs.h) for the
 * vm module's tests: a "file" is a byte array; pages are kept in the real
 * fs/fs_pagemap.c table, read from the array as faulted, written back to
 * it by fs_map_sync.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct fs_map;
/* A map of a file of size bytes holding data (copied), one reference. */
struct fs_map *fake_fsmap_new(const void *data, size_t size);
/* The file's bytes now (write-back lands here). */
uint8_t *fake_fsmap_bytes(struct fs_map *m);
uint32_t fake_fsmap_refs(struct fs_map *m);
/* Pages read in so far, and pages written back. */
uint64_t fake_fsmap_reads(struct fs_map *m);
uint64_t fake_fsmap_writes(struct fs_map *m);
/* Maps freed so far (their last reference went). */
extern int fake_fsmap_freed;
