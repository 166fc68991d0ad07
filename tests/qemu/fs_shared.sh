#!/usr/bin/env bash
# The shared file system, first client (no caching): node 0 serves
# <dir>/fs.img (made by scripts/cluster with wisp-mkfs) and every node
# mounts it on /shared. A file written on node 1 and closed is read on
# node 2 and on the server itself; directories, renames, links, symlinks
# and removals made on one node are seen on the others at once; appends
# from two nodes both land; owner and mode bits are checked by the server
# (a user's write to root's file fails); a large file comes back byte for
# byte; after the cluster goes down, wisp-fsck finds the image clean and
# a new cluster on the same image still has the files. Then a corrupt
# image is refused by the server with a clear message.
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
cl_expect_status 0 sh 0 'sync'

cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck after down: $out"

# the same image in a new cluster: the files are still there
cl up -n 2 --timeout 150 || cl_fail "up again"
cl_expect_out $'one\ntwo' sh 1 'cat /shared/log'
sum3=$(cl sh 1 'md5sum < /shared/big') || cl_fail "md5sum after restart"
[[ $sum1 == "$sum3" ]] || cl_fail "the large file changed across a restart"
cl down >/dev/null || cl_fail "down 2"

# a corrupt image: the server refuses it and says why; clients get errors, not hangs
dd if=/dev/zero of="$CL_DIR/fs.img" bs=4096 count=1 conv=notrunc 2>/dev/null
cl up -n 2 --timeout 150 || cl_fail "up with a corrupt image"
grep -q "fssrv: refusing the disk" "$CL_DIR/node0.log" ||
    cl_fail "node 0 did not refuse the corrupt image: $(grep fssrv "$CL_DIR/node0.log")"
cl_expect_status 1 sh 1 'cat /shared/log'
cl down >/dev/null
cl_pass
