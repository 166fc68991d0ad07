/*
 * lwIP's compiler and platform port for Wisp's kernel (docs/net.md): no
 * libc headers (the kernel is freestanding), lwIP's own ctype and integer
 * formats, diagnostics through kprintf and assertions through panic. Only
 * lwIP and net/net_*.c see it; the shims it relies on are net/arch/string.h
 * and net/arch/stdlib.h (found first for lwIP's objects, mk/net.mk).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "kernel/lib.h"
#include "kernel/mem.h"

#define LWIP_NO_INTTYPES_H 1
#define LWIP_NO_CTYPE_H    1
#define LWIP_NO_LIMITS_H   1
#define LWIP_NO_UNISTD_H   1

#ifndef INT_MAX
#define INT_MAX 2147483647
#endif

#define X8_F  "02x"
#define U16_F "u"
#define S16_F "d"
#define X16_F "x"
#define U32_F "u"
#define S32_F "d"
#define X32_F "x"
#define SZT_F "zu"

#define BYTE_ORDER LITTLE_ENDIAN
#define LWIP_PLATFORM_DIAG(x) do { kprintf x; } while (0)
#define LWIP_PLATFORM_ASSERT(x) panic("lwIP: %s (%s:%d)", (x), __FILE__, __LINE__)

/* Helpers lwipopts.h names, defined in net/net_core.c. */
void *net_lwip_calloc(size_t n, size_t size);
uint32_t net_lwip_rand(void);
