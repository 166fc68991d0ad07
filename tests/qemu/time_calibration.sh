#!/usr/bin/env bash
# The clock rate on a loaded host (docs/time.md): TIME_NODES (default 6)
# nodes boot at once, so their TSC calibrations run while the others boot
# on the host's few cores. Each then prints its monotonic clock every
# 200 ms for TIME_SECS (8) seconds (`timesync clock`); the host stamps each
# line as it arrives. The least-delayed line near the start and near the
# end of the run give the node's clock rate against the host's: it must be
# within TIME_TOL_PCT (3) % (a calibration 2x off is far outside). Prints
# each node's boot calibration and measured rate.
set -uo pipefail
. "$(dirname "$0")/../lib.sh"
wisp_require_build || exit 1

nodes=${TIME_NODES:-6}
secs=${TIME_SECS:-8}
tol=${TIME_TOL_PCT:-3}

# Prefix each line of stdin with the host's clock (ns) when it arrived.
stamp='
import sys, time
open(sys.argv[1], "w").close()                  # ready: start QEMU now
f = open(sys.argv[2], "rb", buffering=0)        # blocks until QEMU opens it
for line in iter(f.readline, b""):
    sys.stdout.write("%d %s" % (time.time_ns(), line.decode("utf-8", "replace")))
    sys.stdout.flush()
'

# The stamper starts first (python may take seconds to start on a busy
# host) and reads a FIFO, so no line waits in a pipe for it.
pids=()
for ((k = 0; k < nodes; k++)); do
    mkfifo "$WISP_TMP/fifo$k"
    python3 -u -c "$stamp" "$WISP_TMP/ready$k" "$WISP_TMP/fifo$k" >"$WISP_TMP/node$k.log" &
    pids+=($!)
done
for ((k = 0; k < nodes; k++)); do
    for ((i = 0; i < 600; i++)); do
        [[ -e $WISP_TMP/ready$k ]] && break
        sleep 0.1
    done
done
for ((k = 0; k < nodes; k++)); do
    set -- $(wisp_qemu_args) -serial stdio -kernel "$WISP_KERNEL" -initrd "$WISP_FULL_INITRD" \
        -append "node=$k console=ttyS0 test=time_calibration init=/bin/timesync initargs=\"clock $secs\""
    timeout -k 5 $((secs + 150)) "$QEMU" "$@" </dev/null >"$WISP_TMP/fifo$k" 2>&1 &
    pids+=($!)
done
for p in "${pids[@]}"; do
    wait "$p"
done

# For lines "HOST clock MONO REAL": rate = guest elapsed / host elapsed,
# from the least-delayed line of the first and of the last quarter (a
# line is never early, only late).
rate='
/ clock [0-9]+ [0-9]+/ { n++; h[n] = $1; m[n] = $3 }
END {
    if (n < 8) { print "none"; exit }
    q = int(n / 4)
    for (i = 1; i <= q; i++) if (!a || h[i] - m[i] < h[a] - m[a]) a = i
    for (i = n - q + 1; i <= n; i++) if (!b || h[i] - m[i] < h[b] - m[b]) b = i
    printf "%.5f %.2f\n", (m[b] - m[a]) / (h[b] - h[a]), (h[b] - h[a]) / 1e9
}'
fail=0
for ((k = 0; k < nodes; k++)); do
    log=$WISP_TMP/node$k.log
    cal=$(grep -o 'clock: tsc .*' "$log" | head -1)
    read -r r span < <(awk "$rate" "$log")
    if [[ $r == none || -z $r ]]; then
        echo "node $k: no clock lines (${cal:-no calibration line}); log ends:" >&2
        wisp_tail "$log"
        fail=1
        continue
    fi
    pct=$(awk -v r="$r" 'BEGIN { printf "%+.3f", (r - 1) * 100 }')
    echo "node $k: $cal; clock rate vs host $r ($pct % over $span s)"
    if ! awk -v r="$r" -v t="$tol" 'BEGIN { exit !(r > 1 - t / 100 && r < 1 + t / 100) }'; then
        echo "node $k: its clock runs at $r of the host's: more than $tol % off" >&2
        fail=1
    fi
done
exit $fail
