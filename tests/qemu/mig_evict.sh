#!/usr/bin/env bash
# Automatic eviction (evict_idle=SECONDS, docs/migration.md): node 1's
# console has been idle for longer than evict_idle when someone types on
# it, so the foreign migtest running there is sent home, where it passes.
# And policy: node 2 (migrate=off) refuses a migration, which then fails
# cleanly with the process going on where it was; both sides count it.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_evict
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 --node-args 1 "evict_idle=4" --node-args 2 "migrate=off" >/dev/null ||
    cl_fail "up -n 3"
cl sh 0 'migtest -b -p 200 -r 1000000 -d 10 1 > /tmp/t1 2>&1 &' >/dev/null || cl_fail "start migtest"
pid=$(mig_file_pid 0 /tmp/t1) || cl_fail "migtest did not start"
out=$(cl sh --timeout 120 0 "migrate $pid 2" 2>&1) && cl_fail "node 2 took a migration: $out"
[[ $out == *"not permitted"* ]] || cl_fail "the refusal is not EPERM: $out"
[[ $(mig_stat 2 refused) == 1 && $(mig_stat 0 refused_by_peer) == 1 ]] ||
    cl_fail "the refusal was not counted on both sides"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "migrate $pid 1: $out"
sleep 8                                  # node 1's console stays idle meanwhile
cl sh 1 true >/dev/null || cl_fail "typing on node 1"
mig_wait_log 1 'the console is in use again: 1 foreign process sent home' 60 ||
    cl_fail "node 1 did not evict its foreign process"
mig_wait_file 0 /tmp/t1 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest did not finish at home"
mig_cat 0 /tmp/t1 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest failed"
cl_pass
