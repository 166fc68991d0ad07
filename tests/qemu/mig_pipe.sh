#!/usr/bin/env bash
# A pipeline across three nodes (docs/fs.md "Streams across nodes"): the
# producer, a shell loop at home, is migrated to node 1 while it writes
# (its `sleep` children are then forked there, their pids from home), the
# filter is rexec'd to node 2, the consumer stays at home; the result is
# exactly the local one and the shell gets the pipeline's status. Then a
# bigger stream through two remote stages (seq at home | grep on node 1 |
# wc on node 2) counts exactly.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_pipe
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

cl sh 0 'rm -f /tmp/pp /tmp/pm' >/dev/null
out=$(cl sh --timeout 300 0 "(sleep 3; migrate \$(cat /tmp/pp) 1 > /tmp/pm 2>&1) & sh -c 'echo \$\$ > /tmp/pp; for i in \$(seq 1 60); do echo \$i; sleep 0.2; done' | rexec 2 grep 7 | tr '\\n' ,; echo status=\$?" |
    tr -d '\r') || cl_fail "pipeline: $out"
[[ $out == *"7,17,27,37,47,57,"* ]] || cl_fail "pipeline output is wrong: $out"
[[ $out == *status=0* ]] || cl_fail "pipeline status: $out"
pm=$(mig_cat 0 /tmp/pm)
[[ $pm == *"node 0 -> node 1"* ]] || cl_fail "the producer was not moved to node 1: $pm"
echo "ok: producer moved to node 1 | filter on node 2 | consumer at home: $(grep -o '7,17.*57,' <<<"$out")"

want=$(seq 1 20000 | grep -c 7)
out=$(cl sh --timeout 300 0 "seq 1 20000 | rexec 1 grep 7 | rexec 2 wc -l; echo status=\$?" | tr -d '\r') ||
    cl_fail "seq | rexec 1 grep | rexec 2 wc: $out"
got=$(grep -xE ' *[0-9]+ *' <<<"$out" | tr -d ' ' | tail -n 1)
[[ $got == "$want" ]] || cl_fail "counted '$out', want $want"
[[ $out == *status=0* ]] || cl_fail "status: $out"
echo "ok: seq at home | grep on node 1 | wc on node 2 counted $want"
cl_pass
