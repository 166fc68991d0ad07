#!/usr/bin/env bash
# The target dies just after the commit (docs/migration.md, failure): node
# 0 is started with migrate_delay=commit:40000 (a test knob: the source
# sleeps after home_moved, before MIG_RESUME), and node 1's QEMU is killed
# meanwhile. The process belongs to node 1 by then: migrate reports the
# move, home (node 0) reaps the process when it learns node 1 is down
# ("lost: node 1 went down"), the parent's wait gets SIGKILL's 137, and it
# never runs again anywhere (no PASS, not in node 0's ps).
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_tdead_commit
cd "$CL_ROOT" || exit 1
mig_target_dies commit
[[ $MIG_OUT == *mig=0* ]] || cl_fail "migrate did not report the committed move: $MIG_OUT"
[[ $MIG_OUT == *status=137* ]] || cl_fail "the parent's wait did not get 137: $MIG_OUT"
cl log 0 | tr -d '\r' | grep -q "process $MIG_PID (migtest) lost: node 1 went down" ||
    cl_fail "home did not report the process lost"
mig_cat 0 /tmp/c | grep -q "PASS" && cl_fail "migtest ran on after the commit to a dead node"
mig_ps_has 0 "$MIG_PID" && cl_fail "$MIG_PID is still listed at node 0"
cl_pass
