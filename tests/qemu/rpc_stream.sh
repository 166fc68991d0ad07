#!/usr/bin/env bash
# Streams (docs/rpc.md, "Streams"): one caller moves more than 64 KiB to a
# node as pieces in flight on several channels. Node 1's STREAM_CHECK op
# checks every byte of every piece against a pattern of its stream offset,
# so a piece lost, duplicated into the wrong place or cut wrongly fails the
# call. Sizes around the piece boundary (61440 bytes) and 1 MiB+7; a stream
# with one wrong byte is refused with EBADMSG; then 1 MiB streams again over
# a network that drops, duplicates and reorders packets.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_stream
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"
for size in 0 1 61439 61440 61441 262144 1048583; do
    out=$(cl sh --timeout 120 0 "rpcbench stream 1 $size 2") ||
        cl_fail "stream of $size bytes from node 0 to node 1: $out"
    echo "$out" | grep '^stream:'
    want=$(( size == 0 ? 1 : (size + 61439) / 61440 ))
    grep -q ": $((want * 2)) calls," <<<"$out" ||
        cl_fail "a stream of $size bytes should take $want calls: $out"
done
out=$(cl sh --timeout 120 1 "rpcbench stream 0 1048576 1") || cl_fail "stream back: $out"
out=$(cl sh --timeout 120 0 "rpcbench stream 1 300000 1 corrupt") ||
    cl_fail "corrupt stream: $out"
echo "$out"
cl down >/dev/null

cl up -n 2 --timeout 150 --kernel-args "netdrop=5 netdup=3 netreorder=3 netseed=5" \
    >/dev/null || cl_fail "up -n 2 with faults"
out=$(cl sh --timeout 300 0 "rpcbench stream 1 1048576 3") ||
    cl_fail "1 MiB streams under faults: $out"
echo "$out" | grep '^stream:'
cl down >/dev/null
cl_pass
