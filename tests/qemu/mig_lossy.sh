#!/usr/bin/env bash
# Migration over a bad network: every node drops 10% of its packets and
# duplicates and reorders some (netdrop= netdup= netreorder=, as
# rpc_lossy.sh). migtest (2 MiB, self-checking) moves itself 0 -> 1 -> 2 ->
# 0 and passes: the RPC layer's retransmissions carry the state and the
# pages, and no piece is applied twice.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_lossy
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 240 --kernel-args "netdrop=10 netdup=5 netreorder=5 netseed=13" \
    >/dev/null || cl_fail "up -n 3 with faults"
out=$(cl sh --timeout 400 0 'migtest -r 40 -d 10 2 1 2 0 > /tmp/t1 2>&1; echo status=$?') ||
    cl_fail "migtest: $out"
[[ $out == *status=0* ]] || cl_fail "migtest: exit status: $out"
t1=$(mig_cat 0 /tmp/t1)
grep -q 'migtest: PASS pid [0-9]* node 0$' <<<"$t1" || cl_fail "migtest failed: $t1"
grep -q 'migtest: pid [0-9]* moved to node 2 (1 -> 2)' <<<"$t1" || cl_fail "migtest never ran on node 2: $t1"
retx=$(cl sh --timeout 120 0 rpcstat | tr -d '\r' | awk '$1 == "retransmits" { print $2 }')
((retx > 0)) || cl_fail "no retransmissions: the faults were not on"
cl_pass
