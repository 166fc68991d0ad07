/*
 * STUB (helper `streams`, issue 8): the migration buffers that the `mig`
 * helper provides in kernel/migrate.h. Only what fs/ and kernel/proc_timer.c
 * need, with the agreed names; the lead deletes this file and
 * kernel/stub_mig.c at merge and includes kernel/migrate.h instead.
 *
 * mig_buf: a growable kernel buffer; mig_put* append. mig_cur: a cursor
 * over received bytes; mig_get* consume. Both errors are sticky: after the
 * first failure (-ENOMEM for a buffer, -EBADMSG for a short or malformed
 * input) every later call does nothing and `err` keeps the first error;
 * values read after it are 0 (strings "").
 */
#pragma once
#include "kernel/compiler.h"

struct mig_ctx;

struct mig_buf {
    uint8_t *data;              /* kmalloc'd; NULL until the first put */
    size_t len, cap;
    int err;                    /* 0, or the first error (sticky) */
};

struct mig_cur {
    const uint8_t *data;
    size_t len, off;
    int err;                    /* 0, or -EBADMSG (sticky) */
};

void mig_buf_init(struct mig_buf *b);
void mig_buf_free(struct mig_buf *b);
void mig_put(struct mig_buf *b, const void *p, size_t n);
void mig_put_u64(struct mig_buf *b, uint64_t v);
void mig_put_u32(struct mig_buf *b, uint32_t v);
void mig_put_str(struct mig_buf *b, const char *s);     /* u32 length, then the bytes */

void mig_cur_init(struct mig_cur *c, const void *data, size_t len);
void mig_get(struct mig_cur *c, void *p, size_t n);
uint64_t mig_get_u64(struct mig_cur *c);
uint32_t mig_get_u32(struct mig_cur *c);
/* A string of at most cap-1 bytes, NUL-terminated into buf; longer ones,
 * or ones holding a NUL, are -EBADMSG. */
void mig_get_str(struct mig_cur *c, char *buf, size_t cap);
