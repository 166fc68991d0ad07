#!/usr/bin/env bash
# /shared streams across nodes and migration with files (docs/fs.md
# "Streams shared across nodes", docs/migration.md STREAMS row), on 3
# nodes: a parent and its child moved to node 1 write one /shared
# description in turns, and the file holds P0 C0 P1 C1 ... exactly, with
# the parent's offset at its end (the offset moved to the file server);
# a /shared description passed by rexec shares its offset too; a process
# writing a /shared file migrates 0 -> 1 -> 2 -> 0 (its open moves with it,
# its dirty blocks written back first) and the file holds exactly what it
# wrote, read on another node; programs that exist only on /shared are
# run by rexec, migrate themselves and are moved from outside; and no
# stream record is left at the server.
# test-timeout: 900
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup fsmig_streams
cd "$CL_ROOT" || exit 1
cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

# fsmigtest stat's counter NAME on node K
fstat() {
    cl sh "$1" 'fsmigtest stat' | tr -d '\r' | awk -v n="$2" '$1 == n { print $2 }'
}

# 1. one offset for a parent and its migrated child
out=$(cl sh --timeout 300 0 'fsmigtest turns /shared/turns 1 40; echo status=$?') ||
    cl_fail "turns: $out"
[[ $out == *"fsmigtest: PASS"* && $out == *status=0* ]] || cl_fail "turns: $out"
cl_expect_out $'P0\nC0\nP1\nC1' sh 2 'head -n 4 /shared/turns'
cl_expect_out "80" sh 2 'wc -l < /shared/turns'
[[ $(fstat 0 shared) -ge 1 ]] || cl_fail "node 0 made no stream shared"
[[ $(fstat 1 stream_ios) -ge 40 ]] || cl_fail "node 1's writes did not go to the server's stream"

# 2. a /shared description passed by rexec
out=$(cl sh --timeout 120 0 'exec 3>/shared/rx; echo a >&3; rexec 1 /bin/sh -c "echo b >&3"; rexec 2 /bin/sh -c "echo c >&3"; echo d >&3; exec 3>&-; cat /shared/rx') ||
    cl_fail "rexec: $out"
[[ $(tr -d '\r' <<<"$out" | tail -n 4) == $'a\nb\nc\nd' ]] || cl_fail "rexec'd writers: $out"

# 3. a writer migrating three times: its open moves with it
out=$(cl sh --timeout 300 0 'fsmigtest hops /shared/hops 4000 1 2 0; echo status=$?') ||
    cl_fail "hops: $out"
[[ $out == *"4000 lines, 3 hops, now on node 0"* && $out == *status=0* ]] || cl_fail "hops: $out"
cl_expect_out "4000" sh 1 'wc -l < /shared/hops'
cl_expect_out "line 003999 of a migrating writer" sh 2 'tail -n 1 /shared/hops'
cl_expect_out "line 000000 of a migrating writer" sh 1 'head -n 1 /shared/hops'
[[ $(fstat 0 moved_out) -ge 1 && $(fstat 1 moved_in) -ge 1 && $(fstat 2 moved_out) -ge 1 ]] ||
    cl_fail "the opens did not move: $(cl sh 0 'fsmigtest stat')"

# 4. programs only on /shared
cl_expect_status 0 sh 0 'mkdir -p /shared/prog && cp /bin/fsmigtest /shared/prog/fmt && cp /bin/migtest /shared/prog/mt && chmod 755 /shared/prog/fmt /shared/prog/mt'
cl_expect_status 1 sh 2 'test -e /bin/fmt'
cl_expect_out "fsmigtest: on node 2"$'\n'"fsmigtest: PASS" sh 0 'rexec 2 /shared/prog/fmt where'
out=$(cl sh --timeout 300 1 '/shared/prog/fmt hops /shared/hops2 900 2 0 1; echo status=$?') ||
    cl_fail "/shared program hops: $out"
[[ $out == *"fsmigtest: PASS"* && $out == *status=0* ]] || cl_fail "/shared program hops: $out"
out=$(cl sh --timeout 300 0 'rexec 1 /shared/prog/mt -r 30 -d 5 2 2 0; echo status=$?') ||
    cl_fail "rexec'd /shared migtest: $out"
[[ $out == *"migtest: PASS"* && $out == *status=0* ]] || cl_fail "rexec'd /shared migtest: $out"
cl sh 0 '/shared/prog/mt -b -p 200 -r 1000000 -d 5 2 > /tmp/mt 2>&1 &' >/dev/null ||
    cl_fail "start the /shared migtest"
pid=$(mig_file_pid 0 /tmp/mt) || cl_fail "the /shared migtest did not start"
for hop in "0 2" "2 0"; do
    read -r from to <<<"$hop"
    out=$(cl sh --timeout 180 "$from" "migrate $pid $to") || cl_fail "migrate $pid $to: $out"
done
mig_wait_file 0 /tmp/mt "migtest: (PASS|FAIL) pid $pid" 300 || cl_fail "the /shared migtest did not finish"
mig_cat 0 /tmp/mt | grep -q "migtest: PASS pid $pid node 0$" || cl_fail "the /shared migtest failed"

# 5. nothing left at the server
sleep 2
[[ $(fstat 0 srv_streams) == 0 ]] || cl_fail "stream records left: $(cl sh 0 'fsmigtest stat')"
cl_pass
