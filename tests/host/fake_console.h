/*
 * Controls for the host fake console (tests/host/fake_console.c).
 */
#pragma once
#include <stddef.h>

/* Everything written through arch_console_write since the last reset,
 * NUL-terminated (truncated at 64 KiB). */
extern char fake_console_out[65536];
extern size_t fake_console_len;
void fake_console_reset(void);
