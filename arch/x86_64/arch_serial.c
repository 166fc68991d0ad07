/*
 * COM1 (16550 UART) console: polled output, and input taken on the UART's
 * receive interrupt (ISA IRQ 4 through the IOAPIC) and handed to the
 * console line discipline (fs/). The timer tick also polls, so input still
 * arrives if the interrupt cannot be routed.
 */
#include "fs/fs.h"
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "kernel/migrate.h"
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

static void
serial_irq(void *arg)
{
    arch_serial_poll();
}

void
arch_serial_irq_init(void)
{
    if (!serial_present)
        return;
    int vec = arch_irq_alloc(serial_irq, NULL);
    if (vec < 0 || arch_irq_route_gsi(4, vec, false, false) != 0) {
        kprintf("wisp: COM1 interrupt not routed; console input is polled\n");
        return;
    }
    outb(COM1 + 1, 0x01);   /* interrupt when received data is available */
}

void
arch_serial_poll(void)
{
    if (!serial_present)
        return;
    for (int i = 0; i < 64 && (inb(COM1 + 5) & 1); i++) {
        migrate_console_activity();   /* evict_idle= (kernel/migrate.c) */
        fs_console_input(inb(COM1));
    }
}
