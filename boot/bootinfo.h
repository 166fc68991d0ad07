/*
 * The one boot-information structure every loader hands the kernel.
 * GRUB's multiboot2 tags and QEMU's multiboot1 info are converted into it by
 * arch/x86_64/arch_bootinfo.c; the GNU-EFI loader (boot/efi/) fills it
 * directly. It is plain data with fixed-width fields so that a 64-bit UEFI
 * application and the kernel agree on its layout without sharing code.
 */
#pragma once
#include <stdint.h>

#define BOOTINFO_MAGIC    0x544f4f4250534957ull /* "WISPBOOT" little-endian */
#define BOOTINFO_VERSION  1

#define BOOTINFO_CMDLINE_MAX 512
#define BOOTINFO_MEM_MAX     256
#define BOOTINFO_MODS_MAX    8
#define BOOTINFO_NAME_MAX    64

/* Which loader built the structure (bootinfo.loader). */
enum {
    BOOT_LOADER_MB1 = 1, /* QEMU -kernel, multiboot1 */
    BOOT_LOADER_MB2 = 2, /* GRUB 2, multiboot2 */
    BOOT_LOADER_EFI = 3, /* Wisp's GNU-EFI loader */
};

/* Memory-map entry types (bootinfo_mem.type); same meaning as E820/multiboot. */
enum {
    BOOT_MEM_USABLE   = 1,
    BOOT_MEM_RESERVED = 2,
    BOOT_MEM_ACPI     = 3, /* ACPI reclaimable */
    BOOT_MEM_NVS      = 4,
    BOOT_MEM_BAD      = 5,
};

struct bootinfo_mem {
    uint64_t base;
    uint64_t len;
    uint32_t type;
    uint32_t pad;
};

struct bootinfo_mod {
    uint64_t start; /* physical, inclusive */
    uint64_t end;   /* physical, exclusive */
    char name[BOOTINFO_NAME_MAX];
};

struct bootinfo_fb {
    uint64_t addr; /* physical; 0 when there is no framebuffer */
    uint32_t pitch;
    uint32_t width;
    uint32_t height;
    uint32_t bpp;
};

struct bootinfo {
    uint64_t magic;   /* BOOTINFO_MAGIC */
    uint32_t version; /* BOOTINFO_VERSION */
    uint32_t loader;  /* BOOT_LOADER_* */
    char cmdline[BOOTINFO_CMDLINE_MAX];
    uint64_t rsdp;    /* physical address of the ACPI RSDP, 0 if unknown */
    uint32_t nmem;
    uint32_t nmods;
    struct bootinfo_mem mem[BOOTINFO_MEM_MAX];
    struct bootinfo_mod mods[BOOTINFO_MODS_MAX];
    struct bootinfo_fb fb;
};

/*
 * The kernel image carries, within its first 32 KiB and 8-byte aligned, a
 * struct boot_efi_hdr. The EFI loader scans for it after loading the ELF's
 * PT_LOAD segments at their physical addresses, leaves boot services and
 * jumps to entry64 (a physical address) in 64-bit mode with
 *   rdi = BOOTINFO_MAGIC, rsi = physical address of a struct bootinfo
 * placed below 4 GiB, interrupts off, and any identity map covering the
 * kernel image and the bootinfo. The kernel installs its own page tables.
 */
#define BOOT_EFI_HDR_MAGIC 0x3149464550534957ull /* "WISPEFI1" */

struct boot_efi_hdr {
    uint64_t magic;
    uint64_t entry64;
};
