/*
 * The wire cursor (wire.h). Big-endian, like every Wisp message.
 */
#include "kernel/wire.h"
#include "kernel/lib.h"

void
wire_init_put(struct wire *w, void *buf, size_t cap)
{
    w->p = buf;
    w->len = cap;
    w->pos = 0;
    w->err = false;
}

void
wire_init_get(struct wire *w, const void *buf, size_t len)
{
    wire_init_put(w, (void *)(uintptr_t)buf, len);
}

/* Room for n more bytes; marks the overrun otherwise. */
static bool
room(struct wire *w, size_t n)
{
    if (w->err || n > w->len - w->pos) {
        w->err = true;
        return false;
    }
    return true;
}

static void
put_be(struct wire *w, uint64_t v, unsigned n)
{
    if (!room(w, n))
        return;
    for (unsigned i = 0; i < n; i++)
        w->p[w->pos + i] = (uint8_t)(v >> (8 * (n - 1 - i)));
    w->pos += n;
}

static uint64_t
get_be(struct wire *w, unsigned n)
{
    uint64_t v = 0;
    if (!room(w, n))
        return 0;
    for (unsigned i = 0; i < n; i++)
        v = v << 8 | w->p[w->pos + i];
    w->pos += n;
    return v;
}

void wire_put_u8(struct wire *w, uint8_t v) { put_be(w, v, 1); }
void wire_put_u16(struct wire *w, uint16_t v) { put_be(w, v, 2); }
void wire_put_u32(struct wire *w, uint32_t v) { put_be(w, v, 4); }
void wire_put_u64(struct wire *w, uint64_t v) { put_be(w, v, 8); }
uint8_t wire_get_u8(struct wire *w) { return (uint8_t)get_be(w, 1); }
uint16_t wire_get_u16(struct wire *w) { return (uint16_t)get_be(w, 2); }
uint32_t wire_get_u32(struct wire *w) { return (uint32_t)get_be(w, 4); }
uint64_t wire_get_u64(struct wire *w) { return get_be(w, 8); }

void
wire_put_bytes(struct wire *w, const void *p, size_t n)
{
    if (!room(w, n))
        return;
    if (n)
        memcpy(w->p + w->pos, p, n);
    w->pos += n;
}

void
wire_put_str(struct wire *w, const char *s)
{
    size_t n = strlen(s);
    if (n > UINT16_MAX) {
        w->err = true;
        return;
    }
    wire_put_u16(w, (uint16_t)n);
    wire_put_bytes(w, s, n);
}

const uint8_t *
wire_get_ref(struct wire *w, size_t n)
{
    if (!room(w, n))
        return NULL;
    const uint8_t *p = w->p + w->pos;
    w->pos += n;
    return p;
}

void
wire_get_bytes(struct wire *w, void *p, size_t n)
{
    const uint8_t *src = wire_get_ref(w, n);
    if (src && n)
        memcpy(p, src, n);
    else if (!src && n)
        memset(p, 0, n);
}

size_t
wire_get_str(struct wire *w, char *buf, size_t cap)
{
    size_t n = wire_get_u16(w);
    const uint8_t *src = wire_get_ref(w, n);
    if (!src || n >= cap || strnlen((const char *)src, n) != n) {
        w->err = true;
        if (cap)
            buf[0] = 0;
        return 0;
    }
    memcpy(buf, src, n);
    buf[n] = 0;
    return n;
}

void
wire_fail(struct wire *w)
{
    w->err = true;
}

bool
wire_ok(const struct wire *w)
{
    return !w->err;
}

size_t
wire_used(const struct wire *w)
{
    return w->pos;
}

size_t
wire_left(const struct wire *w)
{
    return w->err ? 0 : w->len - w->pos;
}
