/*
 * 64-bit half of the stand-in kernel used by the boot tests: checks the
 * struct bootinfo the EFI loader handed over (magic, memory map, initrd
 * module, RSDP, zeroed bss) and reports on COM1, then leaves QEMU through
 * isa-debug-exit. Compiled position-independent because it runs at its
 * physical address while linked in the higher half. Never the real kernel.
 */
#include <stdint.h>
#include "boot/bootinfo.h"

static uint64_t bss_probe[512];

static inline void
outb(uint16_t port, uint8_t v)
{
    __asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint8_t
inb(uint16_t port)
{
    uint8_t v;
    __asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

static void
puts(const char *s)
{
    for (; *s; s++) {
        while (!(inb(0x3fd) & 0x20))
            ;
        outb(0x3f8, (uint8_t)*s);
    }
}

static void
puthex(uint64_t v)
{
    char buf[19];

    buf[0] = '0';
    buf[1] = 'x';
    for (int i = 0; i < 16; i++)
        buf[2 + i] = "0123456789abcdef"[(v >> (60 - 4 * i)) & 15];
    buf[18] = '\0';
    puts(buf);
}

static void __attribute__((noreturn))
finish(const char *why)
{
    uint32_t code = why ? 1 : 0;

    if (why) {
        puts("stub: efi FAIL ");
        puts(why);
        puts("\n");
    } else {
        puts("stub: efi OK\n");
    }
    __asm__ volatile("outl %0, %1" : : "a"(code), "Nd"((uint16_t)0xf4));
    for (;;)
        __asm__ volatile("cli; hlt");
}

static int
same(const void *a, const char *b, int n)
{
    const char *p = a;

    for (int i = 0; i < n; i++)
        if (p[i] != b[i])
            return 0;
    return 1;
}

/* Sorted, non-overlapping, and the stub's own code is usable memory. */
static const char *
check_mem(const struct bootinfo *bi)
{
    uint64_t self = (uint64_t)(uintptr_t)&check_mem;
    int covered = 0;

    if (bi->nmem == 0 || bi->nmem > BOOTINFO_MEM_MAX)
        return "bad nmem";
    for (uint32_t i = 0; i < bi->nmem; i++) {
        const struct bootinfo_mem *m = &bi->mem[i];
        if (i > 0 && m->base < bi->mem[i - 1].base + bi->mem[i - 1].len)
            return "memory map unsorted or overlapping";
        if (m->type == BOOT_MEM_USABLE && self >= m->base && self < m->base + m->len)
            covered = 1;
    }
    return covered ? 0 : "kernel image not in usable memory";
}

static const char *
check(uint64_t magic, const struct bootinfo *bi)
{
    if (magic != BOOTINFO_MAGIC)
        return "rdi is not BOOTINFO_MAGIC";
    if (bi->magic != BOOTINFO_MAGIC || bi->version != BOOTINFO_VERSION ||
        bi->loader != BOOT_LOADER_EFI)
        return "bad bootinfo header";
    if ((uint64_t)(uintptr_t)bi >= (1ull << 32))
        return "bootinfo above 4 GiB";
    for (int i = 0; i < 512; i++)
        if (bss_probe[i])
            return "bss not zeroed";
    const char *why = check_mem(bi);
    if (why)
        return why;
    if (bi->nmods != 1 || !same(bi->mods[0].name, "initrd", 7))
        return "no initrd module";
    if (bi->mods[0].end <= bi->mods[0].start || bi->mods[0].end > (1ull << 32))
        return "bad initrd bounds";
    if (!same((const void *)(uintptr_t)bi->mods[0].start, "070701", 6))
        return "initrd does not start with a cpio newc header";
    if (!bi->rsdp || !same((const void *)(uintptr_t)bi->rsdp, "RSD PTR ", 8))
        return "no RSDP";
    return 0;
}

void __attribute__((noreturn))
stub_main64(uint64_t magic, const struct bootinfo *bi)
{
    puts("stub: efi entry64 reached, cmdline=[");
    if (magic == BOOTINFO_MAGIC)
        puts(bi->cmdline);
    puts("] nmem=");
    puthex(bi->nmem);
    puts(" initrd=");
    puthex(bi->mods[0].start);
    puts(" rsdp=");
    puthex(bi->rsdp);
    puts(" fb=");
    puthex(bi->fb.addr);
    puts("\n");
    finish(check(magic, bi));
}
