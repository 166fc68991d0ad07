/*
 * STUB (helper home, issue 8): the mig helper's buffer helpers as the
 * brief agrees them (kernel/migrate.h provides them after the merge; the
 * lead deletes this file and kernel/stub_mig.c and includes migrate.h).
 * Growable kernel buffer with a sticky error; a cursor that never reads
 * past its end (-EBADMSG).
 */
#pragma once
#include "kernel/compiler.h"

struct mig_buf {
    uint8_t *data;
    size_t len, cap;
    int err;
};
struct mig_cur {
    const uint8_t *data;
    size_t len, off;
    int err;
};

void mig_buf_init(struct mig_buf *b);
void mig_buf_free(struct mig_buf *b);
void mig_put(struct mig_buf *b, const void *p, size_t n);
void mig_put_u64(struct mig_buf *b, uint64_t v);
void mig_put_u32(struct mig_buf *b, uint32_t v);
void mig_put_str(struct mig_buf *b, const char *s);
void mig_get(struct mig_cur *c, void *p, size_t n);
uint64_t mig_get_u64(struct mig_cur *c);
uint32_t mig_get_u32(struct mig_cur *c);
void mig_get_str(struct mig_cur *c, char *buf, size_t cap);
