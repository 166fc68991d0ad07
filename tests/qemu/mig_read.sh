#!/usr/bin/env bash
# A process blocked reading the home console migrates (its read is
# interrupted and restarted at the target, on the console that stayed at
# home): a shell blocked in `read` is moved to node 1 by a background job,
# then a line typed on node 0's console reaches it, it prints the line on
# node 0's console and exits 0. Then the same for `head -n 1` (writing
# to a file at home), moved to node 2.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_read
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"
sock=$(cl sockdir)/node0.sock   # a short directory when the clone path is long

cl sh 0 'rm -f /tmp/rp /tmp/mr' >/dev/null
mig_drive "$sock" "" "\\x15(sleep 4; migrate \$(cat /tmp/rp) 1 > /tmp/mr 2>&1) & sh -c 'echo \$\$ > /tmp/rp; read x; echo GOT-\$x'; echo status=\$?\\n" \
    "sleep:1" "" >/dev/null || cl_fail "typing the reader"
# The reader's pid is in /tmp/rp; ps on node 1 shows it once it moved.
for _ in $(seq 60); do
    pid=$(cl sh 1 'ps' | tr -d '\r' | awk '$6 == "sh" && $7 == "-c" { print $1 }' | head -n 1)
    [[ -n $pid ]] && break
    sleep 1
done
[[ -n $pid ]] || cl_fail "the reader never ran on node 1"
out=$(mig_drive "$sock" "" 'line-typed-at-home\n' "GOT-line-typed-at-home" "" "status=0" "") ||
    cl_fail "the line typed at home did not reach the reader on node 1: $out"
mig_cat 0 /tmp/mr | grep -q "node 0 -> node 1" || cl_fail "the reader was not moved: $(mig_cat 0 /tmp/mr)"
mig_ps_has 1 "$pid" && cl_fail "$pid is still on node 1"
echo "ok: a reader moved to node 1 read a line typed at home and printed it there"

# head -n 1, moved to node 2 while blocked, writes the line to a file at home.
cl sh 0 'rm -f /tmp/rp /tmp/mr /tmp/hd' >/dev/null
mig_drive "$sock" "" "\\x15(sleep 4; migrate \$(cat /tmp/rp) 2 > /tmp/mr 2>&1) & sh -c 'echo \$\$ > /tmp/rp; exec head -n 1 > /tmp/hd'; echo status=\$?\\n" \
    "sleep:1" "" >/dev/null || cl_fail "typing head"
pid=""
for _ in $(seq 60); do
    # (busybox runs head in the shell's process: it keeps the name sh -c)
    pid=$(cl sh 1 'ps -c' | tr -d '\r' | awk '$4 == 2 && /head -n 1/ { print $1 }' | head -n 1)
    [[ -n $pid ]] && break
    sleep 1
done
[[ -n $pid ]] || cl_fail "head never ran on node 2"
out=$(mig_drive "$sock" "" 'second-line\n' "status=0" "") ||
    cl_fail "head on node 2 did not end after a line typed at home: $out"
[[ $(mig_cat 0 /tmp/hd) == second-line ]] || cl_fail "head wrote '$(mig_cat 0 /tmp/hd)'"
echo "ok: head moved to node 2 read a line typed at home"
cl_pass
