#!/usr/bin/env bash
# Boot test, UEFI path: build the FAT image with Wisp's GNU-EFI loader and
# the command line "test=boot" (boot/mkefi.sh) and boot it with OVMF.
# Passes when QEMU exits with status 1 (isa-debug-exit value 0) and the
# serial log has both the loader's "wisp-efi: loading" and the kernel's
# "wisp: node 0 ready". WISP_BOOT_STUB=1 boots the loader test stand-in
# (boot/efi/stub/). BIOS path: tests/qemu/boot_iso.sh. Run from the repo root.
set -uo pipefail

fail() { echo "boot_efi: FAIL: $*"; exit 1; }

[ -x boot/mkefi.sh ] || fail "run from the repo root (boot/mkefi.sh not found)"
kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
app=build/efi/BOOTX64.EFI
expect="wisp: node 0 ready"
secs=${WISP_BOOT_TIMEOUT:-60}

# Debian's ovmf: the plain (not Secure Boot) 2 MiB build, else the 4 MiB one.
code="" vars=""
for sfx in "" _4M; do
    if [ -f "/usr/share/OVMF/OVMF_CODE$sfx.fd" ] && [ -f "/usr/share/OVMF/OVMF_VARS$sfx.fd" ]; then
        code=/usr/share/OVMF/OVMF_CODE$sfx.fd
        vars=/usr/share/OVMF/OVMF_VARS$sfx.fd
        break
    fi
done
[ -n "$code" ] || fail "no OVMF firmware under /usr/share/OVMF (install ovmf)"

mkdir -p build/test
tmp=$(mktemp -d build/test/efi.XXXXXX) || fail "cannot make a temp dir under build/test"
trap 'rm -rf "$tmp"' EXIT

# The loader is this area's own build product; (re)make it, it is cheap.
targets=efi-loader
[ "${WISP_BOOT_STUB:-0}" = 1 ] && targets="efi-loader boot-stub"
# shellcheck disable=SC2086
make --no-print-directory -s $targets >"$tmp/make.log" 2>&1 ||
    fail "building the EFI loader: $(tail -n 1 "$tmp/make.log")"
if [ "${WISP_BOOT_STUB:-0}" = 1 ]; then
    kernel=build/efi/stub/wisp-stub.elf
    (cd "$tmp" && echo stub >f && echo f | cpio -o -H newc --quiet >initrd.cpio) ||
        fail "cannot make a cpio for the stand-in"
    initrd=$tmp/initrd.cpio
    expect="stub: efi OK"
fi
[ -f "$kernel" ] || fail "$kernel missing (run make)"
[ -f "$initrd" ] || fail "$initrd missing (run make)"

img=$tmp/wisp-test.img
WISP_KERNEL=$kernel WISP_INITRD=$initrd WISP_EFI_APP=$app \
    boot/mkefi.sh "$img" "test=boot" >"$tmp/mkefi.log" 2>&1 ||
    fail "mkefi: $(tail -n 1 "$tmp/mkefi.log")"
cp "$vars" "$tmp/vars.fd" || fail "cannot copy $vars"

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
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -drive "if=pflash,format=raw,readonly=on,file=$code" \
    -drive "if=pflash,format=raw,file=$tmp/vars.fd" \
    -drive "format=raw,file=$img" >"$tmp/qemu.out" 2>&1 || st=$?

if [ $st != 1 ] || ! grep -qaF "$expect" "$log"; then
    tail -n 15 "$log" 2>/dev/null | tr -d '\r' | sed 's/^/    | /' >&2
    tail -n 3 "$tmp/qemu.out" 2>/dev/null | sed 's/^/    qemu: /' >&2
fi
why=$(grep -a 'wisp-efi: .*\(refused\|failed\|cannot\|not found\)' "$log" 2>/dev/null | head -n 1 | tr -d '\r')
case $st in
1) ;;
3) fail "the kernel reported failure (QEMU status 3)" ;;
124 | 137) fail "timed out after ${secs}s${why:+ ($why)}" ;;
0) fail "QEMU stopped without isa-debug-exit (reset or triple fault?)" ;;
*) fail "QEMU exit status $st" ;;
esac
grep -qaF "wisp-efi: loading" "$log" || fail "no 'wisp-efi: loading' banner on the serial console"
grep -qaF "$expect" "$log" || fail "exit status 1 but no '$expect' on the serial console"
echo "boot_efi: pass"
