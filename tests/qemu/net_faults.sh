#!/usr/bin/env bash
# The fault injector (net/net_netif.c), with fixed seeds: node 0 drops 30%
# of the frames it sends and receives and duplicates and reorders 10%;
# node 1 duplicates and reorders 20% (its duplicated replies must not count
# twice). node 0 pings node 1 30 times: some replies must be lost and some
# must arrive, and netstat (WISP_SYS_NETSTAT) must count the faults.
. "$(dirname "$0")/../lib.sh"
. "$WISP_ROOT/tests/lib_net.sh"

fail() {
    echo "net_faults: FAIL: $*" >&2
    exit 1
}

net_ports || fail "no free UDP ports"
log0=$WISP_TMP/node0.serial log1=$WISP_TMP/node1.serial
net_start_node 1 "$log1" 'node=1 netdup=20 netreorder=20 netseed=7 init=/bin/sleep initargs="200"'
wisp_wait_log "$log1" '^wisp: node 1 ready' 90 || fail "node 1 did not come up"
expect_log "$log1" 'injecting drop 0% dup 20% reorder 20% \(seed 7\)' || fail "node 1 knobs"

st=0
net_run_node 0 "$log0" 'node=0 netdrop=30 netdup=10 netreorder=10 netseed=3 test=net_faults init=/bin/init initargs="/bin/ping -c 30 -i 0.2 1; /bin/netstat"' \
    virtio-net-pci 150 || st=$?
tr -d '\r' <"$log0" >"$log0.txt"
res=$(wisp_result $st) || { wisp_tail "$log0.txt" 30; fail "node 0: $res (qemu status $st)"; }

line=$(grep -E '^30 packets transmitted, [0-9]+ received, ' "$log0.txt") || fail "no ping summary"
got=$(echo "$line" | awk '{print $4}')
echo "net_faults: $line"
((got > 0 && got < 30)) || fail "expected some but not all replies, got $got of 30"
val() { awk -v k="$1" '$1 == k { print $2 }' "$log0.txt"; }
for k in injected_drop injected_dup injected_reorder rx_dropped tx_frames rx_frames; do
    v=$(val $k)
    [[ -n $v ]] || fail "netstat printed no $k"
    echo "net_faults: $k $v"
    ((v > 0)) || fail "$k is 0"
done
echo "net_faults: pass"
