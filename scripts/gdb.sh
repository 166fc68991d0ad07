#!/usr/bin/env bash
# Debug one node: QEMU starts halted with a gdb stub on :1234 (-s -S),
# its serial console goes to build/gdb-serial.log, and gdb loads
# build/wisp.elf with scripts/wisp.gdb (connect, break at kernel_main).
# QEMU is stopped when gdb exits. Extra arguments go to QEMU; WISP_CMDLINE,
# NODE, WISP_MEM and WISP_ACCEL as for scripts/run.sh.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
serial=build/gdb-serial.log
for f in "$kernel" "$initrd"; do
    [[ -f $f ]] || { echo "gdb: $f is missing; run 'make' first" >&2; exit 1; }
done
read -r -a accel <<<"$(scripts/accel.sh --qemu-args)"
cmdline="node=${NODE:-0} console=ttyS0${WISP_CMDLINE:+ $WISP_CMDLINE}"

# -no-shutdown keeps a crashed guest around to inspect.
"${QEMU:-qemu-system-x86_64}" "${accel[@]}" -m "${WISP_MEM:-256M}" -smp 2 \
    -display none -nic none -monitor none -serial "file:$serial" -no-reboot -no-shutdown \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$kernel" -initrd "$initrd" -append "$cmdline" -s -S "$@" </dev/null &
qemu=$!
trap 'kill $qemu 2>/dev/null || true' EXIT
echo "gdb: QEMU (pid $qemu) waits on :1234; serial console: tail -f $serial"
sleep 0.5
gdb -q "$kernel" -x scripts/wisp.gdb
