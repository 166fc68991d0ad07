#!/usr/bin/env bash
# Out of memory on a 96 MiB node: user/memhog checks that malloc, brk and
# mremap get ENOMEM at the commit limit and work again after a free, that
# fork of a big process gets ENOMEM, that mremap grows/moves/shrinks, and
# that a MAP_NORESERVE hog touching more than the node has (itself, then
# through read(2) from /dev/zero) is killed with SIGKILL. Here: every
# check passed, the kernel printed one "out of memory" line for each hog
# (and no page-fault report, no panic), and programs still ran afterwards.
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
echo "mem_oom: pass"
