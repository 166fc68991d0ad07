# shellcheck shell=bash
# Helpers for the two-node network tests (tests/qemu/net_*.sh); source it
# after tests/lib.sh. Two QEMUs share one Ethernet segment through QEMU's
# UDP socket netdev over 127.0.0.1 (no host networking, no root, no
# switch): each node's frames go to the other's port. Node K gets MAC
# 52:54:00:77:00:K and, by the kernel's rule, address 10.77.0.(K+1).
# There is no file server: the nodes boot the full initrd
# ($WISP_FULL_INITRD) as /, whatever WISP_FSROOT says.
#
#   net_ports                       set NET_PORT0 NET_PORT1 to free UDP ports
#   net_qemu_nic K [DEVICE]         the -netdev/-device words for node K
#                                   (DEVICE: virtio-net-pci (default) or e1000)
#   net_start_node K LOG CMDLINE [DEVICE] [SECS]
#                                   boot node K in the background (NET_PID_K)
#   net_run_node K LOG CMDLINE [DEVICE] [SECS]
#                                   boot node K in the foreground; returns
#                                   QEMU's status (see wisp_result)
#   net_stop_nodes                  kill the background nodes

NET_PIDS=()

net_ports() {
    local p
    p=$(python3 -c '
import socket
s = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]
for x in s:
    x.bind(("127.0.0.1", 0))
print(" ".join(str(x.getsockname()[1]) for x in s))') || return 1
    read -r NET_PORT0 NET_PORT1 <<<"$p"
}

net_qemu_nic() {
    local k=$1 dev=${2:-virtio-net-pci} mine peer
    if [[ $k == 0 ]]; then mine=$NET_PORT0 peer=$NET_PORT1; else mine=$NET_PORT1 peer=$NET_PORT0; fi
    echo "-nic none -netdev socket,id=n0,udp=127.0.0.1:$peer,localaddr=127.0.0.1:$mine" \
        "-device $dev,netdev=n0,mac=52:54:00:77:00:0$k"
}

net_start_node() {
    local k=$1 log=$2 cmdline=$3 dev=${4:-} secs=${5:-200}
    wisp_require_build || return 1
    # shellcheck disable=SC2046 # word splitting of the option lists is intended
    timeout -k 5 "$secs" "$QEMU" $(wisp_qemu_args) $(net_qemu_nic "$k" "$dev") \
        -serial "file:$log" -kernel "$WISP_KERNEL" -initrd "$WISP_FULL_INITRD" \
        -append "$cmdline" </dev/null >"$log.qemu" 2>&1 &
    NET_PIDS+=($!)
}

net_run_node() {
    local k=$1 log=$2 cmdline=$3 dev=${4:-} secs=${5:-150} st=0
    wisp_require_build || return 1
    # shellcheck disable=SC2046
    timeout -k 5 "$secs" "$QEMU" $(wisp_qemu_args) $(net_qemu_nic "$k" "$dev") \
        -serial "file:$log" -kernel "$WISP_KERNEL" -initrd "$WISP_FULL_INITRD" \
        -append "$cmdline" </dev/null >"$log.qemu" 2>&1 || st=$?
    return $st
}

net_stop_nodes() {
    local p
    for p in "${NET_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${NET_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    NET_PIDS=()
}

net_cleanup() {
    local st=$?
    net_stop_nodes
    (exit $st)
    wisp_cleanup
}
trap net_cleanup EXIT
