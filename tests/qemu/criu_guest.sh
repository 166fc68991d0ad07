#!/usr/bin/env bash
# The CRIU baseline of the migration experiments (docs/experiments.md): two
# Linux guests (scripts/linux-guest-criu.sh: Debian's kernel and criu) on one
# vde_switch hub; guest A checkpoints /bin/benchdirty with 1 MiB dirty
# (with its 3 standard streams, and again with 4 more on /dev/null), the
# image goes to guest B (whole, over busybox nc; and through CRIU's page
# server), B restores it, and the restored program must continue there: its
# tick count goes on past the last tick A printed, with the checksum it
# started with and "ok" (benchdirty re-checks every word of its memory each
# tick). Runs scripts/bench_migrate.py --skip wisp, so the harness's CRIU
# path and its CSV are covered too (and first its --selftest: the parsers
# and the fit). Timings are printed, never asserted.
# Skips (exit 0, "SKIP: ...") only when the guest kernel lacks what CRIU
# needs (no checkpoint/restore support).
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
out=build/test/criu_guest
fail() { echo "FAIL: $*" >&2; exit 1; }

# The harness's parsers (the migrate line's contract) and its fit, first.
python3 scripts/bench_migrate.py --selftest || fail "bench_migrate.py --selftest"
command -v vde_switch >/dev/null || fail "no vde_switch (apt-get install vde2)"
[[ -x build/user/benchdirty ]] || fail "missing build/user/benchdirty: run 'make user'"
if [[ ! -f build/linux-guest/initramfs-criu.gz || scripts/linux-guest-criubench.sh -nt \
    build/linux-guest/initramfs-criu.gz || build/user/benchdirty -nt \
    build/linux-guest/initramfs-criu.gz ]]; then
    scripts/linux-guest-criu.sh || fail "scripts/linux-guest-criu.sh failed"
fi
rm -rf "$out"
mkdir -p "$out"
python3 scripts/bench_migrate.py --skip wisp --sizes 1 --files 4 --criu-modes copy,ps \
    --period 200 --criu-timeout 900 --out "$out" --no-plot
st=$?
A=$out/migrate-criu-A.log
B=$out/migrate-criu-B.log
if grep -qE "ns_last_pid: No such file|CONFIG_CHECKPOINT_RESTORE|Can't open /proc/self/map_files" \
    "$A" "$B" 2>/dev/null; then
    echo "SKIP: the guest kernel lacks checkpoint/restore support (see $A)"
    exit 0
fi
((st == 0)) || { tail -n 30 "$A" "$B" >&2; fail "bench_migrate.py exited $st"; }

for mode in dump+copy+restore page-server; do
    for fds in 3 7; do
        row=$(grep "^criu,$mode,1,$fds," "$out/migrate.csv") || fail "no CSV row for $mode, $fds fds"
        echo "$row"
        [[ $(cut -d, -f20 <<<"$row") == ok ]] ||
            fail "$mode, $fds fds: the restored program did not continue"
    done
done
# B's own view: after each restore, the ticks that follow the last one A
# saw, each with the original sum and ok.
n=0
while read -r _ _ _ _ _ pid _ _ _ _ k; do
    n=$((n + 1))
    next=$(grep -A3 "restored pid $pid rc 0 after tick $k:" "$B" |
        grep -c "^benchdirty: tick $((k + 1)) sum [0-9]* ok") || true
    ((next == 1)) || fail "B: no tick $((k + 1)) ok after restoring pid $pid"
done < <(grep -o 'criubench: B restored pid [0-9]* rc 0 after tick [0-9]*: cont ok' "$B" |
    sed 's/: cont ok$//; s/^/x /')
((n == 4)) || fail "B restored $n programs, expected 4 (see $B)"
grep -q "sum 0 ok\|bad word" "$B" && fail "B: a restored program lost its memory"
echo "PASS: CRIU moved benchdirty between two Linux guests, and it continued (copy and page server)"
