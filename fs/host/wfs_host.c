/*
 * What the WFS library asks of the kernel, for the host tools: the heap
 * (kmalloc is malloc) and ASSERT's failure path (print and abort).
 */
#include <stdio.h>
#include <stdlib.h>
#include "kernel/compiler.h"
#include "kernel/mem.h"

void *
kmalloc(size_t n)
{
    return malloc(n ? n : 1);
}

void *
kzalloc(size_t n)
{
    return calloc(1, n ? n : 1);
}

void
kfree(void *p)
{
    free(p);
}

void
assert_fail(const char *file, int line, const char *func, const char *expr, const char *why)
{
    fprintf(stderr, "ASSERT %s:%d %s: %s: %s\n", file, line, func, expr, why);
    abort();
}
