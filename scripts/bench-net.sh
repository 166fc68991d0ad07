#!/bin/sh
# `make bench-net` (and the second half of `make bench`): two Wisp nodes
# (scripts/cluster) and two Linux guests (scripts/linux-guest.sh), each pair
# on its own vde_switch hub with virtio-net-pci, under the same QEMU and
# accelerator. Wisp: null RPC round trip beside ICMP, 64 KiB RPC throughput
# beside raw UDP, calls/s with 1 and 8 callers; Linux: ICMP and UDP between
# the same kind of nodes. Prints the table, writes build/bench/net.csv and,
# when matplotlib is there, net-rtt.png and net-tput.png. Exits non-zero if
# either side could not be measured in full. See docs/bench.md.
#
# Env: WISP_ACCEL        kvm or tcg; default as for the QEMU tests (accel.sh)
#      BENCH_SKIP        "wisp" or "linux" to leave one side out
#      BENCH_NET_RUNS    runs of each side, alternating (default 1; medians)
#      BENCH_NET_ARGS    more options for scripts/bench_net.py (--help)
#      WISP_NET_APPEND   extra kernel arguments for Wisp's two nodes
# Needs: python3, qemu-system-x86_64, vde2 (vde_switch).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
if [ -x scripts/accel.sh ]; then
    accel=$(scripts/accel.sh)
    accel_args=$(scripts/accel.sh --qemu-args)
else
    accel=${WISP_ACCEL:-tcg}
    accel_args="-accel $accel -cpu max"
fi
out=build/bench
mkdir -p "$out"
# Only this script's files: the foundation benchmark writes build/bench/ too.
rm -rf "$out"/net.csv "$out"/net-*.log "$out"/net-*.png "$out/net-table.txt" "$out/net-linux"

# `make bench-net` rebuilds the Linux guest; a direct call at least picks
# up a changed linux-guest.sh.
lg=build/linux-guest/initramfs.gz
case " ${BENCH_SKIP:-} " in
*" linux "*) ;;
*) if [ ! -f "$lg" ] || [ -n "$(find scripts/linux-guest.sh -newer "$lg")" ]; then
       scripts/linux-guest.sh
   fi ;;
esac

set -- --accel "$accel" --accel-args "$accel_args" --out "$out" --runs "${BENCH_NET_RUNS:-1}"
if [ -n "${WISP_NET_APPEND:-}" ]; then
    set -- "$@" --wisp-args "$WISP_NET_APPEND"
fi
for s in ${BENCH_SKIP:-}; do
    set -- "$@" --skip "$s"
done
# shellcheck disable=SC2086 # BENCH_NET_ARGS is a list of options
set -- "$@" ${BENCH_NET_ARGS:-}

status=0
python3 scripts/bench_net.py "$@" >"$out/net-table.txt" || status=$?
cat "$out/net-table.txt"

# Optional plots: Debian's python3-matplotlib lives under /usr/bin/python3.
for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import matplotlib' 2>/dev/null; then
        "$py" scripts/bench_net.py --plot "$out/net.csv" --out "$out" || true
        break
    fi
done
exit "$status"
