#!/usr/bin/env bash
# Calls forwarded home (docs/home.md): user/hometest prints what getppid,
# getpgid, getsid, setpgid, setsid, getrusage, kill(self, 0), setuid and
# a fork + wait tell it; run through rexec on node 1 (a foreign process
# whose home is node 0) it must print exactly what it prints run on node 0
# itself, apart from its parent's pid -- which must be the rexec that
# started it (getppid answered by home). The forked child's pid has home
# 0's bits though it runs on node 1, and the parent's wait4 gets its
# status 7 over the child-event path, and one SIGCHLD. A fork loop on
# node 1 costs three round trips a child. A child started on node 1 by a
# parent on node 0 reports its stop, continue and SIGKILL to wait4.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup home_fwd
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

out=$(cl sh --timeout 120 0 'rexec 0 hometest -o /tmp/h fork; echo rc=$?')
grep -qx "rc=3" <<<"$out" || cl_fail "hometest run on node 0 did not exit 3: $out"
here=$(cl sh 0 'cat /tmp/h') || cl_fail "hometest's output on node 0"
out=$(cl sh --timeout 120 0 'rexec 1 hometest -o /tmp/h fork & echo bg=$!; wait $!; echo rc=$?')
echo "$out"
grep -qx "rc=3" <<<"$out" || cl_fail "rexec'd hometest did not exit 3: $out"
bg=$(sed -n 's/^bg=\([0-9]*\)$/\1/p' <<<"$out")
there=$(cl sh 1 'cat /tmp/h') || cl_fail "hometest's output on node 1"
echo "--- on node 0:"; echo "$here"; echo "--- on node 1:"; echo "$there"
[[ $(head -n 1 <<<"$there") == "ppid=$bg" ]] ||
    cl_fail "the remote process's getppid is not the rexec ($bg) that started it"
[[ $(tail -n +2 <<<"$here") == "$(tail -n +2 <<<"$there")" ]] ||
    cl_fail "hometest's results differ between node 0 and node 1: $(diff <(echo "$here") <(echo "$there"))"
grep -qx "wait=child status=7" <<<"$there" || cl_fail "the remote wait4 did not get status 7"
grep -qx "sigchld=1" <<<"$there" || cl_fail "the remote parent did not get one SIGCHLD"
grep -qx "fork-home-bits=same" <<<"$there" || cl_fail "the remote child's pid is not home's"
grep -qx "child-ppid=self" <<<"$there" || cl_fail "the remote child's getppid is not its parent"
grep -qx "setuid-1000=0 uid=1000 euid=1000" <<<"$there" || cl_fail "setuid(1000) remotely"
grep -qx "setuid-0=-1 errno=Operation not permitted" <<<"$there" ||
    cl_fail "uid 1000 could become root again"

# A fork loop away from home (parent and child on node 1, home node 0)
# costs three round trips a child, all from node 1: HOME_FORK, HOME_EXIT
# (whose reply names the parent, so home posts nothing back) and one wait
# query (the wait for the child just forked sleeps first). Before: five
# from node 1 (two wait queries) and two from home (SIGCHLD and the child
# event posted separately).
calls() { cl sh "$1" rpcstat | awk '$1 == "calls" { print $2 }'; }
c0=$(calls 0) c1=$(calls 1)
# (A child's news that never came would cost its wait the 2 s recheck: 40
# of them 80 s, past the 60 s this allows; the loop takes well under 1 s.)
out=$(cl sh --timeout 60 0 'rexec 1 benchloop fork 40; echo rc=$?')
grep -qx "rc=0" <<<"$out" || cl_fail "rexec 1 benchloop fork 40 (lost child events?): $out"
d0=$(( $(calls 0) - c0 )) d1=$(( $(calls 1) - c1 ))
echo "fork loop of 40 on node 1: node 0 made $d0 calls, node 1 $d1"
(( d1 >= 120 && d1 <= 145 )) || cl_fail "node 1 made $d1 calls for 40 forks (want 3 each and a few more, 120-145)"
(( d0 <= 6 )) || cl_fail "home made $d0 calls during node 1's fork loop (posts per child?)"

# Parent and child both away from home, on node 1: home tells the parent of
# the child's stop and continue (SIGCHLD and the event in one message) and
# of its death (in the reply to the child's exit report), as for a local child.
out=$(cl sh --timeout 120 0 'rexec 1 hometest stops; echo rc=$?')
echo "$out"
for want in child-home-bits=same wait-stop=stopped:19 wait-cont=continued wait-kill=killed:9 rc=0; do
    grep -qx "$want" <<<"$out" || cl_fail "rexec 1 hometest stops: no '$want'"
done

# A parent at home and its child on node 1: wait4 reports the child's stop,
# continue and death by SIGKILL, as for a local child.
out=$(cl sh --timeout 120 0 'hometest remote 1')
echo "$out"
for want in child-home-bits=same wait-stop=stopped:19 wait-cont=continued wait-kill=killed:9; do
    grep -qx "$want" <<<"$out" || cl_fail "hometest remote 1: no '$want'"
done
cl down >/dev/null
cl_pass
