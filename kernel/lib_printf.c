/*
 * printf-style formatting into a buffer: k_vsnprintf and k_snprintf. Integer
 * and string conversions only (the kernel has no floating point). Console
 * output (kprintf, panic) is log.c, which formats through here. Has no
 * state and takes no locks, so it is safe from any context.
 */
#include "kernel/lib.h"

enum {
    F_LEFT = 1,   /* '-' */
    F_ZERO = 2,   /* '0' */
    F_PLUS = 4,   /* '+' */
    F_SPACE = 8,  /* ' ' */
    F_ALT = 16,   /* '#' */
};

struct out {
    char *buf;
    size_t size;
    size_t len;   /* what the whole output would need, without the NUL */
};

struct spec {
    unsigned flags;
    int width;
    int prec;     /* -1: none given */
};

static void
put(struct out *o, char c)
{
    if (o->len + 1 < o->size)
        o->buf[o->len] = c;
    o->len++;
}

static void
put_rep(struct out *o, char c, int n)
{
    while (n-- > 0)
        put(o, c);
}

static void
put_str(struct out *o, const struct spec *sp, const char *s)
{
    int n = 0;

    if (s == NULL)
        s = "(null)";
    /* with a precision, s need not be NUL-terminated */
    while ((sp->prec < 0 || n < sp->prec) && s[n])
        n++;
    if (!(sp->flags & F_LEFT))
        put_rep(o, ' ', sp->width - n);
    for (int i = 0; i < n; i++)
        put(o, s[i]);
    if (sp->flags & F_LEFT)
        put_rep(o, ' ', sp->width - n);
}

/* One integer: v is the magnitude, neg its sign; conv one of d u x X o p. */
static void
put_num(struct out *o, const struct spec *sp, uint64_t v, bool neg, char conv)
{
    char digits[24];
    char prefix[3];
    int nd = 0;
    int np = 0;
    unsigned base = conv == 'o' ? 8 : (conv == 'd' || conv == 'u') ? 10 : 16;
    const char *dig = conv == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    bool is_zero = v == 0;

    while (v) {
        digits[nd++] = dig[v % base];
        v /= base;
    }
    int prec = sp->prec;
    if (prec < 0)
        prec = 1;                     /* zero prints as "0" unless precision is 0 */
    if (conv == 'o' && (sp->flags & F_ALT) && prec <= nd)
        prec = nd + 1;                /* '#': octal starts with 0 */
    if (conv == 'd') {
        if (neg)
            prefix[np++] = '-';
        else if (sp->flags & F_PLUS)
            prefix[np++] = '+';
        else if (sp->flags & F_SPACE)
            prefix[np++] = ' ';
    } else if (conv == 'p' || ((conv == 'x' || conv == 'X') && (sp->flags & F_ALT) && !is_zero)) {
        prefix[np++] = '0';
        prefix[np++] = conv == 'X' ? 'X' : 'x';
    }
    int zeros = prec > nd ? prec - nd : 0;
    int pad = sp->width - np - zeros - nd;
    if ((sp->flags & F_ZERO) && !(sp->flags & F_LEFT) && sp->prec < 0 && pad > 0) {
        zeros += pad;
        pad = 0;
    }
    if (!(sp->flags & F_LEFT))
        put_rep(o, ' ', pad);
    for (int i = 0; i < np; i++)
        put(o, prefix[i]);
    put_rep(o, '0', zeros);
    while (nd)
        put(o, digits[--nd]);
    if (sp->flags & F_LEFT)
        put_rep(o, ' ', pad);
}

/* Reads flags, width and precision after '%'; returns where the length
 * modifier starts. */
static const char *
parse_spec(const char *f, struct spec *sp, va_list *ap)
{
    sp->flags = 0;
    sp->width = 0;
    sp->prec = -1;
    for (;; f++) {
        if (*f == '-')
            sp->flags |= F_LEFT;
        else if (*f == '0')
            sp->flags |= F_ZERO;
        else if (*f == '+')
            sp->flags |= F_PLUS;
        else if (*f == ' ')
            sp->flags |= F_SPACE;
        else if (*f == '#')
            sp->flags |= F_ALT;
        else
            break;
    }
    if (*f == '*') {
        int w = va_arg(*ap, int);
        if (w < 0) {
            sp->flags |= F_LEFT;
            w = w < -100000 ? 100000 : -w;   /* also keeps INT_MIN from overflowing */
        }
        sp->width = w < 100000 ? w : 100000;
        f++;
    } else {
        for (; *f >= '0' && *f <= '9'; f++)
            sp->width = sp->width < 100000 ? sp->width * 10 + (*f - '0') : sp->width;
    }
    if (*f == '.') {
        f++;
        sp->prec = 0;
        if (*f == '*') {
            sp->prec = va_arg(*ap, int);
            if (sp->prec < 0)
                sp->prec = -1;          /* negative precision: as if none */
            f++;
        } else {
            for (; *f >= '0' && *f <= '9'; f++)
                sp->prec = sp->prec < 100000 ? sp->prec * 10 + (*f - '0') : sp->prec;
        }
    }
    return f;
}

/* Length modifiers, as the number of bytes of the argument. */
enum { L_HH = 1, L_H = 2, L_INT = 4, L_LONG = 8 };

static const char *
parse_len(const char *f, int *len)
{
    *len = L_INT;
    if (f[0] == 'h' && f[1] == 'h') {
        *len = L_HH;
        return f + 2;
    }
    if (f[0] == 'l' && f[1] == 'l') {
        *len = L_LONG;
        return f + 2;
    }
    if (*f == 'h')
        *len = L_H;
    else if (*f == 'l' || *f == 'z' || *f == 't' || *f == 'j')
        *len = L_LONG;   /* all 64-bit on x86-64 */
    else
        return f;
    return f + 1;
}

static void
conv_int(struct out *o, const struct spec *sp, char conv, int len, va_list *ap)
{
    if (conv == 'd' || conv == 'i') {
        int64_t v = len == L_LONG ? va_arg(*ap, int64_t) : va_arg(*ap, int);
        if (len == L_HH)
            v = (signed char)v;
        else if (len == L_H)
            v = (short)v;
        /* magnitude computed unsigned so INT64_MIN does not overflow */
        put_num(o, sp, v < 0 ? -(uint64_t)v : (uint64_t)v, v < 0, 'd');
        return;
    }
    uint64_t v = len == L_LONG ? va_arg(*ap, uint64_t) : va_arg(*ap, unsigned);
    if (len == L_HH)
        v = (unsigned char)v;
    else if (len == L_H)
        v = (unsigned short)v;
    put_num(o, sp, v, false, conv);
}

int
k_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
    struct out o = {.buf = buf, .size = size, .len = 0};
    struct spec sp;
    va_list ap;
    int len;

    va_copy(ap, ap_in);
    for (const char *f = fmt; *f; f++) {
        if (*f != '%') {
            put(&o, *f);
            continue;
        }
        const char *start = f;
        f = parse_len(parse_spec(f + 1, &sp, &ap), &len);
        switch (*f) {
        case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
            conv_int(&o, &sp, *f, len, &ap);
            break;
        case 'p':
            put_num(&o, &sp, (uintptr_t)va_arg(ap, void *), false, 'p');
            break;
        case 's':
            put_str(&o, &sp, va_arg(ap, const char *));
            break;
        case 'c':
            if (!(sp.flags & F_LEFT))
                put_rep(&o, ' ', sp.width - 1);
            put(&o, (char)va_arg(ap, int));   /* even NUL */
            if (sp.flags & F_LEFT)
                put_rep(&o, ' ', sp.width - 1);
            break;
        case '%':
            put(&o, '%');
            break;
        default:
            /* unknown conversion: print it as written */
            for (; start <= f && *start; start++)
                put(&o, *start);
            if (*f == 0)
                f--;
            break;
        }
    }
    va_end(ap);
    if (size)
        buf[o.len < size ? o.len : size - 1] = 0;
    return o.len > 0x7fffffff ? 0x7fffffff : (int)o.len;
}

int
k_snprintf(char *buf, size_t size, const char *fmt, ...)
{
    va_list ap;
    int n;

    va_start(ap, fmt);
    n = k_vsnprintf(buf, size, fmt, ap);
    va_end(ap);
    return n;
}
