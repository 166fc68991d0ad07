#!/usr/bin/env bash
# The target dies during the transfer: its QEMU is killed while a 96 MiB
# migtest streams its pages to it (node 1 drops 20% of its packets, so the
# transfer lasts long enough to be caught). The migration fails before the commit,
# so the process goes on at the source, exactly once: it keeps printing
# there and passes there, and node 0 counts one failed migration and none
# out.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_crash
cd "$CL_ROOT" || exit 1
cl up -n 2 --timeout 180 --mem 512M --node-args 1 "netdrop=20 netseed=5" >/dev/null ||
    cl_fail "up -n 2"
# Its output goes to a file, not the console, so nothing interleaves with
# the shell's own output there (and the file shows its streams stayed).
cl sh 0 'migtest -r 6000 -d 20 96 > /tmp/mt.out 2>&1 &' >/dev/null || cl_fail "start migtest"
for _ in $(seq 120); do
    pid=$(cl sh 0 'cat /tmp/mt.out' | tr -d '\r' | sed -n 's/^migtest: pid \([0-9]*\) node 0 start.*/\1/p')
    [[ -n $pid ]] && break
    sleep 1
done
[[ -n $pid ]] || cl_fail "migtest did not start"
cl sh --timeout 300 0 "migrate $pid 1 > /tmp/mig.out 2>&1; echo status \$? >> /tmp/mig.out" \
    >/dev/null &
cl_bg $!
# Kill node 1 once pages are arriving there.
killed=0
for _ in $(seq 200); do
    n=$(cl sh --timeout 20 1 'migrate stat' 2>/dev/null | tr -d '\r' |
        awk '$1 == "pages_received" { print $2 }')
    if [[ -n $n ]] && ((n > 0)); then
        cl kill 1 >/dev/null || cl_fail "kill 1"
        killed=1
        break
    fi
    sleep 0.2
done
((killed)) || cl_fail "no page ever reached node 1"
wait
out=$(cl sh 0 'cat /tmp/mig.out') || cl_fail "no migrate output"
[[ $out == *"status 1"* ]] || cl_fail "migrate did not fail though its target died: $out"
done=0
for _ in $(seq 900); do
    cl sh 0 'cat /tmp/mt.out' | tr -d '\r' | grep -Eq "migtest: (PASS|FAIL) pid $pid" && {
        done=1
        break
    }
    sleep 1
done
((done)) || cl_fail "migtest did not finish at node 0"
cl sh 0 'cat /tmp/mt.out' | tr -d '\r' | grep -q "migtest: PASS pid $pid node 0$" ||
    cl_fail "migtest failed"
[[ $(mig_stat 0 failed) == 1 && $(mig_stat 0 out) == 0 ]] ||
    cl_fail "node 0 does not count one failed migration and none out"
cl_pass
