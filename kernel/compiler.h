/*
 * Project-wide macros: the only unprefixed names in Wisp (STYLE.md 2.3).
 * ASSERT stays on in every build and names the invariant that broke.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define MUST_CHECK   __attribute__((warn_unused_result))
#define NORETURN     __attribute__((noreturn))
#define PACKED       __attribute__((packed))
#define ALIGNED(n)   __attribute__((aligned(n)))
#define UNUSED       __attribute__((unused))
#define likely(x)    __builtin_expect(!!(x), 1)
#define unlikely(x)  __builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define ALIGN_UP(x, a)   (((x) + ((a) - 1)) & ~((__typeof__(x))(a) - 1))
#define ALIGN_DOWN(x, a) ((x) & ~((__typeof__(x))(a) - 1))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define container_of(p, type, member) ((type *)((char *)(p) - offsetof(type, member)))

#ifndef static_assert
#define static_assert _Static_assert
#endif

/* Prints node, file:line, function, the expression and the sentence, then
 * halts (kernel) or aborts (host tests). */
NORETURN void assert_fail(const char *file, int line, const char *func, const char *expr,
                          const char *why);

#define ASSERT(cond, why)                                                  \
    do {                                                                   \
        if (unlikely(!(cond)))                                             \
            assert_fail(__FILE__, __LINE__, __func__, #cond, (why));       \
    } while (0)

#ifdef WISP_SLOW_ASSERTS
#define ASSERT_SLOW(cond, why) ASSERT(cond, why)
#else
#define ASSERT_SLOW(cond, why) do { (void)sizeof(cond); } while (0)
#endif
