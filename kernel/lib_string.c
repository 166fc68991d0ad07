/*
 * The kernel's memory and string functions (declared in kernel/lib.h);
 * formatted output is in lib_printf.c. Host builds (WISP_HOST) use the C
 * library's versions, so there this file holds only k_strlcpy, unless
 * LIB_STRING_HOST_TEST is defined: lib_string_test.c includes the file with
 * that macro and every function renamed ks_*, to test this code on the host.
 */
#include "kernel/lib.h"

#ifdef LIB_STRING_HOST_TEST
#define memcpy     ks_memcpy
#define memmove    ks_memmove
#define memset     ks_memset
#define memcmp     ks_memcmp
#define strlen     ks_strlen
#define strnlen    ks_strnlen
#define strcmp     ks_strcmp
#define strncmp    ks_strncmp
#define strchr     ks_strchr
#define strrchr    ks_strrchr
#define k_strlcpy  ks_strlcpy
#endif

#if !defined(WISP_HOST) || defined(LIB_STRING_HOST_TEST)

/* GCC would turn the byte loops below back into calls to memcpy/memset,
 * which here would call themselves. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC optimize("no-tree-loop-distribute-patterns")
#endif

/* Word copies go through this type so they may alias any object. */
typedef uint64_t __attribute__((may_alias)) word_t;
/* The same at any alignment: x86 loads and stores words anywhere, and a
 * byte loop costs eight times the instructions (under TCG, the time):
 * network payloads sit at offsets such as 42 and 90. */
typedef uint64_t __attribute__((may_alias, aligned(1))) uword_t;

static bool
both_aligned(const void *a, const void *b)
{
    return (((uintptr_t)a | (uintptr_t)b) & (sizeof(word_t) - 1)) == 0;
}

void *
memcpy(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    for (; n >= 4 * sizeof(uword_t); n -= 4 * sizeof(uword_t)) {
        uint64_t a = ((const uword_t *)sp)[0], b = ((const uword_t *)sp)[1];
        uint64_t c = ((const uword_t *)sp)[2], e = ((const uword_t *)sp)[3];
        ((uword_t *)dp)[0] = a;
        ((uword_t *)dp)[1] = b;
        ((uword_t *)dp)[2] = c;
        ((uword_t *)dp)[3] = e;
        dp += 4 * sizeof(uword_t);
        sp += 4 * sizeof(uword_t);
    }
    for (; n >= sizeof(uword_t); n -= sizeof(uword_t)) {
        *(uword_t *)dp = *(const uword_t *)sp;
        dp += sizeof(uword_t);
        sp += sizeof(uword_t);
    }
    while (n--)
        *dp++ = *sp++;
    return d;
}

void *
memmove(void *d, const void *s, size_t n)
{
    unsigned char *dp = d;
    const unsigned char *sp = s;

    if ((uintptr_t)dp <= (uintptr_t)sp || (uintptr_t)dp >= (uintptr_t)sp + n)
        return memcpy(d, s, n);   /* forward copy is safe */
    /* dp overlaps the tail of sp: copy backwards */
    dp += n;
    sp += n;
    if (both_aligned(dp, sp)) {
        for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
            dp -= sizeof(word_t);
            sp -= sizeof(word_t);
            *(word_t *)dp = *(const word_t *)sp;
        }
    }
    while (n--)
        *--dp = *--sp;
    return d;
}

void *
memset(void *d, int c, size_t n)
{
    unsigned char *dp = d;
    word_t w = (unsigned char)c * 0x0101010101010101ull;

    while (n && ((uintptr_t)dp & (sizeof(word_t) - 1))) {
        *dp++ = (unsigned char)c;
        n--;
    }
    for (; n >= sizeof(word_t); n -= sizeof(word_t)) {
        *(word_t *)dp = w;
        dp += sizeof(word_t);
    }
    while (n--)
        *dp++ = (unsigned char)c;
    return d;
}

int
memcmp(const void *a, const void *b, size_t n)
{
    const unsigned char *ap = a;
    const unsigned char *bp = b;

    for (; n; n--, ap++, bp++) {
        if (*ap != *bp)
            return *ap < *bp ? -1 : 1;
    }
    return 0;
}

size_t
strlen(const char *s)
{
    const char *p = s;

    while (*p)
        p++;
    return (size_t)(p - s);
}

size_t
strnlen(const char *s, size_t max)
{
    size_t n = 0;

    while (n < max && s[n])
        n++;
    return n;
}

int
strcmp(const char *a, const char *b)
{
    const unsigned char *ap = (const unsigned char *)a;
    const unsigned char *bp = (const unsigned char *)b;

    while (*ap && *ap == *bp) {
        ap++;
        bp++;
    }
    return (*ap > *bp) - (*ap < *bp);
}

int
strncmp(const char *a, const char *b, size_t n)
{
    const unsigned char *ap = (const unsigned char *)a;
    const unsigned char *bp = (const unsigned char *)b;

    for (; n; n--, ap++, bp++) {
        if (*ap != *bp)
            return *ap < *bp ? -1 : 1;
        if (*ap == 0)
            break;
    }
    return 0;
}

char *
strchr(const char *s, int c)
{
    for (;; s++) {
        if (*s == (char)c)
            return (char *)s;
        if (*s == 0)
            return NULL;
    }
}

char *
strrchr(const char *s, int c)
{
    const char *last = NULL;

    for (;; s++) {
        if (*s == (char)c)
            last = s;
        if (*s == 0)
            return (char *)last;
    }
}

#endif /* !WISP_HOST || LIB_STRING_HOST_TEST */

size_t
k_strlcpy(char *dst, const char *src, size_t size)
{
    size_t len = strlen(src);

    if (size) {
        size_t n = len < size - 1 ? len : size - 1;
        memcpy(dst, src, n);
        dst[n] = 0;
    }
    return len;
}
