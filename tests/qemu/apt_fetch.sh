#!/usr/bin/env bash
# Host-side check of scripts/apt_fetch.sh's source parsing (no download):
# deb822 stanzas of type deb become deb-src with their other fields kept,
# deb-src-only and "Enabled: no" stanzas and comments are dropped; one-line
# "deb [options] URI SUITE COMPONENTS" entries become deb-src ones; and the
# system's own sources give at least one entry.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
fail() { echo "apt_fetch: FAIL: $*"; exit 1; }
say() { :; }
die() { fail "$*"; }
# shellcheck source=scripts/apt_fetch.sh
. scripts/apt_fetch.sh
tmp=$(mktemp -d) || fail mktemp
trap 'rm -rf "$tmp"' EXIT

cat >"$tmp/a.sources" <<'EOF2'
# a comment
Types: deb deb-src
URIs: http://mirror.invalid/debian
Suites: bookworm bookworm-updates
Components: main contrib
Signed-By: /usr/share/keyrings/k.gpg

Types: deb-src
URIs: http://only-src.invalid/debian
Suites: bookworm

Types: deb
Enabled: no
URIs: http://disabled.invalid/debian
Suites: bookworm
EOF2
apt_fetch_deb822_src "$tmp/a.sources" >"$tmp/got"
printf '%s\n' 'Types: deb-src' 'URIs: http://mirror.invalid/debian' \
    'Suites: bookworm bookworm-updates' 'Components: main contrib' \
    'Signed-By: /usr/share/keyrings/k.gpg' '' >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "deb822 stanzas"

printf '%s\n' '# deb http://commented.invalid/debian bookworm main' \
    'deb [signed-by=/k.gpg arch=amd64] http://one.invalid/debian bookworm main' \
    'deb-src http://src.invalid/debian bookworm main' \
    '  deb http://two.invalid/debian-security bookworm-security main' >"$tmp/b.list"
apt_fetch_list_src "$tmp/b.list" >"$tmp/got"
printf '%s\n' 'deb-src [signed-by=/k.gpg arch=amd64] http://one.invalid/debian bookworm main' \
    'deb-src http://two.invalid/debian-security bookworm-security main' >"$tmp/want"
diff -u "$tmp/want" "$tmp/got" || fail "one-line entries"

command -v apt-config >/dev/null || fail "apt-config is missing (Debian's apt)"
if true; then
    apt_fetch_src_entries "$tmp"
    grep -qE '^(Types: deb-src|deb-src )' "$tmp/deb-src.sources" "$tmp/deb-src.list" ||
        fail "no deb-src entry derived from this system's apt sources"
fi
echo "apt_fetch: PASS"
