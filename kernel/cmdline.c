/*
 * Kernel command line parsing (contract in cmdline.h): splits the line
 * GRUB or the EFI loader hands over into key=value words. A value may hold
 * double-quoted stretches, which keep their spaces and lose their quotes,
 * as in a shell: initargs="-v 2". Pure logic with no state or locks; what
 * each key means is up to its user (boot, proc, tests).
 */
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static bool
is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static bool
is_control(char c)
{
    return (unsigned char)c < 0x20 || c == 0x7f;
}

static int
fail(char *err, size_t errlen, const char *what, const char *word)
{
    if (err && errlen)
        k_snprintf(err, errlen, "cmdline: %s at word %.40s", what, word);
    return -EINVAL;
}

/* Parses the word at s into a; returns its length in s or -EINVAL. */
static int
parse_word(const char *s, struct cmdline_arg *a, char *err, size_t errlen)
{
    const char *p = s;
    size_t n = 0;
    bool quoted = false;

    for (; *p && *p != '=' && !is_space(*p); p++) {
        if (*p == '"')
            return fail(err, errlen, "quote in key", s);
        if (is_control(*p))
            return fail(err, errlen, "control character", s);
        if (n + 1 >= CMDLINE_KEY_MAX)
            return fail(err, errlen, "key too long", s);
        a->key[n++] = *p;
    }
    a->key[n] = 0;
    if (n == 0)
        return fail(err, errlen, "empty key", s);
    n = 0;
    if (*p == '=') {
        for (p++; *p && (quoted || !is_space(*p)); p++) {
            if (*p == '"') {
                quoted = !quoted;
                continue;
            }
            if (is_control(*p))
                return fail(err, errlen, "control character", s);
            if (n + 1 >= CMDLINE_VAL_MAX)
                return fail(err, errlen, "value too long", s);
            a->val[n++] = *p;
        }
        if (quoted)
            return fail(err, errlen, "unterminated quote", s);
    }
    a->val[n] = 0;
    return (int)(p - s);
}

int
cmdline_parse(const char *s, struct cmdline *out, char *err, size_t errlen)
{
    out->n = 0;
    if (err && errlen)
        err[0] = 0;
    for (;;) {
        while (is_space(*s))
            s++;
        if (*s == 0)
            return 0;
        if (out->n == CMDLINE_MAX_ARGS)
            return fail(err, errlen, "too many words", s);
        int len = parse_word(s, &out->arg[out->n], err, errlen);
        if (len < 0)
            return len;
        out->n++;
        s += len;
    }
}

const char *
cmdline_get(const struct cmdline *c, const char *key)
{
    for (int i = c->n - 1; i >= 0; i--) {
        if (strcmp(c->arg[i].key, key) == 0)
            return c->arg[i].val;
    }
    return NULL;
}

static int
digit_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return 99;
}

int
cmdline_get_u64(const struct cmdline *c, const char *key, uint64_t def, uint64_t *out)
{
    const char *v = cmdline_get(c, key);
    unsigned base = 10;
    uint64_t x = 0;

    *out = def;
    if (v == NULL)
        return 0;
    if (v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
        base = 16;
        v += 2;
    }
    if (*v == 0)
        return -EINVAL;
    for (; *v; v++) {
        unsigned d = (unsigned)digit_value(*v);
        if (d >= base)
            return -EINVAL;
        if (x > (UINT64_MAX - d) / base)
            return -EINVAL;   /* out of range */
        x = x * base + d;
    }
    *out = x;
    return 0;
}
