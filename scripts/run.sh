#!/usr/bin/env bash
# `make run`: boot a cluster of WISP_NODES (3) nodes with scripts/cluster in
# build/cluster/run, say how to reach the other nodes, and put node 0's
# console on this terminal. Detaching (Ctrl-] or Ctrl-A X) brings the whole
# cluster down; logs stay in build/cluster/run/nodeK.log.
#
# `scripts/run.sh --single` (`make run1`) boots one node with its serial
# console on this terminal, as before: extra arguments go to QEMU, Ctrl-A X
# leaves QEMU, Ctrl-A C is its monitor.
#
# Both honour WISP_CMDLINE (extra kernel command-line words, e.g.
# "init=/bin/sh"), WISP_MEM (256M), WISP_ACCEL (scripts/accel.sh),
# WISP_KERNEL and WISP_INITRD; --single also NODE (node=N). WISP_DISK=FILE
# attaches the raw image FILE as the virtio-blk disk of node 0 (the file
# server's default; with --single, of the one node): docs/blk.md. A
# missing FILE is made (64M) from the userland tree build/rootfs, like the
# cluster's own build/cluster/run/fs.img. That volume is every node's /
# and the nodes boot build/initrd-boot.cpio (docs/fs.md); with --single
# the volume is then WISP_DISK, or build/rootfs.img (made, or refreshed
# with wisp-install). WISP_FSROOT=off boots the full build/initrd.cpio as
# / instead, the volume on /shared (and --single without WISP_DISK has
# no disk).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

kernel=${WISP_KERNEL:-build/wisp.elf}
initrd=${WISP_INITRD:-build/initrd.cpio}
fsroot=${WISP_FSROOT:-on}    # on: the shared volume is / (docs/fs.md "The root switch")
[[ $fsroot == on ]] && initrd=${WISP_INITRD:-build/initrd-boot.cpio}
for f in "$kernel" "$initrd"; do
    [[ -f $f ]] || { echo "run: $f is missing; run 'make' first" >&2; exit 1; }
done

# --single with WISP_FSROOT=on and no WISP_DISK: the volume is build/rootfs.img.
[[ ${1:-} == --single && $fsroot == on && -z ${WISP_DISK:-} ]] && WISP_DISK=build/rootfs.img
if [[ -n ${WISP_DISK:-} && ! -e $WISP_DISK ]]; then
    build/host/wisp-mkfs "$WISP_DISK" 64M build/rootfs ||
        { echo "run: cannot make $WISP_DISK (run 'make' first)" >&2; exit 1; }
elif [[ ${WISP_DISK:-} == build/rootfs.img ]]; then
    build/host/wisp-install "$WISP_DISK" build/rootfs || true   # a rebuilt userland
fi

single() {
    local accel st=0 cmdline disk=()
    read -r -a accel <<<"$(scripts/accel.sh --qemu-args)"
    [[ -n ${WISP_DISK:-} ]] && disk=(-drive "file=${WISP_DISK//,/,,},format=raw,if=none,id=disk0"
        -device "virtio-blk-pci,drive=disk0")
    cmdline="node=${NODE:-0} console=ttyS0 fsroot=$fsroot${WISP_CMDLINE:+ $WISP_CMDLINE}"
    echo "Wisp: booting node ${NODE:-0} (${accel[*]}): Ctrl-A X leaves QEMU, Ctrl-A C is its monitor."
    "${QEMU:-qemu-system-x86_64}" "${accel[@]}" -m "${WISP_MEM:-256M}" -smp 2 \
        -display none -serial mon:stdio -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$kernel" -initrd "$initrd" -append "$cmdline" "${disk[@]}" "$@" || st=$?
    # isa-debug-exit: the guest wrote 0 (status 1) when it powered off cleanly.
    [[ $st == 1 ]] && st=0
    exit "$st"
}

if [[ ${1:-} == --single ]]; then
    shift
    single "$@"
fi
if (($# > 0)); then
    echo "usage: $0 [--single [QEMU ARGS...]]" >&2
    exit 2
fi

dir=build/cluster/run
n=${WISP_NODES:-3}
cluster=(scripts/cluster -d "$dir")
# A cluster left by an earlier `make run` that was killed goes first.
"${cluster[@]}" down >/dev/null 2>&1 || true
trap '"${cluster[@]}" down' EXIT
trap 'exit 130' INT TERM HUP

echo "Wisp: booting a $n-node cluster in $dir ..."
"${cluster[@]}" up -n "$n" --kernel "$kernel" --initrd "$initrd" \
    ${WISP_MEM:+--mem "$WISP_MEM"} ${WISP_DISK:+--disk "0:$WISP_DISK"} --fsroot "$fsroot" \
    --kernel-args "${WISP_CMDLINE:-}"
cat <<EOF

  Node 0's console is on this terminal. From another terminal:
    ${cluster[*]} console 1        attach to node 1 (Ctrl-] leaves)
    ${cluster[*]} sh 1 'ps'        run one command on node 1
    ${cluster[*]} status           pids, MACs, addresses, logs
  Ctrl-] (or Ctrl-A X) here leaves node 0 and brings the whole cluster down.

EOF
"${cluster[@]}" console 0 || true
