/*
 * Tests of the kernel command line parser (cmdline.c): plain and quoted
 * values, bare words, duplicates, every error and the numeric getter.
 */
// TEST_SRCS: kernel/lib_printf.c
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "tests/host/test.h"

static struct cmdline c;
static char err[128];

static void
test_cmdline_normal(void)
{
    EXPECT_EQ(cmdline_parse("node=3 test=rpc_echo init=/bin/sh", &c, err, sizeof err), 0);
    EXPECT_EQ(c.n, 3);
    EXPECT_STREQ(cmdline_get(&c, "node"), "3");
    EXPECT_STREQ(cmdline_get(&c, "test"), "rpc_echo");
    EXPECT_STREQ(cmdline_get(&c, "init"), "/bin/sh");
    EXPECT_TRUE(cmdline_get(&c, "nodes") == NULL);
    EXPECT_TRUE(cmdline_get(&c, "nod") == NULL);
    EXPECT_STREQ(err, "");
}

static void
test_cmdline_quotes(void)
{
    EXPECT_EQ(cmdline_parse("initargs=\"a b  c\" x=\"\" y=pre\"mid dle\"post z=\"=\"", &c, err,
                            sizeof err), 0);
    EXPECT_EQ(c.n, 4);
    EXPECT_STREQ(cmdline_get(&c, "initargs"), "a b  c");
    EXPECT_STREQ(cmdline_get(&c, "x"), "");
    EXPECT_STREQ(cmdline_get(&c, "y"), "premid dlepost");
    EXPECT_STREQ(cmdline_get(&c, "z"), "=");
}

static void
test_cmdline_bare_words_and_spaces(void)
{
    EXPECT_EQ(cmdline_parse("  quiet\tdebug=  verbose  \n", &c, err, sizeof err), 0);
    EXPECT_EQ(c.n, 3);
    EXPECT_STREQ(cmdline_get(&c, "quiet"), "");
    EXPECT_STREQ(cmdline_get(&c, "debug"), "");
    EXPECT_STREQ(cmdline_get(&c, "verbose"), "");
    EXPECT_EQ(cmdline_parse("a=b=c", &c, err, sizeof err), 0);
    EXPECT_STREQ(cmdline_get(&c, "a"), "b=c");
}

static void
test_cmdline_duplicates_last_wins(void)
{
    EXPECT_EQ(cmdline_parse("node=1 x node=2 node=7", &c, err, sizeof err), 0);
    EXPECT_EQ(c.n, 4);
    EXPECT_STREQ(cmdline_get(&c, "node"), "7");
}

static void
test_cmdline_empty(void)
{
    EXPECT_EQ(cmdline_parse("", &c, err, sizeof err), 0);
    EXPECT_EQ(c.n, 0);
    EXPECT_EQ(cmdline_parse("    ", &c, NULL, 0), 0);
    EXPECT_EQ(c.n, 0);
    EXPECT_TRUE(cmdline_get(&c, "node") == NULL);
}

static void
test_cmdline_too_long(void)
{
    char line[600];
    memset(line, 'k', CMDLINE_KEY_MAX - 1);
    strcpy(line + CMDLINE_KEY_MAX - 1, "=v");
    EXPECT_EQ(cmdline_parse(line, &c, err, sizeof err), 0);   /* longest key fits */
    memset(line, 'k', CMDLINE_KEY_MAX);
    strcpy(line + CMDLINE_KEY_MAX, "=v");
    EXPECT_EQ(cmdline_parse(line, &c, err, sizeof err), -EINVAL);
    EXPECT_TRUE(strstr(err, "key too long") != NULL);

    strcpy(line, "ok=1 v=");
    memset(line + 7, 'v', CMDLINE_VAL_MAX - 1);
    line[7 + CMDLINE_VAL_MAX - 1] = 0;
    EXPECT_EQ(cmdline_parse(line, &c, err, sizeof err), 0);   /* longest value fits */
    EXPECT_EQ(strlen(cmdline_get(&c, "v")), CMDLINE_VAL_MAX - 1);
    strcpy(line + 7 + CMDLINE_VAL_MAX - 1, "v");
    strcat(line, " after=2");
    EXPECT_EQ(cmdline_parse(line, &c, err, sizeof err), -EINVAL);
    EXPECT_TRUE(strstr(err, "value too long") != NULL);
    EXPECT_EQ(c.n, 2);                                         /* ok=1 and after=2 kept */
    EXPECT_EQ(c.nbad, 1);
    EXPECT_STREQ(cmdline_get(&c, "ok"), "1");
    EXPECT_STREQ(cmdline_get(&c, "after"), "2");
    EXPECT_TRUE(cmdline_get(&c, "v") == NULL);
}

static void
test_cmdline_too_many_words(void)
{
    char line[CMDLINE_MAX_ARGS * 4 + 16] = "";
    for (int i = 0; i < CMDLINE_MAX_ARGS; i++)
        strcat(line, "w ");
    EXPECT_EQ(cmdline_parse(line, &c, err, sizeof err), 0);
    EXPECT_EQ(c.n, CMDLINE_MAX_ARGS);
    strcat(line, "last more");
    EXPECT_EQ(cmdline_parse(line, &c, err, sizeof err), -EINVAL);
    EXPECT_TRUE(strstr(err, "too many words at word last") != NULL);
    EXPECT_TRUE(strstr(err, "too many words at word more") != NULL);
    EXPECT_EQ(c.n, CMDLINE_MAX_ARGS);
    EXPECT_EQ(c.nbad, 2);
}

static void
test_cmdline_syntax_errors(void)
{
    EXPECT_EQ(cmdline_parse("a=1 =x b=2", &c, err, sizeof err), -EINVAL);
    EXPECT_TRUE(strstr(err, "empty key") != NULL);
    EXPECT_EQ(c.n, 2);                                         /* the words around it count */
    EXPECT_STREQ(cmdline_get(&c, "b"), "2");
    EXPECT_EQ(cmdline_parse("initargs=\"a b node=3", &c, err, sizeof err), -EINVAL);
    EXPECT_TRUE(strstr(err, "unterminated quote") != NULL);
    EXPECT_EQ(c.n, 2);                                         /* b and node=3 */
    EXPECT_STREQ(cmdline_get(&c, "node"), "3");
    EXPECT_EQ(cmdline_parse("x\"y=1 =a \x01=2 ok=1", &c, err, sizeof err), -EINVAL);
    EXPECT_EQ(c.nbad, 3);
    EXPECT_EQ(c.n, 1);
    EXPECT_TRUE(strstr(err, "quote in key") && strstr(err, "empty key") &&
                strstr(err, "control character"));
    EXPECT_EQ(cmdline_parse("a=b\x01", &c, err, sizeof err), -EINVAL);
    EXPECT_TRUE(strstr(err, "control character") != NULL);
    EXPECT_EQ(cmdline_parse("a\x7f", &c, err, sizeof err), -EINVAL);
    EXPECT_EQ(cmdline_parse("\"k\"=v", &c, err, sizeof err), -EINVAL);
    EXPECT_EQ(cmdline_parse("=", &c, NULL, 0), -EINVAL);      /* no err buffer is fine */
    char tiny[4];
    EXPECT_EQ(cmdline_parse("=", &c, tiny, sizeof tiny), -EINVAL);
    EXPECT_EQ(strlen(tiny), 3);                               /* truncated, terminated */
}

static void
test_cmdline_numbers(void)
{
    uint64_t v;
    EXPECT_EQ(cmdline_parse("node=12 mem=0x1F00 big=18446744073709551615 over=18446744073709551616 "
                            "hexover=0x10000000000000000 neg=-1 junk=12a bare empty= hx=0x "
                            "zero=0 oct=010 maxhex=0xffffffffffffffff",
                            &c, err, sizeof err), 0);
    EXPECT_EQ(cmdline_get_u64(&c, "node", 5, &v), 0);
    EXPECT_EQ(v, 12);
    EXPECT_EQ(cmdline_get_u64(&c, "mem", 5, &v), 0);
    EXPECT_EQ(v, 0x1f00);
    EXPECT_EQ(cmdline_get_u64(&c, "big", 5, &v), 0);
    EXPECT_TRUE(v == UINT64_MAX);
    EXPECT_EQ(cmdline_get_u64(&c, "maxhex", 5, &v), 0);
    EXPECT_TRUE(v == UINT64_MAX);
    EXPECT_EQ(cmdline_get_u64(&c, "zero", 5, &v), 0);
    EXPECT_EQ(v, 0);
    EXPECT_EQ(cmdline_get_u64(&c, "oct", 5, &v), 0);
    EXPECT_EQ(v, 10);                                          /* decimal, not octal */
    EXPECT_EQ(cmdline_get_u64(&c, "absent", 5, &v), 0);
    EXPECT_EQ(v, 5);
    static const char *bad[] = {"over", "hexover", "neg", "junk", "bare", "empty", "hx"};
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        v = 1;
        EXPECT_EQ(cmdline_get_u64(&c, bad[i], 5, &v), -EINVAL);
        EXPECT_EQ(v, 5);
    }
}

/* A loader's image path of every length from 1 to 4000 bytes is skipped,
 * and every word after it applies (the bug: a clone at a long path lost
 * test=, node= and the rest because the path overflowed a key). */
static void
test_cmdline_image_path_any_length(void)
{
    static char line[4200], path[4100];
    const char *args = " node=2 test=boot nodes=3 initargs=\"sh -c x\"";
    for (size_t len = 1; len <= 4000; len += (len < 300 ? 1 : 97)) {
        for (size_t i = 0; i < len; i++)
            path[i] = "abcdefghij/"[i % 11];
        path[len] = 0;
        if (len == 1)
            path[0] = '/';
        snprintf(line, sizeof line, "%s.elf%s", path, args);
        const char *rest = cmdline_skip_image(line);
        EXPECT_TRUE(rest == strstr(line, "node=2"));
        EXPECT_EQ(cmdline_parse(rest, &c, err, sizeof err), 0);
        EXPECT_EQ(c.n, 4);
        EXPECT_STREQ(cmdline_get(&c, "node"), "2");
        EXPECT_STREQ(cmdline_get(&c, "initargs"), "sh -c x");
    }
    /* Shapes QEMU and GRUB produce; words that are not paths stay. */
    const char *img[] = {"wisp.elf node=1", "/boot/wisp.elf node=1", "build/wisp.elf node=1",
                         "  (hd0)/boot/wisp.elf\tnode=1", "C:\\wisp\\wisp.elf node=1"};
    for (size_t i = 0; i < ARRAY_SIZE(img); i++)
        EXPECT_STREQ(cmdline_skip_image(img[i]), "node=1");
    const char *keep[] = {"node=1 x", "strace node=1", "a=/b/c.d", "\"/x\" y", "", "   "};
    for (size_t i = 0; i < ARRAY_SIZE(keep); i++)
        EXPECT_TRUE(cmdline_skip_image(keep[i]) == keep[i]);
    EXPECT_STREQ(cmdline_skip_image("/only/the/path.elf"), "");
}

void
tests_run(void)
{
    RUN(test_cmdline_normal);
    RUN(test_cmdline_quotes);
    RUN(test_cmdline_bare_words_and_spaces);
    RUN(test_cmdline_duplicates_last_wins);
    RUN(test_cmdline_empty);
    RUN(test_cmdline_too_long);
    RUN(test_cmdline_too_many_words);
    RUN(test_cmdline_syntax_errors);
    RUN(test_cmdline_numbers);
    RUN(test_cmdline_image_path_any_length);
}
