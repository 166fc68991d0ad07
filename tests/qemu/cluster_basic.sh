#!/usr/bin/env bash
# scripts/cluster end to end: up -n 3; `sh` prints a command's output and
# returns its status; each node knows its name; nodes learn the other
# members by themselves; status; kill 1 (a crash)
# leaves 0 and 2 up; restart 1 boots it again and node 0 reaches it (the
# switch learns its new port); the segment is a learning switch, pcap makes
# it a hub while it records (a frame put on the segment and node 0's pings
# to node 1 are in the file) and a switch again after; a second cluster
# (-n 1, --hub) beside the first does not disturb it; down leaves no QEMU
# or vde_switch behind. State dirs are under
# build/test/; the EXIT trap brings both clusters down whatever happens.
# test-timeout: 600
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup cluster_basic
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 3 --timeout 120 || cl_fail "up -n 3"

cl_expect_out "hello" sh 0 'echo hello'
cl_expect_status 1 sh 1 'false'
cl_expect_status 0 sh 1 'true'
cl_expect_out $'a\nb' sh 2 'echo a; echo b'

# The node's name: uname -n, and the prompt of a login shell (/etc/profile
# makes it "wisp:K$ " from uname's nodename).
cl_expect_out "node2" sh 2 'uname -n'
# The login shell's ps is Wisp's (an alias in /etc/profile: busybox's ash runs
# its own applets before PATH), and busybox's is still there by name.
cl_expect_out "  PID  PPID HOME NODE S CMD" sh 2 'ps | head -n 1'
cl_expect_out "PID   USER     COMMAND" sh 2 'busybox ps | head -n 1'
out=$(cl sh 2 'sh -l -i </dev/null 2>&1') || cl_fail "sh -l -i on node 2"
[[ $out == *"wisp:2\$ "* ]] || cl_fail "node 2's login shell prompt is not 'wisp:2\$ ': '$out'"

for k in 0 1 2; do
    [[ $(cl_node_state $k) == up ]] || cl_fail "node $k is not up after 'up'"
done

# With nodes=3 every member pings the others until it hears from them, so
# `nodes` on node 0 soon lists 1 and 2 up with their boot ids, unasked.
for try in $(seq 20); do
    out=$(cl sh 0 nodes) || cl_fail "nodes on node 0"
    n=$(awk '($1 == 1 || $1 == 2) && $2 == "up" && $3 != "00000000"' <<<"$out" | wc -l)
    ((n == 2)) && break
    sleep 1
done
((n == 2)) || cl_fail "nodes on node 0 does not show nodes 1 and 2 up: $out"

cl kill 1 >/dev/null || cl_fail "kill 1"
[[ $(cl_node_state 1) == down ]] || cl_fail "node 1 is not down after 'kill 1'"
[[ $(cl_node_state 0) == up && $(cl_node_state 2) == up ]] ||
    cl_fail "kill 1 took another node down"
cl_expect_status 255 sh 1 'echo dead'
cl_expect_out "still" sh 2 'echo still'

cl restart 1 --timeout 120 >/dev/null || cl_fail "restart 1"
[[ $(cl_node_state 1) == up ]] || cl_fail "node 1 is not up after 'restart 1'"
cl_expect_out "back" sh 1 'echo back'
ip1=$(cl status | awk '$1 == 1 { print $5 }')
out=$(cl sh 0 "ping -c 2 $ip1" 2>&1) || cl_fail "node 0 cannot ping the restarted node 1 ($ip1): $out"

[[ $(cl hub) == switch ]] || cl_fail "the segment is not a learning switch by default: $(cl hub)"
cl status | grep -q "learning" || cl_fail "status does not say the switch is learning: $(cl status)"

# pcap: a broadcast frame injected with vde_plug must be in the file, and
# so must node 0's pings to node 1 (unicast: only a hub hands them to the
# recorder's port). On a loaded host the recorder may take seconds to
# start: wait for it, inject, and let it record for a window long enough
# for a slow injector.
sw=$(cl sockdir)/switch
cl pcap --seconds 20 "$CL_DIR/seg.pcap" 2>"$CL_DIR/pcap.err" &
pcap_pid=$!
for _ in $(seq 100); do grep -q recording "$CL_DIR/pcap.err" && break; sleep 0.2; done
sleep 1
python3 -c '
import struct, sys, time
f = b"\xff" * 6 + bytes.fromhex("525400770063") + b"\x88\xb5" + b"wisp-cluster-test".ljust(46, b"\0")
sys.stdout.buffer.write(struct.pack(">H", len(f)) + f)
sys.stdout.flush()
time.sleep(1)' | timeout 10 vde_plug "vde://$sw" >/dev/null
[[ $(cl hub) == hub ]] || cl_fail "the switch is not a hub while pcap records"
cl sh 0 "ping -c 3 $ip1" >/dev/null 2>&1 || cl_fail "ping from node 0 to node 1 while recording"
wait "$pcap_pid" || cl_fail "pcap exited $?: $(cat "$CL_DIR/pcap.err")"
grep -q "wisp-cluster-test" "$CL_DIR/seg.pcap" || cl_fail "the injected frame is not in the pcap file"
n=$(python3 - "$CL_DIR/seg.pcap" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
src, dst = bytes.fromhex("525400770001"), bytes.fromhex("525400770002")
i, n = 24, 0
while i + 16 <= len(d):
    cap = struct.unpack("<I", d[i + 8:i + 12])[0]
    f = d[i + 16:i + 16 + cap]
    # Ethernet to node 1 from node 0, IPv4, ICMP echo request
    if f[0:6] == dst and f[6:12] == src and f[12:14] == b"\x08\x00" and f[23] == 1 and f[34] == 8:
        n += 1
    i += 16 + cap
print(n)
PY
)
((n >= 3)) || cl_fail "pcap holds $n of node 0's 3 echo requests to node 1"
[[ $(cl hub) == switch ]] || cl_fail "the switch is not learning again after pcap: $(cl hub)"

# A second cluster beside the first.
other=
cl_new_dir other cluster_basic2
cld "$other" up -n 1 --hub --timeout 120 >/dev/null || cl_fail "second cluster: up -n 1 --hub"
[[ $(cld "$other" hub) == hub ]] || cl_fail "up --hub did not start a hub"
pid_a=$(cl status | awk '$1 == 0 { print $2 }')
pid_b=$(cld "$other" status | awk '$1 == 0 { print $2 }')
[[ $pid_a != "$pid_b" ]] || cl_fail "both clusters report node 0 as pid $pid_a"
out=$(cld "$other" sh 0 'echo other') || cl_fail "second cluster: sh 0"
[[ $out == other ]] || cl_fail "second cluster printed '$out'"
cl_expect_out "first" sh 0 'echo first'
cld "$other" down >/dev/null || cl_fail "second cluster: down"
[[ $(cl_node_state 0) == up ]] || cl_fail "the second cluster's down stopped the first"
cl_expect_out "alive" sh 0 'echo alive'

cl down >/dev/null || cl_fail "down"
sleep 0.5
command -v pgrep >/dev/null || cl_fail "pgrep is missing (procps, scripts/deps.list)"
left=$(pgrep -a -f "$CL_ROOT/build/test/cluster_basic" | grep -E 'qemu|vde' || true)
[[ -z $left ]] || cl_fail "processes left after down: $left"
sd=$(cl sockdir); [[ ! -e $sd/node0.sock && ! -e $sd/switch ]] || cl_fail "sockets left after down"
[[ -s $CL_DIR/node0.log ]] || cl_fail "down removed the logs"
cl_pass
