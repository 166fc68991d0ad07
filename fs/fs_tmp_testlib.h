/*
 * For the fs host tests that run on a tmpfs (fs/fs_tmp_test.c,
 * fs/fs_sys_space_test.c, fs/fs_sys_sendfile_test.c): on top of
 * fs/fs_testlib.h, the frame allocator the tmpfs takes its pages from (the
 * host's heap, with an optional limit and a count of frames out), struct
 * stat as the calls write it, and a tmpfs of 16 MiB on /tmp. Included once
 * by each test file: it defines the allocator that binary links.
 */
#pragma once
#include "fs/fs_testlib.h"
#include "kernel/mem.h"

struct tstat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad;
    uint64_t rdev;
    int64_t size, blksize, blocks, t[6], r[3];
};

static long frames_left = -1;   /* frames before the allocator is empty; -1: no limit */
static long frames_out;         /* allocated and not freed */

uint64_t
mem_frame_alloc_zero(void)
{
    if (frames_left == 0)
        return 0;
    if (frames_left > 0)
        frames_left--;
    void *p = aligned_alloc(PAGE_SIZE, PAGE_SIZE);
    memset(p, 0, PAGE_SIZE);
    frames_out++;
    return (uint64_t)(uintptr_t)p;
}

void
mem_frame_free(uint64_t pa)
{
    free((void *)(uintptr_t)pa);
    frames_out--;
}

/* tsetup (fs_testlib.h), and the first time a tmpfs on /tmp. */
UNUSED static void
tmp_setup(void)
{
    static bool mounted;
    tsetup();
    if (!mounted) {
        ASSERT(fs_tmp_mount("/tmp", 1 << 24) == 0, "a tmpfs on /tmp");
        mounted = true;
    }
}
