#!/usr/bin/env bash
# Fetch a statically linked Debian 12 program that the tests run on Wisp
# and on the host to compare (tests/qemu/bash_static.sh): the package's
# .deb, downloaded by the system's own apt from its configured archive
# (scripts/apt_fetch.sh), version and sha256 pinned below, and its one
# binary extracted into build/debstatic/PKG/. Test input only: never in
# the default initrd, never committed. Idempotent: a stamp records a
# finished fetch.
# Usage: scripts/fetch-debstatic.sh PKG [BUILD_DIR]   (default build)
#        scripts/fetch-debstatic.sh --check PKG DEB    sha256 check only
#        scripts/fetch-debstatic.sh --list             the pinned packages
# Prints the binary's path on stdout. Environment: DEBSTATIC_DEB (use this
# .deb instead of apt; still checked). Needs: apt-get, dpkg-deb, tar,
# sha256sum.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# PKG VERSION SHA256 BINARY (bookworm's: apt-cache policy PKG)
pins() {
    cat <<'EOF'
bash-static 5.2.15-2+b13 f62e37fc6c2c14417f270323066b4c621db5dc151a26f7a1f58e3fc24111d1c8 bin/bash-static
sash 3.8-5+b28 017e5f667fdb1961366e5fdab66e32a9c3b0cf4147c048c5a373aaed3966bdfe bin/sash
EOF
}

say() { echo "fetch-debstatic: $*" >&2; }
die() {
    echo "fetch-debstatic: error: $*" >&2
    exit 1
}
. scripts/apt_fetch.sh

# pin PKG: set ver, sha and bin from the table.
pin() {
    local line
    line=$(pins | awk -v p="$1" '$1 == p')
    [[ -n $line ]] || die "no pinned package $1 (pinned: $(pins | cut -d' ' -f1 | tr '\n' ' '))"
    read -r _ ver sha bin <<<"$line"
}

check() {
    apt_fetch_sha_ok "$1" "$sha" ||
        die "$1 has sha256 $(sha256sum "$1" | cut -d' ' -f1), expected $sha ($pkg $ver)"
}

case ${1:-} in
--list)
    pins | cut -d' ' -f1,2
    exit 0
    ;;
--check)
    pkg=${2:?usage: fetch-debstatic.sh --check PKG DEB}
    pin "$pkg"
    check "${3:?usage: fetch-debstatic.sh --check PKG DEB}"
    exit 0
    ;;
'' | -*) die "usage: fetch-debstatic.sh PKG [BUILD_DIR]" ;;
esac

pkg=$1
pin "$pkg"
build=${2:-build}
dest=$build/debstatic/$pkg
out=$dest/${bin##*/}
stamp=$dest/.stamp
if [[ -x $out && $(cat "$stamp" 2>/dev/null) == "$pkg $ver sha256 $sha" ]]; then
    touch "$stamp"   # newer than this script: make stops asking
    echo "$out"
    exit 0
fi
mkdir -p "$build/debstatic"
tmp=$(mktemp -d "$build/debstatic/fetch.XXXXXX")
tmp=$(cd "$tmp" && pwd)   # absolute: apt resolves its directories itself
trap 'rm -rf "$tmp"' EXIT
rm -rf "$dest"
apt_fetch_binary "$tmp" "$pkg" "$ver" "$sha" "$bin" "$out" "$dest/$pkg.deb" "${DEBSTATIC_DEB:-}"
echo "$pkg $ver sha256 $sha" >"$stamp"
say "$pkg $ver in $dest"
echo "$out"
