#!/usr/bin/env bash
# Closes sent behind (docs/fs.md, "Closes sent behind"): a client's close of
# a file it opened for reading only is queued and sent by a thread, so the
# closer does not wait for the server. Node 1 holds each queued close 5 s
# (fsclose_delay=5000, a test knob) so the test can see that:
#  - a cat on node 1 returns while its close is still behind: node 0's
#    write open right after finds node 1 still reading (the server
#    disables caching), and node 1 counts one close behind;
#  - sync on node 1 waits until its closes are answered: node 0's next
#    write open finds no reader;
#  - a close still queued when the server reboots is dropped unsent: node 1
#    holds a second open of the file, which its reopen tells the new
#    server about, and a stray close would have cancelled it (node 0's
#    write open then finds node 1 still reading);
#  - an unlinked file that node 1 closes last, followed by sync on both
#    nodes, is freed on the server: wisp-fsck finds no orphan left.
# The volume is not / here (--fsroot off), so programs come from the boot
# image and only the test's own files are opened on /shared.
# test-timeout: 600
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_close
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-fsck; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# stat K NAME: fsstat's NAME on node K
stat() { cl sh "$1" fsstat | awk -v k="$2" '$1 == k { print $2 }'; }
# wait_file K F: until file F exists on node K
wait_file() {
    cl_expect_status 0 sh --timeout 150 "$1" "i=0; while [ ! -f $2 ] && [ \$i -lt 120 ]; do sleep 1; i=\$((i+1)); done; [ -f $2 ]"
}

cl up -n 2 --timeout 200 --fsroot off --node-args 1 "fsclose_delay=5000" >/dev/null ||
    cl_fail "up -n 2"
grep -q "test delay of 5000 ms before each close" "$CL_DIR/node1.log" ||
    cl_fail "node 1 did not take fsclose_delay="

cl_expect_status 0 sh 0 'echo data > /shared/cf && sync'
b0=$(stat 1 closes_behind)
c0=$(stat 1 sent_close)
cl_expect_out "data" sh 1 'cat /shared/cf'
d0=$(stat 0 server_disables)
cl_expect_status 0 sh 0 'echo more >> /shared/cf'
d1=$(stat 0 server_disables)
b1=$(stat 1 closes_behind)
[[ $b0 =~ ^[0-9]+$ && $b1 =~ ^[0-9]+$ && $d0 =~ ^[0-9]+$ && $d1 =~ ^[0-9]+$ ]] ||
    cl_fail "fsstat: '$b0' '$b1' '$d0' '$d1'"
((b1 == b0 + 1)) || cl_fail "node 1 sent $((b1 - b0)) closes behind for one cat, not 1"
((d1 > d0)) || cl_fail "node 0's write open found no reader on node 1: its close did not go behind"

cl_expect_status 0 sh 1 'cat /shared/cf > /dev/null && sync'
c1=$(stat 1 sent_close)
((c1 == c0 + 2)) || cl_fail "node 1 sent $((c1 - c0)) closes after its sync, not 2"
d2=$(stat 0 server_disables)
cl_expect_status 0 sh 0 'echo again >> /shared/cf'
d3=$(stat 0 server_disables)
((d3 == d2)) || cl_fail "node 0's write open after node 1's sync still found node 1 reading"
cl_expect_out "data
more
again" sh 1 'cat /shared/cf'

# A close behind across the server's reboot: node 1 keeps one open of rf
# (the holder) and closes another, behind; node 0 restarts before the
# close is due. The reopen tells the new server of the holder's open; the
# queued close must not then cancel it.
cl_expect_status 0 sh 0 'echo r > /shared/rf && sync'
cl sh 1 '( exec 3</shared/rf; touch /tmp/held; while [ ! -f /tmp/release ]; do sleep 1; done ) >/dev/null 2>&1 &' >/dev/null ||
    cl_fail "start the holder on 1"
wait_file 1 /tmp/held
m0=$(stat 1 closes_moot)
cl_expect_out "r" sh 1 'cat /shared/rf'
cl restart 0 --timeout 200 >/dev/null || cl_fail "restart 0"
for _ in $(seq 60); do
    m1=$(stat 1 closes_moot)
    [[ $m1 =~ ^[0-9]+$ ]] && ((m1 > m0)) && break
    sleep 1
done
((m1 == m0 + 1)) || cl_fail "node 1 dropped $((m1 - m0)) closes made moot by the reboot, not 1"
grep -q "fs: shared: reopened 1 files at the file server" "$CL_DIR/node1.log" ||
    cl_fail "node 1 did not reopen its held file"
d0=$(stat 0 server_disables)
cl_expect_status 0 sh --timeout 120 0 'echo w >> /shared/rf'
d1=$(stat 0 server_disables)
((d1 > d0)) || cl_fail "node 0's write open found no reader on node 1: a moot close was applied"
cl_expect_status 0 sh 1 'touch /tmp/release'

# The last close of an unlinked file, behind, and then sync on both nodes.
cl_expect_status 0 sh 0 'echo -n xyz > /shared/u && sync'
cl sh 1 '( exec 3</shared/u; touch /tmp/open; while [ ! -f /tmp/go ]; do sleep 1; done; cat <&3 > /tmp/u.out; exec 3<&-; touch /tmp/done ) >/dev/null 2>&1 &' >/dev/null ||
    cl_fail "start the reader on 1"
wait_file 1 /tmp/open
cl_expect_status 0 sh 0 'rm /shared/u && [ ! -e /shared/u ]'
cl_expect_status 0 sh 1 'touch /tmp/go'
wait_file 1 /tmp/done
cl_expect_out "xyz" sh 1 'cat /tmp/u.out'
cl_expect_status 0 sh 1 'sync'
cl_expect_status 0 sh 0 'sync'
cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck -n: $out"
grep -q "unlinked while open" <<<"$out" && cl_fail "the file was not freed at node 1's last close: $out"
cl_pass
