/*
 * Freestanding C library for the kernel: strings, memory and formatted
 * output. Host tests link the C library's versions instead (WISP_HOST).
 * Console output goes through log.c to arch_console_write().
 */
#pragma once
#include <stdarg.h>
#include "kernel/compiler.h"

#ifdef WISP_HOST
#include <string.h>
#include <stdio.h>
#else
void  *memcpy(void *d, const void *s, size_t n);
void  *memmove(void *d, const void *s, size_t n);
void  *memset(void *d, int c, size_t n);
int    memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int    strcmp(const char *a, const char *b);
int    strncmp(const char *a, const char *b, size_t n);
char  *strchr(const char *s, int c);
char  *strrchr(const char *s, int c);
#endif
/* Copy at most size-1 bytes and NUL-terminate; returns strlen(src). */
size_t k_strlcpy(char *dst, const char *src, size_t size);

/* printf-style formatting: %d %i %u %x %X %o %p %s %c %%, with l/ll/z
 * length, 0-padding, width and '-' left-justify. Returns the length the
 * full output would have had (like snprintf). */
int k_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int k_snprintf(char *buf, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Print to the console. Safe from any context; takes the console lock. */
void kprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
NORETURN void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
