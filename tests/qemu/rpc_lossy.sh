#!/usr/bin/env bash
# At-most-once over a bad network: every node drops 10%, duplicates 5% and
# reorders 5% of its packets (netdrop= netdup= netreorder=). 500 counting
# calls from node 0 to node 1 must all succeed and leave node 1's counter at
# exactly 500: no call lost, none executed twice. A 64 KiB echo exercises
# selective retransmission of fragments under the same faults.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_lossy
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 --kernel-args "netdrop=10 netdup=5 netreorder=5 netseed=11" \
    >/dev/null || cl_fail "up -n 2 with faults"

out=$(cl sh --timeout 240 0 'rpcbench count 1 500') || cl_fail "count under faults: $out"
echo "$out" | grep '^count:'
grep -q 'counter now 500 ' <<<"$out" || cl_fail "node 1's counter is not exactly 500: $out"

out=$(cl sh --timeout 240 0 'rpcbench echo 1 65536 10') || cl_fail "64 KiB echo under faults: $out"
echo "$out" | grep '^echo:'

out=$(cl sh 0 rpcstat) || cl_fail "rpcstat on node 0"
grep -E '^(calls|replies|timeouts|retransmits|frag_retransmits) ' <<<"$out"
out=$(cl sh 1 rpcstat) || cl_fail "rpcstat on node 1"
grep -E '^(requests|duplicates|replays) ' <<<"$out"
cl down >/dev/null
cl_pass
