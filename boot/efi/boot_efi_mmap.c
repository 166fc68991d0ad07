/*
 * The last step of the UEFI loader: fetch the firmware memory map, turn it
 * into bootinfo mem[] entries (sorted, adjacent same-type ranges merged so
 * the map fits in BOOTINFO_MEM_MAX), and leave boot services. Between the
 * final GetMemoryMap and ExitBootServices nothing may allocate or print,
 * since either can change the map and invalidate its key; so the map buffer
 * is allocated once, with slack, and the conversion only writes into the
 * already-allocated bootinfo. The kernel reads the result in arch/x86_64.
 */
#include "boot/efi/boot_efi.h"

#define EXIT_TRIES 8

static uint32_t
mem_type(UINT32 efi_type)
{
    switch (efi_type) {
    case EfiConventionalMemory:
    case EfiBootServicesCode:
    case EfiBootServicesData:
    case EfiLoaderCode:
    case EfiLoaderData:
        return BOOT_MEM_USABLE;
    case EfiACPIReclaimMemory:
        return BOOT_MEM_ACPI;
    case EfiACPIMemoryNVS:
        return BOOT_MEM_NVS;
    case EfiUnusableMemory:
        return BOOT_MEM_BAD;
    default:
        return BOOT_MEM_RESERVED;
    }
}

static void
remove_at(struct bootinfo *bi, uint32_t i)
{
    for (uint32_t j = i; j + 1 < bi->nmem; j++)
        bi->mem[j] = bi->mem[j + 1];
    bi->nmem--;
}

/* Merge entry i with its successor while they touch and have one type. */
static void
merge_next(struct bootinfo *bi, uint32_t i)
{
    while (i + 1 < bi->nmem && bi->mem[i].type == bi->mem[i + 1].type &&
           bi->mem[i].base + bi->mem[i].len == bi->mem[i + 1].base) {
        bi->mem[i].len += bi->mem[i + 1].len;
        remove_at(bi, i + 1);
    }
}

/*
 * Insert [base, base+len) keeping mem[] sorted by base. When mem[] is full
 * a reserved entry is dropped to make room for a more useful one (the
 * kernel treats any address not listed as unusable anyway).
 */
static void
insert_range(struct bootinfo *bi, uint64_t base, uint64_t len, uint32_t type)
{
    uint32_t i;

    if (bi->nmem == BOOTINFO_MEM_MAX) {
        if (type == BOOT_MEM_RESERVED)
            return;
        for (i = 0; i < bi->nmem && bi->mem[i].type != BOOT_MEM_RESERVED; i++)
            ;
        if (i == bi->nmem)
            return;
        remove_at(bi, i);
    }
    for (i = bi->nmem; i > 0 && bi->mem[i - 1].base > base; i--)
        bi->mem[i] = bi->mem[i - 1];
    bi->mem[i].base = base;
    bi->mem[i].len = len;
    bi->mem[i].type = type;
    bi->mem[i].pad = 0;
    bi->nmem++;
    merge_next(bi, i);
    if (i > 0)
        merge_next(bi, i - 1);
}

/* Must not allocate, print or call the firmware. */
static void
convert_map(struct bootinfo *bi, const UINT8 *map, UINTN size, UINTN desc_size)
{
    bi->nmem = 0;
    for (UINTN off = 0; off + desc_size <= size; off += desc_size) {
        const EFI_MEMORY_DESCRIPTOR *d = (const EFI_MEMORY_DESCRIPTOR *)(map + off);
        if (d->NumberOfPages == 0)
            continue;
        insert_range(bi, d->PhysicalStart, d->NumberOfPages * 4096ull, mem_type(d->Type));
    }
}

void
boot_log_busy(uint64_t start, uint64_t end)
{
    UINTN n;
    UINTN key;
    UINTN desc_size;
    UINT32 desc_version;
    EFI_MEMORY_DESCRIPTOR *map = LibMemoryMap(&n, &key, &desc_size, &desc_version);
    int shown = 0;

    if (!map)
        return;
    for (UINTN i = 0; i < n && shown < 8; i++) {
        const EFI_MEMORY_DESCRIPTOR *d = (const void *)((UINT8 *)map + i * desc_size);
        uint64_t a = d->PhysicalStart;
        uint64_t b = a + d->NumberOfPages * 4096ull;
        if (d->Type == EfiConventionalMemory || b <= start || a >= end)
            continue;
        boot_log(L"  in use: 0x%lx-0x%lx, UEFI memory type %d\n", a, b, d->Type);
        shown++;
    }
    uefi_call_wrapper(BS->FreePool, 1, map);
}

EFI_STATUS
boot_exit_services(EFI_HANDLE image, struct bootinfo *bi)
{
    UINTN size = 0;
    UINTN cap;
    UINTN key;
    UINTN desc_size;
    UINT32 desc_version;
    UINT8 *map = NULL;
    EFI_STATUS st;

    /* Size the buffer once; the slack absorbs the descriptors that this
     * very allocation (and a later firmware event) may add. */
    st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, NULL, &key, &desc_size, &desc_version);
    if (st != EFI_BUFFER_TOO_SMALL) {
        boot_log(L"GetMemoryMap failed: %r\n", st);
        return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
    }
    cap = size * 2 + 64 * desc_size;
    st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, cap, (void **)&map);
    if (EFI_ERROR(st)) {
        boot_log(L"cannot allocate %lu bytes for the memory map: %r\n", cap, st);
        return st;
    }
    boot_log(L"exiting boot services\n");

    /* From here on: no allocation, no printing. */
    for (int tries = 0; tries < EXIT_TRIES; tries++) {
        size = cap;
        st = uefi_call_wrapper(BS->GetMemoryMap, 5, &size, (EFI_MEMORY_DESCRIPTOR *)map, &key,
                               &desc_size, &desc_version);
        if (EFI_ERROR(st))
            break;
        convert_map(bi, map, size, desc_size);
        st = uefi_call_wrapper(BS->ExitBootServices, 2, image, key);
        if (st == EFI_SUCCESS)
            return EFI_SUCCESS;
        if (st != EFI_INVALID_PARAMETER)
            break;
    }
    /* Boot services may be half torn down after a failed exit; printing is
     * the best we can do, and the caller gives up. */
    boot_log(L"ExitBootServices failed: %r\n", st);
    return EFI_ERROR(st) ? st : EFI_LOAD_ERROR;
}
