#!/usr/bin/env bash
# Out of memory on a 96 MiB node: user/memhog checks that malloc, brk and
# mremap get ENOMEM at the commit limit and work again after a free, that
# fork of a big process gets ENOMEM, that mremap grows/moves/shrinks, and
# that a MAP_NORESERVE hog touching more than the node has (itself, then
# through read(2) from /dev/zero) is killed with SIGKILL. Here: every
# check passed, the kernel printed one "out of memory" line for each hog
# (and no page-fault report, no panic), and programs still ran afterwards.
# A second boot runs memhog as init: init is never OOM-killed, it waits.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
export WISP_MEM=96M
log=$WISP_TMP/serial
st=0
wisp_boot_kernel "$log" 'test=mem_oom init=/bin/init initargs="memhog"' 240 || st=$?
tr -d '\r' <"$log" >"$log.txt"
log=$log.txt
fail() {
    echo "mem_oom: FAIL: $*" >&2
    wisp_tail "$log" 30
    exit 1
}
grep '^memhog: FAIL' "$log" | sed 's/^/    /' >&2
expect_log "$log" '^memhog: [0-9]+ passed, 0 failed$' || fail "memhog checks failed"
res=$(wisp_result $st) || fail "$res (qemu status $st)"
expect_log "$log" '^wisp: out of memory: killed process [0-9]+ \(memhog\), [0-9]+ KiB$' ||
    fail "no out-of-memory report"
n=$(grep -c 'out of memory: killed process' "$log")
[[ $n == 2 ]] || fail "$n out-of-memory kills, expected 2 (a user fault, a kernel copy)"
expect_no_log "$log" 'page fault|panic|killed by signal' || fail "a fault report or panic"
for w in memhog-node-alive memhog-alive-after-oom memhog-fork-ok; do
    grep -qx "$w" "$log" || fail "no '$w' line: a program did not run"
done
grep -E '^memhog: (malloc|brk|mremap) ' "$log" | sed 's/^/    /'

# init itself cannot grow its stack while a child holds the whole commit:
# it must wait for the memory (one report), never be killed.
log=$WISP_TMP/serial-init
st=0
wisp_boot_kernel "$log" 'test=mem_oom init=/bin/memhog initargs="init_waits"' 120 || st=$?
tr -d '\r' <"$log" >"$log.txt"
log=$log.txt
expect_log "$log" '^memhog: 1 passed, 0 failed$' || fail "init_waits failed"
res=$(wisp_result $st) || fail "init_waits: $res (qemu status $st)"
expect_log "$log" '^wisp: out of memory: init waits for memory$' || fail "init did not wait"
expect_no_log "$log" 'killed process|page fault|panic' || fail "init_waits: a kill or a panic"
echo "mem_oom: pass"
