#!/usr/bin/env bash
# The shared file system across crashes (docs/fs.md "Recovery"):
#  1. the file server (node 0) is killed and booted again while node 1
#     has a file open for writing and dirty blocks of a closed file not
#     yet written back (fswriteback=600): node 1 reopens at the new
#     server, goes on writing, and every byte is there afterwards;
#  2. the server stays down longer than fsretry=20: a read on node 1
#     fails (EIO, with a console line) instead of hanging, and works again
#     once the server is back;
#  3. node 1 is killed in the middle of writing a file: the server drops
#     its opens, node 0 goes on using the file, and the image is clean.
# wisp-fsck then finds the image clean.
# test-timeout: 1200
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_recover
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-mkfs build/host/wisp-fsck; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 200 --kernel-args "fswriteback=600 fsretry=20" || cl_fail "up -n 2"

# ---- 1. server reboot under an open file and dirty blocks ----
cl_expect_status 0 sh 1 'mkdir /shared/r && echo -n before > /shared/r/held && sync'
# dirty, closed, not written back (600 s delay)
cl_expect_status 0 sh 1 'echo dirty-data-not-written-back > /shared/r/dirty'
# a writer that holds /shared/r/held open across the reboot
cl sh 1 '( exec 3>>/shared/r/held; echo -n " one" >&3; while [ ! -f /tmp/go ]; do sleep 1; done; echo -n " two" >&3; exec 3>&-; touch /tmp/done ) >/tmp/w.out 2>&1 &' >/dev/null ||
    cl_fail "start the writer"
sleep 8       # the server commits what node 1 created (fscommit=5)
cl kill 0 >/dev/null || cl_fail "kill 0"
cl restart 0 --timeout 200 >/dev/null || cl_fail "restart 0"
cl_expect_status 0 sh 1 'touch /tmp/go'
cl_expect_status 0 sh --timeout 120 1 'i=0; while [ ! -f /tmp/done ] && [ $i -lt 100 ]; do sleep 1; i=$((i+1)); done; [ -f /tmp/done ]'
cl_expect_status 0 sh --timeout 120 1 'sync'
cl_expect_out "before one two" sh 0 'cat /shared/r/held; echo'
cl_expect_out "dirty-data-not-written-back" sh 0 'cat /shared/r/dirty'
# Its 2 files (open, and closed with dirty blocks); with the volume as /
# (fsroot=on) also the programs its processes run from it (busybox).
n=$(sed -n 's/.*fs: shared: reopened \([0-9]*\) files at the file server.*/\1/p' \
    "$CL_DIR/node1.log" | head -n 1)
if grep -q "fs: root: / is the shared volume" "$CL_DIR/node1.log"; then
    [[ -n $n ]] && ((n >= 2))
else
    [[ $n == 2 ]]
fi || cl_fail "node 1 did not reopen its 2 files (open, and closed with dirty blocks): '$n'"

# ---- 2. server down longer than fsretry=: EIO, no hang ----
# With the volume as node 1's / (fsroot=on) the shell's own pages come
# from the server too: its exec of cat may fail with EIO (126) before cat
# reads; either way the command fails in time and does not hang.
ok_st=" 1 "
grep -q "fs: root: / is the shared volume" "$CL_DIR/node1.log" && ok_st=" 1 126 "
cl kill 0 >/dev/null || cl_fail "kill 0 (second time)"
st=0
cl sh --timeout 200 1 'cat /shared/r/held' >/dev/null || st=$?
[[ $ok_st == *" $st "* ]] || cl_fail "cat /shared/r/held with the server down exited $st"
grep -q "did not answer for 20 s: EIO" "$CL_DIR/node1.log" || cl_fail "node 1 printed no EIO line"
cl restart 0 --timeout 200 >/dev/null || cl_fail "restart 0 (second time)"
cl_expect_out "before one two" sh --timeout 120 1 'cat /shared/r/held; echo'

# ---- 3. a client killed mid-write ----
cl sh 1 'dd if=/dev/zero of=/shared/r/big bs=4096 count=100000 >/dev/null 2>&1 &' >/dev/null ||
    cl_fail "start dd on 1"
sleep 5
cl kill 1 >/dev/null || cl_fail "kill 1"
cl_expect_status 0 sh --timeout 120 0 'echo after >> /shared/r/big && tail -c 6 /shared/r/big | grep -q after && sync'
cl_expect_out "before one two" sh 0 'cat /shared/r/held; echo'
cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck -n after the crashes: $out"
cl_pass
