#!/bin/bash
# Build the UEFI boot image: an MBR disk with one EFI System Partition
# (FAT16, no root needed: mtools) holding EFI/BOOT/BOOTX64.EFI (Wisp's
# loader, boot/efi/), wisp/wisp.elf, wisp/initrd.cpio and wisp/cmdline.txt
# ("console=ttyS0 cmdline"). Boots in QEMU with OVMF (-drive format=raw) and
# from a USB stick written with dd. Usage: boot/mkefi.sh OUT.img "cmdline"
# Inputs: $WISP_KERNEL, $WISP_INITRD, $WISP_EFI_APP (defaults under build/).
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUT.img [\"cmdline\"]" >&2
    exit 2
fi
out=$1
cmdline=${2-}
kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
app=${WISP_EFI_APP:-build/efi/BOOTX64.EFI}

for f in "$kernel" "$initrd" "$app"; do
    [ -f "$f" ] || { echo "mkefi: $f missing (run make)" >&2; exit 1; }
done
command -v mformat >/dev/null || { echo "mkefi: mtools not installed" >&2; exit 1; }

# The partition starts at 1 MiB; at least 63 MiB (FAT16 with small
# clusters), more when the payload needs it. Over 1 GiB FAT32 is used.
mib=$((1024 * 1024))
payload=$(( $(stat -c %s "$kernel") + $(stat -c %s "$initrd") + $(stat -c %s "$app") ))
part_mib=$(( payload * 5 / 4 / mib + 8 ))
[ $part_mib -ge 63 ] || part_mib=63
fat=""
[ $part_mib -le 1024 ] || fat="-F"
part_sectors=$((part_mib * 2048))

le32() {
    printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8 & 255)) \
        $(($1 >> 16 & 255)) $(($1 >> 24 & 255))
}

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/efi-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
img=$work/disk.img
truncate -s $(( (part_mib + 1) * mib )) "$img"

# MBR: disk signature, one partition of type 0xEF (EFI System) at LBA
# 2048, CHS fields saturated as for any disk over 8 GiB, boot signature.
{
    printf %b "$(le32 0x57495350)\\x00\\x00"          # offset 440
    printf '\x00\xfe\xff\xff\xef\xfe\xff\xff'         # entry 1: flags, CHS, type, CHS
    printf %b "$(le32 2048)$(le32 $part_sectors)"
    head -c 48 /dev/zero                              # entries 2-4
    printf '\x55\xaa'
} | dd of="$img" bs=1 seek=440 conv=notrunc status=none

export MTOOLS_SKIP_CHECK=1
fs="$img@@1M"
mformat -i "$fs" $fat -T $part_sectors -h 64 -s 32 -H 2048 -v WISP ::
mmd -i "$fs" ::/EFI ::/EFI/BOOT ::/wisp
mcopy -i "$fs" "$app" ::/EFI/BOOT/BOOTX64.EFI
mcopy -i "$fs" "$kernel" ::/wisp/wisp.elf
mcopy -i "$fs" "$initrd" ::/wisp/initrd.cpio
printf '%s\n' "console=ttyS0${cmdline:+ $cmdline}" > "$work/cmdline.txt"
mcopy -i "$fs" "$work/cmdline.txt" ::/wisp/cmdline.txt
mv "$img" "$out"
