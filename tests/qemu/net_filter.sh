#!/usr/bin/env bash
# A node takes in only the frames for it (docs/net.md, "Receive filter"):
# scripts/cluster's segment is a hub and QEMU's virtio-net starts
# promiscuous, so without the filter every node received every other
# pair's traffic; a migration streaming between nodes 1 and 2 flooded node
# 0's ring until it lost its own peers' answers and marked both down (CI's
# mig_precopy failure). Here node 1 streams 4 MiB to node 2 three times;
# node 0 must see almost none of those frames, and no peer may go down.
# Counts frames; never times anything.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup net_filter
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

rx() { cl sh "$1" 'netstat' | tr -d '\r' | awk '$1 == "rx_frames" { print $2 }'; }
grep -aq "receives its own and broadcast" "$CL_DIR/node0.log" ||
    cl_fail "node 0's virtio-net did not turn promiscuous mode off: $(grep -a virtio-net "$CL_DIR/node0.log")"
a0=$(rx 0) b0=$(rx 2)
out=$(cl sh --timeout 300 1 "rpcbench stream 2 4194304 3") || cl_fail "stream 1 -> 2: $out"
a1=$(rx 0) b1=$(rx 2)
seen0=$((a1 - a0)) seen2=$((b1 - b0))
echo "frames received while node 1 streamed 12 MiB to node 2: node 2 $seen2, node 0 $seen0"
((seen2 > 6000)) || cl_fail "node 2 received only $seen2 frames of a 12 MiB stream"
((seen0 * 20 < seen2)) || cl_fail "node 0 received $seen0 frames of the 1 -> 2 stream's $seen2"
downs=$(cl sh 0 'rpcstat' | tr -d '\r' | awk '$1 == "peer_down_events" { print $2 }')
[[ $downs == 0 ]] || cl_fail "node 0 marked a peer down $downs times"
cl_pass
