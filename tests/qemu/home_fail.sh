#!/usr/bin/env bash
# Node failure and the home table (Sprite's rule, docs/home.md): when the
# node running a rexec'd process dies, its home reaps it as killed by
# SIGKILL (rexec reports 137) and prints "lost: node 1 went down"; when a
# process's home dies, the node running it ends it and prints "ended: its
# home node 2 went down", and its ps no longer lists it.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup home_fail
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 3 --timeout 200 >/dev/null || cl_fail "up -n 3"

# The running node dies.
res=$CL_DIR/rexec.out
cl sh --timeout 200 0 'rexec 1 sleep 300; echo st=$?' >"$res" 2>&1 &
bg=$!
cl_bg $bg
for _ in $(seq 1 60); do
    cl sh 1 ps | grep -q ' sleep 300$' && break
    sleep 1
done
cl sh 1 ps | grep -q ' sleep 300$' || cl_fail "sleep 300 did not start on node 1"
cl kill 1 >/dev/null || cl_fail "kill 1"
wait $bg
out=$(cat "$res")
echo "$out"
[[ $out == *st=137* ]] || cl_fail "rexec's status after node 1 died is not 137 (SIGKILL): $out"
grep -Eq "wisp: process [0-9]+ \(sleep\) lost: node 1 went down" "$CL_DIR/node0.log" ||
    cl_fail "node 0 did not say its process was lost with node 1"

# The home dies.
cl sh 2 'rexec 0 sleep 301 >/dev/null 2>&1 &' >/dev/null || cl_fail "rexec from node 2"
for _ in $(seq 1 60); do
    cl sh 0 ps | grep -q ' sleep 301$' && break
    sleep 1
done
cl sh 0 ps | grep -q ' sleep 301$' || cl_fail "sleep 301 did not start on node 0"
cl kill 2 >/dev/null || cl_fail "kill 2"
for _ in $(seq 1 60); do
    grep -Eq "wisp: process [0-9]+ \(sleep\) ended: its home node 2 went down" \
        "$CL_DIR/node0.log" && break
    sleep 1
done
grep -Eq "wisp: process [0-9]+ \(sleep\) ended: its home node 2 went down" "$CL_DIR/node0.log" ||
    cl_fail "node 0 did not end the process of the dead home node 2"
for _ in $(seq 1 20); do
    cl sh 0 ps | grep -q ' sleep 301$' || break
    sleep 1
done
! cl sh 0 ps | grep -q ' sleep 301$' || cl_fail "node 0 still runs the orphan of node 2"
cl down >/dev/null
cl_pass
