#!/usr/bin/env bash
# The shared file system across restarts and crashes: files written and
# synced on node 1 are still there after the cluster goes down and comes
# back on the same image, and after node 0 (the file server) is killed
# mid-run; wisp-fsck repairs (replays) and then finds the image clean; a
# corrupt image is refused by the server with a clear message and clients
# get errors, not hangs.
# test-timeout: 600
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_persist
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-mkfs build/host/wisp-fsck; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 || cl_fail "up -n 2"
cl_expect_status 0 sh 1 'mkdir /shared/keep && echo kept > /shared/keep/a && dd if=/dev/urandom of=/shared/keep/big bs=1024 count=200 2>/dev/null && sync'
sum1=$(cl sh 1 'md5sum < /shared/keep/big') || cl_fail "md5sum on 1"
cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck after a clean down: $out"

cl up -n 2 --timeout 150 || cl_fail "up again"
cl_expect_out "kept" sh 1 'cat /shared/keep/a'
sum2=$(cl sh 1 'md5sum < /shared/keep/big') || cl_fail "md5sum after restart"
[[ $sum1 == "$sum2" ]] || cl_fail "the file changed across a restart"

# fsync'd data survives the server's QEMU being killed
cl_expect_status 0 sh 1 'echo synced > /shared/keep/s && sync'
cl kill 0 >/dev/null || cl_fail "kill 0"
cl down >/dev/null
build/host/wisp-fsck -y "$CL_DIR/fs.img" >/dev/null 2>&1
rc=$?
((rc == 0 || rc == 1)) || cl_fail "fsck -y after the server was killed: status $rc"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck -n after repair: $out"
cl up -n 2 --timeout 150 || cl_fail "up after the kill"
cl_expect_out "synced" sh 1 'cat /shared/keep/s'
cl down >/dev/null

# a corrupt image: refused with the reason; clients get errors, not hangs
dd if=/dev/zero of="$CL_DIR/fs.img" bs=4096 count=1 conv=notrunc 2>/dev/null
cl up -n 2 --timeout 150 || cl_fail "up with a corrupt image"
grep -q "fssrv: refusing the disk" "$CL_DIR/node0.log" ||
    cl_fail "node 0 did not refuse the corrupt image: $(grep fssrv "$CL_DIR/node0.log")"
cl_expect_status 1 sh 1 'cat /shared/keep/a'
cl down >/dev/null
cl_pass
