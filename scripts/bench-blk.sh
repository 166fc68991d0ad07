#!/usr/bin/env bash
# Disk throughput the guest sees: `blktest bench MIB KIB` (user/blktest.c,
# sequential writes of KIB-sized calls, a flush, then reads) on a Wisp node
# with a fresh raw image (scripts/cluster up --disk), and the same binary on
# Debian's Linux kernel (build/linux-guest, scripts/linux-guest.sh) with
# its virtio_blk driver and O_DIRECT on /dev/vda: the peer baseline. Both
# under the same QEMU and accelerator, alternating, REPS (5) times each;
# prints every run and the medians. The machine's load goes in the output:
# other QEMUs skew the figures, so compare the ratio within one run.
# Usage: scripts/bench-blk.sh [REPS [MIB [KIB...]]]   (defaults 5, 32, 64 1024 4)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
reps=${1:-5}
mib=${2:-32}
shift $(($# > 2 ? 2 : $#))
sizes=("$@")
((${#sizes[@]})) || sizes=(64 1024 4)
out=build/blkbench
lg=build/linux-guest
mkdir -p "$out"
[[ -f $lg/vmlinuz ]] || scripts/linux-guest.sh
[[ -x build/user/blktest ]] || { echo "bench-blk: run 'make' first" >&2; exit 1; }

# The Linux guest: its initramfs plus a second archive with virtio_blk.ko,
# blktest and an /init that loads the virtio modules and runs the bench.
linux_initrd() {
    local x=$out/x root=$out/root ko debs=("$lg"/debs/linux-image-*.deb)
    rm -rf "$x" "$root"
    mkdir -p "$x" "$root/lib/modules" "$root/bin"
    dpkg-deb --fsys-tarfile "${debs[0]}" |
        tar -x -C "$x" --wildcards '*/virtio_blk.ko'
    ko=$(find "$x" -name virtio_blk.ko | head -n 1)
    [[ -n $ko ]] || { echo "bench-blk: no virtio_blk.ko in the kernel package" >&2; exit 1; }
    cp "$ko" "$root/lib/modules/"
    cp build/user/blktest "$root/bin/"
    cat >"$root/init" <<EOF
#!/bin/sh
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
for m in virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci virtio_blk; do
    insmod /lib/modules/\$m.ko
done
for k in ${sizes[*]}; do blktest bench $mib \$k /dev/vda; done
poweroff -f
EOF
    chmod 755 "$root/init"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 >"$out/extra.gz"
    cat "$lg/initramfs.gz" "$out/extra.gz" >"$out/linux-initrd.gz"
}

read -r -a accel <<<"$(scripts/accel.sh --qemu-args)"
disk_args() { echo -drive "file=$1,format=raw,if=none,id=d0" -device virtio-blk-pci,drive=d0; }

run_linux() {
    truncate -s 0 "$out/linux.img" && truncate -s 128M "$out/linux.img"
    # shellcheck disable=SC2046 # disk_args's words split on purpose
    timeout 600 "${QEMU:-qemu-system-x86_64}" "${accel[@]}" -m 256M -display none -no-reboot \
        -nodefaults -serial stdio -kernel "$lg/vmlinuz" -initrd "$out/linux-initrd.gz" \
        -append "console=ttyS0 quiet" $(disk_args "$out/linux.img") </dev/null |
        tr -d '\r' | grep '^bench ' | sed 's/^/linux /'
}

run_wisp() {
    local cl=(scripts/cluster -d "$out/cluster") cmd=""
    truncate -s 0 "$out/wisp.img" && truncate -s 128M "$out/wisp.img"
    for k in "${sizes[@]}"; do cmd+="blktest bench $mib $k; "; done
    "${cl[@]}" up -n 1 -q --disk "0:$out/wisp.img" >/dev/null
    "${cl[@]}" sh --timeout 600 0 "$cmd" | tr -d '\r' | grep '^bench ' | sed 's/^/wisp /' || true
    "${cl[@]}" down >/dev/null
}

linux_initrd
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for ((i = 0; i < reps; i++)); do
    run_wisp
    run_linux
done | tee "$out/runs.txt"
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$out/runs.txt" <<'EOF'
import collections, statistics, sys
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    w = line.split()
    runs[(w[2], w[0])].append(float(w[7]))
for (test, os_), v in sorted(runs.items()):
    print(f"{test:14s} {os_:5s} median {statistics.median(v):7.1f} MB/s  (min {min(v):.1f}, "
          f"max {max(v):.1f}, n={len(v)})")
EOF
