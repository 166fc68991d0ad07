#!/usr/bin/env bash
# Fetch the userland's tools (docs/userland.md): Debian 12's busybox-static
# .deb, downloaded by the system's own apt from its configured archive
# (scripts/apt_fetch.sh), version and sha256 pinned, and its /bin/busybox
# extracted into build/busybox/. Never committed; mk/user.mk installs it
# into the initrd with its applet links and scripts/linux-guest.sh puts the
# very same binary into the Linux guest. Idempotent: a stamp records a
# finished fetch.
# Usage: scripts/fetch-busybox.sh [BUILD_DIR]   (default build)
#        scripts/fetch-busybox.sh --check DEB    sha256 check of a .deb only
# Environment: BUSYBOX_DEB (use this .deb instead of apt; still checked).
# Needs: apt-get, dpkg-deb, tar, sha256sum.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

ver=1:1.35.0-4+deb12u1+b1     # bookworm's (apt-cache policy busybox-static)
sha=3d3fdbe91d4660c873e14b092c213fe81c1da6362daa236eb25d0171eb108744

say() { echo "fetch-busybox: $*" >&2; }
die() {
    echo "fetch-busybox: error: $*" >&2
    exit 1
}
. scripts/apt_fetch.sh

check() {
    local got
    got=$(sha256sum "$1" | cut -d' ' -f1)
    [[ $got == "$sha" ]] || die "$1 has sha256 $got, expected $sha (busybox-static $ver)"
}

if [[ ${1:-} == --check ]]; then
    check "${2:?usage: fetch-busybox.sh --check DEB}"
    exit 0
fi

build=${1:-build}
dest=$build/busybox
stamp=$dest/.stamp
if [[ -x $dest/busybox && $(cat "$stamp" 2>/dev/null) == "busybox-static $ver sha256 $sha" ]]; then
    touch "$stamp"   # newer than this script: make stops asking
    exit 0
fi
for tool in dpkg-deb tar sha256sum; do
    command -v $tool >/dev/null || die "$tool is missing"
done

mkdir -p "$build"
tmp=$(mktemp -d "$build/busybox-fetch.XXXXXX")
tmp=$(cd "$tmp" && pwd)   # absolute: apt resolves its directories itself
trap 'rm -rf "$tmp"' EXIT

if [[ -n ${BUSYBOX_DEB:-} ]]; then
    [[ -f $BUSYBOX_DEB ]] || die "BUSYBOX_DEB=$BUSYBOX_DEB does not exist"
    cp "$BUSYBOX_DEB" "$tmp/busybox-static.deb"
else
    command -v apt-get >/dev/null || die "apt-get is missing: set BUSYBOX_DEB=/path/to/the.deb"
    say "downloading busybox-static $ver with the system's apt"
    apt_fetch_deb "$tmp" "busybox-static=$ver"
    mv "$tmp"/busybox-static_*.deb "$tmp/busybox-static.deb" 2>/dev/null ||
        die "apt did not download busybox-static"
fi
check "$tmp/busybox-static.deb"

mkdir -p "$tmp/x"
dpkg-deb --fsys-tarfile "$tmp/busybox-static.deb" | tar -x -C "$tmp/x" ./bin/busybox ||
    die "no ./bin/busybox in the package"
rm -rf "$dest"
mkdir -p "$dest"
mv "$tmp/x/bin/busybox" "$dest/busybox"
cp "$tmp/busybox-static.deb" "$dest/busybox-static.deb"
echo "busybox-static $ver sha256 $sha" >"$stamp"
say "busybox $ver in $dest"
