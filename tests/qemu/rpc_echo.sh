#!/usr/bin/env bash
# RPC between two nodes (docs/rpc.md): echo calls of 0 B, 1 KiB and 64 KiB
# come back intact both ways (rpcbench echo checks every byte and exits
# non-zero on any error or difference), the at-most-once counter counts
# exactly, both nodes see each other up in `nodes`, and the receive path
# counted no malformed packet.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_echo
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

for size in 0 1024 65536; do
    out=$(cl sh --timeout 120 0 "rpcbench echo 1 $size 20") ||
        cl_fail "echo of $size bytes from node 0 to node 1: $out"
    echo "$out" | grep '^echo:'
    out=$(cl sh --timeout 120 1 "rpcbench echo 0 $size 5") ||
        cl_fail "echo of $size bytes from node 1 to node 0: $out"
done
out=$(cl sh --timeout 120 0 'rpcbench count 1 50') || cl_fail "count: $out"
grep -q 'counter now 50 ' <<<"$out" || cl_fail "the counter is not 50: $out"

out=$(cl sh 0 nodes) || cl_fail "nodes on node 0"
echo "$out"
grep -Eq '^1 +up ' <<<"$out" || cl_fail "node 0 does not see node 1 up"
out=$(cl sh 1 nodes) || cl_fail "nodes on node 1"
grep -Eq '^0 +up ' <<<"$out" || cl_fail "node 1 does not see node 0 up"

for k in 0 1; do
    out=$(cl sh $k rpcstat) || cl_fail "rpcstat on node $k"
    bad=$(awk '/^bad_/ { s += $2 } END { print s + 0 }' <<<"$out")
    [[ $bad == 0 ]] || cl_fail "node $k dropped $bad malformed RPC packets: $out"
done
cl down >/dev/null
cl_pass
