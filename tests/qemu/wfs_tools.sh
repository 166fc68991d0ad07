#!/usr/bin/env bash
# Host check of the WFS tools (docs/wfs.md; boots nothing, named with the
# QEMU tests because the runner collects tests/qemu/*.sh): wisp-mkfs
# builds an image from a tree of files, directories, symlinks, modes and
# a sparse file; wisp-wfs-extract gives the same tree back (contents,
# modes, symlink targets, mtimes, the hole); wisp-fsck -n finds it clean
# (exit 0) and leaves the file untouched; after the block bitmap is wiped and a live inode's bitmap
# bit cleared, -n reports errors (4) without writing, -y repairs them (1)
# and a second -n is clean (0). A foreign image and bad usage give 8.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
fail() { echo "wfs_tools: FAIL: $*"; exit 1; }

make -s --no-print-directory wfs-tools >/dev/null 2>&1 || fail "cannot build the tools"
mkfs=build/host/wisp-mkfs
fsck=build/host/wisp-fsck
mkdir -p build/test
tmp=$(mktemp -d build/test/wfs_tools.XXXX) || fail "no temp dir"
trap 'rm -rf "$tmp"' EXIT

t=$tmp/tree
mkdir -p "$t/bin" "$t/etc/deep/er" "$t/empty"
printf 'hello\n' >"$t/etc/motd"
printf '#!/bin/sh\necho hi\n' >"$t/bin/prog"
chmod 755 "$t/bin/prog"
chmod 600 "$t/etc/motd"
ln -s ../etc/motd "$t/bin/motd-link"
head -c 300000 /dev/urandom >"$t/etc/deep/er/blob"
truncate -s 50M "$t/sparse"
for i in $(seq 1 150); do printf '%s' "$i" >"$t/etc/deep/file-number-$i"; done

"$mkfs" "$tmp/img" 8M "$t" || fail "wisp-mkfs failed"
[ "$(stat -c %s "$tmp/img")" = 8388608 ] || fail "image size wrong"
cp "$tmp/img" "$tmp/img.orig"
build/host/wisp-wfs-extract "$tmp/img" "$tmp/out" || fail "wisp-wfs-extract failed"
rmdir "$tmp/out/lost+found" || fail "no empty lost+found"
diff -r --no-dereference "$t" "$tmp/out" >/dev/null || fail "extracted tree differs"
list() { (cd "$1" && find . -mindepth 1 -printf '%p %y %m %T@\n' | sort); }
[ "$(list "$t")" = "$(list "$tmp/out")" ] || fail "modes or mtimes differ"
[ "$(du -k "$tmp/out/sparse" | cut -f1)" -lt 64 ] || fail "the hole was filled"
cmp -s "$tmp/img" "$tmp/img.orig" || fail "wisp-wfs-extract changed the image"
out=$("$fsck" -n "$tmp/img"); st=$?
[ $st = 0 ] || fail "fresh image not clean (exit $st): $out"
echo "$out" | grep -q ': clean$' || fail "no 'clean' line: $out"
echo "$out" | grep -q '^wisp-fsck: 162/' || fail "expected 162 inodes in use: $out"
cmp -s "$tmp/img" "$tmp/img.orig" || fail "fsck -n changed the image"

# Superblock fields (docs/wfs.md): bbitmap_start at 56, ibitmap_start at 48.
u32() { od -An -tu4 -j "$1" -N4 "$tmp/img" | tr -d ' '; }
bb=$(u32 56)
ib=$(u32 48)
dd if=/dev/zero of="$tmp/img" bs=4096 seek="$bb" count=1 conv=notrunc 2>/dev/null
# inode 3 (the first file made): clear bit 3 of the inode bitmap's first byte
byte=$(od -An -tu1 -j $((ib * 4096)) -N1 "$tmp/img" | tr -d ' ')
printf "$(printf '\\%03o' $((byte & ~8)))" |
    dd of="$tmp/img" bs=1 seek=$((ib * 4096)) conv=notrunc 2>/dev/null
cp "$tmp/img" "$tmp/img.bad"

out=$("$fsck" -n "$tmp/img"); st=$?
[ $st = 4 ] || fail "corrupt image: -n exit $st, expected 4: $out"
echo "$out" | grep -q 'problem: block bitmap' || fail "bitmap damage not reported: $out"
echo "$out" | grep -q 'problem: inode 3 in use but marked free' || fail "inode bit not reported: $out"
cmp -s "$tmp/img" "$tmp/img.bad" || fail "fsck -n wrote to a corrupt image"
out=$("$fsck" -y "$tmp/img"); st=$?
[ $st = 1 ] || fail "-y exit $st, expected 1: $out"
out=$("$fsck" -n "$tmp/img"); st=$?
[ $st = 0 ] || fail "after repair: exit $st, expected 0: $out"
echo "$out" | grep -q '^wisp-fsck: 162/' || fail "files lost in the repair: $out"

head -c 4M /dev/urandom >"$tmp/foreign"
out=$("$fsck" -n "$tmp/foreign" 2>&1); st=$?
[ $st = 8 ] || fail "foreign image: exit $st, expected 8"
echo "$out" | grep -q 'bad magic' || fail "foreign image: no 'bad magic' message: $out"
"$fsck" >/dev/null 2>&1; st=$?
[ $st = 8 ] || fail "usage: exit $st, expected 8"
"$fsck" -n "$tmp/missing" >/dev/null 2>&1; st=$?
[ $st = 8 ] || fail "missing image: exit $st, expected 8"
"$mkfs" "$tmp/small" 100K 2>/dev/null && fail "a 100K image was accepted"
"$mkfs" "$tmp/full" 1M "$t" 2>/dev/null && fail "a tree larger than the image fitted"
echo "wfs_tools: PASS"
