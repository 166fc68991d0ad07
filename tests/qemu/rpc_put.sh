#!/usr/bin/env bash
# One-way RPC (op SINK, docs/rpc.md "Flow control"): 8 callers of 64 KiB
# and one of 1 KiB and of 0 B from node 0 to node 1 all succeed (rpcbench
# put exits non-zero on any failed call), node 1's server ran exactly the
# calls node 0 counted, no malformed packet was counted, and node 1's
# virtio-net was polled by the net thread (NAPI) rather than harvested in
# its interrupt. Nothing here asserts a timing or a retransmission count.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_put
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

stat1() {
    local out
    out=$(cl sh 1 rpcstat) || cl_fail "rpcstat on node 1"
    awk -v k="$1" '$1 == k { print $2 }' <<<"$out"
}

before=$(stat1 requests)
calls=0
for run in "65536 3 8" "1024 2 1" "0 1 1"; do
    # shellcheck disable=SC2086 # run is three words
    out=$(cl sh --timeout 120 0 "rpcbench put 1 $run") || cl_fail "rpcbench put 1 $run: $out"
    echo "$out" | grep '^put:'
    n=$(sed -n 's/.* s: \([0-9]*\) calls (0 failed).*/\1/p' <<<"$out")
    [[ -n $n && $n -gt 0 ]] || cl_fail "rpcbench put 1 $run: no successful call: $out"
    calls=$((calls + n))
done
after=$(stat1 requests)
[[ $((after - before)) == "$calls" ]] ||
    cl_fail "node 1 ran $((after - before)) requests, node 0 made $calls calls"

for k in 0 1; do
    out=$(cl sh $k rpcstat) || cl_fail "rpcstat on node $k"
    bad=$(awk '/^bad_/ { s += $2 } END { print s + 0 }' <<<"$out")
    [[ $bad == 0 ]] || cl_fail "node $k dropped $bad malformed RPC packets: $out"
done
out=$(cl sh 1 netstat) || cl_fail "netstat on node 1"
polls=$(awk '$1 == "polls" { print $2 }' <<<"$out")
[[ -n $polls && $polls -gt 0 ]] || cl_fail "node 1's NIC was never polled: $out"
cl down >/dev/null
cl_pass
