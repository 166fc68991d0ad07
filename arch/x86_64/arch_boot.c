/*
 * From the loader's hand-off to kernel_main: normalise multiboot1,
 * multiboot2 or the EFI loader's struct bootinfo into one struct bootinfo,
 * bring up the console, the CPU tables and physical memory, then call the
 * portable kernel_main (kernel/main.c). Runs on the boot stack with the
 * static boot page tables of boot.S.
 */
#include "boot/bootinfo.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/lib.h"
#include "arch/x86_64/arch_int.h"

#define MB1_BOOT_MAGIC 0x2BADB002u
#define MB2_BOOT_MAGIC 0x36d76289u

static struct bootinfo bi;
static uint8_t rsdp_copy[64];

NORETURN void kernel_main(struct bootinfo *bi);

static void
add_mem(uint64_t base, uint64_t len, uint32_t type)
{
    if (bi.nmem >= BOOTINFO_MEM_MAX || len == 0)
        return;
    bi.mem[bi.nmem].base = base;
    bi.mem[bi.nmem].len = len;
    bi.mem[bi.nmem].type = (type >= 1 && type <= 5) ? type : BOOT_MEM_RESERVED;
    bi.nmem++;
}

static void
add_mod(uint64_t start, uint64_t end, const char *name)
{
    if (bi.nmods >= BOOTINFO_MODS_MAX || end < start)
        return;
    bi.mods[bi.nmods].start = start;
    bi.mods[bi.nmods].end = end;
    k_strlcpy(bi.mods[bi.nmods].name, name ? name : "", BOOTINFO_NAME_MAX);
    bi.nmods++;
}

static void
copy_rsdp(const void *src, size_t len)
{
    memcpy(rsdp_copy, src, MIN(len, sizeof(rsdp_copy)));
    bi.rsdp = arch_v2p(rsdp_copy);
}

static void
from_mb1(uint64_t info)
{
    const uint32_t *w = arch_p2v(info);
    uint32_t flags = w[0];

    bi.loader = BOOT_LOADER_MB1;
    if (flags & (1u << 2))   /* QEMU's -kernel puts the image's path first */
        k_strlcpy(bi.cmdline, cmdline_skip_image(arch_p2v(w[4])), sizeof(bi.cmdline));
    if (flags & (1u << 3)) {
        const uint32_t *m = arch_p2v(w[6]);
        for (uint32_t i = 0; i < w[5]; i++, m += 4)
            add_mod(m[0], m[1], m[2] ? (const char *)arch_p2v(m[2]) : "");
    }
    if (flags & (1u << 6)) {
        uint64_t p = w[12], end = (uint64_t)w[12] + w[11];
        while (p + 24 <= end) {
            const uint8_t *e = arch_p2v(p);
            uint32_t size = *(const uint32_t *)e;
            add_mem(*(const uint64_t *)(e + 4), *(const uint64_t *)(e + 12),
                    *(const uint32_t *)(e + 20));
            p += size + 4;
        }
    } else if (flags & 1u) {
        add_mem(0, (uint64_t)w[1] * 1024, BOOT_MEM_USABLE);
        add_mem(0x100000, (uint64_t)w[2] * 1024, BOOT_MEM_USABLE);
    }
}

/* GRUB quotes a word holding spaces ("initargs=\"a b\"" for initargs="a b")
 * and escapes quotes and backslashes with a backslash. Undo both so the
 * kernel sees the command line as it was written in grub.cfg. */
static void
copy_grub_cmdline(const char *s, size_t max)
{
    size_t o = 0;
    const char *args = cmdline_skip_image(s);   /* GRUB may put the image path first */

    max -= MIN((size_t)(args - s), max);
    s = args;
    for (size_t i = 0; i < max && s[i] && o + 1 < sizeof(bi.cmdline); i++) {
        if (s[i] == '\\' && i + 1 < max && s[i + 1])
            bi.cmdline[o++] = s[++i];
        else if (s[i] != '"')
            bi.cmdline[o++] = s[i];
    }
    bi.cmdline[o] = 0;
}

static void
from_mb2(uint64_t info)
{
    const uint8_t *base = arch_p2v(info);
    uint32_t total = *(const uint32_t *)base;
    uint32_t off = 8;

    bi.loader = BOOT_LOADER_MB2;
    while (off + 8 <= total) {
        const uint8_t *t = base + off;
        uint32_t type = *(const uint32_t *)t, size = *(const uint32_t *)(t + 4);
        if (type == 0 || size < 8)
            break;
        switch (type) {
        case 1:
            copy_grub_cmdline((const char *)(t + 8), size - 8);
            break;
        case 3:
            add_mod(*(const uint32_t *)(t + 8), *(const uint32_t *)(t + 12),
                    (const char *)(t + 16));
            break;
        case 6: {
            uint32_t esz = *(const uint32_t *)(t + 8);
            for (uint32_t o = 16; esz >= 24 && o + esz <= size; o += esz)
                add_mem(*(const uint64_t *)(t + o), *(const uint64_t *)(t + o + 8),
                        *(const uint32_t *)(t + o + 16));
            break;
        }
        case 8:
            bi.fb.addr = *(const uint64_t *)(t + 8);
            bi.fb.pitch = *(const uint32_t *)(t + 16);
            bi.fb.width = *(const uint32_t *)(t + 20);
            bi.fb.height = *(const uint32_t *)(t + 24);
            bi.fb.bpp = t[28];
            break;
        case 14:
            if (!bi.rsdp)
                copy_rsdp(t + 8, size - 8);
            break;
        case 15:
            copy_rsdp(t + 8, size - 8);
            break;
        }
        off += ALIGN_UP(size, 8u);
    }
}

static bool
from_efi(uint64_t info)
{
    const struct bootinfo *src = arch_p2v(info);

    if (src->magic != BOOTINFO_MAGIC || src->version != BOOTINFO_VERSION)
        return false;
    bi = *src;
    bi.cmdline[BOOTINFO_CMDLINE_MAX - 1] = 0;
    if (bi.nmem > BOOTINFO_MEM_MAX)
        bi.nmem = BOOTINFO_MEM_MAX;
    if (bi.nmods > BOOTINFO_MODS_MAX)
        bi.nmods = BOOTINFO_MODS_MAX;
    for (uint32_t i = 0; i < bi.nmods; i++)
        bi.mods[i].name[BOOTINFO_NAME_MAX - 1] = 0;
    return true;
}

NORETURN void
arch_boot64(uint64_t magic, uint64_t info)
{
    arch_serial_init();
    bi.magic = BOOTINFO_MAGIC;
    bi.version = BOOTINFO_VERSION;
    if (magic == MB1_BOOT_MAGIC)
        from_mb1(info);
    else if (magic == MB2_BOOT_MAGIC)
        from_mb2(info);
    else if (magic != BOOTINFO_MAGIC || !from_efi(info)) {
        kprintf("wisp: unknown boot protocol (magic 0x%lx): no boot information, halting\n",
                magic);
        arch_halt();
    }
    arch_cpu_init();
    arch_acpi_set_rsdp(bi.rsdp);
    arch_mem_init(&bi);
    kernel_main(&bi);
}
