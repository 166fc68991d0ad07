/* Support for the libFuzzer targets: a kernel ASSERT that fires is a finding. */
#include <stdio.h>
#include <stdlib.h>
#include "kernel/compiler.h"

void
assert_fail(const char *file, int line, const char *func, const char *expr, const char *why)
{
    fprintf(stderr, "ASSERT %s:%d %s: %s: %s\n", file, line, func, expr, why);
    abort();
}
