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

/* How long a byte waits for the transmitter to take it. QEMU keeps THRE
 * clear while its character device cannot write (the host side reads
 * slowly: a loaded host), and a byte written anyway overruns the FIFO,
 * whose oldest bytes QEMU then drops: CI saw ten bytes of a test's output
 * vanish with the old bound (100 000 polls, a fraction of a second under
 * TCG). So a byte waits long, by the TSC (about 10 s at 2 GHz; usable from
 * the first byte, before the clock is calibrated); but once a wait ran out
 * (nobody reads the console at all), the next bytes wait only briefly
 * until the transmitter empties again, so an undrained console cannot
 * stall the kernel for seconds per byte. tests/qemu/console_slow.sh. */
#define TX_WAIT_LONG  20000000000ull     /* TSC cycles */
#define TX_WAIT_SHORT 50000000ull
static bool tx_stuck;           /* the last wait ran out; racy, and only a hint */

static void
putc_raw(char c)
{
    if (!serial_present)
        return;
    uint64_t t0 = arch_cycles(), limit = tx_stuck ? TX_WAIT_SHORT : TX_WAIT_LONG;
    bool ran_out = false;
    while (!(inb(COM1 + 5) & 0x20)) {
        if (arch_cycles() - t0 > limit) {
            ran_out = true;
            break;
        }
        __builtin_ia32_pause();
    }
    tx_stuck = ran_out;
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
