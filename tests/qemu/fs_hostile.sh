#!/usr/bin/env bash
# Hostile requests to the file server through real nodes (docs/fs.md
# "Hostile requests"): user/fshostile on node 1 sends node 0's server
# malformed FS requests over RPC (random bytes for every op, one byte short
# or long, forged handles, huge offsets and lengths, strings running past
# the message), then on node 0 itself through the local path. The server
# must stay up, its srv_bad counter must grow by exactly the requests its
# decoder refused, /shared must keep working from both nodes, and the image
# must be clean afterwards.
# test-timeout: 900
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_hostile
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-fsck; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

srv_bad() { cl sh 0 fsstat | awk '$1 == "server_bad_requests" { print $2 }'; }

cl up -n 2 --timeout 200 || cl_fail "up -n 2"
cl_expect_status 0 sh 1 'echo sane > /shared/sane && sync'
for node in 1 0; do
    before=$(srv_bad) || cl_fail "fsstat on 0"
    [[ $before =~ ^[0-9]+$ ]] || cl_fail "no server_bad_requests in fsstat: '$before'"
    out=$(cl sh --timeout 600 "$node" 'fshostile 1500') || cl_fail "fshostile on $node: $out"
    read -r _ _ bad _ refused _ served _ down <<<"$out"
    [[ $down == 0 ]] || cl_fail "the server went away under fshostile from $node: $out"
    ((bad > 100 && refused > 10)) || cl_fail "too few requests refused from $node: $out"
    after=$(srv_bad) || cl_fail "fsstat on 0 after fshostile from $node"
    ((after - before == bad)) ||
        cl_fail "srv_bad grew by $((after - before)), the decoder refused $bad ($out)"
    echo "from node $node: $out"
done
[[ $(cl_node_state 0) == up ]] || cl_fail "node 0 is not up"
cl_expect_out "sane" sh 1 'cat /shared/sane'
cl_expect_out "sane" sh 0 'cat /shared/sane'
cl_expect_status 0 sh 1 'echo still > /shared/still && sync'
cl_expect_out "still" sh 0 'cat /shared/still'
cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck -n after the hostile requests: $out"
cl_pass
