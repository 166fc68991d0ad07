#!/usr/bin/env bash
# RPC authentication (protocol v2, docs/rpc.md): three nodes, node 2 booted
# with a different rpckey= than the cluster's (--node-args overrides the
# key scripts/cluster gives every node). Nodes 0 and 1 call each other as
# usual; node 2 can neither call them nor be called by them (the calls fail
# with "timed out" or "host is down"), its datagrams are counted in
# bad_auth on the others, no call of its ran (node 0's counter is exactly
# what node 1 made it), and no node ever shows the other side up.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_auth
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

wrong=0123456789abcdef0123456789abcdef
# / is the full initrd (--fsroot off): node 2, with the wrong key, can reach
# no file server, and must still run rpcbench from its own boot image.
cl up -n 3 --fsroot off --timeout 150 --node-args 2 "rpckey=$wrong" >/dev/null ||
    cl_fail "up -n 3"
key=$(cat "$CL_DIR/cluster.key") || cl_fail "no cluster.key in the state dir"
[[ $key =~ ^[0-9a-f]{32}$ && $key != "$wrong" ]] || cl_fail "bad cluster key '$key'"
[[ $(stat -c %a "$CL_DIR/cluster.key") == 600 ]] || cl_fail "cluster.key is not mode 0600"

out=$(cl sh --timeout 120 0 'rpcbench echo 1 4096 10') || cl_fail "echo 0 -> 1: $out"
out=$(cl sh --timeout 120 1 'rpcbench echo 0 100 10') || cl_fail "echo 1 -> 0: $out"

# The stranger calls node 0 (a counting call that must not run), and is called.
out=$(cl sh --timeout 60 2 'rpcbench count 0 1')
st=$?
echo "node 2 -> node 0: status $st: $out"
[[ $st != 0 ]] || cl_fail "node 2, with the wrong key, called node 0: $out"
grep -Eqi 'timed out|host is down' <<<"$out" || cl_fail "unexpected failure of node 2's call: $out"
out=$(cl sh --timeout 60 0 'rpcbench echo 2 10 1')
st=$?
echo "node 0 -> node 2: status $st: $out"
[[ $st != 0 ]] || cl_fail "node 0 called node 2, which has the wrong key: $out"
grep -Eqi 'timed out|host is down' <<<"$out" || cl_fail "unexpected failure of node 0's call: $out"

out=$(cl sh --timeout 120 1 'rpcbench count 0 3') || cl_fail "count 1 -> 0: $out"
grep -q 'counter now 3 ' <<<"$out" || cl_fail "node 0's counter is not 3 (did node 2's call run?): $out"

for k in 0 1; do
    out=$(cl sh $k nodes) || cl_fail "nodes on node $k"
    echo "$out"
    grep -Eq "^$((1 - k)) +up " <<<"$out" || cl_fail "node $k does not see node $((1 - k)) up"
    ! grep -Eq '^2 +up ' <<<"$out" || cl_fail "node $k shows node 2 up"
    out=$(cl sh $k rpcstat) || cl_fail "rpcstat on node $k"
    grep -E '^(bad_auth|unconfirmed|pings_sent|pings_received) ' <<<"$out"
    n=$(awk '$1 == "bad_auth" { print $2 }' <<<"$out")
    ((n > 0)) || cl_fail "node $k counted none of node 2's datagrams in bad_auth: $out"
done
out=$(cl sh 2 nodes) || cl_fail "nodes on node 2"
echo "$out"
! grep -Eq '^[01] +up ' <<<"$out" || cl_fail "node 2 shows a node with the right key up"
out=$(cl sh 2 rpcstat) || cl_fail "rpcstat on node 2"
n=$(awk '$1 == "bad_auth" { print $2 }' <<<"$out")
((n > 0)) || cl_fail "node 2 counted nothing in bad_auth: $out"
cl down >/dev/null
cl_pass
