#!/bin/bash
# Build a GRUB 2 (multiboot2) hybrid ISO that boots from CD or USB on BIOS
# and UEFI PCs and in QEMU (-cdrom). Usage: boot/mkiso.sh OUT.iso "cmdline"
# The kernel gets "console=ttyS0 cmdline". Inputs: $WISP_KERNEL (default
# build/wisp.elf), $WISP_INITRD (default build/initrd.cpio). Used by
# `make iso` (mk/boot.mk) and by tests/qemu/boot_iso.sh. Needs grub-pc-bin,
# grub-efi-amd64-bin, xorriso, mtools.
set -euo pipefail

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 OUT.iso [\"cmdline\"]" >&2
    exit 2
fi
out=$1
cmdline=${2-}
kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
here=$(dirname "$0")

for f in "$kernel" "$initrd" "$here/grub/grub.cfg"; do
    [ -f "$f" ] || { echo "mkiso: $f missing (run make)" >&2; exit 1; }
done
command -v grub-mkrescue >/dev/null || { echo "mkiso: grub-mkrescue not installed" >&2; exit 1; }

# GRUB's parser treats quotes, $, ; and backslashes specially; inside
# single quotes everything is literal, so quote each word that way. A
# single quote itself becomes '\''.
grub_quote() {
    local w out=""
    for w in "$@"; do
        out+=" '${w//\'/\'\\\'\'}'"
    done
    printf '%s' "${out# }"
}

# Split the command line into words the way the kernel does: spaces
# separate words except inside double quotes, which stay in the word.
split_cmdline() {
    local s=$1 w="" inq=0 c i
    words=()
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [ "$c" = '"' ]; then
            inq=$((1 - inq))
            w+=$c
        elif [ "$c" = ' ' ] && [ $inq = 0 ]; then
            [ -n "$w" ] && words+=("$w")
            w=""
        else
            w+=$c
        fi
    done
    [ -n "$w" ] && words+=("$w")
    return 0
}

mkdir -p "$(dirname "$out")"
work=$(mktemp -d "$(dirname "$out")/iso-work.XXXXXX")
trap 'rm -rf "$work"' EXIT
stage=$work/root
mkdir -p "$stage/boot/grub"
cp "$kernel" "$stage/boot/wisp.elf"
cp "$initrd" "$stage/boot/initrd.cpio"

split_cmdline "$cmdline"
quoted=$(grub_quote ${words[@]+"${words[@]}"})
tmpl=$(cat "$here/grub/grub.cfg")
printf '%s\n' "${tmpl%%@WISP_CMDLINE@*}${quoted}${tmpl#*@WISP_CMDLINE@}" > "$stage/boot/grub/grub.cfg"

if ! grub-mkrescue --locales= --fonts= --themes= -o "$work/out.iso" "$stage" \
        > "$work/log" 2>&1; then
    cat "$work/log" >&2
    echo "mkiso: grub-mkrescue failed" >&2
    exit 1
fi
mv "$work/out.iso" "$out"
