#!/usr/bin/env bash
# Fetch lwIP 2.1.3 for the kernel's network core (net/, docs/net.md):
# Debian's source package (the same mirror as the system's apt sources),
# checksum-checked and unpacked under build/. lwIP's code is never
# committed; mk/net.mk runs this before compiling it. Idempotent: a stamp
# (build/lwip/.stamp) records a finished fetch. Works as root without sudo
# and needs only apt (no dpkg-dev: the .orig tarball is unpacked by tar).
# Usage: scripts/fetch-lwip.sh [BUILD_DIR]   (default build)
# Environment: LWIP_MIRROR (default http://deb.debian.org/debian),
# LWIP_SUITE (bookworm), LWIP_TARBALL (use this file instead of apt).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

build=${1:-build}
dest=$build/lwip
stamp=$dest/.stamp
ver=2.1.3
orig=lwip_${ver}+dfsg1.orig.tar.xz
sha=0a8276d09fc4e97bbba2f953d74af2388fc2195ea156be9d7589e297a68fde24
mirror=${LWIP_MIRROR:-http://deb.debian.org/debian}
suite=${LWIP_SUITE:-bookworm}

die() {
    echo "fetch-lwip: error: $*" >&2
    exit 1
}

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
    echo "fetch-lwip: downloading Debian's lwip source package ($suite) from $mirror"
    # A private apt state: only our deb-src line, our own package lists, so
    # the system's apt configuration and lists are left alone.
    mkdir -p "$tmp/parts" "$tmp/lists/partial" "$tmp/dl"
    echo "deb-src $mirror $suite main" > "$tmp/parts/lwip.list"
    aptopts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$tmp/parts"
        -o "Dir::State::Lists=$tmp/lists")
    # apt drops to the _apt user for downloads, who may not write here.
    [[ $(id -u) == 0 ]] && aptopts+=(-o "APT::Sandbox::User=root")
    if ! apt-get -q "${aptopts[@]}" update > "$tmp/update.log" 2>&1; then
        cat "$tmp/update.log" >&2
        die "apt-get update for $mirror $suite (deb-src) failed"
    fi
    # --download-only: apt fetches the .dsc and tarballs and checks them
    # against the signed Release file; it does not run dpkg-source.
    if ! (cd "$tmp/dl" && apt-get -q "${aptopts[@]}" source --download-only "lwip=$ver+dfsg1-*" \
          > ../source.log 2>&1 ||
          apt-get -q "${aptopts[@]}" source --download-only lwip > ../source.log 2>&1); then
        cat "$tmp/source.log" >&2
        die "apt-get source --download-only lwip failed"
    fi
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
