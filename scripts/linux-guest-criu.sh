#!/bin/sh
# The CRIU baseline's Linux guest: the guest of scripts/linux-guest.sh plus
# Debian 12's criu, every shared library it needs, /bin/benchdirty (the
# program the migration benchmarks move, user/benchdirty.c) and
# /bin/criubench (the guest side of the benchmark: a copy of
# scripts/linux-guest-criubench.sh). The extra
# files are a second cpio archive appended to the first: the kernel unpacks
# both, in order, into the same root. Result:
# build/linux-guest/initramfs-criu.gz (never committed); the foundation and
# network benches keep their small initramfs.
#
# Packages come from the system's apt sources (scripts/apt_fetch.sh), pinned
# below by version and sha256; the libraries are the ones criu's ELF needs
# as resolved by the fetched glibc's own dynamic loader (`ld.so --list`,
# i.e. ldd against the fetched tree, not the host's), copied into
# /lib/x86_64-linux-gnu (and ld.so into /lib64) of the guest. When the
# archive drops a pinned version (a newer security update replaces it), apt
# cannot download it: update that line's version and sha256 (`apt-cache show
# PKG` gives both) after checking the new .deb.
#
# Usage: scripts/linux-guest-criu.sh [--boot [append...]]
#   --boot  boot one guest with it (default `criu=check`: prints criu check)
# Env: BENCH_BIN_DIR (default build/user) holds benchdirty.
# Needs: what scripts/linux-guest.sh needs; it runs that first if its
#        initramfs is missing.
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
out="$top/build/linux-guest"
cdir="$out/criu"
bindir=${BENCH_BIN_DIR:-$top/build/user}
# package version sha256 (Debian 12 bookworm, amd64): criu and the
# packages holding its shared libraries (the closure of its ELF's NEEDED).
PKGS="
criu 3.17.1-2+deb12u2 1e43b81e85a4a752475276ada28fe2ab11e7dc88a6adfeeb9bca38a693d369d4
libc6 2.36-9+deb12u14 ba4f88f73dbc3ae9055f3c20f4523bfdbaf1ad13ff95e258924f77d20b4fbedf
libbsd0 0.11.7-2 bb31cc8b40f962a85b2cec970f7f79cc704a1ae4bad24257a822055404b2c60b
libmd0 1.0.4-2 03539fd30c509e27101d13a56e52eda9062bdf1aefe337c07ab56def25a13eab
libgnutls30 3.7.9-2+deb12u7 30abec8c824feb1d2d7e9000a34083cccd19d139625e1b21547e3ac53b922f8e
libp11-kit0 0.24.1-2 251330faddbf013f060fcdb41f4b0c037c8a6e89ba7c09b04bfcc4e3f0807b22
libffi8 3.4.4-1 6d9f6c25c30efccce6d4bceaa48ea86c329a3432abb360a141f76ac223a4c34a
libidn2-0 2.3.3-1+b1 d50716d5824083d667427817d506b45d3f59dc77e1ca52de000f3f62d4918afa
libunistring2 1.0-2 d466bbfe011d764d793c1d9d777cad9c7cf65b938e11598f27408171ad95a951
libtasn1-6 4.19.0-2+deb12u1 2c27c613b69be248d09432839ea3d3382f6ee27fabaa65987aa2d884cd00afda
libnettle8 3.8.1-2 45922e6e289ffd92f0f92d2bb9159e84236ff202d552a461bf10e5335b3f0261
libhogweed6 3.8.1-2 ed8185c28b2cb519744a5a462dcd720d3b332c9b88a1d0002eac06dc8550cb94
libgmp10 2:6.2.1+dfsg1-1.1 187aedef2ed763f425c1e523753b9719677633c7eede660401739e9c893482bd
libnftables1 1.0.6-2+deb12u2 3a8223f9bfba99d97bf25296ac83de307ab036e1df63e5965f88809266851947
libjansson4 2.14-2 3fc9742f9f1a37bcb9931df6074b4d1483419ef832ad5349f47323e75fc27864
libmnl0 1.0.4-3 4581f42e3373cb72f9ea4e88163b17873afca614a6c6f54637e95aa75983ea7c
libnftnl11 1.2.4-2 9e619e1470a1915264e906020f3bfc046fd8458043b1342686d997b5078213af
libxtables12 1.8.9-2 cb841d66950a43af4a398625313d2f3da9065299c9738538de6c2c3495857040
libnl-3-200 3.7.0-0.2+b1 d1fc3e9eb8e79b4c96b0a64c3d8c9e068ae2f665cab71bd19f417ffd0453a890
libnet1 1.1.6+dfsg-3.2 9e0677a92de3df272e3a87a4e1591a71cb8c03fdea2bac68908ac4177066bb7f
libprotobuf-c1 1.4.1-1+b1 e99b3091938bfbd55b24e95587b868ba735e38e4adbcb9942c6993f2de3ba1bf
"

# Kernel modules criu needs that Debian builds as modules, in load order:
# the socket-diag ones (criu asks them about the dumped tasks' sockets) and
# nf_tables (criu's start-up probes it; without it every command fails with
# "kerndat_has_nftables_concat failed"), with libcrc32c, which needs the
# crc32c algorithm loaded first (busybox's insmod cannot ask for it).
KMODS="inet_diag tcp_diag udp_diag raw_diag unix_diag netlink_diag af_packet_diag
crc32c_generic libcrc32c nfnetlink nf_tables"

say() { echo "linux-guest-criu: $*" >&2; }
die() { say "$*"; exit 1; }
. "$top/scripts/apt_fetch.sh"

. "$top/scripts/linux-guest-pkgs.sh"

fetch() { lgp_fetch "$cdir/debs" "$PKGS"; }

# Unpacks the packages and copies criu plus the libraries the fetched
# loader lists for it, and the kernel modules, into $cdir/root.
stage() {
    x="$cdir/x" root="$cdir/root"
    rm -rf "$root"
    lgp_unpack "$cdir/debs" "$PKGS" "$x"
    lgp_stage_bin "$x" "$root" usr/sbin/criu
    lgp_stage_kmods "$out/debs" "$root/lib/modules/criu" "$x" "$KMODS"
    stamp >"$root/.stamp"
}

# What the staged tree was made from: restaged when it changes.
stamp() { echo "$PKGS $KMODS" | sha256sum; }

# The guest side of the benchmark (see that script's own header).
write_criubench() {
    cp "$top/scripts/linux-guest-criubench.sh" "$1"
    chmod 755 "$1"
}

pack() {
    root="$cdir/root"
    [ -x "$bindir/benchdirty" ] || die "missing $bindir/benchdirty (run make user)"
    mkdir -p "$root/bin" "$root/run" "$root/var/run" "$root/tmp"
    cp "$bindir/benchdirty" "$root/bin/benchdirty"
    write_criubench "$root/bin/criubench"
    (cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
        gzip -6 >"$cdir/overlay.gz.tmp"
    cat "$out/initramfs.gz" "$cdir/overlay.gz.tmp" >"$out/initramfs-criu.gz.tmp"
    rm -f "$cdir/overlay.gz.tmp"
    mv "$out/initramfs-criu.gz.tmp" "$out/initramfs-criu.gz"
}

boot() {
    accel=$("$top/scripts/accel.sh" --qemu-args)
    append="console=ttyS0 quiet panic=-1 ${*:-criu=check}"
    # shellcheck disable=SC2086 # $accel is a list of options
    exec timeout "${BENCH_TIMEOUT:-300}" qemu-system-x86_64 $accel -m 512M -smp 1 \
        -display none -serial stdio -monitor none -no-reboot \
        -kernel "$out/vmlinuz" -initrd "$out/initramfs-criu.gz" -append "$append"
}

for tool in dpkg-deb cpio gzip sha256sum; do
    command -v "$tool" >/dev/null 2>&1 || die "needs $tool"
done
if [ ! -f "$out/initramfs.gz" ] || [ ! -f "$out/vmlinuz" ]; then
    "$top/scripts/linux-guest.sh"
fi
fetch
if [ "$(cat "$cdir/root/.stamp" 2>/dev/null)" != "$(stamp)" ]; then
    stage
fi
pack
say "$out/initramfs-criu.gz ready (criu $(echo "$PKGS" | sed -n 's/^criu \([^ ]*\) .*/\1/p'))"
if [ "${1:-}" = "--boot" ]; then
    shift
    boot "$@"
fi
