#!/usr/bin/env bash
# The flush migration strategy (docs/migration.md "Strategies"), on 3
# nodes: migtest with 8 MiB of pages it keeps rewriting moves itself
# 0 -> 1 -> 2 -> 0 with -s flush (its pages written to a backing file on
# the file server, demand-paged and read in the background at the target)
# and passes; one is moved from outside with `migrate PID NODE flush`, by a
# node that is not the file server, and passes at home; the source of a
# flush move may go away at once (the pages are at the server, not there):
# a process moved 1 -> 2 runs to its end after node 1's QEMU is killed;
# migrate_strategy=flush makes it the default; and every backing file is
# removed once read.
# test-timeout: 900
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup fsmig_flush
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 --kernel-args "migrate_strategy=flush" >/dev/null || cl_fail "up -n 3"

fstat() {
    cl sh "$1" 'fsmigtest stat' | tr -d '\r' | awk -v n="$2" '$1 == n { print $2 }'
}

# 1. moving itself, with the default strategy (flush)
out=$(cl sh --timeout 400 0 'migtest -r 30 -d 10 8 1 2 0 > /tmp/t1 2>&1; echo status=$?') ||
    cl_fail "migtest 1: $out"
[[ $out == *status=0* ]] || cl_fail "migtest 1: $out $(mig_cat 0 /tmp/t1)"
mig_cat 0 /tmp/t1 | grep -q "migtest: PASS pid [0-9]* node 0$" || cl_fail "migtest 1 failed"
[[ $(fstat 0 flush_out) -ge 1 && $(fstat 1 flush_in) -ge 1 ]] || cl_fail "no flush move counted"
[[ $(fstat 0 flush_pages_written) -ge 2048 ]] || cl_fail "fewer pages flushed than 8 MiB"

# 2. from outside, explicitly
cl sh 0 'migtest -b -p 200 -r 1000000 -d 5 4 > /tmp/t2 2>&1 &' >/dev/null || cl_fail "start migtest 2"
pid=$(mig_file_pid 0 /tmp/t2) || cl_fail "migtest 2 did not start"
for hop in "0 2" "2 1" "1 0"; do
    read -r from to <<<"$hop"
    out=$(cl sh --timeout 180 "$from" "migrate $pid $to flush") || cl_fail "migrate $pid $to: $out"
    [[ $out == *"node $from -> node $to (flush)"* ]] || cl_fail "not a flush move: $out"
    sleep 3     # let the target read the pages in (else the next move is EBUSY)
done
mig_wait_file 0 /tmp/t2 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest 2 did not finish"
mig_cat 0 /tmp/t2 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest 2 failed"

# 3. the source goes away right after the move: the pages are at the server
cl sh 0 'rexec 1 /bin/migtest -p 100 -r 2500 -d 5 4 > /tmp/t3 2>&1 &' >/dev/null ||
    cl_fail "start migtest 3"
pid=$(mig_file_pid 0 /tmp/t3) || cl_fail "migtest 3 did not start"
out=$(cl sh --timeout 180 1 "migrate $pid 2 flush") || cl_fail "migrate $pid 2: $out"
cl kill 1 >/dev/null 2>&1 || cl_fail "kill node 1"
mig_wait_file 0 /tmp/t3 "migtest: (PASS|FAIL) pid $pid" 400 || cl_fail "migtest 3 did not finish"
mig_cat 0 /tmp/t3 | grep -q "migtest: PASS pid $pid node 2$" || cl_fail "migtest 3 failed"

# 4. every backing file removed
for i in $(seq 20); do
    left=$(cl sh 0 'ls /shared/.swap | wc -l' | tr -d '\r ')
    [[ $left == 0 ]] && break
    sleep 2
done
[[ $left == 0 ]] || cl_fail "backing files left: $(cl sh 0 'ls /shared/.swap')"
cl_pass
