/*
 * The encapsulation buffers (kernel/migrate.h): a growable buffer the
 * source's pack functions append to, and a cursor the target's unpack
 * functions read with. Both keep a sticky error, so a pack or unpack
 * function checks once at its end; a short or malformed buffer from the
 * network reads as zeroes with -EBADMSG, never past its end.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/migrate.h"

void
mig_buf_init(struct mig_buf *b)
{
    b->data = NULL;
    b->len = b->cap = 0;
    b->err = 0;
}

void
mig_buf_free(struct mig_buf *b)
{
    kfree(b->data);
    mig_buf_init(b);
}

/* Room for n more bytes: 0, or sets the sticky error. */
static int
grow(struct mig_buf *b, size_t n)
{
    if (b->err)
        return b->err;
    if (n > MIG_BUF_MAX || b->len + n > MIG_BUF_MAX)
        return b->err = -EMSGSIZE;
    if (b->len + n <= b->cap)
        return 0;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + n)
        cap *= 2;
    uint8_t *d = kmalloc(cap);
    if (!d)
        return b->err = -ENOMEM;
    if (b->len)
        memcpy(d, b->data, b->len);
    kfree(b->data);
    b->data = d;
    b->cap = cap;
    return 0;
}

void
mig_put(struct mig_buf *b, const void *p, size_t n)
{
    if (grow(b, n))
        return;
    if (n)
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
mig_cur_init(struct mig_cur *c, const void *data, size_t len)
{
    c->data = data;
    c->len = data ? len : 0;
    c->pos = 0;
    c->err = 0;
}

size_t
mig_left(const struct mig_cur *c)
{
    return c->err ? 0 : c->len - c->pos;
}

void
mig_get(struct mig_cur *c, void *p, size_t n)
{
    if (c->err || n > c->len - c->pos) {
        c->err = -EBADMSG;
        if (n)
            memset(p, 0, n);
        return;
    }
    if (n)
        memcpy(p, c->data + c->pos, n);
    c->pos += n;
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

int
mig_get_str(struct mig_cur *c, char *buf, size_t cap)
{
    uint32_t n = mig_get_u32(c);
    if (cap)
        buf[0] = '\0';
    if (c->err || cap == 0 || n >= cap || n > c->len - c->pos) {
        c->err = -EBADMSG;
        return -EBADMSG;
    }
    mig_get(c, buf, n);
    buf[n] = '\0';
    if (strlen(buf) != n) {      /* an embedded NUL */
        c->err = -EBADMSG;
        buf[0] = '\0';
        return -EBADMSG;
    }
    return (int)n;
}
