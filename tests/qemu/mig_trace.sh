#!/usr/bin/env bash
# migrate_trace=1 (docs/migration.md, "Phases and their times"): a direct move
# 0 -> 1 of a small migtest prints the source's phases (node 0: time to the
# safe point, packing with each row by name, transfer, commit, RESUME's
# round trip) and the target's (node 1: the GO handler, each
# encapsulation row's unpack by name, the pages' install), and a 1 MiB
# move the PIECE that built it (with the time since the GO and the CPU's
# idle time in it; the source prints its idle time in the transfer); the
# process still passes at node 1. Only the lines' presence is checked, never
# a time.
set -uo pipefail
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup mig_trace
cd "$CL_ROOT" || exit 1
cl up -n 2 --timeout 180 --kernel-args "migrate_trace=1" >/dev/null || cl_fail "up -n 2"
for mib in 0 1; do
    out=$(cl sh --timeout 300 0 "migtest -p 100 -r 600 -d 10 $mib > /tmp/l$mib 2>&1 & p=\$!; sleep 2; migrate \$p 1 > /tmp/m 2>&1; echo mig=\$?; wait \$p; echo status=\$?" |
        tr -d '\r') || cl_fail "run $mib: $out"
    [[ $out == *mig=0* ]] || cl_fail "migrate $mib MiB failed: $out $(mig_cat 0 /tmp/m)"
    [[ $out == *status=0* ]] || cl_fail "migtest $mib MiB failed: $out"
    mig_cat 0 /tmp/l$mib | grep -q "PASS.*node 1" || cl_fail "no PASS at node 1: $(mig_cat 0 /tmp/l$mib)"
done
src=$(cl log 0 | tr -d '\r' | grep "trace: to_safe_us")
[[ $(grep -c . <<<"$src") == 2 ]] || cl_fail "source trace lines: $src"
named="PROC [0-9]* SIGNALS [0-9]* REGS [0-9]* TIMERS [0-9]* VM [0-9]* STREAMS [0-9]*"
grep -q "pack_us [0-9]* transfer_us [0-9]* commit_us [0-9]* resume_rtt_us [0-9]* .*idle_us [0-9]* packed_us $named" <<<"$src" ||
    cl_fail "source trace fields: $src"
dst=$(cl log 1 | tr -d '\r' | grep "trace:")
rows="rows_us $named"
grep -q "trace: go_us [0-9]* bytes [0-9]* $rows install_us [0-9]* pages [0-9]*" <<<"$dst" ||
    cl_fail "target trace of the one-shot GO: $dst"
grep -q "trace: prepare_us [0-9]* bytes [0-9]* $rows install_us [0-9]* pages [0-9]* open_us [0-9]* idle_us [0-9]*" <<<"$dst" ||
    cl_fail "target trace of the PIECE that prepared: $dst"
cl_pass
