#!/usr/bin/env bash
# Signals reach a migrated process through its home (docs/home.md): `kill`
# typed at home, and `kill -9` typed on a third node, reach migtest after
# it moved to node 1, and the home shell's `wait` gets 143 and 137; ^C
# typed on the home console ends a foreground migtest that moved itself to
# node 1, and the shell reports status 130. No such process is left on
# node 1.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_signal
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

# 1. kill -TERM at home, after the move; the parent waits.
out=$(cl sh --timeout 200 0 "migtest -r 100000 -d 10 1 > /tmp/k1 2>&1 & p=\$!; sleep 2; migrate \$p 1 > /tmp/m1 2>&1; echo mig=\$?; kill -TERM \$p; wait \$p; echo status=\$?" |
    tr -d '\r') || cl_fail "case 1: $out"
[[ $out == *mig=0* ]] || cl_fail "case 1: migrate failed: $out $(mig_cat 0 /tmp/m1)"
[[ $out == *status=143* ]] || cl_fail "case 1: wait status is not SIGTERM's: $out"
pid=$(mig_file_pid 0 /tmp/k1) || cl_fail "case 1: no pid"
mig_ps_has 1 "$pid" && cl_fail "case 1: $pid is still on node 1"
echo "ok: kill at home ended the process on node 1; wait got 143"

# 2. kill -9 typed on node 2 (routed to home, then to node 1).
cl sh 0 'migtest -r 100000 -d 10 1 > /tmp/k2 2>&1 &' >/dev/null || cl_fail "case 2: start"
pid=$(mig_file_pid 0 /tmp/k2) || cl_fail "case 2: no pid"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "case 2: migrate: $out"
mig_ps_has 1 "$pid" || cl_fail "case 2: $pid is not on node 1"
out=$(cl sh --timeout 60 2 "kill -9 $pid; echo kill=\$?" | tr -d '\r')
[[ $out == *kill=0* ]] || cl_fail "case 2: kill from node 2: $out"
out=$(cl sh --timeout 120 0 "wait $pid; echo status=\$?" | tr -d '\r') || cl_fail "case 2: wait: $out"
[[ $out == *status=137* ]] || cl_fail "case 2: wait status is not SIGKILL's: $out"
mig_ps_has 1 "$pid" && cl_fail "case 2: $pid is still on node 1"
echo "ok: kill -9 from node 2 ended it on node 1; home's wait got 137"

# 3. ^C on the home console: migtest runs in front, moves itself to node 1
# (at round 50), and ^C typed at home ends it there.
sock=$(cl sockdir)/node0.sock   # a short directory when the clone path is long
# (ash drops the rest of a command line whose job died of SIGINT, so the
# status is asked for at the next prompt.)
out=$(mig_drive "$sock" "" '\x15migtest -p 10 -r 100 -d 300 1 1\n' \
    "moved to node 1" '\x03' "sleep:3" '\x15echo st=$?\n' "st=130" "") ||
    cl_fail "case 3: ^C did not end the moved process with SIGINT: $out"
log=$(cl log 0 | tr -d '\r')
pid=$(sed -n 's/^migtest: pid \([0-9]*\) moved to node 1.*/\1/p' <<<"$log" | tail -n 1)
[[ -n $pid ]] || cl_fail "case 3: no pid"
grep -q "migtest: PASS pid $pid" <<<"$log" && cl_fail "case 3: it ran to the end"
mig_ps_has 1 "$pid" && cl_fail "case 3: $pid is still on node 1"
echo "ok: ^C at home ended it on node 1; the shell got 130"
cl_pass
