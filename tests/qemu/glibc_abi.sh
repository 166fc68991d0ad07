#!/usr/bin/env bash
# The Linux ABI as glibc uses it: build/glibc/abi (tests/glibc/abi.c, linked
# statically with the host's glibc) runs on Wisp and on the host; the lines
# between its begin and end markers must be the same. Covers int arguments
# in 32 bits (wait4(-1)), getrandom, /dev/urandom, prlimit64/getrlimit/
# setrlimit, sysinfo, getrusage, prctl names, umask, madvise, readlink,
# clock_getres, sched_getaffinity, getcpu.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
. tests/qemu/lib_user.sh
ut_setup glibc_abi
bin=build/glibc/abi
[ -x "$bin" ] || ut_fail "$bin missing (run make)"
ut_initrd_with "$bin" bin/glibc_abi
ut_boot "glibc_abi" 180
ut_between "glibc_abi: begin" "glibc_abi: end" > "$UT_TMP/wisp.out"
"$bin" | awk '$0 == "glibc_abi: end" { on = 0 } on { print } $0 == "glibc_abi: begin" { on = 1 }' \
    > "$UT_TMP/host.out" || ut_fail "the program failed on the host"
[ -s "$UT_TMP/host.out" ] || ut_fail "no output on the host"
if ! diff -u "$UT_TMP/host.out" "$UT_TMP/wisp.out" > "$UT_TMP/diff"; then
    sed 's/^/    /' "$UT_TMP/diff" >&2
    ut_show_log
    ut_fail "Wisp's output differs from the host's (- host, + Wisp)"
fi
ut_expect_ok
ut_pass "$(wc -l < "$UT_TMP/host.out") lines agree"
