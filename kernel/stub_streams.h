/*
 * STUB (helper home, issue 8): the streams helper's remote-exec interface
 * as the brief agrees it (fs/fs.h declares it after the merge; the lead
 * deletes this file and kernel/stub_streams.c).
 */
#pragma once
#include "kernel/compiler.h"

struct fs_ctx;
struct mig_buf;
struct mig_cur;

/* All fds not O_CLOEXEC, plus cwd; references taken for the receiver. */
int fs_ctx_pack(struct fs_ctx *ctx, struct mig_buf *b);
/* At the receiver: a new context, or NULL with *err set. */
struct fs_ctx *fs_ctx_unpack(struct mig_cur *c, int *err);
/* The sender drops the references when the receiver never took them. */
void fs_ctx_pack_discard(const void *packed, size_t len);
