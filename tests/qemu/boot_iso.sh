#!/usr/bin/env bash
# Boot test, BIOS path: build a GRUB multiboot2 ISO with the command line
# "test=boot" (boot/mkiso.sh) and boot it from QEMU's CD-ROM with SeaBIOS.
# Passes when the kernel exits through isa-debug-exit with 0 (QEMU status 1)
# and the serial log has "wisp: node 0 ready". WISP_BOOT_STUB=1 boots the
# loader test stand-in (boot/efi/stub/) instead of build/wisp.elf. The UEFI
# path is tests/qemu/boot_efi.sh. Run from the repo root; exit 0 = pass.
set -uo pipefail

fail() { echo "boot_iso: FAIL: $*"; exit 1; }

[ -x boot/mkiso.sh ] || fail "run from the repo root (boot/mkiso.sh not found)"
kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
expect="wisp: node 0 ready"
secs=${WISP_BOOT_TIMEOUT:-60}

mkdir -p build/test
tmp=$(mktemp -d build/test/iso.XXXXXX) || fail "cannot make a temp dir under build/test"
trap 'rm -rf "$tmp"' EXIT

if [ "${WISP_BOOT_STUB:-0}" = 1 ]; then
    make --no-print-directory -s boot-stub >"$tmp/make.log" 2>&1 ||
        fail "building the stand-in kernel: $(tail -n 1 "$tmp/make.log")"
    kernel=build/efi/stub/wisp-stub.elf
    (cd "$tmp" && echo stub >f && echo f | cpio -o -H newc --quiet >initrd.cpio) ||
        fail "cannot make a cpio for the stand-in"
    initrd=$tmp/initrd.cpio
    expect="stub: multiboot2 OK"
fi
[ -f "$kernel" ] || fail "$kernel missing (run make)"
[ -f "$initrd" ] || fail "$initrd missing (run make)"

iso=$tmp/wisp-test.iso
WISP_KERNEL=$kernel WISP_INITRD=$initrd boot/mkiso.sh "$iso" "test=boot" >"$tmp/mkiso.log" 2>&1 ||
    fail "mkiso: $(tail -n 1 "$tmp/mkiso.log")"

accel=${WISP_ACCEL:-tcg}
if [ -x scripts/accel.sh ]; then
    accel_args=$(WISP_ACCEL=$accel scripts/accel.sh --qemu-args) || fail "bad WISP_ACCEL '$accel'"
elif [ "$accel" = kvm ]; then
    accel_args="-accel kvm -cpu host"
else
    accel_args="-accel $accel -cpu max"
fi

log=$tmp/serial.log
st=0
# shellcheck disable=SC2086 # accel_args is several words on purpose
timeout -k 5 "$secs" qemu-system-x86_64 $accel_args -m 256M -smp 2 -display none -nic none \
    -monitor none -serial "file:$log" -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 -cdrom "$iso" >"$tmp/qemu.out" 2>&1 || st=$?

if [ $st != 1 ] || ! grep -qaF "$expect" "$log"; then
    tail -n 15 "$log" 2>/dev/null | tr -d '\r' | sed 's/^/    | /' >&2
    tail -n 3 "$tmp/qemu.out" 2>/dev/null | sed 's/^/    qemu: /' >&2
fi
case $st in
1) ;;
3) fail "the kernel reported failure (QEMU status 3)" ;;
124 | 137) fail "timed out after ${secs}s" ;;
0) fail "QEMU stopped without isa-debug-exit (reset or triple fault?)" ;;
*) fail "QEMU exit status $st" ;;
esac
grep -qaF "$expect" "$log" || fail "exit status 1 but no '$expect' on the serial console"
echo "boot_iso: pass"
