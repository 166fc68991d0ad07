/*
 * The home ops' explicit encoding (STYLE.md 2.4): big-endian integers and
 * length-prefixed strings into a caller's buffer, read back with sticky
 * errors, so a short or malformed message from another node is refused
 * with -EBADMSG and never read past its end. The messages themselves are
 * in proc_home.c, proc_home_rexec.c and proc_fwd.c (docs/home.md).
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"

void
proc_put_bytes(struct proc_enc *e, const void *p, size_t n)
{
    if (e->err)
        return;
    if (n > e->cap - e->len) {
        e->err = -EMSGSIZE;
        return;
    }
    memcpy(e->buf + e->len, p, n);
    e->len += n;
}

void
proc_put_u32(struct proc_enc *e, uint32_t v)
{
    uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    proc_put_bytes(e, b, 4);
}

void
proc_put_u64(struct proc_enc *e, uint64_t v)
{
    proc_put_u32(e, (uint32_t)(v >> 32));
    proc_put_u32(e, (uint32_t)v);
}

void
proc_put_str(struct proc_enc *e, const char *s)
{
    size_t n = strlen(s);
    proc_put_u32(e, (uint32_t)n);
    proc_put_bytes(e, s, n);
}

void
proc_get_bytes(struct proc_dec *d, void *p, size_t n)
{
    if (d->err || n > d->len - d->off) {
        d->err = -EBADMSG;
        memset(p, 0, n);
        return;
    }
    memcpy(p, d->buf + d->off, n);
    d->off += n;
}

uint32_t
proc_get_u32(struct proc_dec *d)
{
    uint8_t b[4];
    proc_get_bytes(d, b, 4);
    return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

uint64_t
proc_get_u64(struct proc_dec *d)
{
    uint64_t hi = proc_get_u32(d);
    return hi << 32 | proc_get_u32(d);
}

void
proc_get_str(struct proc_dec *d, char *out, size_t cap)
{
    uint32_t n = proc_get_u32(d);
    if (!d->err && n >= cap)
        d->err = -EBADMSG;
    if (d->err) {
        if (cap)
            out[0] = 0;
        return;
    }
    proc_get_bytes(d, out, n);
    out[d->err ? 0 : n] = 0;
}
