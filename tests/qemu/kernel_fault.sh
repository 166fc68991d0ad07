#!/usr/bin/env bash
# A kernel fault prints a useful report (exception, error code, address,
# registers, symbolised backtrace) and, in test mode, leaves QEMU with the
# panic status instead of hanging.
. "$(dirname "$0")/../lib.sh"
log=$WISP_TMP/serial
st=0
wisp_boot_kernel "$log" "test=kernel_fault" 60 || st=$?
[[ $(wisp_result $st) == panic ]] || { echo "expected a panic exit, got status $st" >&2; wisp_tail "$log"; exit 1; }
expect_log "$log" 'kernel page fault \(vector 14, error 0x[0-9a-f]+\) at address 0xdead0000 in ktest_crash\+0x' || exit 1
expect_log "$log" 'rip [0-9a-f]{16}' || exit 1
expect_log "$log" 'backtrace:' || exit 1
expect_log "$log" '\] 0x[0-9a-f]+ (ktest_run|main_thread)\+0x' || exit 1
expect_log "$log" 'PANIC: unhandled kernel exception' || exit 1
echo "kernel_fault: pass"
