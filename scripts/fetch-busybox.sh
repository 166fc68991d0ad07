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
    apt_fetch_sha_ok "$1" "$sha" ||
        die "$1 has sha256 $(sha256sum "$1" | cut -d' ' -f1), expected $sha (busybox-static $ver)"
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
mkdir -p "$build"
tmp=$(mktemp -d "$build/busybox-fetch.XXXXXX")
tmp=$(cd "$tmp" && pwd)   # absolute: apt resolves its directories itself
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dest"
apt_fetch_binary "$tmp" busybox-static "$ver" "$sha" bin/busybox "$dest/busybox" \
    "$dest/busybox-static.deb" "${BUSYBOX_DEB:-}"
echo "busybox-static $ver sha256 $sha" >"$stamp"
say "busybox $ver in $dest"
