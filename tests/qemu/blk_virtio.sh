#!/usr/bin/env bash
# The virtio-blk driver and the block layer (fs/blk_*.c, docs/blk.md).
# Boot 1: a fresh 64 MiB image (truncate) as virtio-blk-pci; the kernel
# logs the disk; `blktest check` (user/blktest.c) checks the errors (past
# the end, bad lengths, bad pointers, not root), has four processes write
# patterned extents of 512 B .. 1 MiB at once and read them back, writes
# the last sector, flushes, and powers off. Then the host (python3) checks
# the image byte by byte: every extent the guest listed holds its pattern,
# everything else is still zero. Boot 2: the same image read-only: reads
# work, writes get EROFS. Boot 3: no disk: the node boots and blkstat says
# there is no device.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup blk_virtio

img=$UT_TMP/disk.img
truncate -s 64M "$img" || ut_fail "cannot make the image"

cat >"$UT_TMP/blk.sh" <<'EOF2'
echo BEGIN-BLK
blktest stat | grep -E '^(sectors|queue_size|read_only|has_flush) '
blktest check
st=$?
blktest stat | grep -E '^(flushes|errors|inflight) '
echo END-BLK
exit $st
EOF2
ut_initrd_with "$UT_TMP/blk.sh" test/blk.sh

# boot NAME INITARGS [QEMU ARGS...]: like ut_boot, with extra QEMU options.
boot() {
    local name=$1 args=$2
    shift 2
    UT_STATUS=0
    # shellcheck disable=SC2046 # the options are words on purpose
    timeout -k 5 600 "$UT_QEMU" $(ut_qemu_args) -serial "file:$UT_TMP/$name.log" \
        -kernel "$UT_KERNEL" -initrd "$UT_INITRD" "$@" \
        -append "test=blk_virtio init=/bin/init initargs=\"$args\"" \
        </dev/null >"$UT_TMP/qemu.out" 2>&1 || UT_STATUS=$?
    tr -d '\r' <"$UT_TMP/$name.log" >"$UT_TMP/log.txt" 2>/dev/null
    cp "$UT_TMP/log.txt" "$UT_TMP/$name.txt"
}
disk() {
    echo -drive "file=$img,format=raw,if=none,id=d0${1:+,$1}" -device virtio-blk-pci,drive=d0
}

# shellcheck disable=SC2046 # disk's words split on purpose
boot rw "sh /test/blk.sh" $(disk)
grep -q "^wisp: vda: virtio-blk at .*64 MiB (131072 sectors).*queue [0-9]*.*flush" \
    "$UT_TMP/log.txt" || { ut_show_log; ut_fail "the kernel did not log the disk"; }
ut_expect_line "sectors        131072"
ut_expect_line "read_only      0"
ut_expect_line "has_flush      1"
ut_expect_line "blktest: PASS (0 failures)"
ut_expect_line "errors         0"
ut_expect_line "inflight       0"
ut_expect_ok
n=$(grep -c '^extent ' "$UT_TMP/log.txt")
[ "$n" -ge 30 ] || ut_fail "only $n extents were listed"

# The image as the guest left it, checked on the host.
python3 - "$img" "$UT_TMP/log.txt" <<'EOF2' || ut_fail "the image does not hold what the guest wrote"
import struct, sys
K, M = 0x9E3779B97F4A7C15, (1 << 64) - 1
img = bytearray(open(sys.argv[1], "rb").read())
extents = [tuple(int(x) for x in l.split()[1:4])
           for l in open(sys.argv[2]) if l.startswith("extent ")]
bad = 0
for sector, size, seed in extents:
    off = sector * 512
    first = off // 8
    want = struct.pack("<%dQ" % (size // 8),
                       *(((first + i + 1) * K + seed) & M for i in range(size // 8)))
    if img[off:off + size] != want:
        print(f"extent {sector} {size} {seed}: wrong bytes on the host")
        bad += 1
    img[off:off + size] = bytes(size)
if any(img):
    print(f"bytes outside the extents changed: first at {next(i for i, b in enumerate(img) if b)}")
    bad += 1
print(f"host: {len(extents)} extents checked, {bad} bad")
sys.exit(1 if bad else 0)
EOF2

# shellcheck disable=SC2046
boot ro "blktest ro" $(disk readonly=on)
grep -q "^wisp: vda: virtio-blk at .* ro" "$UT_TMP/log.txt" ||
    { ut_show_log; ut_fail "the read-only disk was not logged as ro"; }
ut_expect_line "blktest: ro PASS"
ut_expect_ok

boot none "blktest stat"
ut_expect_line "wisp: no block device"
ut_expect_line "blktest: no block device"
ut_expect_line "wisp: node 0: init exited with status 3"    # blktest's "no device"
ut_pass
