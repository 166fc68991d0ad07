#!/usr/bin/env bash
# The build-like workload (user/share/fsbuild.sh: a busybox shell script
# that creates, writes, reads back, rewrites and deletes many small files)
# gives the same result as the same busybox on the host: on the file
# server's own node, on a client that caches (node 1), on a client with
# caching off (node 2, fscache=0), in a node's /tmp, and with two clients
# building at once. Node 2's cache stays unused and node 1's is hit; a
# file removed before its write-back never reaches the server (its dirty
# blocks are dropped); the volume is clean (wisp-fsck -n) after the cluster
# goes down.
# test-timeout: 900
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_build
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-mkfs build/host/wisp-fsck \
    build/busybox/busybox user/share/fsbuild.sh; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done
shape="6 10"
script=/usr/lib/wisp/fsbuild.sh

# the reference: the same busybox on the host, its applets on PATH
hb="$CL_DIR/hostbin"
mkdir -p "$hb"
for a in sh seq sed tr cat ls grep wc md5sum cut rm mkdir; do
    ln -sf "$CL_ROOT/build/busybox/busybox" "$hb/$a"
done
want=$(PATH="$hb" sh user/share/fsbuild.sh "$CL_DIR/hostbuild" $shape) ||
    cl_fail "the workload fails on the host: $want"
[[ $want == "fsbuild ok files 60 "* ]] || cl_fail "host result: $want"

cl up -n 3 --timeout 150 --node-args 2 fscache=0 || cl_fail "up -n 3"
stat_of() { cl sh "$1" fsstat | awk -v k="$2" '$1 == k { print $2 }'; }
[[ $(stat_of 2 cache_max) == 0 ]] || cl_fail "node 2 caches although fscache=0"
hits1=$(stat_of 1 cache_hits)

build() { # node dir -> the script's last line, checked against the host's
    local out
    out=$(cl sh --timeout 600 "$1" "sh $script $2 $shape" 2>&1) ||
        cl_fail "node $1 in $2: $out"
    [[ $(tail -n 1 <<<"$out") == "$want" ]] ||
        cl_fail "node $1 in $2 gave '$out', the host '$want'"
}
build 0 /shared/b0
build 1 /shared/b1
build 2 /shared/b2
build 1 /tmp/b1

# two clients at once, one caching and one not
build 1 /shared/c1 & p1=$!
build 2 /shared/c2 & p2=$!
wait $p1 || cl_fail "node 1's concurrent build"
wait $p2 || cl_fail "node 2's concurrent build"

# a file written and removed before its write-back never reaches the
# server: node 1 drops its dirty blocks unsent (Sprite's saving)
wb1=$(stat_of 1 written_back_bytes)
drop1=$(stat_of 1 dropped_unsent)
cl_expect_status 0 sh 1 'dd if=/dev/zero of=/shared/scratch bs=4096 count=16 2>/dev/null && rm /shared/scratch'
wb2=$(stat_of 1 written_back_bytes)
drop2=$(stat_of 1 dropped_unsent)
((drop2 >= drop1 + 16)) || cl_fail "node 1 dropped $((drop2 - drop1)) of 16 dirty blocks of a removed file"
[[ $wb1 == "$wb2" ]] || cl_fail "a removed file's blocks were written back ($wb1 -> $wb2)"
# and nothing of the builds is left dirty or retried: sync succeeds
cl_expect_status 0 sh 1 'sync'
[[ $(stat_of 1 cache_dirty) == 0 ]] || cl_fail "node 1 keeps dirty blocks after sync"

hits1b=$(stat_of 1 cache_hits)
((hits1b > hits1)) || cl_fail "node 1's cache was never hit ($hits1 -> $hits1b)"
[[ $(stat_of 2 cache_hits) == 0 ]] || cl_fail "node 2 hit a cache it should not have"
cl_expect_status 1 sh 1 'ls /shared | grep -q "^[bc][0-9]$"'
cl_expect_status 0 sh 0 'sync'

cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck after the builds: $out"
cl_pass
