/*
 * Wisp's UEFI loader (EFI/BOOT/BOOTX64.EFI): reads wisp/wisp.elf,
 * wisp/initrd.cpio and wisp/cmdline.txt from the volume it was started
 * from, loads the kernel at its physical addresses, fills a struct bootinfo
 * (boot/bootinfo.h) below 4 GiB, leaves boot services and jumps to the
 * kernel's entry64 with rdi = BOOTINFO_MAGIC, rsi = &bootinfo. The BIOS path
 * (GRUB, multiboot2) does not come through here; arch/x86_64 converts its
 * tags into the same structure. Image layout: boot/mkefi.sh.
 */
#include "boot/efi/boot_efi.h"

#define BELOW_4G 0xffffffffull

static EFI_GUID acpi20_guid = ACPI_20_TABLE_GUID;
static EFI_GUID acpi10_guid = ACPI_TABLE_GUID;

void
boot_log(const CHAR16 *fmt, ...)
{
    va_list ap;

    Print(L"wisp-efi: ");
    va_start(ap, fmt);
    VPrint(fmt, ap);
    va_end(ap);
}

/* Pages of EfiLoaderData ending below 4 GiB, so a 32-bit field could hold
 * their address and the kernel's early identity map covers them. */
static EFI_STATUS
alloc_low(UINTN bytes, void **out)
{
    EFI_PHYSICAL_ADDRESS addr = BELOW_4G;
    EFI_STATUS st = uefi_call_wrapper(BS->AllocatePages, 4, AllocateMaxAddress, EfiLoaderData,
                                      EFI_SIZE_TO_PAGES(bytes), &addr);
    if (EFI_ERROR(st)) {
        boot_log(L"cannot allocate %lu bytes below 4 GiB: %r\n", bytes, st);
        return st;
    }
    *out = (void *)(UINTN)addr;
    return EFI_SUCCESS;
}

static EFI_STATUS
open_root(EFI_HANDLE image, EFI_FILE_HANDLE *root)
{
    EFI_LOADED_IMAGE *li;
    EFI_FILE_IO_INTERFACE *fs;
    EFI_STATUS st;

    st = uefi_call_wrapper(BS->HandleProtocol, 3, image, &LoadedImageProtocol, (void **)&li);
    if (EFI_ERROR(st)) {
        boot_log(L"no LoadedImage protocol: %r\n", st);
        return st;
    }
    st = uefi_call_wrapper(BS->HandleProtocol, 3, li->DeviceHandle, &FileSystemProtocol,
                           (void **)&fs);
    if (EFI_ERROR(st)) {
        boot_log(L"boot device has no file system: %r\n", st);
        return st;
    }
    st = uefi_call_wrapper(fs->OpenVolume, 2, fs, root);
    if (EFI_ERROR(st))
        boot_log(L"cannot open the boot volume: %r\n", st);
    return st;
}

/*
 * Read the whole file path into memory: pool memory when low is false,
 * pages below 4 GiB when it is true. A missing file returns EFI_NOT_FOUND
 * without a message, so the caller decides whether it matters.
 */
static EFI_STATUS
read_file(EFI_FILE_HANDLE root, CHAR16 *path, BOOLEAN low, void **buf, UINTN *len)
{
    EFI_FILE_HANDLE f;
    UINT64 size;
    UINTN n;
    EFI_STATUS st;

    st = uefi_call_wrapper(root->Open, 5, root, &f, path, EFI_FILE_MODE_READ, 0ull);
    if (EFI_ERROR(st))
        return st;
    /* Seeking to all-ones moves to end of file (UEFI spec, SetPosition). */
    st = uefi_call_wrapper(f->SetPosition, 2, f, ~0ull);
    if (!EFI_ERROR(st))
        st = uefi_call_wrapper(f->GetPosition, 2, f, &size);
    if (!EFI_ERROR(st))
        st = uefi_call_wrapper(f->SetPosition, 2, f, 0ull);
    if (EFI_ERROR(st))
        goto out_close;
    if (low)
        st = alloc_low(size ? size : 1, buf);
    else
        st = uefi_call_wrapper(BS->AllocatePool, 3, EfiLoaderData, size ? size : 1, buf);
    if (EFI_ERROR(st))
        goto out_close;
    for (UINT64 done = 0; done < size; done += n) {
        n = size - done;
        st = uefi_call_wrapper(f->Read, 3, f, &n, (UINT8 *)*buf + done);
        if (!EFI_ERROR(st) && n == 0)
            st = EFI_END_OF_FILE;
        if (EFI_ERROR(st))
            goto out_close;
    }
    *len = size;
out_close:
    uefi_call_wrapper(f->Close, 1, f);
    if (EFI_ERROR(st) && st != EFI_NOT_FOUND)
        boot_log(L"reading %s failed: %r\n", path, st);
    return st;
}

/* cmdline.txt is one line; newlines and other control bytes become
 * spaces, trailing blanks go, and it is cut to fit bootinfo.cmdline. */
static void
read_cmdline(EFI_FILE_HANDLE root, struct bootinfo *bi)
{
    char *text;
    UINTN len;
    UINTN n = 0;

    if (EFI_ERROR(read_file(root, L"\\wisp\\cmdline.txt", FALSE, (void **)&text, &len))) {
        boot_log(L"no wisp/cmdline.txt, empty command line\n");
        return;
    }
    for (UINTN i = 0; i < len && n < BOOTINFO_CMDLINE_MAX - 1; i++)
        bi->cmdline[n++] = ((unsigned char)text[i] < 0x20 || text[i] == 0x7f) ? ' ' : text[i];
    while (n > 0 && bi->cmdline[n - 1] == ' ')
        n--;
    bi->cmdline[n] = '\0';
    uefi_call_wrapper(BS->FreePool, 1, text);
}

static void
find_rsdp(struct bootinfo *bi)
{
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
        if (CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &acpi20_guid) == 0) {
            bi->rsdp = (uint64_t)(UINTN)ST->ConfigurationTable[i].VendorTable;
            return;
        }
    for (UINTN i = 0; i < ST->NumberOfTableEntries; i++)
        if (CompareGuid(&ST->ConfigurationTable[i].VendorGuid, &acpi10_guid) == 0) {
            bi->rsdp = (uint64_t)(UINTN)ST->ConfigurationTable[i].VendorTable;
            return;
        }
    boot_log(L"no ACPI RSDP in the configuration table\n");
}

/* A linear framebuffer from GOP, if the firmware has one; optional. */
static void
find_fb(struct bootinfo *bi)
{
    EFI_GRAPHICS_OUTPUT_PROTOCOL *gop;

    if (EFI_ERROR(LibLocateProtocol(&GraphicsOutputProtocol, (void **)&gop)) || !gop->Mode ||
        !gop->Mode->Info)
        return;
    EFI_GRAPHICS_OUTPUT_MODE_INFORMATION *info = gop->Mode->Info;
    if (info->PixelFormat == PixelBltOnly)
        return;
    bi->fb.addr = gop->Mode->FrameBufferBase;
    bi->fb.width = info->HorizontalResolution;
    bi->fb.height = info->VerticalResolution;
    bi->fb.bpp = 32;
    bi->fb.pitch = info->PixelsPerScanLine * 4;
}

static EFI_STATUS
load_initrd(EFI_FILE_HANDLE root, struct bootinfo *bi)
{
    void *buf;
    UINTN len;
    EFI_STATUS st = read_file(root, L"\\wisp\\initrd.cpio", TRUE, &buf, &len);

    if (st == EFI_NOT_FOUND) {
        boot_log(L"no wisp/initrd.cpio, booting without modules\n");
        return EFI_SUCCESS;
    }
    if (EFI_ERROR(st))
        return st;
    struct bootinfo_mod *m = &bi->mods[bi->nmods++];
    m->start = (uint64_t)(UINTN)buf;
    m->end = m->start + len;
    CopyMem(m->name, "initrd", 7);
    boot_log(L"initrd at 0x%lx, %lu bytes\n", m->start, (UINT64)len);
    return EFI_SUCCESS;
}

static EFI_STATUS
load_kernel(EFI_FILE_HANDLE root, struct boot_image *img)
{
    void *elf;
    UINTN len;
    EFI_STATUS st = read_file(root, L"\\wisp\\wisp.elf", FALSE, &elf, &len);

    if (st == EFI_NOT_FOUND)
        boot_log(L"wisp/wisp.elf not found on the boot volume\n");
    if (EFI_ERROR(st))
        return st;
    st = boot_elf_load(elf, len, img);
    uefi_call_wrapper(BS->FreePool, 1, elf);
    if (!EFI_ERROR(st))
        boot_log(L"kernel at 0x%lx-0x%lx, entry64 0x%lx\n", img->lo, img->hi, img->entry64);
    return st;
}

static EFI_STATUS
prepare(EFI_HANDLE image, struct bootinfo **bip, struct boot_image *img)
{
    EFI_FILE_HANDLE root;
    struct bootinfo *bi;
    EFI_STATUS st;

    st = open_root(image, &root);
    if (EFI_ERROR(st))
        return st;
    st = load_kernel(root, img);
    if (EFI_ERROR(st))
        return st;
    st = alloc_low(sizeof(*bi), (void **)&bi);
    if (EFI_ERROR(st))
        return st;
    ZeroMem(bi, sizeof(*bi));
    bi->magic = BOOTINFO_MAGIC;
    bi->version = BOOTINFO_VERSION;
    bi->loader = BOOT_LOADER_EFI;
    st = load_initrd(root, bi);
    if (EFI_ERROR(st))
        return st;
    read_cmdline(root, bi);
    uefi_call_wrapper(root->Close, 1, root);
    find_rsdp(bi);
    find_fb(bi);
    boot_log(L"cmdline \"%a\"\n", bi->cmdline);
    *bip = bi;
    return EFI_SUCCESS;
}

EFI_STATUS
efi_main(EFI_HANDLE image, EFI_SYSTEM_TABLE *systab)
{
    struct boot_image img;
    struct bootinfo *bi;
    EFI_STATUS st;

    InitializeLib(image, systab);
    /* The firmware arms a 5-minute watchdog for boot applications. */
    uefi_call_wrapper(BS->SetWatchdogTimer, 4, 0, 0, 0, NULL);
    boot_log(L"loading\n");

    st = prepare(image, &bi, &img);
    if (EFI_ERROR(st)) {
        boot_log(L"boot failed: %r\n", st);
        /* Leave the reason on screen before the firmware's menu hides it. */
        uefi_call_wrapper(BS->Stall, 1, 5 * 1000 * 1000);
        return st;
    }
    st = boot_exit_services(image, bi);
    if (EFI_ERROR(st))
        return st;

    /* UEFI's identity map is still live; the kernel builds its own page
     * tables, GDT and stack (this stack is in memory now marked usable). */
    __asm__ volatile("cli");
    ((void (*)(uint64_t, uint64_t))(UINTN)img.entry64)(BOOTINFO_MAGIC, (uint64_t)(UINTN)bi);
    for (;;)
        __asm__ volatile("hlt");
}
