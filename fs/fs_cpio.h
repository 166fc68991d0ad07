/*
 * The newc cpio archive reader (fs_cpio.c): the initrd's format, used by
 * fs_initrd.c to build the boot image's tree. Pure parsing, tested on the
 * host (fs_cpio_test.c).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct fs_cpio_entry {
    const char *name;           /* not NUL-terminated: name[0..namelen) */
    size_t   namelen;
    uint32_t mode;
    uint32_t ino;
    const void *data;
    size_t   size;
};
/* Parse the entry at *off of img[0..len). Returns 1 with *e filled and *off
 * advanced, 0 at TRAILER!!!, or -EINVAL with *why set to the reason. */
int fs_cpio_next(const void *img, size_t len, size_t *off, struct fs_cpio_entry *e,
                 const char **why);
