#!/usr/bin/env bash
# A signal that reaches the source while the process is frozen there,
# after its SIGNALS row was packed and before the commit, follows it to
# the target (docs/migration.md, the commit with home): node 0 runs with
# migrate_delay=transfer:10000 (a test knob: the source sleeps after
# sending the state), `kill -TERM` is sent at home during that sleep, the
# move commits, and the process dies of SIGTERM at node 1 (its parent's
# wait gets 143) instead of running on to its end.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_latesig
cd "$CL_ROOT" || exit 1
cl up -n 2 --timeout 180 --node-args 0 "migrate_delay=transfer:10000" >/dev/null ||
    cl_fail "up -n 2"
out=$(cl sh --timeout 300 0 "migtest -p 100 -r 3000 -d 10 1 > /tmp/l 2>&1 & p=\$!; sleep 2; (sleep 4; kill -TERM \$p; echo killed=\$? > /tmp/k) & migrate \$p 1 > /tmp/m 2>&1; echo mig=\$?; wait \$p; echo status=\$?" |
    tr -d '\r') || cl_fail "run: $out"
cl log 0 | tr -d '\r' | grep -q "test delay at transfer" || cl_fail "no delay at transfer"
[[ $(mig_cat 0 /tmp/k) == killed=0 ]] || cl_fail "kill failed: $(mig_cat 0 /tmp/k)"
[[ $out == *mig=0* ]] || cl_fail "migrate failed: $out $(mig_cat 0 /tmp/m)"
[[ $out == *status=143* ]] || cl_fail "the late SIGTERM was lost: $out"
mig_cat 0 /tmp/l | grep -q PASS && cl_fail "migtest ran to its end"
cl_pass
