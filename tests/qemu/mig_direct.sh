#!/usr/bin/env bash
# Process migration, direct strategy (docs/migration.md), on 3 nodes:
# migtest (4 MiB, self-checking) moves itself 0 -> 1 -> 2 -> 0 and passes,
# its output reaching its file at home and home's shell its exit status;
# `migrate PID NODE` moves another from outside, 0 -> 1 -> 2 -> 0, printing
# its phases; a process blocked in sleep migrates and still finishes; 50
# hops in a loop with a small heap; stale, duplicate and malformed
# migration messages are refused and counted, and the target still
# accepts a migration after them; evict sends a foreign process home; at
# the end no node holds a stream reference.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_direct
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

# 1. Self-migration A -> B -> C -> A with 4 MiB of checked heap; the
# shell at home waits for it (no &) and learns its exit status; its output
# (to a file in home's /tmp) came from every node.
out=$(cl sh --timeout 300 0 'migtest -r 40 -d 10 4 1 2 0 > /tmp/t1 2>&1; echo status=$?') ||
    cl_fail "migtest 1: $out"
[[ $out == *status=0* ]] || cl_fail "migtest 1 exit status: $out"
t1=$(mig_cat 0 /tmp/t1)
grep -q 'migtest: PASS pid [0-9]* node 0$' <<<"$t1" || cl_fail "migtest 1 failed: $t1"
grep -q 'migtest: pid [0-9]* moved to node 1 (0 -> 1)' <<<"$t1" || cl_fail "never ran on node 1: $t1"
grep -q 'migtest: pid [0-9]* moved to node 2 (1 -> 2)' <<<"$t1" || cl_fail "never ran on node 2: $t1"

# 2. From outside: migrate PID NODE, hop by hop, each printing its phases.
cl sh 0 'migtest -b -p 200 -r 1000000 -d 10 2 > /tmp/t2 2>&1 &' >/dev/null ||
    cl_fail "start migtest 2"
pid=$(mig_file_pid 0 /tmp/t2) || cl_fail "no pid for migtest 2"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "migrate $pid 1: $out"
[[ $out == *"migrated pid $pid: node 0 -> node 1 (direct)"* && $out == *transfer* ]] ||
    cl_fail "migrate printed no phases: $out"
[[ $out == *"migrate: pid $pid node 0->1 strategy direct total_us"* ]] ||
    cl_fail "migrate printed no one-line form: $out"
out=$(cl sh --timeout 120 1 "migrate $pid 2") || cl_fail "migrate $pid 2 from node 1: $out"
out=$(cl sh --timeout 120 2 "migrate $pid 0 direct") || cl_fail "migrate $pid 0 from node 2: $out"
mig_wait_file 0 /tmp/t2 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "migtest 2 did not finish at home"
mig_cat 0 /tmp/t2 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "migtest 2 failed"

# 3. A process blocked in sleep moves and still finishes (not timed).
cl sh 0 'sleep 90 &' >/dev/null || cl_fail "start sleep"
spid=$(cl sh 0 'ps' | tr -d '\r' | awk '$6 == "sleep" && $7 == "90" { print $1 }' | tail -n 1)
[[ -n $spid ]] || cl_fail "no pid for sleep"
out=$(cl sh --timeout 120 0 "migrate $spid 1") || cl_fail "migrate the sleeper: $out"
cl sh 1 ps | tr -d '\r' | grep -q "^ *$spid " || cl_fail "sleep $spid is not on node 1"
gone=0
for _ in $(seq 240); do
    cl sh 1 ps | tr -d '\r' | grep -q "^ *$spid " || { gone=1; break; }
    sleep 1
done
((gone)) || cl_fail "sleep $spid never finished on node 1"

# 4. Fifty hops in a loop with a small heap; home's shell waits for it.
hops=$(for i in $(seq 0 49); do echo -n "$(((i % 3 + 1) % 3)) "; done)
last=$(((49 % 3 + 1) % 3))
out=$(cl sh --timeout 600 0 "migtest -r 102 -d 0 0.25 $hops > /tmp/t4 2>&1; echo status=\$?") ||
    cl_fail "migtest 4: $out"
[[ $out == *status=0* ]] || cl_fail "50 hops: exit status: $out"
mig_cat 0 /tmp/t4 | grep -q "migtest: PASS pid [0-9]* node $last$" ||
    cl_fail "migtest failed after 50 hops"

# 5. Stale, duplicate and malformed messages: refused and counted.
stale0=$(mig_stat 1 stale)
bad0=$(mig_stat 1 malformed)
out=$(cl sh --timeout 120 0 'migrate probe 1') || cl_fail "migrate probe 1: $out"
[[ $out == *"probe: 11 refused"* ]] || cl_fail "not every bad message was refused: $out"
stale1=$(mig_stat 1 stale)
bad1=$(mig_stat 1 malformed)
((stale1 >= stale0 + 5 && bad1 >= bad0 + 3)) ||
    cl_fail "node 1 did not count them: stale $stale0 -> $stale1, malformed $bad0 -> $bad1"
out=$(cl sh --timeout 300 0 'migtest -r 30 -d 10 1 1 > /tmp/t5 2>&1; echo status=$?') ||
    cl_fail "migtest 5: $out"
[[ $out == *status=0* ]] && mig_cat 0 /tmp/t5 | grep -q 'migtest: PASS pid [0-9]* node 1$' ||
    cl_fail "node 1 took no migration after the bad messages: $out"

# 6. evict: node 1 sends its foreign processes home.
cl sh 0 'migtest -b -p 200 -r 1000000 -d 10 1 > /tmp/t6 2>&1 &' >/dev/null ||
    cl_fail "start migtest 6"
pid=$(mig_file_pid 0 /tmp/t6) || cl_fail "migtest 6 did not start"
out=$(cl sh --timeout 120 0 "migrate $pid 1") || cl_fail "migrate $pid 1: $out"
out=$(cl sh --timeout 120 1 evict) || cl_fail "evict: $out"
[[ $out == *"1 process sent home"* ]] || cl_fail "evict sent nothing home: $out"
mig_wait_file 0 /tmp/t6 "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "evicted migtest did not finish"
mig_cat 0 /tmp/t6 | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "evicted migtest failed"

# 7. Every process that moved has ended: no node holds a stream reference.
mig_no_stream_refs 0 1 2
cl_pass
