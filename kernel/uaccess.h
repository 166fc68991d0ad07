/*
 * Copying between the kernel and the current process's user memory. Every
 * user pointer is a uint64_t, never a C pointer, so it cannot be
 * dereferenced by mistake. A bad or kernel-half address, or one whose page
 * cannot be faulted in, gives -EFAULT; it never panics the kernel.
 * Implemented in arch/x86_64 (fault fix-ups); faked in tests/host.
 */
#pragma once
#include "kernel/compiler.h"

MUST_CHECK int copyin(void *dst, uint64_t usrc, size_t n);
MUST_CHECK int copyout(uint64_t udst, const void *src, size_t n);
/* Copy a NUL-terminated string of at most max-1 characters into dst.
 * Returns its length, -EFAULT, or -ENAMETOOLONG when no NUL is found within
 * max bytes. */
MUST_CHECK long copyinstr(char *dst, uint64_t usrc, size_t max);
