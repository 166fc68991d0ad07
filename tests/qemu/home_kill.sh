#!/usr/bin/env bash
# Signals through home (docs/home.md): a `sleep 100` started on node 1 by
# rexec from node 0 is killed with SIGTERM by its pid from node 0 (the
# home posts it to node 1) and rexec reports 143 (128 + SIGTERM); a kill
# of the process group of a rexec'd shell and its two background sleeps
# ends all of them on node 1; ^C typed on node 0's console ends a
# foreground `rexec 1 sleep`; a process whose uid is not root may not
# kill a root process on another node (EPERM from its home).
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup home_kill
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

# The away entry's pid, from node 0's ps (state A, the given command).
away='ps | awk -v c="$c" '"'"'$5 == "A" && substr($0, index($0, $6)) == c { print $1 }'"'"

out=$(cl sh --timeout 150 0 'c="sleep 100"; rexec 1 sleep 100 & b=$!; sleep 5; p=$('"$away"'); echo p=$p; kill $p; wait $b; echo st=$?')
echo "$out"
grep -Eq "^p=[0-9]+$" <<<"$out" || cl_fail "no away entry for the remote sleep on node 0: $out"
grep -qx "st=143" <<<"$out" || cl_fail "the remote sleep killed by SIGTERM: rexec's status is not 143"
out=$(cl sh 1 ps) || cl_fail "ps on node 1"
! grep -q ' sleep 100$' <<<"$out" || cl_fail "sleep 100 still runs on node 1: $out"

# A group: rexec (in its own group as a job of the interactive shell), the
# remote shell and its two sleeps.
out=$(cl sh --timeout 150 0 'rexec 1 sh -c "sleep 101 & sleep 101 & wait" & b=$!; sleep 6; g=$(cut -d" " -f5 /proc/$b/stat); me=$(cut -d" " -f5 /proc/$$/stat); echo g=$g me=$me; [ "$g" != "$me" ] && kill -TERM -$g; wait $b; echo st=$?')
echo "$out"
grep -qx "st=143" <<<"$out" || cl_fail "kill of the group did not end rexec with SIGTERM: $out"
for _ in $(seq 1 20); do
    out=$(cl sh 1 ps) || cl_fail "ps on node 1"
    grep -q 'sleep 101' <<<"$out" || break
    sleep 1
done
! grep -q 'sleep 101' <<<"$out" || cl_fail "the group's sleeps still run on node 1: $out"

# Ctrl-C on the home console: `rexec 1 sleep 102` in the foreground; the
# cluster tool types ^C when its command times out. The tty signals the
# foreground group at home, whose away member gets SIGINT on node 1.
cl sh --timeout 10 0 'rexec 1 sleep 102' >/dev/null 2>&1
for _ in $(seq 1 20); do
    out=$(cl sh 1 ps) || cl_fail "ps on node 1"
    grep -q 'sleep 102' <<<"$out" || break
    sleep 1
done
! grep -q 'sleep 102' <<<"$out" || cl_fail "^C on node 0's console did not end sleep on node 1: $out"
out=$(cl sh 0 ps) || cl_fail "ps on node 0"
! grep -q 'sleep 102' <<<"$out" || cl_fail "^C: rexec or its away entry is still on node 0: $out"

# Permissions travel with the request: uid 1000 on node 1 may not kill a
# root process at home on node 0.
out=$(cl sh --timeout 120 0 'sleep 60 & p=$!; rexec 1 runas 1000 kill $p; echo st=$?; kill $p')
echo "$out"
grep -qx "st=1" <<<"$out" || cl_fail "uid 1000 killed root's process on another node: $out"
cl down >/dev/null
cl_pass
