#!/usr/bin/env bash
# Remote exec and the home table (docs/home.md): `rexec 1 PROG` from node 0
# runs PROG on node 1 (it writes node 1's name into node 1's /tmp) and
# rexec exits with its status; while it runs, node 0's ps shows it with
# HOME 0, NODE 1 and state A (away), node 1's ps shows it running there,
# and `ps -c` on either node lists it once with home 0 and node 1 next to
# the other node's processes; when it ends, the home's table forgets it.
# The caller's streams are held for node 1 by node 0 itself (no claim back)
# and given back by the exit report, or by node 0 when node 1 cannot start
# the program: once the programs have ended, no node holds a reference.
# test-timeout: 600
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup home_rexec
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

out=$(cl sh --timeout 120 0 'rexec 1 sh -c "uname -n > /tmp/where; exit 5"; echo rc=$?')
[[ $out == *rc=5* ]] || cl_fail "rexec's status is not the remote program's 5: $out"
cl_expect_out "node1" sh 1 'cat /tmp/where'
out=$(cl sh 0 'cat /tmp/where 2>&1')
[[ $out != node* ]] || cl_fail "the program ran on node 0: $out"
cl_expect_out "rc=0" sh --timeout 120 0 'rexec 1 true; echo rc=$?'
cl_expect_out "rc=1" sh --timeout 120 0 'rexec 1 false; echo rc=$?'
out=$(cl sh --timeout 120 0 'rexec 1 /no/such/prog; echo rc=$?')
[[ $out == *rc=127* ]] || cl_fail "rexec of a missing program: $out"
# Every reference taken for node 1 was given back exactly once: the exit
# report's drops, the refused program's discard (a reference dropped twice
# fails the second time and is counted in bad; one never dropped stays).
no_refs() {
    local k
    for k in 0 1; do
        declare -A st=()
        cl_stats st "$k" 'streamtest stat' || cl_fail "streamtest stat on node $k"
        [[ -n ${st[refs]:-} && -n ${st[bad]:-} ]] || cl_fail "streamtest stat on node $k: no counts"
        ((st[refs] == 0 && st[rows] == 0 && st[bad] == 0)) ||
            cl_fail "$1: node $k's exports: refs ${st[refs]} rows ${st[rows]} bad ${st[bad]}"
        unset st
    done
}
no_refs "after rexec of sh, true, false and a missing program"
out=$(cl sh --timeout 120 0 'rexec 1 sh -c "exec 5>/tmp/x; exec 6</dev/null; echo hi" | cat; echo rc=$?')
[[ $out == *hi*rc=0* ]] || cl_fail "rexec through a pipe: $out"
no_refs "after rexec into a pipe"

# A long one: what the tables say while it runs (90 s: on a loaded host
# the four ps below, each a command on a node console, take 20 s or more).
cl sh 0 'rexec 1 sleep 90 >/dev/null 2>&1 &' >/dev/null || cl_fail "start rexec sleep"
sleep 3
out=$(cl sh 0 ps) || cl_fail "ps on node 0"
echo "$out"
line=$(grep -E '^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ [A-Z] sleep 90$' <<<"$out")
read -r pid ppid home node st _ <<<"$line"
[[ $home == 0 && $node == 1 && $st == A ]] ||
    cl_fail "node 0's ps does not show sleep away on node 1 (home 0): '$line'"
(( (pid >> 20) == 0 )) || cl_fail "the remote process's pid $pid lacks home 0's bits"
rline=$(grep " rexec 1 sleep 90$" <<<"$out")
read -r rpid _ <<<"$rline"
[[ $ppid == "$rpid" ]] || cl_fail "sleep's parent is $ppid, not rexec ($rpid)"
out=$(cl sh 1 ps) || cl_fail "ps on node 1"
echo "$out"
grep -Eq "^ *$pid +0 +0 +1 [RS] sleep 90$" <<<"$out" ||
    cl_fail "node 1's ps does not show $pid running there (home 0, parent at home)"
for k in 0 1; do
    out=$(cl sh "$k" 'ps -c') || cl_fail "ps -c on node $k"
    n=$(grep -Ec "^ *[0-9]+ +[0-9]+ +[0-9]+ +[0-9]+ [A-Z] sleep 90$" <<<"$out")
    [[ $n == 1 ]] || cl_fail "ps -c on node $k lists sleep $n times: $out"
    grep -Eq "^ *$pid +$ppid +0 +1 [RS] sleep 90$" <<<"$out" ||
        cl_fail "ps -c on node $k: no '$pid $ppid 0 1' sleep: $out"
    grep -Eq "^ *$(( (1 << 20) | 1 )) +0 +1 +1 " <<<"$out" ||
        cl_fail "ps -c on node $k does not list node 1's init: $out"
    grep -Eq "^ *1 +0 +0 +0 " <<<"$out" || cl_fail "ps -c on node $k does not list node 0's init"
done
for _ in $(seq 1 90); do
    out=$(cl sh 0 ps)
    grep -q ' A sleep 90$' <<<"$out" || break
    sleep 2
done
! grep -q ' A sleep 90$' <<<"$out" || cl_fail "the home table still lists sleep after it ended: $out"
cl down >/dev/null
cl_pass
