/*
 * Loading the kernel ELF from inside the UEFI loader: validation of the
 * header and program headers (the file comes from a disk and is not
 * trusted), placement of each PT_LOAD at its physical address p_paddr, and
 * the scan for the kernel's struct boot_efi_hdr (boot/bootinfo.h) that
 * names the 64-bit entry point. The kernel side of the header lives in
 * arch/x86_64; execve's ELF parser (kernel/elf.h) is a separate thing.
 */
#include "boot/efi/boot_efi.h"

#define EHDR_SIZE   64
#define PHDR_SIZE   56
#define PT_LOAD     1
#define PF_X        1
#define ET_EXEC     2
#define EM_X86_64   62
#define MAX_LOADS   16
#define SCAN_BYTES  (32 * 1024)
#define PAGE        4096ull

struct elf64_ehdr {
    uint8_t ident[16];
    uint16_t type;
    uint16_t machine;
    uint32_t version;
    uint64_t entry;
    uint64_t phoff;
    uint64_t shoff;
    uint32_t flags;
    uint16_t ehsize;
    uint16_t phentsize;
    uint16_t phnum;
    uint16_t shentsize;
    uint16_t shnum;
    uint16_t shstrndx;
};

struct elf64_phdr {
    uint32_t type;
    uint32_t flags;
    uint64_t offset;
    uint64_t vaddr;
    uint64_t paddr;
    uint64_t filesz;
    uint64_t memsz;
    uint64_t align;
};

_Static_assert(sizeof(struct elf64_ehdr) == EHDR_SIZE, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == PHDR_SIZE, "ELF64 program header is 56 bytes");

/* Page ranges already allocated, so that two segments sharing a page do
 * not ask the firmware for it twice. */
struct range {
    uint64_t start;
    uint64_t end;
};

static EFI_STATUS
refuse(const CHAR16 *why)
{
    boot_log(L"wisp.elf refused: %s\n", why);
    return EFI_LOAD_ERROR;
}

static EFI_STATUS
check_ehdr(const struct elf64_ehdr *eh, UINTN len)
{
    if (len < EHDR_SIZE)
        return refuse(L"shorter than an ELF header");
    if (eh->ident[0] != 0x7f || eh->ident[1] != 'E' || eh->ident[2] != 'L' || eh->ident[3] != 'F')
        return refuse(L"bad ELF magic");
    if (eh->ident[4] != 2)
        return refuse(L"not ELF64");
    if (eh->ident[5] != 1)
        return refuse(L"not little-endian");
    if (eh->machine != EM_X86_64)
        return refuse(L"not x86_64");
    if (eh->type != ET_EXEC)
        return refuse(L"not an ET_EXEC executable");
    if (eh->phentsize != PHDR_SIZE || eh->phnum == 0)
        return refuse(L"bad program header size or count");
    if (eh->phoff > len || (uint64_t)eh->phnum * PHDR_SIZE > len - eh->phoff)
        return refuse(L"program headers outside the file");
    return EFI_SUCCESS;
}

/* Check one PT_LOAD against the file and the address space. */
static EFI_STATUS
check_load(const struct elf64_phdr *ph, UINTN len)
{
    if (ph->filesz > ph->memsz)
        return refuse(L"segment filesz > memsz");
    if (ph->offset > len || ph->filesz > len - ph->offset)
        return refuse(L"segment outside the file");
    if (ph->paddr < PAGE || ph->memsz > (1ull << 40) || ph->paddr > (1ull << 46))
        return refuse(L"segment physical address out of range");
    return EFI_SUCCESS;
}

/* Allocate the pages of [start, end) not already in done[]. */
static EFI_STATUS
alloc_pages_at(uint64_t start, uint64_t end, struct range *done, int ndone)
{
    for (int i = 0; i < ndone; i++) {
        if (start >= done[i].start && start < done[i].end)
            start = done[i].end;
        if (end > done[i].start && end <= done[i].end)
            end = done[i].start;
    }
    if (start >= end)
        return EFI_SUCCESS;
    EFI_PHYSICAL_ADDRESS addr = start;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateAddress, EfiLoaderData,
                                      (end - start) / PAGE, &addr);
    if (EFI_ERROR(st)) {
        boot_log(L"cannot allocate kernel pages 0x%lx-0x%lx: %r\n", start, end, st);
        boot_log_busy(start, end);
    }
    return st;
}

/* Find struct boot_efi_hdr, 8-byte aligned, in the first 32 KiB of the
 * loaded image, and check that its entry point lies in executable code. */
static EFI_STATUS
find_entry(const struct elf64_phdr *loads, int nloads, struct boot_image *img)
{
    uint64_t scan_end = img->lo + SCAN_BYTES;

    if (scan_end > img->hi)
        scan_end = img->hi;
    for (uint64_t a = (img->lo + 7) & ~7ull; a + sizeof(struct boot_efi_hdr) <= scan_end; a += 8) {
        const struct boot_efi_hdr *h = (const struct boot_efi_hdr *)(UINTN)a;
        if (h->magic != BOOT_EFI_HDR_MAGIC)
            continue;
        for (int i = 0; i < nloads; i++) {
            const struct elf64_phdr *ph = &loads[i];
            if ((ph->flags & PF_X) && h->entry64 >= ph->paddr &&
                h->entry64 < ph->paddr + ph->memsz) {
                img->entry64 = h->entry64;
                return EFI_SUCCESS;
            }
        }
        return refuse(L"boot_efi_hdr.entry64 is not in an executable segment");
    }
    return refuse(L"no boot_efi_hdr (WISPEFI1) in the first 32 KiB");
}

/* Validate the segments, remembering the PT_LOADs in loads[]. */
static EFI_STATUS
collect_loads(const UINT8 *base, UINTN len, struct elf64_phdr *loads, int *nloads)
{
    const struct elf64_ehdr *eh = (const struct elf64_ehdr *)base;
    int n = 0;

    for (int i = 0; i < eh->phnum; i++) {
        struct elf64_phdr ph;
        CopyMem(&ph, base + eh->phoff + (UINTN)i * PHDR_SIZE, PHDR_SIZE);
        if (ph.type != PT_LOAD || ph.memsz == 0)
            continue;
        if (n == MAX_LOADS)
            return refuse(L"too many PT_LOAD segments");
        EFI_STATUS st = check_load(&ph, len);
        if (EFI_ERROR(st))
            return st;
        for (int j = 0; j < n; j++)
            if (ph.paddr < loads[j].paddr + loads[j].memsz &&
                loads[j].paddr < ph.paddr + ph.memsz)
                return refuse(L"overlapping PT_LOAD segments");
        loads[n++] = ph;
    }
    if (n == 0)
        return refuse(L"no PT_LOAD segment");
    *nloads = n;
    return EFI_SUCCESS;
}

EFI_STATUS
boot_elf_load(const void *img, UINTN len, struct boot_image *out)
{
    const UINT8 *base = img;
    struct elf64_phdr loads[MAX_LOADS];
    struct range done[MAX_LOADS];
    int nloads;
    EFI_STATUS st;

    st = check_ehdr((const struct elf64_ehdr *)base, len);
    if (EFI_ERROR(st))
        return st;
    st = collect_loads(base, len, loads, &nloads);
    if (EFI_ERROR(st))
        return st;

    out->lo = ~0ull;
    out->hi = 0;
    for (int i = 0; i < nloads; i++) {
        const struct elf64_phdr *ph = &loads[i];
        uint64_t start = ph->paddr & ~(PAGE - 1);
        uint64_t end = (ph->paddr + ph->memsz + PAGE - 1) & ~(PAGE - 1);
        st = alloc_pages_at(start, end, done, i);
        if (EFI_ERROR(st))
            return st;
        done[i].start = start;
        done[i].end = end;
        CopyMem((void *)(UINTN)ph->paddr, base + ph->offset, ph->filesz);
        ZeroMem((void *)(UINTN)(ph->paddr + ph->filesz), ph->memsz - ph->filesz);
        if (ph->paddr < out->lo)
            out->lo = ph->paddr;
        if (ph->paddr + ph->memsz > out->hi)
            out->hi = ph->paddr + ph->memsz;
    }
    return find_entry(loads, nloads, out);
}
