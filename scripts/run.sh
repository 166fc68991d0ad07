#!/usr/bin/env bash
# Boot one Wisp node in QEMU with its serial console on this terminal
# (`make run` builds first). Extra arguments go to QEMU; WISP_CMDLINE adds
# kernel command-line words (e.g. WISP_CMDLINE="init=/bin/sh"); NODE sets
# node=N; WISP_MEM (256M), WISP_ACCEL (scripts/accel.sh), WISP_KERNEL and
# WISP_INITRD as for tests.
# Clusters of several nodes are started by other scripts in scripts/.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
for f in "$kernel" "$initrd"; do
    [[ -f $f ]] || { echo "run: $f is missing; run 'make' first" >&2; exit 1; }
done
read -r -a accel <<<"$(scripts/accel.sh --qemu-args)"
cmdline="node=${NODE:-0} console=ttyS0${WISP_CMDLINE:+ $WISP_CMDLINE}"

echo "Wisp: booting node ${NODE:-0} (${accel[*]}): Ctrl-A X leaves QEMU, Ctrl-A C is its monitor."
st=0
"${QEMU:-qemu-system-x86_64}" "${accel[@]}" -m "${WISP_MEM:-256M}" -smp 2 \
    -display none -serial mon:stdio -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$kernel" -initrd "$initrd" -append "$cmdline" "$@" || st=$?
# isa-debug-exit: the guest wrote 0 (status 1) when it powered off cleanly.
[[ $st == 1 ]] && st=0
exit "$st"
