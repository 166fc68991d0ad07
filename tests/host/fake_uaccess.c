/*
 * Host fake of kernel/uaccess.h: a "user address" in a host test is a host
 * pointer, copied with memcpy. Addresses below 0x1000 (the null page) and
 * from 0x800000000000 up (the kernel half) fault with -EFAULT, as do ranges
 * that wrap, so tests can exercise every EFAULT path without crashing.
 */
#include <string.h>
#include "kernel/errno.h"
#include "kernel/uaccess.h"

#define USER_LO 0x1000ull
#define USER_HI 0x800000000000ull

static bool
user_ok(uint64_t a, size_t n)
{
    if (n == 0)
        return true;
    return a >= USER_LO && a < USER_HI && n <= USER_HI - a;
}

int
copyin(void *dst, uint64_t usrc, size_t n)
{
    if (!user_ok(usrc, n))
        return -EFAULT;
    if (n)
        memcpy(dst, (const void *)(uintptr_t)usrc, n);
    return 0;
}

int
copyout(uint64_t udst, const void *src, size_t n)
{
    if (!user_ok(udst, n))
        return -EFAULT;
    if (n)
        memcpy((void *)(uintptr_t)udst, src, n);
    return 0;
}

long
copyinstr(char *dst, uint64_t usrc, size_t max)
{
    for (size_t i = 0; i < max; i++) {
        if (!user_ok(usrc + i, 1))
            return -EFAULT;
        dst[i] = *(const char *)(uintptr_t)(usrc + i);
        if (dst[i] == '\0')
            return (long)i;
    }
    return -ENAMETOOLONG;
}
