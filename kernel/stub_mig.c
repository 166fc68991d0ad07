/*
 * STUB (helper `streams`, issue 8): the migration buffer helpers of
 * kernel/migrate.h (owner: `mig`), copied here with the agreed API until
 * mig's branch is merged; the lead deletes this file at merge. Integers
 * are big-endian. See kernel/stub_mig.h.
 */
#include "kernel/stub_mig.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

void
mig_buf_init(struct mig_buf *b)
{
    memset(b, 0, sizeof(*b));
}

void
mig_buf_free(struct mig_buf *b)
{
    kfree(b->data);
    memset(b, 0, sizeof(*b));
}

static bool
grow(struct mig_buf *b, size_t n)
{
    if (b->len + n <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *d = kmalloc(cap);
    if (!d)
        return false;
    if (b->len)
        memcpy(d, b->data, b->len);
    kfree(b->data);
    b->data = d;
    b->cap = cap;
    return true;
}

void
mig_put(struct mig_buf *b, const void *p, size_t n)
{
    if (b->err)
        return;
    if (!grow(b, n)) {
        b->err = -ENOMEM;
        return;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
}

void
mig_put_u64(struct mig_buf *b, uint64_t v)
{
    uint8_t s[8];
    for (int i = 0; i < 8; i++)
        s[i] = (uint8_t)(v >> (56 - 8 * i));
    mig_put(b, s, 8);
}

void
mig_put_u32(struct mig_buf *b, uint32_t v)
{
    uint8_t s[4];
    for (int i = 0; i < 4; i++)
        s[i] = (uint8_t)(v >> (24 - 8 * i));
    mig_put(b, s, 4);
}

void
mig_put_str(struct mig_buf *b, const char *s)
{
    size_t n = strlen(s);
    mig_put_u32(b, (uint32_t)n);
    mig_put(b, s, n);
}

void
mig_cur_init(struct mig_cur *c, const void *data, size_t len)
{
    c->data = data;
    c->len = len;
    c->off = 0;
    c->err = 0;
}

void
mig_get(struct mig_cur *c, void *p, size_t n)
{
    if (!c->err && c->len - c->off < n)
        c->err = -EBADMSG;
    if (c->err) {
        if (n)
            memset(p, 0, n);
        return;
    }
    if (n)
        memcpy(p, c->data + c->off, n);
    c->off += n;
}

uint64_t
mig_get_u64(struct mig_cur *c)
{
    uint8_t s[8];
    uint64_t v = 0;
    mig_get(c, s, 8);
    for (int i = 0; i < 8; i++)
        v = v << 8 | s[i];
    return v;
}

uint32_t
mig_get_u32(struct mig_cur *c)
{
    uint8_t s[4];
    uint32_t v = 0;
    mig_get(c, s, 4);
    for (int i = 0; i < 4; i++)
        v = v << 8 | s[i];
    return v;
}

void
mig_get_str(struct mig_cur *c, char *buf, size_t cap)
{
    uint32_t n = mig_get_u32(c);
    if (!c->err && (cap == 0 || n >= cap))
        c->err = -EBADMSG;
    if (!c->err)
        mig_get(c, buf, n);
    if (!c->err && strnlen(buf, n) != n)
        c->err = -EBADMSG;
    if (cap)
        buf[c->err ? 0 : n] = '\0';
}
