#!/usr/bin/env bash
# Host-side checks of the userland's assembly (no QEMU): the fetched
# busybox-static .deb has the pinned sha256 (scripts/fetch-busybox.sh
# --check), build/busybox/busybox is that package's /bin/busybox and is the
# initrd's /bin/busybox; /bin/sh and the other applets are links to it, no
# Wisp stand-in shadows one on the default PATH, Wisp's own tools stay in
# /bin; and no package-archive address is written in scripts/, mk/, docs/.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
fail() { echo "busybox_pin: FAIL: $*"; exit 1; }

deb=build/busybox/busybox-static.deb
[ -f "$deb" ] || fail "$deb missing (run make user)"
scripts/fetch-busybox.sh --check "$deb" || fail "sha256 of $deb"
tmp=$(mktemp -d) || fail mktemp
trap 'rm -rf "$tmp"' EXIT
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./bin/busybox || fail "cannot unpack $deb"
cmp -s "$tmp/bin/busybox" build/busybox/busybox || fail "build/busybox/busybox is not the package's"
cmp -s build/busybox/busybox build/rootfs/bin/busybox || fail "the initrd's /bin/busybox differs"

r=build/rootfs
for a in bin/sh bin/ash bin/echo bin/cat bin/ls bin/sleep usr/bin/awk bin/sed usr/bin/find; do
    [ "$(readlink "$r/$a")" = /bin/busybox ] || fail "/$a is not a link to /bin/busybox"
done
for p in init ps nodes rpcstat ping netstat utest bench; do
    if [ ! -f "$r/bin/$p" ] || [ -L "$r/bin/$p" ]; then
        fail "Wisp's /bin/$p is missing"
    fi
done
for p in sh echo cat ls grep kill sleep true false uname; do
    [ -x "$r/usr/lib/wisp/bin/$p" ] || fail "Wisp's $p is not in /usr/lib/wisp/bin"
done
grep -q '^export PATH=/bin:/sbin:/usr/bin:/usr/sbin$' "$r/etc/profile" || fail "/etc/profile sets no PATH"

hits=$(grep -rnE 'https?://|deb\.debian\.org|ftp\.[a-z.]*debian' scripts mk docs tests user .ci \
    Makefile README.md 2>/dev/null | grep -vE '\.invalid' |
    grep -vE 'https?://(www\.)?(github\.com|qemu\.org|wiki\.|man7\.org)' || true)
[ -z "$hits" ] || fail "archive addresses in the repo: $hits"
echo "busybox_pin: PASS"
