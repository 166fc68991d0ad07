#!/usr/bin/env bash
# Failure detection (docs/rpc.md): three nodes, and nobody calls anybody.
# The members find each other by PING; when node 2's QEMU is killed, nodes
# 0 and 1 show it down within rpcdead + one ping period (3 + 1 s by
# default) plus slack for the consoles, without any call being made; once
# it is restarted they see it up with a new boot id. Also prints the idle
# cost: RPC packets per second sent by each node over 20 s.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup rpc_detect
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# node 2's "boot state" as node K sees it.
view() { cl sh "$1" nodes | awk '$1 == 2 { print $3, $2 }'; }
stat_of() { cl sh "$1" rpcstat | awk -v f="$2" '$1 == f { print $2 }'; }

cl up -n 3 --timeout 150 >/dev/null || cl_fail "up -n 3"
for k in 0 1 2; do
    for _ in $(seq 1 30); do
        up=$(cl sh "$k" nodes | grep -Ec '^[0-9]+ +up ')
        ((up == 3)) && break
        sleep 1
    done
    ((up == 3)) || cl_fail "node $k does not see all 3 nodes up: $(cl sh "$k" nodes)"
done
read -r boot0 _ <<<"$(view 0)"
read -r boot1 _ <<<"$(view 1)"
[[ $boot0 == "$boot1" ]] || cl_fail "nodes 0 and 1 disagree on node 2's boot id: $boot0 $boot1"

# Idle cost, from the counters: all RPC datagrams out (the time sync's
# calls included), and the detector's own (PINGs sent, PINGs answered),
# per second of the node's own clock between two samples (its uptime: the
# user, system and idle time of /proc/stat's cpu line, in 1/100 s).
declare -A s0
for k in 0 1 2; do s0[$k]=$(cl sh "$k" 'head -n 1 /proc/stat; rpcstat'); done
sleep 20
for k in 0 1 2; do
    s1=$(cl sh "$k" 'head -n 1 /proc/stat; rpcstat')
    printf '%s\n--\n%s\n' "${s0[$k]}" "$s1" | awk -v k="$k" '
        $0 == "--" { second = 1; up = 0; next }
        !up { t[second] = ($2 + $4 + $5) / 100; up = 1; next }
        { v[second, $1] = $2 }
        END {
            d = t[1] - t[0]
            tx = v[1, "tx_packets"] - v[0, "tx_packets"]
            ps = v[1, "pings_sent"] - v[0, "pings_sent"]
            pr = v[1, "pings_received"] - v[0, "pings_received"]
            printf "idle node %d over %.1f s: %d datagrams out (%.2f/s); detector: %d PINGs " \
                   "+ %d answers (%.2f/s)\n", k, d, tx, tx / d, ps, pr, (ps + pr) / d }'
done
# Node 0 is the time source (timesrc=0), which makes no calls; node 1's
# only calls are its time syncs with node 0, and a call to the dead node 2
# could only end in a timeout.
calls0=$(stat_of 0 calls)
timeouts1=$(stat_of 1 timeouts)

cl kill 2 >/dev/null || cl_fail "kill 2"
t0=$SECONDS
for _ in $(seq 1 30); do
    s0=$(view 0 | awk '{ print $2 }')
    s1=$(view 1 | awk '{ print $2 }')
    [[ $s0 == down && $s1 == down ]] && break
    sleep 0.5
done
dt=$((SECONDS - t0))
echo "node 2 killed: seen down by nodes 0 and 1 after ${dt}s"
[[ $s0 == down && $s1 == down ]] || cl_fail "node 2 not seen down: node 0 '$s0', node 1 '$s1'"
((dt <= 12)) || cl_fail "node 2 seen down only after ${dt}s (bound 3 + 1 s plus slack)"
[[ $(stat_of 0 calls) == "$calls0" && $(stat_of 1 timeouts) == "$timeouts1" ]] ||
    cl_fail "a call was made to node 2: the detection must not need one"

cl restart 2 --timeout 150 >/dev/null || cl_fail "restart 2"
for _ in $(seq 1 30); do
    read -r b0 s0 <<<"$(view 0)"
    read -r b1 s1 <<<"$(view 1)"
    [[ $s0 == up && $s1 == up && $b0 != "$boot0" && $b1 != "$boot0" ]] && break
    sleep 1
done
echo "node 2: boot id $boot0 -> $b0 (node 0), $b1 (node 1)"
[[ $s0 == up && $s1 == up ]] || cl_fail "node 2 not seen up again: '$s0' '$s1'"
[[ $b0 != "$boot0" && $b0 == "$b1" ]] || cl_fail "node 2's new boot id not seen: $boot0 -> $b0 $b1"
for k in 0 1; do
    cl sh "$k" rpcstat | grep -E '^(calls|peer_up_events|peer_down_events|unconfirmed|pings_sent|pings_received) '
done
cl down >/dev/null
cl_pass
