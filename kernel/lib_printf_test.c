/*
 * Tests of k_vsnprintf (lib_printf.c): every combination of flags, width,
 * precision and length modifier for the integer conversions is checked
 * against the host C library's snprintf, plus strings, chars, %p,
 * truncation and the return value.
 */
#include <stdlib.h>
#include "kernel/lib.h"
#include "tests/host/test.h"

static char got[512], want[512];

#define SAME(...)                                                              \
    do {                                                                       \
        int gn_ = k_snprintf(got, sizeof got, __VA_ARGS__);                    \
        int wn_ = snprintf(want, sizeof want, __VA_ARGS__);                    \
        EXPECT_STREQ(got, want);                                               \
        EXPECT_EQ(gn_, wn_);                                                   \
    } while (0)

static const int64_t vals[] = {0, 1, -1, 7, 42, -42, 255, 256, 65535, 65536, 0x7fffffff,
                               -0x7fffffffll - 1, 0x80000000ll, 0x123456789abcdefll, INT64_MAX,
                               INT64_MIN};

/* Checks one integer format (with its length modifier) on every value. */
static int
check_int_format(const char *fmt, const char *len)
{
    int bad = 0;
    for (size_t i = 0; i < ARRAY_SIZE(vals); i++) {
        int64_t v = vals[i];
        int gn, wn;
        if (!strcmp(len, "hh") || !strcmp(len, "h") || !strcmp(len, "")) {
            gn = k_snprintf(got, sizeof got, fmt, (int)v);
            wn = snprintf(want, sizeof want, fmt, (int)v);
        } else if (!strcmp(len, "z")) {
            gn = k_snprintf(got, sizeof got, fmt, (size_t)v);
            wn = snprintf(want, sizeof want, fmt, (size_t)v);
        } else {
            gn = k_snprintf(got, sizeof got, fmt, (long long)v);
            wn = snprintf(want, sizeof want, fmt, (long long)v);
        }
        if (gn != wn || strcmp(got, want)) {
            if (bad++ < 3)
                TEST_FAIL_("format \"%s\" value %lld: got \"%s\" (%d), want \"%s\" (%d)", fmt,
                           (long long)v, got, gn, want, wn);
        }
    }
    return bad;
}

static void
test_printf_integers_match_libc(void)
{
    static const char *flags[] = {"", "-", "0", "+", " ", "#", "-0", "+0", "#0", "-#", "- +"};
    static const char *widths[] = {"", "1", "6", "22"};
    static const char *precs[] = {"", ".0", ".1", ".5", ".20"};
    static const char *lens[] = {"hh", "h", "", "l", "ll", "z"};
    static const char convs[] = "diuxXo";
    char fmt[64];
    int formats = 0;

    for (size_t f = 0; f < ARRAY_SIZE(flags); f++)
        for (size_t w = 0; w < ARRAY_SIZE(widths); w++)
            for (size_t p = 0; p < ARRAY_SIZE(precs); p++)
                for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
                    for (const char *c = convs; *c; c++) {
                        snprintf(fmt, sizeof fmt, "<%%%s%s%s%s%c>", flags[f], widths[w], precs[p],
                                 lens[l], *c);
                        check_int_format(fmt, lens[l]);
                        formats++;
                    }
    EXPECT_EQ(formats, 11 * 4 * 5 * 6 * 6);
}

static void
test_printf_star_width_and_precision(void)
{
    SAME("[%*d]", 6, 42);
    SAME("[%*d]", -6, 42);
    SAME("[%.*d]", 4, 7);
    SAME("[%.*d]", -1, 7);
    SAME("[%*.*x]", 8, 3, 0xab);
    SAME("[%.*s]", 3, "abcdef");
}

static void
test_printf_strings_and_chars(void)
{
    SAME("%s|%10s|%-10s|%.2s|%5.1s|", "abc", "abc", "abc", "abc", "abc");
    SAME("%s", "");
    SAME("%c%c%c", 'a', 'b', 'c');
    SAME("[%3c][%-3c]", 'x', 'y');
    SAME("100%% sure %d%%", 5);
    SAME("no conversions at all");
    const char *volatile null = NULL;
    k_snprintf(got, sizeof got, "%s", null);
    EXPECT_STREQ(got, "(null)");
    char unterminated[3] = {'x', 'y', 'z'};
    k_snprintf(got, sizeof got, "%.3s", unterminated);   /* reads only 3 bytes */
    EXPECT_STREQ(got, "xyz");
}

static void
test_printf_pointer(void)
{
    int x;
    SAME("%p", (void *)&x);
    SAME("%20p|%-20p|", (void *)&x, (void *)&x);
    k_snprintf(got, sizeof got, "%p", (void *)0xffffffff80001000ull);
    EXPECT_STREQ(got, "0xffffffff80001000");
    k_snprintf(got, sizeof got, "%p", (void *)0);
    EXPECT_STREQ(got, "0x0");
}

static void
test_printf_truncation(void)
{
    char small[8];
    memset(small, 'x', sizeof small);
    EXPECT_EQ(k_snprintf(small, sizeof small, "hello %s", "world"), 11);
    EXPECT_STREQ(small, "hello w");
    EXPECT_EQ(k_snprintf(small, 1, "abc"), 3);
    EXPECT_EQ(small[0], 0);
    memset(small, 'x', sizeof small);
    EXPECT_EQ(k_snprintf(small, 0, "abc%d", 12345), 8);
    EXPECT_EQ(small[0], 'x');
    EXPECT_EQ(k_snprintf(NULL, 0, "%020d", 1), 20);
    EXPECT_EQ(k_snprintf(small, 4, "%d", 123), 3);
    EXPECT_STREQ(small, "123");
    EXPECT_EQ(k_snprintf(small, 4, "%d", 1234), 4);
    EXPECT_STREQ(small, "123");
}

static void
test_printf_unknown_conversion_is_printed(void)
{
    /* formats in variables, so the compiler does not reject them */
    const char *volatile f1 = "a%qb %d", *volatile f2 = "end%", *volatile f3 = "end%-5";
    k_snprintf(got, sizeof got, f1, 5);
    EXPECT_STREQ(got, "a%qb 5");
    k_snprintf(got, sizeof got, f2);
    EXPECT_STREQ(got, "end%");
    k_snprintf(got, sizeof got, f3);
    EXPECT_STREQ(got, "end%-5");
}

static void
test_printf_random_mix(void)
{
    srand(1234);
    for (int i = 0; i < 2000; i++) {
        long long a = (long long)(((unsigned long long)rand() << 33) ^
                                  ((unsigned long long)rand() << 2) ^ (unsigned)rand());
        unsigned b = (unsigned)rand();
        int w = rand() % 30;
        SAME("%lld %*u %lx %-*llo|%s", a, w, b, (unsigned long)a, w, (unsigned long long)a,
             i % 2 ? "odd" : "even");
    }
}

void
tests_run(void)
{
    RUN(test_printf_integers_match_libc);
    RUN(test_printf_star_width_and_precision);
    RUN(test_printf_strings_and_chars);
    RUN(test_printf_pointer);
    RUN(test_printf_truncation);
    RUN(test_printf_unknown_conversion_is_printed);
    RUN(test_printf_random_mix);
}
