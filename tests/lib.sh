# Shared bash helpers for QEMU tests (tests/qemu/*.sh). Source it:
#     . "$(dirname "$0")/../lib.sh"
# It boots build/wisp.elf with build/initrd.cpio, maps QEMU's exit status
# (isa-debug-exit) to a result, and greps serial logs. It does not build
# anything: `make test` builds first, and a missing image is a failure.
# The runner is tests/run.sh; the conventions are in docs/testing.md.
#
#   wisp_qemu_args                  QEMU options every test uses (print)
#   wisp_boot_kernel LOG CMDLINE [TIMEOUT] [STDIN_FILE]
#                                   boot once; returns QEMU's exit status
#   wisp_result STATUS              print pass|fail|panic|timeout|error;
#                                   returns 0 only for pass
#   wisp_kernel_test NAME [TIMEOUT] [EXTRA_CMDLINE]
#                                   boot with test=NAME, exit 0 iff it passed
#   wisp_wait_log LOG REGEX [SECS]  wait until REGEX appears in LOG
#   expect_log LOG REGEX / expect_no_log LOG REGEX
#   wisp_require_build              fail unless kernel and initrd exist
#   $WISP_TMP                       a fresh directory under build/test/tmp/
#
# Environment: WISP_ACCEL (kvm|tcg, see scripts/accel.sh), WISP_MEM (256M),
# WISP_SMP (1), WISP_KERNEL, WISP_INITRD, QEMU (qemu-system-x86_64),
# WISP_KEEP_TMP=1 keeps $WISP_TMP even when the test passes. WISP_FSROOT
# (on by default, as in scripts/cluster, which reads it too): on,
# wisp_boot_kernel boots the small boot image with fsroot=on and a disk
# made from build/rootfs (one per test, $WISP_TMP/root.img): the node
# serves itself its / (docs/fs.md "The root switch"); off boots the full
# initrd as /. $WISP_FULL_INITRD is the full initrd either way, for boots
# without a file server (tests/lib_net.sh's nodes, time_calibration).

WISP_ROOT=${WISP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
WISP_KERNEL=${WISP_KERNEL:-$WISP_ROOT/build/wisp.elf}
WISP_FULL_INITRD=${WISP_FULL_INITRD:-$WISP_ROOT/build/initrd.cpio}
WISP_FSROOT=${WISP_FSROOT:-on}
if [[ $WISP_FSROOT == on ]]; then
    WISP_INITRD=${WISP_INITRD:-$WISP_ROOT/build/initrd-boot.cpio}
else
    WISP_INITRD=${WISP_INITRD:-$WISP_FULL_INITRD}
fi
WISP_MEM=${WISP_MEM:-256M}
WISP_SMP=${WISP_SMP:-1}
QEMU=${QEMU:-qemu-system-x86_64}

mkdir -p "$WISP_ROOT/build/test/tmp"
WISP_TMP=$(mktemp -d "$WISP_ROOT/build/test/tmp/$(basename "$0" .sh).XXXXXX")

# Removes $WISP_TMP when the test passed. A test that sets its own EXIT
# trap should call wisp_cleanup from it.
wisp_cleanup() {
    local st=$?
    if [[ $st == 0 && ${WISP_KEEP_TMP:-0} != 1 ]]; then
        rm -rf "$WISP_TMP"
    fi
    return $st
}
trap wisp_cleanup EXIT

# The QEMU options every test shares, as words without spaces, so callers
# may expand them unquoted: $QEMU $(wisp_qemu_args) -kernel ...
wisp_qemu_args() {
    local accel
    accel=$("$WISP_ROOT/scripts/accel.sh" --qemu-args) || return 1
    echo "$accel -m $WISP_MEM -smp $WISP_SMP -display none -monitor none -no-reboot -nic none" \
        "-device isa-debug-exit,iobase=0xf4,iosize=0x04"
}

wisp_require_build() {
    local f
    for f in "$WISP_KERNEL" "$WISP_INITRD"; do
        if [[ ! -f $f ]]; then
            echo "missing $f: run 'make' (or 'make test') first" >&2
            return 1
        fi
    done
}

# Boot one node. The serial console (and QEMU's own messages) go to LOG.
# With STDIN_FILE, the serial port reads its input from that file; QEMU
# feeds it only as fast as the guest's UART takes it. Returns QEMU's exit
# status: pass it to wisp_result. TIMEOUT is in seconds (default 120).
wisp_boot_kernel() {
    local log=$1 cmdline=$2 secs=${3:-120} input=${4:-/dev/null} st=0
    wisp_require_build || return 1
    # shellcheck disable=SC2046 # the words of wisp_qemu_args split on purpose
    set -- $(wisp_qemu_args) -serial stdio \
        -kernel "$WISP_KERNEL" -initrd "$WISP_INITRD"
    if [[ $WISP_FSROOT == on ]]; then
        wisp_root_disk || return 1
        set -- "$@" -drive "file=$WISP_TMP/root.img,format=raw,if=none,id=disk0" \
            -device virtio-blk-pci,drive=disk0
        cmdline="$cmdline fsroot=on"
    fi
    set -- "$@" -append "$cmdline"
    echo "+ timeout $secs $QEMU $*" >&2
    timeout -k 5 "$secs" "$QEMU" "$@" <"$input" >"$log" 2>&1 || st=$?
    return $st
}

# $WISP_TMP/root.img: the shared volume made from build/rootfs, once per test.
wisp_root_disk() {
    [[ -f $WISP_TMP/root.img ]] && return 0
    "$WISP_ROOT/build/host/wisp-mkfs" "$WISP_TMP/root.img" 64M "$WISP_ROOT/build/rootfs" \
        >/dev/null || { echo "cannot make $WISP_TMP/root.img" >&2; return 1; }
}

# QEMU's status with isa-debug-exit is (value << 1) | 1: the guest writes 0
# for pass, 1 for failure and 0x7e from its panic path. 124 and 137 come
# from timeout(1); 0 means QEMU stopped on its own (reset, triple fault
# with -no-reboot, or poweroff): the test never reported.
wisp_result() {
    case $1 in
    1) echo pass; return 0 ;;
    3) echo fail ;;
    253) echo panic ;;
    124 | 137) echo timeout ;;
    *) echo error ;;
    esac
    return 1
}

# Print the last lines of a log to stderr, indented.
wisp_tail() {
    tail -n "${2:-20}" "$1" 2>/dev/null | sed 's/^/    | /' >&2
}

expect_log() {
    if ! grep -qE -- "$2" "$1" 2>/dev/null; then
        echo "expected /$2/ in $1, not found; it ends:" >&2
        wisp_tail "$1"
        return 1
    fi
}

expect_no_log() {
    local hit
    if hit=$(grep -nE -m1 -- "$2" "$1" 2>/dev/null); then
        echo "unexpected /$2/ in $1: $hit" >&2
        return 1
    fi
}

# Poll LOG until REGEX appears (for tests that drive a running node).
wisp_wait_log() {
    local log=$1 re=$2 secs=${3:-60} i
    for ((i = 0; i < secs * 10; i++)); do
        grep -qE -- "$re" "$log" 2>/dev/null && return 0
        sleep 0.1
    done
    echo "timed out after ${secs}s waiting for /$re/ in $log" >&2
    wisp_tail "$log"
    return 1
}

# The whole of a single-node kernel test: boot with test=NAME and exit
# through isa-debug-exit. Prints the result; exits 0 only on pass.
wisp_kernel_test() {
    local name=$1 secs=${2:-120} extra=${3:-} log st=0 res
    log=$WISP_TMP/$name.serial
    wisp_boot_kernel "$log" "node=0 console=ttyS0 test=$name $extra" "$secs" || st=$?
    res=$(wisp_result $st) && { echo "test=$name: pass"; return 0; }
    echo "test=$name: $res (qemu status $st); serial log $log ends:" >&2
    wisp_tail "$log" 30
    return 1
}
