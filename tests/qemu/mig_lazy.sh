#!/usr/bin/env bash
# Process migration, lazy strategy (docs/migration.md), on 3 nodes: the
# target resumes the process at once and fetches a page from the source
# when it faults on it, while the source pushes the rest. migtest (4 MiB)
# moves itself 0 -> 1 -> 2 -> 0 lazily and passes; another is moved from
# outside hop by hop (a move waits while pages are still arriving) and
# passes; and when the source (not its home) dies before every page
# moved, the process is ended with a clear message, never passes, and its
# home reaps it. Node 2 waits 30 s before it pushes as a lazy source
# (migrate_delay=push:30000, a test knob; faults are served meanwhile), so
# it surely dies with pages left however slow the host is.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_lazy
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 --mem 384M --node-args 2 "migrate_delay=push:30000" >/dev/null || cl_fail "up -n 3"

out=$(cl sh --timeout 300 0 'migtest -s lazy -r 40 -d 10 4 1 2 0 > /tmp/t1 2>&1; echo status=$?') ||
    cl_fail "migtest 1: $out"
[[ $out == *status=0* ]] || cl_fail "migtest 1: exit status: $out"
t1=$(mig_cat 0 /tmp/t1)
grep -q 'migtest: PASS pid [0-9]* node 0$' <<<"$t1" || cl_fail "migtest 1 failed: $t1"
grep -q 'migtest: pid [0-9]* moved to node 2' <<<"$t1" || cl_fail "migtest 1 never ran on node 2: $t1"

cl sh 0 'migtest -b -p 200 -r 1000000 -d 10 3 > /tmp/t2 2>&1 &' >/dev/null ||
    cl_fail "start migtest 2"
pid=$(mig_file_pid 0 /tmp/t2) || cl_fail "migtest 2 did not start"
for hop in "0 1" "1 2" "2 0"; do
    read -r from to <<<"$hop"
    ok=0
    for _ in $(seq 30); do
        out=$(cl sh --timeout 120 "$from" "migrate $pid $to lazy" 2>&1) && { ok=1; break; }
        [[ $out == *busy* ]] || break
        sleep 1
    done
    ((ok)) || cl_fail "migrate $pid $to lazy from node $from: $out"
    [[ $out == *"node $from -> node $to (lazy)"* ]] || cl_fail "not a lazy move: $out"
done
mig_wait_file 0 /tmp/t2 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest 2 did not finish at home"
f1=$(mig_stat 1 lazy_fetches)
f2=$(mig_stat 2 lazy_fetches)
((f1 + f2 > 0)) || cl_fail "no page was fetched on a fault: the moves were not lazy"
mig_cat 0 /tmp/t2 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest 2 failed"

# The source dies with pages still to push: 64 MiB moved directly 0 -> 2,
# then lazily 2 -> 1, then node 2 is killed before it pushes. Its home (node 0)
# stays up, so only the lost pages end it; home learns of its death.
cl sh 0 'migtest -p 200 -r 1000000 -d 10 64 > /tmp/t3 2>&1 &' >/dev/null || cl_fail "start migtest 3"
pid=$(mig_file_pid 0 /tmp/t3) || cl_fail "migtest 3 did not start"
out=$(cl sh --timeout 200 0 "migrate $pid 2 direct") || cl_fail "migrate $pid 2 direct: $out"
out=$(cl sh --timeout 120 2 "migrate $pid 1 lazy") || cl_fail "migrate $pid 1 lazy: $out"
mig_wait_log 2 "migrate pid $pid: test delay at push" 60 || cl_fail "node 2 never waited to push"
cl kill 2 >/dev/null || cl_fail "kill 2"
mig_wait_log 1 "process $pid \(migtest\) ended: node 2 holding its pages went down" 120 ||
    cl_fail "node 1 did not end the process whose pages were lost"
gone=0
for _ in $(seq 60); do
    mig_ps_has 0 "$pid" || { gone=1; break; }
    sleep 1
done
((gone)) || cl_fail "home still lists $pid"
mig_ps_has 1 "$pid" && cl_fail "process $pid is still on node 1"
mig_cat 0 /tmp/t3 | grep -q "migtest: PASS pid $pid" && cl_fail "migtest 3 passed without its pages"
cl_pass
