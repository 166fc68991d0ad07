/*
 * Console output for the kernel: kprintf, panic and the ASSERT failure
 * report. Formatting is lib_printf.c's; the bytes go to arch_console_write.
 * In test mode (test= on the command line) a panic leaves QEMU with
 * KERNEL_PANIC_EXIT so the harness sees it at once instead of timing out.
 */
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/sync.h"

static struct spinlock console_lock = { .name = "log.console", .cpu = -1 };
static volatile bool panicking;

void
kprintf(const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    int n = k_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(buf) - 1)
        n = sizeof(buf) - 1;
    if (panicking) {
        arch_console_write(buf, n);
        return;
    }
    spin_lock(&console_lock);
    arch_console_write(buf, n);
    spin_unlock(&console_lock);
}

void
panic(const char *fmt, ...)
{
    char buf[256];
    va_list ap;
    (void)arch_irq_save();
    panicking = true;
    va_start(ap, fmt);
    k_vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    kprintf("\nwisp: node %d: PANIC: %s\n", main_node_id(), buf);
    arch_backtrace((uint64_t)__builtin_frame_address(0));
    if (main_test_mode())
        arch_qemu_exit(KERNEL_PANIC_EXIT);
    arch_halt();
}

void
assert_fail(const char *file, int line, const char *func, const char *expr, const char *why)
{
    panic("assertion failed at %s:%d in %s(): %s: %s", file, line, func, expr, why);
}
