#!/usr/bin/env bash
# The flush strategy on a full volume (docs/migration.md "Strategies"):
# with a 16 MiB shared volume, moving a process with 24 MiB of pages by
# flush cannot write its backing file; the migration fails with ENOSPC
# (not a bare EIO: the server's "no space" is passed up, as the move's
# error), the process goes on where it was and passes there, and the
# partial backing file is removed; a smaller flush move then works.
# test-timeout: 600
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup fsmig_full
cd "$CL_ROOT" || exit 1
cl up -n 2 --timeout 180 --fs 16M >/dev/null || cl_fail "up -n 2"

# 1. too large for the volume: ENOSPC, and it goes on at node 0
cl sh 0 'migtest -p 200 -r 3000 -d 5 24 > /tmp/t1 2>&1 &' >/dev/null ||
    cl_fail "start migtest 1"
pid=$(mig_file_pid 0 /tmp/t1) || cl_fail "migtest 1 did not start"
out=$(cl sh --timeout 300 0 "migrate $pid 1 flush; echo status=\$?")
[[ $out == *"No space left on device"* && $out != *status=0* ]] ||
    cl_fail "a flush move onto a full volume: $out"
mig_wait_file 0 /tmp/t1 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest 1 did not finish"
mig_cat 0 /tmp/t1 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest 1 failed"
left=$(cl sh 0 'ls /shared/.swap | wc -l' | tr -d '\r ')
[[ $left == 0 ]] || cl_fail "a partial backing file left: $(cl sh 0 'ls -l /shared/.swap')"

# 2. one that fits moves
out=$(cl sh --timeout 300 0 'migtest -r 30 -d 10 -s flush 2 1 > /tmp/t2 2>&1; echo status=$?') ||
    cl_fail "migtest 2: $out"
[[ $out == *status=0* ]] || cl_fail "migtest 2: $out $(mig_cat 0 /tmp/t2)"
mig_cat 0 /tmp/t2 | grep -q "migtest: PASS pid [0-9]* node 1$" || cl_fail "migtest 2 failed"
cl_pass
