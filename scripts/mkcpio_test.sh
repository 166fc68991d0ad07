#!/usr/bin/env bash
# Host check of scripts/mkcpio.py: packs a small tree twice (the bytes must
# match: deterministic), then lists it with cpio -t when cpio is installed,
# otherwise with a small Python reader, and checks names, order (directory
# before contents), modes, contents and the TRAILER!!! entry.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
fail() { echo "mkcpio_test: FAIL: $*"; exit 1; }

mkdir -p build/test
tmp=$(mktemp -d build/test/mkcpio.XXXX) || fail "no temp dir"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/t/bin" "$tmp/t/etc" "$tmp/t/tmp" "$tmp/t/b-x"
printf 'hello\n' >"$tmp/t/etc/motd"
printf '#!/bin/sh\n' >"$tmp/t/bin/prog"
printf 'odd' >"$tmp/t/b-x/f"
chmod 755 "$tmp/t/bin/prog"
chmod 640 "$tmp/t/etc/motd"
python3 scripts/mkcpio.py "$tmp/t" "$tmp/a.cpio" || fail "packing failed"
touch "$tmp/t/etc/motd"
python3 scripts/mkcpio.py "$tmp/t" "$tmp/b.cpio" || fail "packing failed"
cmp -s "$tmp/a.cpio" "$tmp/b.cpio" || fail "two packs of the same tree differ"
[ "$(head -c 6 "$tmp/a.cpio")" = 070701 ] || fail "bad magic"

want="b-x
b-x/f
bin
bin/prog
etc
etc/motd
tmp
TRAILER!!!"
if [ "${MKCPIO_TEST_NO_CPIO:-0}" != 1 ] && command -v cpio >/dev/null; then
    got=$(cpio -it --quiet <"$tmp/a.cpio" 2>&1; echo "TRAILER!!!")
else
    got=$(python3 - "$tmp/a.cpio" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
off = 0
while True:
    h = d[off:off + 110]
    assert h[:6] == b"070701", "bad magic at %d" % off
    f = [int(h[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
    mode, size, nsz = f[1], f[6], f[11]
    name = d[off + 110:off + 110 + nsz - 1].decode()
    off = (off + 110 + nsz + 3) & ~3
    data = d[off:off + size]
    off = (off + size + 3) & ~3
    print(name)
    if name == "TRAILER!!!":
        break
    if name == "etc/motd":
        assert data == b"hello\n" and mode & 0o777 == 0o640, "etc/motd wrong"
    if name == "bin/prog":
        assert mode & 0o777 == 0o755 and mode & 0o170000 == 0o100000, "bin/prog mode"
    if name == "bin":
        assert mode & 0o170000 == 0o040000, "bin is not a directory"
assert off == len(d), "junk after the trailer"
PY
) || fail "reader: $got"
fi
[ "$got" = "$want" ] || fail "listing differs: $(echo "$got" | tr '\n' ' ')"
echo "mkcpio_test: PASS"
