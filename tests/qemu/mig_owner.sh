#!/usr/bin/env bash
# Only a process's owner (a requester whose effective uid is its real
# uid) or root may migrate or evict it (docs/migration.md): migtest run as
# uid 1000 (runas) cannot be moved by uid 1001 (EPERM), on its node at
# home or, once moved, on the node it runs on; uid 1000 and root can move
# it; `evict` by uid 1001 on node 1 is refused and leaves it there, by uid
# 1000 it sends it home, where it passes.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_owner
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

cl sh 0 'runas 1000 migtest -b -p 200 -r 1000000 -d 10 1 > /tmp/o 2>&1 &' >/dev/null ||
    cl_fail "start migtest as uid 1000"
pid=$(mig_file_pid 0 /tmp/o) || cl_fail "migtest did not start"

out=$(cl sh --timeout 120 0 "runas 1001 migrate $pid 1" 2>&1) && cl_fail "uid 1001 moved it: $out"
[[ $out == *"not permitted"* ]] || cl_fail "uid 1001 at home: not EPERM: $out"
mig_ps_has 1 "$pid" && cl_fail "it moved though refused"
echo "ok: uid 1001 may not move uid 1000's process (EPERM)"

out=$(cl sh --timeout 120 0 "runas 1000 migrate $pid 1") || cl_fail "its owner could not move it: $out"
mig_ps_has 1 "$pid" || cl_fail "$pid is not on node 1"
echo "ok: its owner moved it to node 1"

out=$(cl sh --timeout 120 1 "runas 1001 migrate $pid 2" 2>&1) && cl_fail "uid 1001 moved it on node 1: $out"
[[ $out == *"not permitted"* ]] || cl_fail "uid 1001 on node 1: not EPERM: $out"
out=$(cl sh --timeout 120 1 "runas 1001 evict" 2>&1) && cl_fail "uid 1001 evicted it: $out"
[[ $out == *"not permitted"* ]] || cl_fail "evict by uid 1001: not EPERM: $out"
mig_ps_has 1 "$pid" || cl_fail "$pid left node 1 though refused"
echo "ok: on node 1, uid 1001 may neither move nor evict it"

out=$(cl sh --timeout 120 1 "migrate $pid 2") || cl_fail "root could not move it: $out"
mig_ps_has 2 "$pid" || cl_fail "$pid is not on node 2"
out=$(cl sh --timeout 120 2 "runas 1000 evict") || cl_fail "evict by its owner: $out"
[[ $out == *"1 process sent home"* ]] || cl_fail "evict by its owner sent nothing home: $out"
echo "ok: root moved it to node 2; its owner evicted it home"
mig_wait_file 0 /tmp/o "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest did not finish at home"
mig_cat 0 /tmp/o | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest failed"
cl_pass
