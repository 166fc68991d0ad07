#!/usr/bin/env bash
# scripts/cluster's --disk: `up -n 2 --disk 0:IMG` gives node 0 a virtio-blk
# disk and node 1 none. Node 0 runs `blktest check` (user/blktest.c) and,
# after node 0 is killed, the host finds the last sector's pattern in IMG;
# node 1 says it has no block device; `restart 0` boots node 0 with its
# disk again; a --disk for a node that is not there, or a missing image, is
# refused before anything starts. The driver is tested in blk_virtio.sh.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup blk_cluster
cd "$CL_ROOT" || exit 1
img=$CL_DIR/disk.img
truncate -s 32M "$img" || cl_fail "cannot make the image"

cl_expect_status 255 up -n 2 --disk 5:"$img"
cl_expect_status 255 up -n 2 --disk 0:"$CL_DIR/missing.img"
cl up -n 2 --disk 0:"$img" --timeout 120 || cl_fail "up -n 2 --disk 0:IMG"
cl_expect_out "sectors        65536" sh 0 'blktest stat | grep ^sectors'
cl_expect_status 3 sh 1 'blktest stat'
cl_expect_out "blktest: no block device" sh 1 'blktest stat; true'
out=$(cl sh --timeout 300 0 'blktest check') || cl_fail "blktest check on node 0: $out"
[[ $out == *"blktest: PASS (0 failures)"* ]] || cl_fail "blktest check: $out"
cl kill 0 >/dev/null || cl_fail "kill 0"
# The last sector's pattern (user/blktest.c: seed 8) is in the image.
python3 - "$img" <<'EOF2' || cl_fail "the image's last sector is not what node 0 wrote"
import struct, sys
data = open(sys.argv[1], "rb").read()
off = len(data) - 512
K, M = 0x9E3779B97F4A7C15, (1 << 64) - 1
want = struct.pack("<64Q", *(((off // 8 + i + 1) * K + 8) & M for i in range(64)))
sys.exit(0 if data[off:] == want else 1)
EOF2
cl restart 0 >/dev/null || cl_fail "restart 0"
cl_expect_out "sectors        65536" sh 0 'blktest stat | grep ^sectors'
cl_pass
