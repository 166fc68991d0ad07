#!/usr/bin/env bash
# Fetch lwIP 2.1.3 for the kernel's network core (net/, docs/net.md):
# Debian's source package from the archive the system's apt sources name
# (scripts/apt_fetch.sh derives deb-src entries from them, deb-src need not
# be enabled), checksum-checked and unpacked under build/. lwIP's code is
# never committed; mk/net.mk runs this before compiling it. Idempotent: a stamp
# (build/lwip/.stamp) records a finished fetch. Works as root without sudo
# and needs only apt (no dpkg-dev: the .orig tarball is unpacked by tar).
# Usage: scripts/fetch-lwip.sh [BUILD_DIR]   (default build)
# Environment: LWIP_TARBALL (use this file instead of apt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${1:-build}
dest=$build/lwip
stamp=$dest/.stamp
ver=2.1.3
debver=$ver+dfsg1-2   # bookworm's; only its .orig tarball is used
orig=lwip_${ver}+dfsg1.orig.tar.xz
sha=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24

say() { echo "fetch-lwip: $*" >&2; }
die() {
    echo "fetch-lwip: error: $*" >&2
    exit 1
}
. scripts/apt_fetch.sh

if [[ -f $dest/src/include/lwip/init.h && $(cat "$stamp" 2>/dev/null) == "$orig sha256 $sha" ]]; then
    touch "$stamp"   # newer than this script: make stops asking
    exit 0
fi
command -v tar >/dev/null || die "tar is missing"
command -v xz >/dev/null || die "xz is missing (apt-get install xz-utils)"
command -v sha256sum >/dev/null || die "sha256sum is missing (coreutils)"

mkdir -p "$build"
tmp=$(mktemp -d "$build/lwip-fetch.XXXXXX")
tmp=$(cd "$tmp" && pwd)   # absolute: apt resolves its directories itself
trap 'rm -rf "$tmp"' EXIT

if [[ -n ${LWIP_TARBALL:-} ]]; then
    [[ -f $LWIP_TARBALL ]] || die "LWIP_TARBALL=$LWIP_TARBALL does not exist"
    cp "$LWIP_TARBALL" "$tmp/$orig"
else
    command -v apt-get >/dev/null || die "apt-get is missing: set LWIP_TARBALL=/path/to/$orig"
    say "downloading Debian's lwip source package from the system's apt sources"
    mkdir -p "$tmp/dl"
    apt_fetch_source "$tmp/dl" "lwip=$debver"
    [[ -f $tmp/dl/$orig ]] || die "apt did not download $orig (got: $(find "$tmp/dl" -type f -printf '%f '))"
    mv "$tmp/dl/$orig" "$tmp/$orig"
fi

got=$(sha256sum "$tmp/$orig" | cut -d' ' -f1)
[[ $got == "$sha" ]] || die "$orig has sha256 $got, expected $sha"

mkdir -p "$tmp/x"
tar -xJf "$tmp/$orig" -C "$tmp/x" || die "cannot unpack $orig"
top=$(find "$tmp/x" -mindepth 1 -maxdepth 1 -type d | head -n 1)
[[ -n $top && -f $top/src/include/lwip/init.h ]] || die "$orig does not hold lwIP's src/include/lwip/init.h"
rm -rf "$dest"
mv "$top" "$dest"
echo "$orig sha256 $sha" > "$stamp"
echo "fetch-lwip: lwIP $ver in $dest"
