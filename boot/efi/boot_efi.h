/*
 * Internal interface of Wisp's GNU-EFI loader (BOOTX64.EFI). The loader is
 * a UEFI application, not kernel code: it is built with the GNU-EFI
 * toolchain by mk/boot.mk and shares only boot/bootinfo.h with the kernel.
 * boot_efi.c drives the boot; boot_efi_elf.c loads the kernel image;
 * boot_efi_mmap.c converts the firmware memory map and leaves boot services.
 */
#pragma once
#include <efi.h>
#include <efilib.h>
#include "boot/bootinfo.h"

/* Where the kernel ended up in physical memory after boot_elf_load(). */
struct boot_image {
    uint64_t lo;      /* lowest p_paddr of any PT_LOAD */
    uint64_t hi;      /* end of the highest PT_LOAD (p_paddr + p_memsz) */
    uint64_t entry64; /* from the kernel's struct boot_efi_hdr */
};

/* Print a message prefixed with "wisp-efi: " on ConOut (mirrored to COM1). */
void boot_log(const CHAR16 *fmt, ...);

/*
 * Validate img[0..len) as an ELF64 x86_64 executable, allocate every PT_LOAD
 * segment at its p_paddr (AllocateAddress, EfiLoaderData), copy and zero it,
 * then find the boot_efi_hdr in the first 32 KiB. Prints a reason and
 * returns EFI_LOAD_ERROR for a malformed image, or the firmware's status
 * when the pages are not free.
 */
EFI_STATUS boot_elf_load(const void *img, UINTN len, struct boot_image *out);

/* Print the firmware memory-map entries in [start, end) that are not free,
 * to explain why the kernel's pages could not be had there. */
void boot_log_busy(uint64_t start, uint64_t end);

/*
 * Fetch the final memory map into bi->mem[] and call ExitBootServices,
 * retrying on a stale map key. On success boot services are gone: no more
 * firmware calls, no printing. On failure (before the exit) prints why.
 */
EFI_STATUS boot_exit_services(EFI_HANDLE image, struct bootinfo *bi);
