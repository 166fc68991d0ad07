/*
 * COM1 (16550 UART) console: polled output, and input polled from the
 * timer interrupt and handed to the console line discipline (fs/). QEMU
 * only feeds the UART as fast as its receive buffer drains, so polling at
 * the tick loses nothing there; an interrupt-driven path comes with the
 * IOAPIC work for the NICs.
 */
#include "fs/fs.h"
#include "kernel/arch.h"
#include "kernel/sync.h"
#include "arch/x86_64/arch_int.h"

#define COM1 0x3f8

static bool serial_present;

void
arch_serial_init(void)
{
    outb(COM1 + 1, 0x00);  /* no UART interrupts */
    outb(COM1 + 3, 0x80);  /* DLAB */
    outb(COM1 + 0, 0x01);  /* 115200 baud */
    outb(COM1 + 1, 0x00);
    outb(COM1 + 3, 0x03);  /* 8N1 */
    outb(COM1 + 2, 0xc7);  /* FIFO on, cleared, 14-byte threshold */
    outb(COM1 + 4, 0x03);  /* DTR, RTS */
    serial_present = inb(COM1 + 5) != 0xff;
}

static void
putc_raw(char c)
{
    if (!serial_present)
        return;
    for (int spin = 0; spin < 100000 && !(inb(COM1 + 5) & 0x20); spin++)
        ;
    outb(COM1, (uint8_t)c);
}

void
arch_console_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        putc_raw(s[i]);
}

void
arch_serial_poll(void)
{
    if (!serial_present)
        return;
    for (int i = 0; i < 64 && (inb(COM1 + 5) & 1); i++)
        fs_console_input(inb(COM1));
}
