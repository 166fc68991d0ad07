/*
 * The host unit-test runner. A test file `x_test.c` sits next to `x.c`,
 * defines static `test_<what>_<case>` functions and one `tests_run()` that
 * calls RUN(test_...) for each. tests/host/test_main.c supplies main(),
 * which prints one line per failed check and the summary line
 * "N passed, N failed". Build flags: -DWISP_HOST, ASan and UBSan.
 * Extra sources a test needs are named on a line of the test file:
 *     // TEST_SRCS: kernel/foo.c tests/host/fake_sync.c
 */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>

extern int test_failed_checks;
extern int test_cur_failed;
extern const char *test_cur_name;
void test_run_one(void (*fn)(void), const char *name);
void tests_run(void);

#define RUN(fn) test_run_one(fn, #fn)

/* Runs fn(arg) in a child with stderr silenced; true when it died of
 * SIGABRT (a failed ASSERT). */
bool test_aborts(void (*fn)(uint64_t), uint64_t arg);

#define TEST_FAIL_(fmt, ...)                                                          \
    do {                                                                              \
        fprintf(stderr, "FAIL %s: %s:%d: " fmt "\n", test_cur_name, __FILE__, __LINE__, \
                __VA_ARGS__);                                                         \
        test_cur_failed = 1;                                                          \
        test_failed_checks++;                                                         \
    } while (0)

#define EXPECT_TRUE(c)                                                                \
    do {                                                                              \
        if (!(c))                                                                     \
            TEST_FAIL_("expected %s", #c);                                            \
    } while (0)

#define EXPECT_EQ(a, b)                                                               \
    do {                                                                              \
        long long a_ = (long long)(a), b_ = (long long)(b);                           \
        if (a_ != b_)                                                                 \
            TEST_FAIL_("%s == %lld, expected %s == %lld", #a, a_, #b, b_);           \
    } while (0)

#define EXPECT_STREQ(a, b)                                                            \
    do {                                                                              \
        const char *a_ = (a), *b_ = (b);                                              \
        if (!a_ || !b_ || strcmp(a_, b_) != 0)                                        \
            TEST_FAIL_("%s == \"%s\", expected \"%s\"", #a, a_ ? a_ : "(null)",       \
                       b_ ? b_ : "(null)");                                           \
    } while (0)
