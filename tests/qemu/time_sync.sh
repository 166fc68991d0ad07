#!/usr/bin/env bash
# Cluster time sync (docs/time.md): three nodes, node 1's RTC an hour
# fast and node 2's 5 s slow (timeskew=). Both sync to node 0 by RPC:
# `timesync` shows them synced with an error bound, their wall clocks come
# out at the host's time, a fresh probe finds them within the sync's and
# the probe's error bounds (plus TIME_SYNC_MS, 5 ms) of node 0, and the
# periodic syncs after the first one slew instead of stepping.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup time_sync
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done
tol_ms=${TIME_SYNC_MS:-5}

cl up -n 3 --timeout 150 --node-args 1 "timeskew=3600" --node-args 2 "timeskew=-5" \
    >/dev/null || cl_fail "up -n 3"

# wait_syncs K N: until node K has done at least N syncs; prints timesync's output.
wait_syncs() {
    local out n i
    for ((i = 0; i < 60; i++)); do
        out=$(cl sh "$1" timesync) || cl_fail "timesync on node $1: $out"
        n=$(sed -n 's/.* \([0-9]*\) syncs (.*/\1/p' <<<"$out")
        if [[ -n $n ]] && ((n >= $2)); then
            echo "$out"
            return 0
        fi
        sleep 1
    done
    cl_fail "node $1 did not reach $2 syncs: $out"
}

out=$(cl sh 0 timesync) || cl_fail "timesync on node 0: $out"
grep -q '^source: node 0 (source)$' <<<"$out" || cl_fail "node 0 is not the source: $out"
for k in 1 2; do
    out=$(wait_syncs $k 1)
    echo "node $k: $(grep -E '^(source|offset):' <<<"$out" | tr '\n' ' ')"
    grep -q '^source: node 0 (synced)$' <<<"$out" || cl_fail "node $k not synced to 0: $out"
    sbound=$(sed -n 's/^offset: .*, error bound \([0-9.]*\) ms, .*/\1/p' <<<"$out")
    host=$(date +%s)
    t=$(sed -n 's/^time: .*(\([0-9]*\) s since the epoch)$/\1/p' <<<"$out")
    ((t >= host - 3 && t <= host + 3)) || cl_fail "node $k says $t s, the host $host: $out"
    out=$(cl sh $k 'timesync probe') || cl_fail "timesync probe on node $k: $out"
    read -r off bound < <(sed -n 's/^probe: offset \([-+0-9.]*\) ms, error bound \([0-9.]*\) ms$/\1 \2/p' <<<"$out")
    [[ -n ${bound:-} ]] || cl_fail "no probe line on node $k: $out"
    echo "node $k: probe offset $off ms, error bound $bound ms"
    awk -v o="$off" -v b="$bound" -v s="${sbound:-0}" -v t="$tol_ms" \
        'BEGIN { if (o < 0) o = -o; exit !(o <= b + s + t) }' ||
        cl_fail "node $k is $off ms from node 0, beyond the bounds $bound + ${sbound:-0} ms + $tol_ms ms"
done

# The periodic sync (every 15 s) slews: still exactly one step (the first).
out=$(wait_syncs 1 2)
grep -Eq ' [0-9]+ syncs \(1 steps\)$' <<<"$out" || cl_fail "a periodic sync stepped: $out"
echo "node 1: $(grep '^offset:' <<<"$out")"
cl down >/dev/null
cl_pass
