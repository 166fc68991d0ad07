#!/usr/bin/env bash
# A migrated process stays its home's child (docs/migration.md, home.md):
# the shell at home that started it waits for it and gets its exit status
# whether it moved itself (0 -> 1 -> 2, ending on node 2) or was moved by
# another command (`migrate` from a background job of the same shell), a
# non-zero status included; and its output keeps appearing on the home
# console after each move (to node 1, then node 2); and `migrate` typed
# at home reaches a process that runs on another node.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_wait
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

# 1. It moves itself and ends away: home's shell waits (no &) and gets 0;
# its progress lines, printed on nodes 1 and 2, are on home's console
# (captured by `cl sh 0`, which reads node 0's console).
out=$(cl sh --timeout 300 0 'migtest -p 5 -r 30 -d 10 1 1 2; echo status=$?' | tr -d '\r') ||
    cl_fail "migtest 1: $out"
[[ $out == *status=0* ]] || cl_fail "migtest 1: exit status: $out"
grep -q 'migtest: pid [0-9]* node 0 start' <<<"$out" || cl_fail "no start line at home: $out"
grep -q 'migtest: pid [0-9]* moved to node 1 (0 -> 1)' <<<"$out" || cl_fail "no line from node 1: $out"
grep -q 'migtest: pid [0-9]* node 1 round 15 ok=1' <<<"$out" || cl_fail "no progress from node 1: $out"
grep -q 'migtest: pid [0-9]* moved to node 2 (1 -> 2)' <<<"$out" || cl_fail "no line from node 2: $out"
grep -q 'migtest: pid [0-9]* node 2 round 25 ok=1' <<<"$out" || cl_fail "no progress from node 2: $out"
grep -q 'migtest: PASS pid [0-9]* node 2' <<<"$out" || cl_fail "no PASS from node 2: $out"
echo "ok: waited for a self-migrating child; its output from nodes 1 and 2 on home's console"

# 2. Moved by another command (a background job of the same shell): a
# shell that sleeps and then exits 7 is moved to node 1 while it sleeps
# (its sleep child stays at home); the parent's wait gets 7.
out=$(cl sh --timeout 300 0 "sh -c 'sleep 6; exit 7' & p=\$!; sleep 2; migrate \$p 1 > /tmp/m2 2>&1; echo mig=\$?; wait \$p; echo status=\$?" |
    tr -d '\r') || cl_fail "case 2: $out"
[[ $out == *mig=0* ]] || cl_fail "case 2: migrate failed: $out $(mig_cat 0 /tmp/m2)"
[[ $out == *status=7* ]] || cl_fail "case 2: wait did not get 7: $out"
echo "ok: a child moved by another command exits 7 at node 1; its parent's wait gets 7"

# 3. Moved twice from outside while it runs on (0 -> 1 -> 2), then it
# ends at node 2; home's `wait` gets its status, and its output is in its
# file at home.
cl sh 0 'migtest -p 100 -r 2000 -d 20 1 > /tmp/t3 2>&1 &' >/dev/null ||
    cl_fail "start migtest 3"
pid=$(mig_file_pid 0 /tmp/t3) || cl_fail "migtest 3 did not start"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "migrate $pid 1: $out"
out=$(cl sh --timeout 120 1 "migrate $pid 2") || cl_fail "migrate $pid 2 from node 1: $out"
out=$(cl sh --timeout 300 0 "wait $pid; echo status=\$?" | tr -d '\r') || cl_fail "wait: $out"
[[ $out == *status=0* ]] || cl_fail "case 3: wait status: $out"
t3=$(mig_cat 0 /tmp/t3)
grep -q "migtest: pid $pid node 2 round [0-9]* ok=1" <<<"$t3" || cl_fail "no line from node 2: $t3"
grep -q "migtest: PASS pid $pid node 2$" <<<"$t3" || cl_fail "migtest 3 failed: $t3"
echo "ok: moved twice from outside, it ended on node 2 and home's wait got 0"
# 4. `migrate` typed at home for a process that runs elsewhere: the
# command asks home where it runs and runs itself there with rexec
# (0 -> 1 from home, then 1 -> 2 also from home).
cl sh 0 'migtest -p 100 -r 4000 -d 20 1 > /tmp/t4 2>&1 &' >/dev/null ||
    cl_fail "start migtest 4"
pid=$(mig_file_pid 0 /tmp/t4) || cl_fail "migtest 4 did not start"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "migrate $pid 1: $out"
out=$(cl sh --timeout 120 0 "migrate $pid 2; echo mig=\$?" | tr -d '\r') ||
    cl_fail "migrate $pid 2 from home: $out"
[[ $out == *"migrate: pid $pid node 1->2 "* && $out == *mig=0* ]] ||
    cl_fail "migrate from home of a process on node 1: $out"
out=$(cl sh --timeout 300 0 "wait $pid; echo status=\$?" | tr -d '\r') || cl_fail "wait: $out"
[[ $out == *status=0* ]] || cl_fail "case 4: wait status: $out"
grep -q "migtest: PASS pid $pid node 2$" <<<"$(mig_cat 0 /tmp/t4)" || cl_fail "migtest 4 failed"
echo "ok: migrate typed at home moved a process running on node 1 to node 2"
cl_pass
