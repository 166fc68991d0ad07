/*
 * main() for every host unit test binary: runs tests_run() from the test
 * file and prints "N passed, N failed" (tests, not checks). assert_fail is
 * provided here so kernel ASSERTs in code under test abort the test loudly;
 * test_aborts checks that one does.
 */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/wait.h>
#include "tests/host/test.h"
#include "kernel/compiler.h"

int test_failed_checks;
int test_cur_failed;
const char *test_cur_name = "?";
static int passed, failed;

void
test_run_one(void (*fn)(void), const char *name)
{
    test_cur_name = name;
    test_cur_failed = 0;
    fn();
    if (test_cur_failed)
        failed++;
    else
        passed++;
}

void
assert_fail(const char *file, int line, const char *func, const char *expr, const char *why)
{
    fprintf(stderr, "ASSERT failed in test %s: %s:%d %s: %s: %s\n", test_cur_name, file, line,
            func, expr, why);
    abort();
}

bool
test_aborts(void (*fn)(uint64_t), uint64_t arg)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 2);
        fn(arg);
        _exit(0);
    }
    int status;
    waitpid(pid, &status, 0);
    return WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT;
}

int
main(void)
{
    tests_run();
    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
