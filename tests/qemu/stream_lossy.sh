#!/usr/bin/env bash
# Streams across nodes on a bad network: every node drops 10 %, duplicates
# 5 % and reorders 5 % of its packets. A pipe read on node 1 from node 0
# (`seq 1 3000 | rexec 1 wc -l`), one written back, and a shared
# /tmp description written in turn by both nodes still give exactly the
# right bytes: the RPC layer runs each stream op at most once, so no read
# is lost or repeated and no write lands twice.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup stream_lossy
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

expect_line() {
    local k=$1 want=$2 cmd=$3 out st=0
    out=$(cl sh --timeout 300 "$k" "$cmd" | tr -d '\r') || st=$?
    [[ $st == 0 ]] || cl_fail "'$cmd' on node $k exited $st: $out"
    grep -qxF -- "$want" <<<"$out" || cl_fail "'$cmd' on node $k did not print '$want': $out"
    echo "ok: node $k: $cmd -> $want"
}

cl up -n 2 --timeout 150 --kernel-args "netdrop=10 netdup=5 netreorder=5 netseed=7" \
    >/dev/null || cl_fail "up -n 2 with a lossy network"
expect_line 0 "3000" 'seq 1 3000 | rexec 1 /usr/bin/wc -l'
expect_line 0 "1999 1997001" \
    "rexec 1 /usr/bin/seq 0 1998 | awk '{ s += \$1 } END { print NR, s }'"
expect_line 0 "share ok: 80 lines" 'streamtest share 1 40'
declare -A st0
cl_stats st0 0 'streamtest stat' || cl_fail "streamstat on node 0"
((st0[refs] == 0 && st0[bad] == 0)) ||
    cl_fail "node 0: refs ${st0[refs]}, bad ${st0[bad]} after the runs"
cl down >/dev/null
cl_pass
