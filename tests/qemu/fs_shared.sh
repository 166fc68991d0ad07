#!/usr/bin/env bash
# The shared file system: node 0 serves <dir>/fs.img (made by
# scripts/cluster with wisp-mkfs) and every node mounts it on /shared,
# caching file blocks. A file written on node 1 and closed (its blocks
# still dirty there) is read on node 2 and on the server itself (the
# server recalls them); directories, renames, links, symlinks and removals
# made on one node are seen on the others at once; a file open for writing
# on node 1 is read on node 2 line by line as it is written (concurrent
# write-sharing turns caching off); appends from two nodes both land;
# owner and mode bits are checked by the server; a large file comes back
# byte for byte, and a second read of it on node 2 comes from its cache
# (the server serves no READ for it). fs_persist.sh covers restarts.
# test-timeout: 900
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_shared
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-mkfs build/host/wisp-fsck; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 3 --timeout 150 || cl_fail "up -n 3"
grep -q "fssrv: serving" "$CL_DIR/node0.log" || cl_fail "node 0 does not say it serves"

cl_expect_status 0 sh 1 'echo hello from 1 > /shared/a'
cl_expect_out "hello from 1" sh 2 'cat /shared/a'
cl_expect_out "hello from 1" sh 0 'cat /shared/a'

cl_expect_status 0 sh 2 'mkdir -p /shared/d/e && echo x > /shared/d/e/f && ln -s e/f /shared/d/l'
cl_expect_out "x" sh 1 'cat /shared/d/l'
cl_expect_out $'e\nl' sh 0 'ls -1 /shared/d'
cl_expect_status 0 sh 1 'mv /shared/d/e/f /shared/d/g && ln /shared/d/g /shared/d/h'
cl_expect_out "x" sh 2 'cat /shared/d/h'
cl_expect_status 1 sh 2 'test -e /shared/d/e/f'
cl_expect_out "2" sh 0 'stat -c %h /shared/d/g'
cl_expect_status 0 sh 2 'rm /shared/d/g /shared/d/h /shared/d/l && rmdir /shared/d/e /shared/d'
cl_expect_status 1 sh 1 'test -e /shared/d'

# concurrent write-sharing: node 1 keeps the file open for writing while
# node 2 reads it; the server turns caching off, node 1 writes back, and
# node 2 sees each line as soon as it is written
cl_expect_status 0 sh 1 "sh -c 'exec 3>/shared/c; echo first >&3; while [ ! -e /shared/go ]; do sleep 1; done; echo second >&3; exec 3>&-; touch /shared/done' >/dev/null 2>&1 &"
for try in $(seq 30); do
    out=$(cl sh 2 'cat /shared/c 2>/dev/null') && [[ -n $out ]] && break
    sleep 1
done
[[ $out == first ]] || cl_fail "node 2 read '$out' while node 1 had written only 'first'"
cl_expect_status 0 sh 2 'touch /shared/go'
cl_expect_status 0 sh 2 'i=0; while [ ! -e /shared/done ] && [ $i -lt 50 ]; do sleep 1; i=$((i+1)); done; test -e /shared/done'
cl_expect_out $'first\nsecond' sh 2 'cat /shared/c'
cl_expect_out $'first\nsecond' sh 0 'cat /shared/c'

# appends from two nodes: both lines are there
cl_expect_status 0 sh 1 'echo one >> /shared/log'
cl_expect_status 0 sh 2 'echo two >> /shared/log'
cl_expect_out $'one\ntwo' sh 0 'cat /shared/log'

# the server checks owner and mode bits
cl_expect_status 0 sh 1 'echo root > /shared/mine && chmod 644 /shared/mine'
out=$(cl sh 2 'runas 1000 sh -c "echo no >> /shared/mine" 2>&1; echo rc=$?')
[[ $out == *"rc=1"* ]] || cl_fail "uid 1000 wrote to root's 0644 file: $out"
cl_expect_out "root" sh 0 'cat /shared/mine'

# a large file, byte for byte (several 60 KiB messages)
cl_expect_status 0 sh 1 'dd if=/dev/urandom of=/tmp/big bs=1024 count=300 2>/dev/null && cp /tmp/big /shared/big && md5sum /tmp/big > /tmp/sum'
sum1=$(cl sh 1 'md5sum < /tmp/big') || cl_fail "md5sum on 1"
sum2=$(cl sh 2 'md5sum < /shared/big') || cl_fail "md5sum on 2"
[[ $sum1 == "$sum2" ]] || cl_fail "the large file differs on node 2: $sum1 / $sum2"
cl_expect_out "307200" sh 2 'stat -c %s /shared/big'
# a second read on node 2 comes from its cache: the server serves no READ for it
served() { cl sh 0 'fsstat' | awk '$1 == "served_read" { print $2 }'; }
# fsstat itself has run on both nodes first: with the volume as / its
# first exec reads its pages from the server.
cl_expect_status 0 sh 0 'fsstat >/dev/null'
cl_expect_status 0 sh 2 'fsstat >/dev/null'
r1=$(served) || cl_fail "fsstat on node 0"
hits1=$(cl sh 2 'fsstat' | awk '$1 == "cache_hits" { print $2 }')
sum4=$(cl sh 2 'md5sum < /shared/big') || cl_fail "second md5sum on 2"
[[ $sum4 == "$sum1" ]] || cl_fail "the cached read differs"
r2=$(served)
hits2=$(cl sh 2 'fsstat' | awk '$1 == "cache_hits" { print $2 }')
[[ -n $r1 && $r1 == "$r2" ]] || cl_fail "a warm re-read cost the server READs ($r1 -> $r2)"
((hits2 >= hits1 + 75)) || cl_fail "a warm re-read of 75 blocks hit the cache only $((hits2 - hits1)) times"
cl_expect_status 0 sh 0 'sync'

cl down >/dev/null || cl_fail "down"
cl_pass
