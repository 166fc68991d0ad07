#!/usr/bin/env bash
# NIC drivers (net/net_virtio.c, net/net_e1000.c; docs/net.md): one VM with
# a virtio-net and an e1000 on one QEMU hub (no host networking) boots with
# test=netdrv (net/net_drvtest.c), which sends 400 frames (60, 1514 and
# assorted sizes) each way and checks every one arrived once and intact
# through the receiver's interrupt handler. Runs on i440fx (INTx for the
# e1000, MSI-X for virtio) and q35 (PCIe), then with each NIC alone.
# NETDRV_TEST overrides the test name (for a kernel that routes it elsewhere).
. "$(dirname "$0")/../lib.sh"
wisp_require_build || exit 1
TEST=${NETDRV_TEST:-netdrv}
VIRTIO="-netdev hubport,id=p0,hubid=0 -device virtio-net-pci,netdev=p0,mac=52:54:00:77:00:01"
E1000="-netdev hubport,id=p1,hubid=0 -device e1000,netdev=p1,mac=52:54:00:77:00:02"
SPARE="-netdev hubport,id=p9,hubid=0"   # a peerless port that swallows frames

# boot NAME MACHINE QEMU-NET-ARGS...: run once, log in $WISP_TMP/NAME.serial
boot() {
    local name=$1 machine=$2 log=$WISP_TMP/$1.serial st=0 res
    shift 2
    # shellcheck disable=SC2046 # the words of wisp_qemu_args split on purpose
    set -- $(wisp_qemu_args) -machine "$machine" -serial stdio -kernel "$WISP_KERNEL" \
        -initrd "$WISP_FULL_INITRD" -append "node=0 console=ttyS0 test=$TEST" "$@"
    echo "+ timeout 60 $QEMU $*" >&2
    timeout -k 5 60 "$QEMU" "$@" </dev/null >"$log" 2>&1 || st=$?
    if ! res=$(wisp_result $st); then
        echo "net_drivers $name: $res (qemu status $st); $log ends:" >&2
        wisp_tail "$log" 30
        return 1
    fi
    expect_log "$log" '^netdrv: PASS' || return 1
    echo "net_drivers $name: pass"
}

both() {
    local log=$WISP_TMP/$1.serial
    expect_log "$log" '^netdrv: found virtio0 mac 52:54:00:77:00:01' &&
        expect_log "$log" '^netdrv: found e1000-0 mac 52:54:00:77:00:02' &&
        expect_log "$log" '^netdrv: virtio0 -> e1000-0: sent 400, intact 400, corrupt 0, duplicate 0, other [0-9]+; irqs [1-9]' &&
        expect_log "$log" '^netdrv: e1000-0 -> virtio0: sent 400, intact 400, corrupt 0, duplicate 0, other [0-9]+; irqs [1-9]'
}

fail=0
# shellcheck disable=SC2086 # the device options split on purpose
{
    boot pc pc $VIRTIO $E1000 && both pc || exit 1    # the rest would fail the same way
    boot q35 q35 $VIRTIO $E1000 && both q35 &&
        expect_log "$WISP_TMP/q35.serial" 'virtio0: virtio-net .*MSI-X' || fail=1
    boot e1000 pc $E1000 $SPARE &&
        expect_log "$WISP_TMP/e1000.serial" '^netdrv: found e1000-0 mac 52:54:00:77:00:02' &&
        expect_log "$WISP_TMP/e1000.serial" '^netdrv: e1000-0 alone: 300 frames sent, irqs [1-9]' ||
        fail=1
    boot virtio pc $VIRTIO $SPARE &&
        expect_log "$WISP_TMP/virtio.serial" '^netdrv: found virtio0 mac 52:54:00:77:00:01' &&
        expect_log "$WISP_TMP/virtio.serial" '^netdrv: virtio0 alone: 300 frames sent, irqs [1-9]' ||
        fail=1
}
exit $fail
