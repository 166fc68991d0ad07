/*
 * Kernel command line parsing (contract in cmdline.h): splits the line
 * GRUB, QEMU's -kernel or the EFI loader hands over into key=value words.
 * A bad word is noted and skipped; the words around it still count. A
 * loader's leading image path, of any length, is recognised and skipped
 * (cmdline_skip_image) before anything is copied or parsed. A value may hold
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

/* Appends "what at word W" to err, "; "-separated, truncated to fit. */
static void
note(char *err, size_t errlen, const char *what, const char *word)
{
    if (!err || !errlen)
        return;
    size_t used = strlen(err), wlen = 0;
    while (word[wlen] && !is_space(word[wlen]) && wlen < 40)
        wlen++;
    k_snprintf(err + used, errlen - used, "%s%s at word %.*s", used ? "; " : "cmdline: ", what,
               (int)wlen, word);
}

/* The end of the word at s: the next blank outside double quotes, or the
 * next blank at all when a quote is never closed. */
static const char *
word_end(const char *s)
{
    const char *p = s;
    bool quoted = false;
    for (; *p && (quoted || !is_space(*p)); p++)
        if (*p == '"')
            quoted = !quoted;
    if (!quoted)
        return p;
    for (p = s; *p && !is_space(*p); p++)
        ;
    return p;
}

/* Parses the word at s into a; returns NULL or what is wrong with it. */
static const char *
parse_word(const char *s, struct cmdline_arg *a)
{
    const char *p = s;
    size_t n = 0;
    bool quoted = false;

    for (; *p && *p != '=' && !is_space(*p); p++) {
        if (*p == '"')
            return "quote in key";
        if (is_control(*p))
            return "control character";
        if (n + 1 >= CMDLINE_KEY_MAX)
            return "key too long";
        a->key[n++] = *p;
    }
    a->key[n] = 0;
    if (n == 0)
        return "empty key";
    n = 0;
    if (*p == '=') {
        for (p++; *p && (quoted || !is_space(*p)); p++) {
            if (*p == '"') {
                quoted = !quoted;
                continue;
            }
            if (is_control(*p))
                return "control character";
            if (n + 1 >= CMDLINE_VAL_MAX)
                return "value too long";
            a->val[n++] = *p;
        }
        if (quoted)
            return "unterminated quote";
    }
    a->val[n] = 0;
    return NULL;
}

const char *
cmdline_skip_image(const char *s)
{
    const char *p = s, *w;
    bool pathy = false;

    while (is_space(*p))
        p++;
    for (w = p; *w && !is_space(*w); w++) {
        if (*w == '=' || *w == '"')
            return s;
        if (*w == '/' || *w == '\\' || *w == '.')
            pathy = true;
    }
    if (!pathy)
        return s;
    while (is_space(*w))
        w++;
    return w;
}

int
cmdline_parse(const char *s, struct cmdline *out, char *err, size_t errlen)
{
    out->n = 0;
    out->nbad = 0;
    if (err && errlen)
        err[0] = 0;
    for (;;) {
        while (is_space(*s))
            s++;
        if (*s == 0)
            return out->nbad ? -EINVAL : 0;
        const char *end = word_end(s), *why = "too many words";
        if (out->n == CMDLINE_MAX_ARGS || (why = parse_word(s, &out->arg[out->n])) != NULL) {
            note(err, errlen, why, s);
            out->nbad++;
        } else {
            out->n++;
        }
        s = end;
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
