/*
 * Tests of the kernel's string functions (lib_string.c), compiled here under
 * the names ks_* and compared against the host C library on many lengths,
 * alignments and overlaps.
 */
#define LIB_STRING_HOST_TEST
#include "kernel/lib_string.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef strlen
#undef strnlen
#undef strcmp
#undef strncmp
#undef strchr
#undef strrchr
#undef k_strlcpy
#include "tests/host/test.h"

static unsigned char buf_a[300], buf_b[300], ref[300];

static void
fill(unsigned char *p, size_t n, unsigned seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (unsigned char)(seed * 131 + i * 7 + (i >> 3));
}

static int
sign(int x)
{
    return (x > 0) - (x < 0);
}

static void
test_string_memcpy_alignments(void)
{
    for (size_t da = 0; da < 9; da++)
        for (size_t sa = 0; sa < 9; sa++)
            for (size_t n = 0; n < 70; n++) {
                fill(buf_a, sizeof buf_a, 1);
                memset(buf_b, 0x55, sizeof buf_b);
                memset(ref, 0x55, sizeof ref);
                EXPECT_TRUE(ks_memcpy(buf_b + da, buf_a + sa, n) == buf_b + da);
                memcpy(ref + da, buf_a + sa, n);
                EXPECT_EQ(memcmp(buf_b, ref, sizeof ref), 0);
            }
}

static void
test_string_memmove_overlaps(void)
{
    for (size_t da = 0; da < 40; da++)
        for (size_t sa = 0; sa < 40; sa++)
            for (size_t n = 0; n < 100; n += 3) {
                fill(buf_a, sizeof buf_a, 2);
                memcpy(ref, buf_a, sizeof ref);
                EXPECT_TRUE(ks_memmove(buf_a + da, buf_a + sa, n) == buf_a + da);
                memmove(ref + da, ref + sa, n);
                EXPECT_EQ(memcmp(buf_a, ref, sizeof ref), 0);
            }
}

static void
test_string_memset_memcmp(void)
{
    for (size_t a = 0; a < 9; a++)
        for (size_t n = 0; n < 80; n++) {
            memset(buf_a, 1, sizeof buf_a);
            memset(ref, 1, sizeof ref);
            EXPECT_TRUE(ks_memset(buf_a + a, 0x1ff, n) == buf_a + a); /* only the low byte */
            memset(ref + a, 0xff, n);
            EXPECT_EQ(memcmp(buf_a, ref, sizeof ref), 0);
        }
    fill(buf_a, 64, 3);
    memcpy(buf_b, buf_a, 64);
    EXPECT_EQ(ks_memcmp(buf_a, buf_b, 64), 0);
    EXPECT_EQ(ks_memcmp(buf_a, buf_b, 0), 0);
    buf_b[40] = (unsigned char)(buf_a[40] + 1);
    EXPECT_EQ(sign(ks_memcmp(buf_a, buf_b, 64)), sign(memcmp(buf_a, buf_b, 64)));
    EXPECT_EQ(ks_memcmp(buf_a, buf_b, 40), 0);
    buf_a[3] = 0x80;
    buf_b[3] = 0x7f;
    EXPECT_EQ(ks_memcmp(buf_a, buf_b, 64), 1); /* bytes compare unsigned */
}

static void
test_string_strlen_strnlen(void)
{
    EXPECT_EQ(ks_strlen(""), 0);
    EXPECT_EQ(ks_strlen("hello"), 5);
    EXPECT_EQ(ks_strnlen("hello", 3), 3);
    EXPECT_EQ(ks_strnlen("hello", 10), 5);
    EXPECT_EQ(ks_strnlen("hello", 0), 0);
    char nonterm[4] = {'a', 'b', 'c', 'd'};
    EXPECT_EQ(ks_strnlen(nonterm, 4), 4); /* must not read past max */
}

static void
test_string_strcmp_strncmp(void)
{
    static const char *s[] = {"", "a", "ab", "abc", "abd", "b", "\x80", "\x7f", "abc\x80"};
    for (size_t i = 0; i < ARRAY_SIZE(s); i++)
        for (size_t j = 0; j < ARRAY_SIZE(s); j++) {
            EXPECT_EQ(sign(ks_strcmp(s[i], s[j])), sign(strcmp(s[i], s[j])));
            for (size_t n = 0; n < 6; n++)
                EXPECT_EQ(sign(ks_strncmp(s[i], s[j], n)), sign(strncmp(s[i], s[j], n)));
        }
}

static void
test_string_strchr_strrchr(void)
{
    const char *s = "a/b/c";
    EXPECT_TRUE(ks_strchr(s, '/') == s + 1);
    EXPECT_TRUE(ks_strrchr(s, '/') == s + 3);
    EXPECT_TRUE(ks_strchr(s, 'x') == NULL);
    EXPECT_TRUE(ks_strrchr(s, 'x') == NULL);
    EXPECT_TRUE(ks_strchr(s, 0) == s + 5);
    EXPECT_TRUE(ks_strrchr(s, 0) == s + 5);
    EXPECT_TRUE(ks_strchr(s, 'a' + 256) == s); /* c converts to char */
    EXPECT_TRUE(ks_strrchr("", 'a') == NULL);
}

static void
test_string_strlcpy(void)
{
    char d[8];
    memset(d, 'x', sizeof d);
    EXPECT_EQ(ks_strlcpy(d, "hello", sizeof d), 5);
    EXPECT_STREQ(d, "hello");
    EXPECT_EQ(ks_strlcpy(d, "hello world", sizeof d), 11);
    EXPECT_STREQ(d, "hello w");
    memset(d, 'x', sizeof d);
    EXPECT_EQ(ks_strlcpy(d, "abc", 0), 3);
    EXPECT_EQ(d[0], 'x');
    EXPECT_EQ(ks_strlcpy(d, "abc", 1), 3);
    EXPECT_EQ(d[0], 0);
    EXPECT_EQ(ks_strlcpy(d, "", sizeof d), 0);
    EXPECT_STREQ(d, "");
    /* the host-build k_strlcpy from the sibling object behaves the same */
    EXPECT_EQ(k_strlcpy(d, "hello world", sizeof d), 11);
    EXPECT_STREQ(d, "hello w");
}

void
tests_run(void)
{
    RUN(test_string_memcpy_alignments);
    RUN(test_string_memmove_overlaps);
    RUN(test_string_memset_memcmp);
    RUN(test_string_strlen_strnlen);
    RUN(test_string_strcmp_strncmp);
    RUN(test_string_strchr_strrchr);
    RUN(test_string_strlcpy);
}
