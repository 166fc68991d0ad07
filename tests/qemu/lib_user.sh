#!/usr/bin/env bash
# Helpers for the user-program QEMU tests (tests/qemu/user_*.sh), which
# source this file: a temp dir, an initrd with extra files, a direct
# kernel boot with test=NAME init=/bin/init initargs="...", and decoding
# QEMU's isa-debug-exit status. Run directly (the test runner runs every
# tests/qemu/*.sh), it checks the initrd packer: scripts/mkcpio_test.sh.

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    cd "$(dirname "$0")/../.." || exit 1
    exec scripts/mkcpio_test.sh
fi

ut_name=${ut_name:-user}
UT_KERNEL=${WISP_KERNEL:-build/wisp.elf}
UT_INITRD=${WISP_INITRD:-build/initrd.cpio}
UT_QEMU=${QEMU:-qemu-system-x86_64}
UT_TMP=

ut_fail() {
    echo "$ut_name: FAIL: $*"
    exit 1
}

ut_pass() {
    echo "$ut_name: PASS${1:+: $1}"
    exit 0
}

# ut_setup NAME: check the build, make $UT_TMP, clean it up on a pass.
ut_setup() {
    ut_name=$1
    [ -f mk/user.mk ] || ut_fail "run from the repo root"
    [ -f "$UT_KERNEL" ] || ut_fail "$UT_KERNEL missing (run make)"
    [ -f "$UT_INITRD" ] || ut_fail "$UT_INITRD missing (run make)"
    mkdir -p build/test
    UT_TMP=$(mktemp -d "build/test/$ut_name.XXXX") || ut_fail "cannot make a temp dir"
    trap ut_cleanup EXIT
}

ut_cleanup() {
    local st=$?
    [ -n "${UT_QEMU_PID:-}" ] && kill "$UT_QEMU_PID" 2>/dev/null
    if [ $st = 0 ] && [ "${WISP_KEEP_TMP:-0}" != 1 ]; then
        rm -rf "$UT_TMP"
    elif [ -n "$UT_TMP" ]; then
        echo "$ut_name: files kept in $UT_TMP" >&2
    fi
}

# ut_initrd_with SRC DEST: a copy of build/rootfs plus file SRC at /DEST,
# packed into $UT_TMP/initrd.cpio, which later boots use.
ut_initrd_with() {
    local root=$UT_TMP/root
    [ -d build/rootfs/bin ] || ut_fail "build/rootfs missing (run make user)"
    rm -rf "$root"
    cp -a build/rootfs "$root"
    mkdir -p "$root/$(dirname "$2")"
    cp "$1" "$root/$2"
    python3 scripts/mkcpio.py "$root" "$UT_TMP/initrd.cpio" || ut_fail "mkcpio failed"
    UT_INITRD=$UT_TMP/initrd.cpio
}

ut_qemu_args() {
    local accel=${WISP_ACCEL:-tcg}
    if [ "$accel" = kvm ]; then
        echo "-accel kvm -cpu host"
    else
        echo "-accel $accel -cpu max"
    fi
    echo "-m 256M -display none -monitor none -no-reboot -nic none"
    echo "-device isa-debug-exit,iobase=0xf4,iosize=0x04"
}

# ut_boot INITARGS [TIMEOUT]: boot with the serial console in $UT_TMP/log;
# sets UT_STATUS to QEMU's exit status.
ut_boot() {
    local append="test=$ut_name init=/bin/init"
    [ -n "$1" ] && append="$append initargs=\"$1\""
    UT_STATUS=0
    # shellcheck disable=SC2046 # the options are words on purpose
    timeout -k 5 "${2:-120}" "$UT_QEMU" $(ut_qemu_args) -serial "file:$UT_TMP/log" \
        -kernel "$UT_KERNEL" -initrd "$UT_INITRD" -append "$append" \
        </dev/null >"$UT_TMP/qemu.out" 2>&1 || UT_STATUS=$?
    tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt" 2>/dev/null
}

# What QEMU's status means (docs/testing.md): 1 is init exited 0.
ut_status_text() {
    case $1 in
    1) echo "init exited 0" ;;
    253) echo "kernel panic (or status 0x7e)" ;;
    124 | 137) echo "timed out" ;;
    0) echo "QEMU stopped by itself (reset or triple fault)" ;;
    *)
        if [ $(($1 & 1)) = 1 ]; then
            echo "init failed (debug-exit value $(($1 >> 1)))"
        else
            echo "QEMU error $1: $(tail -n 1 "$UT_TMP/qemu.out" 2>/dev/null)"
        fi
        ;;
    esac
}

# Show the end of the serial log, for a failure.
ut_show_log() {
    echo "--- last lines of the serial log ($UT_TMP/log):" >&2
    tail -n "${1:-25}" "$UT_TMP/log.txt" 2>/dev/null | sed 's/^/    | /' >&2
}

# ut_expect_ok: fail unless init exited 0.
ut_expect_ok() {
    if [ "$UT_STATUS" != 1 ]; then
        ut_show_log
        ut_fail "$(ut_status_text "$UT_STATUS")"
    fi
}

# ut_expect_line TEXT: the log has a line exactly TEXT.
ut_expect_line() {
    if ! grep -qxF -- "$1" "$UT_TMP/log.txt"; then
        ut_show_log
        ut_fail "no line '$1' in the serial log"
    fi
}

# ut_between BEGIN END: the log lines strictly between the marker lines,
# minus the kernel's own "wisp: " messages.
ut_between() {
    awk -v b="$1" -v e="$2" '$0 == e { on = 0 } on && !/^wisp: / { print } $0 == b { on = 1 }' \
        "$UT_TMP/log.txt"
}
