#!/usr/bin/env bash
# Crash and reboot (Sprite's recov): after node 1's QEMU is killed, a call
# from node 0 fails within 20 s with "timed out" (or "host is down" when
# the failure detector, rpcdead=, marked node 1 down before the call began)
# and `nodes` on node 0 shows node 1 down; once node 1 is restarted, node 0 sees it up with a new
# boot id (pings to down peers) and calls work again, against the new
# incarnation's counter.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_crash
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# Print node 1's boot id as node 0 sees it, and its state.
boot_of_1() { cl sh 0 nodes | awk '$1 == 1 { print $3, $2 }'; }

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"
out=$(cl sh --timeout 60 0 'rpcbench count 1 3') || cl_fail "count before the crash: $out"
read -r boot1 state1 <<<"$(boot_of_1)"
[[ $state1 == up && -n $boot1 ]] || cl_fail "node 0 does not see node 1 up: '$boot1 $state1'"

cl kill 1 >/dev/null || cl_fail "kill 1"
t0=$SECONDS
out=$(cl sh --timeout 60 0 'rpcbench count 1 1')
st=$?
dt=$((SECONDS - t0))
echo "call to the dead node: status $st after ${dt}s: $out"
[[ $st != 0 ]] || cl_fail "a call to a killed node succeeded: $out"
grep -Eqi 'timed out|host is down' <<<"$out" ||
    cl_fail "the failed call does not say it timed out (or the host is down): $out"
((dt < 20)) || cl_fail "the call took ${dt}s to fail (bound: 20 s)"
out=$(cl sh 0 nodes) || cl_fail "nodes on node 0"
echo "$out"
grep -Eq '^1 +down ' <<<"$out" || cl_fail "node 0 does not show node 1 down"

cl restart 1 --timeout 150 >/dev/null || cl_fail "restart 1"
for _ in $(seq 1 20); do
    read -r boot2 state2 <<<"$(boot_of_1)"
    [[ $state2 == up && $boot2 != "$boot1" ]] && break
    sleep 1
done
[[ $state2 == up ]] || cl_fail "node 0 does not see node 1 up again after its restart"
[[ $boot2 != "$boot1" ]] || cl_fail "node 1's boot id did not change across the restart ($boot1)"
echo "node 1: boot id $boot1 -> $boot2"
out=$(cl sh --timeout 60 0 'rpcbench count 1 5') || cl_fail "count after the restart: $out"
grep -q 'counter now 5 ' <<<"$out" || cl_fail "the new incarnation's counter is not 5: $out"
out=$(cl sh 0 rpcstat) || cl_fail "rpcstat"
grep -E '^(timeouts|hostdown|peer_up_events|peer_down_events|stale_boot) ' <<<"$out"
cl down >/dev/null
cl_pass
