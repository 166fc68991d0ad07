/*
 * Backing files of the flush migration strategy on the shared file system
 * (fs/fs_rmt_swap.c; kernel/migrate_flush.c; docs/migration.md): one file
 * per migration, /shared/.swap/mig-<id>, made by the source, read by the
 * target, removed when the target has every page. Requests go straight to
 * the file server as root (uncached: only these two nodes use the file,
 * one after the other), so the process's own credentials do not matter.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "fs/fsproto.h"

/* Make (or empty) the backing file of migration id, open for writing. */
int  fs_swap_create(uint64_t id, struct fsproto_fh *fh);
/* The backing file of migration id, to read. */
int  fs_swap_find(uint64_t id, struct fsproto_fh *fh);
/* len bytes at off: bytes moved, or -errno. */
long fs_swap_write(struct fsproto_fh fh, uint64_t off, const void *buf, size_t len);
long fs_swap_read(struct fsproto_fh fh, uint64_t off, void *buf, size_t len);
/* Close the creator's open; remove the file of migration id. */
void fs_swap_close(struct fsproto_fh fh);
int  fs_swap_remove(uint64_t id);
