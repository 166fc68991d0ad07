/*
 * STUB (helper home, issue 8): a copy of the mig helper's buffer helpers
 * (kernel/stub_mig.h says which), so remote exec and proc_mig_pack build
 * before the merge. The lead deletes this file at merge.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/stub_mig.h"

void
mig_buf_init(struct mig_buf *b)
{
    *b = (struct mig_buf){ 0 };
}

void
mig_buf_free(struct mig_buf *b)
{
    kfree(b->data);
    *b = (struct mig_buf){ 0 };
}

void
mig_put(struct mig_buf *b, const void *p, size_t n)
{
    if (b->err)
        return;
    if (n > b->cap - b->len) {
        size_t cap = MAX(b->cap * 2, b->len + n + 256);
        uint8_t *d = kmalloc(cap);
        if (!d) {
            b->err = -ENOMEM;
            return;
        }
        if (b->len)
            memcpy(d, b->data, b->len);
        kfree(b->data);
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
}

void
mig_put_u64(struct mig_buf *b, uint64_t v)
{
    uint8_t x[8];
    for (int i = 0; i < 8; i++)
        x[i] = (uint8_t)(v >> (56 - 8 * i));
    mig_put(b, x, 8);
}

void
mig_put_u32(struct mig_buf *b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    mig_put(b, x, 4);
}

void
mig_put_str(struct mig_buf *b, const char *s)
{
    size_t n = strlen(s);
    mig_put_u32(b, (uint32_t)n);
    mig_put(b, s, n);
}

void
mig_get(struct mig_cur *c, void *p, size_t n)
{
    if (c->err || n > c->len - c->off) {
        c->err = -EBADMSG;
        memset(p, 0, n);
        return;
    }
    memcpy(p, c->data + c->off, n);
    c->off += n;
}

uint64_t
mig_get_u64(struct mig_cur *c)
{
    uint8_t x[8];
    uint64_t v = 0;
    mig_get(c, x, 8);
    for (int i = 0; i < 8; i++)
        v = v << 8 | x[i];
    return v;
}

uint32_t
mig_get_u32(struct mig_cur *c)
{
    uint8_t x[4];
    mig_get(c, x, 4);
    return (uint32_t)x[0] << 24 | (uint32_t)x[1] << 16 | (uint32_t)x[2] << 8 | x[3];
}

void
mig_get_str(struct mig_cur *c, char *buf, size_t cap)
{
    uint32_t n = mig_get_u32(c);
    if (!c->err && n >= cap)
        c->err = -EBADMSG;
    if (c->err) {
        buf[0] = 0;
        return;
    }
    mig_get(c, buf, n);
    buf[c->err ? 0 : n] = 0;
}
