#!/usr/bin/env bash
# Two nodes on one virtual segment (tests/lib_net.sh): node 0 (virtio-net)
# pings node 1 (e1000) by node id, then by address with a payload that
# needs IP fragmentation. The first ping must be answered (ARP resolves
# while it waits), then 5 of 5 with 0% loss. Also: a node without any NIC
# still boots (net_init gives -ENODEV and says so).
. "$(dirname "$0")/../lib.sh"
. "$WISP_ROOT/tests/lib_net.sh"

fail() {
    echo "net_ping: FAIL: $*" >&2
    exit 1
}

# No NIC (QEMU adds an e1000 unless told -nic none): networking is off,
# the rest of the node is fine.
st=0
nonic=$WISP_TMP/nonic.serial
# shellcheck disable=SC2046 # the words of wisp_qemu_args split on purpose
timeout -k 5 60 "$QEMU" $(wisp_qemu_args) -nic none -serial "file:$nonic" -kernel "$WISP_KERNEL" \
    -initrd "$WISP_FULL_INITRD" -append "node=0 test=boot" </dev/null >"$nonic.qemu" 2>&1 || st=$?
res=$(wisp_result $st) || { wisp_tail "$nonic"; fail "boot without a NIC: $res"; }
expect_log "$nonic" '^net: no network interface' || fail "no word about the missing NIC"

net_ports || fail "no free UDP ports"
log0=$WISP_TMP/node0.serial log1=$WISP_TMP/node1.serial
net_start_node 1 "$log1" 'node=1 init=/bin/sleep initargs="150"' e1000
wisp_wait_log "$log1" '^wisp: node 1 ready' 90 || fail "node 1 did not come up"
expect_log "$log1" '^net: lwIP .* up, 10\.77\.0\.2/24' || fail "node 1 has no address"

st=0
net_run_node 0 "$log0" 'node=0 test=net_ping init=/bin/init initargs="/bin/ping -c 5 1 && /bin/ping -c 2 -s 3000 10.77.0.2"' \
    virtio-net-pci 120 || st=$?
tr -d '\r' <"$log0" >"$log0.txt"
res=$(wisp_result $st) || { wisp_tail "$log0.txt" 30; fail "node 0: $res (qemu status $st)"; }
for i in 1 2 3 4 5; do
    expect_log "$log0.txt" "^64 bytes from 10\.77\.0\.2: icmp_seq=$i time=[0-9]+\.[0-9]{3} ms$" ||
        fail "no reply for icmp_seq=$i"
done
expect_log "$log0.txt" '^5 packets transmitted, 5 received, 0% packet loss$' || fail "summary"
expect_log "$log0.txt" '^rtt min/avg/max = [0-9.]+/[0-9.]+/[0-9.]+ ms$' || fail "rtt line"
expect_log "$log0.txt" '^3008 bytes from 10\.77\.0\.2: icmp_seq=2 ' || fail "fragmented ping"
expect_log "$log0.txt" '^2 packets transmitted, 2 received, 0% packet loss$' || fail "summary (3000)"
expect_no_log "$log1" 'panic|ASSERT' || fail "node 1 complained"
echo "net_ping: pass"
