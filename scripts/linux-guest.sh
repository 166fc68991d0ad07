#!/bin/sh
# The Linux guest that `make bench` measures Wisp against: Debian's own
# kernel (the package linux-image-amd64 points at) and a busybox-static
# initramfs holding the very same static musl bench binaries Wisp runs.
# Everything lands in build/linux-guest/ and is never committed. Idempotent:
# the packages are fetched once; the initramfs is rebuilt on every call
# (it takes a fraction of a second).
#
# For `make bench-net` the guest also gets Debian's virtio-net driver (the
# .ko files only, loaded by /init when `node=K` is given: eth0 becomes
# 10.77.0.(K+1)/24), udpbench, and /bin/netbench, which `netbench=1` runs.
#
# Usage: scripts/linux-guest.sh [--boot [append...]]
#   --boot   boot the result under QEMU (accelerator as scripts/accel.sh) with
#            bench=1 or the given kernel arguments; for a manual look.
# Env: BENCH_BIN_DIR (default build/user) holds bench, benchnull, benchctx,
#      benchfork, udpbench and true; a missing `true` is built here with
#      musl-gcc; a missing udpbench only leaves the network bench out.
# Needs: apt-get, dpkg-deb, tar, cpio, gzip, musl-gcc (Debian: apt, dpkg,
#        tar, cpio, gzip, musl-tools).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/linux-guest"
bindir=${BENCH_BIN_DIR:-$top/build/user}
progs="bench benchnull benchctx benchfork"
# Debian's kernel builds virtio and virtio-net as modules (none is in its
# modules.builtin); insmod order follows their `depends=` (modinfo).
netmods="virtio_ring virtio virtio_pci_modern_dev virtio_pci_legacy_dev virtio_pci
failover net_failover virtio_net"

say() { echo "linux-guest: $*" >&2; }
die() { say "$*"; exit 1; }
# The first existing file of a glob's expansion (fails if none).
first() {
    for f in "$@"; do
        [ -e "$f" ] && { echo "$f"; return 0; }
    done
    return 1
}

# Fetches the .deb files into $out/debs unless they are there already.
fetch() {
    mkdir -p "$out/debs"
    cd "$out/debs"
    if ! first linux-image-*.deb >/dev/null || ! first busybox-static_*.deb >/dev/null; then
        if ! apt-cache show linux-image-amd64 >/dev/null 2>&1; then
            say "apt lists are empty; running apt-get update"
            apt-get update -qq
        fi
        kpkg=$(apt-cache depends linux-image-amd64 |
            sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*-amd64\)$/\1/p' | head -n 1)
        [ -n "$kpkg" ] || die "cannot resolve linux-image-amd64's kernel package"
        say "fetching $kpkg busybox-static"
        # As root, apt hands the download to _apt, which cannot write here;
        # it falls back to an unsandboxed download with a warning. Silence it.
        apt-get download -q "$kpkg" busybox-static 2>&1 | grep -v 'unsandboxed' >&2 || true
        first linux-image-*.deb >/dev/null || die "kernel package download failed"
        first busybox-static_*.deb >/dev/null || die "busybox-static download failed"
    fi
    cd "$out"
}

# Pulls vmlinuz and busybox out of the packages (only those two files: the
# kernel package's modules are 400 MB unpacked and not needed).
extract() {
    if [ ! -f "$out/vmlinuz" ]; then
        rm -rf "$out/x"
        mkdir -p "$out/x"
        dpkg-deb --fsys-tarfile "$(first "$out"/debs/linux-image-*.deb)" |
            tar -x -C "$out/x" --wildcards './boot/vmlinuz-*'
        vmlinuz=$(first "$out"/x/boot/vmlinuz-*) || die "no vmlinuz in the kernel package"
        cp "$vmlinuz" "$out/vmlinuz.tmp"
        basename "$vmlinuz" | sed 's/^vmlinuz-//' >"$out/version"
        mv "$out/vmlinuz.tmp" "$out/vmlinuz"
    fi
    if [ ! -f "$out/modules/.done" ]; then
        rm -rf "$out/x" "$out/modules"
        mkdir -p "$out/x" "$out/modules"
        # shellcheck disable=SC2046 # one pattern per module
        dpkg-deb --fsys-tarfile "$(first "$out"/debs/linux-image-*.deb)" |
            tar -x -C "$out/x" --wildcards $(for m in $netmods; do echo "*/$m.ko"; done)
        for m in $netmods; do
            ko=$(find "$out/x" -name "$m.ko" | head -n 1)
            [ -n "$ko" ] || die "no $m.ko in the kernel package"
            cp "$ko" "$out/modules/$m.ko"
        done
        touch "$out/modules/.done"
    fi
    if [ ! -x "$out/busybox" ]; then
        mkdir -p "$out/x"
        dpkg-deb --fsys-tarfile "$(first "$out"/debs/busybox-static_*.deb)" |
            tar -x -C "$out/x" ./bin/busybox
        cp "$out/x/bin/busybox" "$out/busybox"
    fi
    rm -rf "$out/x"
}

# The `true` fork+exec runs: Wisp's own /bin/true when it has been built,
# so both systems exec the same file; otherwise a one-line musl program.
true_bin() {
    if [ -x "$bindir/true" ]; then
        echo "$bindir/true"
        return
    fi
    mkdir -p "$top/build/bench"
    if [ ! -x "$top/build/bench/true" ]; then
        printf 'int main(void) { return 0; }\n' >"$top/build/bench/true.c"
        ${MUSLCC:-musl-gcc} -static -O2 -o "$top/build/bench/true" "$top/build/bench/true.c"
    fi
    echo "$top/build/bench/true"
}

# The /init the kernel runs: mounts, announces itself, obeys bench=1.
write_init() {
    cat >"$1" <<'EOF'
#!/bin/sh
# Linux guest init for Wisp's `make bench` (generated by scripts/linux-guest.sh).
export PATH=/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
echo "linux: init ready"
# node=K: load the NIC driver and take 10.77.0.(K+1)/24, as Wisp's node K.
for arg in $(cat /proc/cmdline); do
    case "$arg" in
    node=*)
        k=${arg#node=}
        for m in $(cat /lib/modules/order); do
            insmod /lib/modules/$m.ko || echo "linux: insmod $m failed"
        done
        ip link set lo up
        ip addr add 10.77.0.$((k + 1))/24 dev eth0 && ip link set eth0 up &&
            echo "linux: node $k net up 10.77.0.$((k + 1))"
        ;;
    esac
done
for arg in $(cat /proc/cmdline); do
    case "$arg" in
    bench=1) /bin/bench /bin; echo "linux: bench exit $?" ;;
    netsink=1) echo "linux: sink ready"; /bin/udpbench sink "${nb_port:-9000}" ;;
    netbench=1) /bin/netbench; echo "linux: netbench exit $?" ;;
    shell=1) setsid cttyhack sh ;;
    esac
done
echo "linux: powering off"
poweroff -f
EOF
    chmod 755 "$1"
}

# /bin/netbench, run on node 0 by netbench=1 while node 1 runs the sink
# (netsink=1). Parameters come from kernel arguments, which the kernel hands
# to /init as environment variables (nb_*; lists are comma-separated).
# scripts/bench_net.py reads its console: a "NET <what> <size>" line, then
# that measurement's output (ping's time= lines, udpbench's BENCH lines).
write_netbench() {
    cat >"$1" <<'EOF'
#!/bin/sh
# Network bench of the Linux peer (generated by scripts/linux-guest.sh).
peer=${nb_peer:-10.77.0.2}
port=${nb_port:-9000}
list() { echo "$1" | tr , ' '; }
i=0
until ping -c 1 -W 1 "$peer" >/dev/null 2>&1; do
    i=$((i + 1))
    if [ $i -ge 60 ]; then
        echo "BENCH error peer $peer does not answer pings"
        exit 1
    fi
done
# ICMP twice: back to back from udpbench (timed as its UDP rr), and busybox
# ping's own figures at its interval (0: -A, the next on each answer).
# The sink must be up too, and both nodes done with booting: the first
# figures after boot are slow.
udpbench rr "$peer" "$port" 0 5 >/dev/null || echo "BENCH error no sink on $peer:$port"
sleep "${nb_settle:-3}"
for s in $(list "${nb_ping_sizes:-56,1024,1400}"); do
    echo "NET icmp $s"
    udpbench ping "$peer" "$s" "${nb_icmp_count:-100}"
    echo "NET ping $s"
    if [ "${nb_ping_interval:-0.2}" = 0 ]; then
        ping -c "${nb_ping_count:-20}" -A -s "$s" "$peer"
    else
        ping -c "${nb_ping_count:-20}" -i "${nb_ping_interval:-0.2}" -s "$s" "$peer"
    fi
done
for s in $(list "${nb_rr_sizes:-0,1024,4096,16384,65507}"); do
    echo "NET rr $s"
    udpbench rr "$peer" "$port" "$s" "${nb_rr_count:-100}"
done
for d in $(list "${nb_udp_sizes:-64,512,1472,8192,65507}"); do
    echo "NET udp $d"
    udpbench send "$peer" "$port" "${nb_udp_total:-8000000}" "$d"
done
echo "NET done"
EOF
    chmod 755 "$1"
}

# Stages the root file system and packs it (newc cpio, gzip).
pack() {
    root="$out/root"
    rm -rf "$root"
    mkdir -p "$root/bin" "$root/sbin" "$root/proc" "$root/sys" "$root/dev" "$root/tmp" "$root/etc"
    cp "$out/busybox" "$root/bin/busybox"
    for applet in $("$out/busybox" --list); do
        case "$applet" in true|busybox) continue ;; esac
        ln -sf busybox "$root/bin/$applet"
    done
    for p in $progs; do
        [ -x "$bindir/$p" ] || die "missing $bindir/$p (run make user)"
        cp "$bindir/$p" "$root/bin/$p"
    done
    cp "$(true_bin)" "$root/bin/true"
    write_init "$root/init"
    mkdir -p "$root/lib/modules"
    for m in $netmods; do
        cp "$out/modules/$m.ko" "$root/lib/modules/$m.ko"
    done
    echo "$netmods" >"$root/lib/modules/order"
    if [ -x "$bindir/udpbench" ]; then
        cp "$bindir/udpbench" "$root/bin/udpbench"
        write_netbench "$root/bin/netbench"
    else
        say "no $bindir/udpbench: the network bench is left out"
    fi
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
        gzip -6 >"$out/initramfs.gz.tmp"
    mv "$out/initramfs.gz.tmp" "$out/initramfs.gz"
}

boot() {
    if [ -x "$top/scripts/accel.sh" ]; then
        accel=$("$top/scripts/accel.sh" --qemu-args)
    else
        accel="-accel ${WISP_ACCEL:-tcg} -cpu max"
    fi
    append="console=ttyS0 quiet panic=-1 ${*:-bench=1}"
    # shellcheck disable=SC2086 # $accel is a list of options
    exec timeout "${BENCH_TIMEOUT:-300}" qemu-system-x86_64 $accel -m 512M -smp 1 \
        -display none -serial stdio -monitor none -no-reboot \
        -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$out/vmlinuz" -initrd "$out/initramfs.gz" -append "$append"
}

for tool in apt-get dpkg-deb tar cpio gzip; do
    command -v "$tool" >/dev/null 2>&1 || die "needs $tool (apt-get install cpio gzip)"
done
mkdir -p "$out"
fetch
extract
pack
say "$out/vmlinuz ($(cat "$out/version")) + $out/initramfs.gz ready"
if [ "${1:-}" = "--boot" ]; then
    shift
    boot "$@"
fi
