#!/usr/bin/env bash
# Sprite's rule (docs/home.md, Failure): a process whose home dies ends.
# migtest started on node 0 is moved to node 1; node 0's QEMU is killed;
# node 1 prints "ended: its home node 0 went down" for it, and node 1's ps
# lists no process of node 0 (pids below 1 << 20) afterwards, while node
# 1's own processes go on.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_homedead
cd "$CL_ROOT" || exit 1
cl up -n 2 --timeout 180 >/dev/null || cl_fail "up -n 2"

cl sh 0 'migtest -r 1000000 -d 10 1 > /tmp/h 2>&1 &' >/dev/null || cl_fail "start migtest"
pid=$(mig_file_pid 0 /tmp/h) || cl_fail "migtest did not start"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "migrate $pid 1: $out"
mig_ps_has 1 "$pid" || cl_fail "$pid is not on node 1"
cl kill 0 >/dev/null || cl_fail "kill 0"
mig_wait_log 1 "process $pid \(migtest\) ended: its home node 0 went down" 120 ||
    cl_fail "node 1 did not end the process whose home died"
left=""
for _ in $(seq 60); do
    left=$(cl sh --timeout 60 1 ps | tr -d '\r' | awk '$1 ~ /^[0-9]+$/ && $1 < 1048576')
    [[ -z $left ]] && break
    sleep 1
done
[[ -z $left ]] || cl_fail "node 1 still lists processes of node 0: $left"
out=$(cl sh --timeout 60 1 'echo alive-$((6*7))' | tr -d '\r')
[[ $out == *alive-42* ]] || cl_fail "node 1's shell is gone: $out"
cl_pass
