#!/usr/bin/env bash
# Process migration, pre-copy strategy (docs/migration.md), on 3 nodes: a
# running migtest (rewriting pages all the time) is moved 0 -> 1 -> 2 -> 0
# with `migrate PID NODE precopy` (rounds of dirty pages while it runs,
# then the rest frozen) and passes at home; one that moves itself with -s
# precopy (frozen in the call: one round, then the rest) also passes; and
# migrate_strategy=precopy on the command line makes pre-copy the default.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_precopy
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 --kernel-args "migrate_strategy=precopy" >/dev/null || cl_fail "up -n 3"

cl sh 0 'migtest -b -p 200 -r 1000000 -d 5 3 > /tmp/t1 2>&1 &' >/dev/null ||
    cl_fail "start migtest 1"
pid=$(mig_file_pid 0 /tmp/t1) || cl_fail "migtest 1 did not start"
resent=0
for hop in "0 1" "1 2" "2 0"; do
    read -r from to <<<"$hop"
    out=$(cl sh --timeout 180 "$from" "migrate $pid $to precopy") ||
        cl_fail "migrate $pid $to precopy from node $from: $out"
    [[ $out == *"node $from -> node $to (precopy)"* ]] || cl_fail "not a pre-copy move: $out"
    r=$(tr -d '\r' <<<"$out" | sed -n 's/^migrate: pid .* resent \([0-9]*\)$/\1/p' | tail -n 1)
    resent=$((resent + ${r:-0}))
done
echo "pages sent again over 3 hops: $resent"
mig_wait_file 0 /tmp/t1 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest 1 did not finish at home"
mig_cat 0 /tmp/t1 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest 1 failed"

# The default strategy (migrate_strategy=precopy), moving itself.
out=$(cl sh --timeout 300 0 'migtest -r 40 -d 10 4 1 2 0 > /tmp/t2 2>&1; echo status=$?') ||
    cl_fail "migtest 2: $out"
[[ $out == *status=0* ]] || cl_fail "migtest 2: exit status: $out"
mig_cat 0 /tmp/t2 | grep -q "migtest: PASS pid [0-9]* node 0$" || cl_fail "migtest 2 failed"
cl_pass
