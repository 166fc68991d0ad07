#!/usr/bin/env bash
# Host check of wisp-install (boots nothing; docs/fs.md "The root
# image"): a rebuilt userland tree reaches an existing WFS image without
# destroying what users put there. An image made from tree A, then given
# a user's file and directory, then installed with A' (a file changed,
# one added, a symlink retargeted, a file turned into a symlink, a name
# the user made a directory) holds A' plus the user's files, reports what
# it did, is clean for wisp-fsck, and a second install changes nothing.
# A corrupt image gives 8 and is left as it was.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
fail() { echo "wfs_install: FAIL: $*"; exit 1; }

make -s --no-print-directory wfs-tools >/dev/null 2>&1 || fail "cannot build the tools"
mkfs=build/host/wisp-mkfs
inst=build/host/wisp-install
mkdir -p build/test
tmp=$(mktemp -d build/test/wfs_install.XXXX) || fail "no temp dir"
trap 'rm -rf "$tmp"' EXIT

a=$tmp/a
mkdir -p "$a/bin" "$a/etc"
printf 'one\n' >"$a/etc/conf"
printf 'keep\n' >"$a/etc/same"
head -c 200000 /dev/urandom >"$a/bin/prog"
chmod 755 "$a/bin/prog"
ln -s /bin/prog "$a/bin/alias"
printf 'file\n' >"$a/bin/tolink"
"$mkfs" "$tmp/img" 8M "$a" || fail "wisp-mkfs failed"

# the user's files, put in with the tool itself from another tree
u=$tmp/u
mkdir -p "$u/home/ann" "$u/bin/mine"
printf 'mine\n' >"$u/home/ann/notes"
out=$("$inst" "$tmp/img" "$u") || fail "installing the user's tree: $out"

# the rebuilt userland
printf 'two\n' >"$a/etc/conf"
printf 'new\n' >"$a/etc/added"
head -c 150000 /dev/urandom >"$a/bin/prog"
ln -sfn /bin/other "$a/bin/alias"
rm "$a/bin/tolink" && ln -s prog "$a/bin/tolink"
printf 'x\n' >"$a/bin/mine"          # a directory of the user's in the image: kept
out=$("$inst" "$tmp/img" "$a" 2>"$tmp/err") && fail "a kept directory should not count as success"
grep -q "bin/mine: a directory in the image: kept" "$tmp/err" || fail "no warning: $(cat "$tmp/err")"
rm "$a/bin/mine"
out=$("$inst" "$tmp/img" "$a") || fail "install: $out"
[[ $out == *"0 added, 0 updated"* ]] || fail "second install changed something: $out"

build/host/wisp-wfs-extract "$tmp/img" "$tmp/out" || fail "wisp-wfs-extract failed"
cmp -s "$a/bin/prog" "$tmp/out/bin/prog" || fail "bin/prog not updated"
[ "$(cat "$tmp/out/etc/conf")" = two ] || fail "etc/conf not updated"
[ "$(cat "$tmp/out/etc/added")" = new ] || fail "etc/added missing"
[ "$(cat "$tmp/out/etc/same")" = keep ] || fail "etc/same changed"
[ "$(readlink "$tmp/out/bin/alias")" = /bin/other ] || fail "symlink not retargeted"
[ "$(readlink "$tmp/out/bin/tolink")" = prog ] || fail "file not replaced by a symlink"
[ "$(cat "$tmp/out/home/ann/notes")" = mine ] || fail "the user's file is gone"
[ -d "$tmp/out/bin/mine" ] || fail "the user's directory is gone"
[ "$(stat -c %a "$tmp/out/bin/prog")" = 755 ] || fail "mode of bin/prog"
build/host/wisp-fsck -n "$tmp/img" >/dev/null 2>&1 || fail "fsck after install"

dd if=/dev/zero of="$tmp/img" bs=4096 count=1 conv=notrunc 2>/dev/null
cp "$tmp/img" "$tmp/img.bad"
"$inst" "$tmp/img" "$a" >/dev/null 2>&1
[ $? = 8 ] || fail "a corrupt image should give 8"
cmp -s "$tmp/img" "$tmp/img.bad" || fail "a corrupt image was written"
echo "wfs_install: pass"
