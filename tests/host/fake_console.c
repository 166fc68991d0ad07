/*
 * Host fake of the arch console (arch_console_write in kernel/arch.h): it
 * records the output so tests can check echo and output processing.
 */
#include <string.h>
#include "kernel/compiler.h"
#include "tests/host/fake_console.h"

char fake_console_out[65536];
size_t fake_console_len;

void arch_console_write(const char *s, size_t n);

void
arch_console_write(const char *s, size_t n)
{
    size_t room = sizeof(fake_console_out) - 1 - fake_console_len;
    if (n > room)
        n = room;
    memcpy(fake_console_out + fake_console_len, s, n);
    fake_console_len += n;
    fake_console_out[fake_console_len] = '\0';
}

void
fake_console_reset(void)
{
    fake_console_len = 0;
    fake_console_out[0] = '\0';
}
