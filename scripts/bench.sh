#!/bin/sh
# `make bench`: Wisp beside a Linux guest (scripts/linux-guest.sh) under the
# same QEMU and accelerator in the same run, with the same static musl bench
# binaries; the host too where KVM is hardware-backed. Prints the table and
# writes build/bench/*.csv (and a PNG of the ratios if matplotlib is there).
# Exits non-zero if either system failed to boot or a benchmark failed.
# See docs/bench.md.
#
# Env: WISP_ACCEL   kvm or tcg; default as for the QEMU tests (accel.sh)
#      BENCH_RUNS   boots per system (default 3)
#      BENCH_HOST   1/0 forces the host column on/off (default: auto)
#      BENCH_SKIP   "wisp" or "linux" to leave one system out
#      WISP_BENCH_APPEND  Wisp's kernel command line
#      BENCH_BIN_DIR      where the bench binaries are (default build/user)
# Needs: python3, qemu-system-x86_64, util-linux (taskset, for the host run).
set -eu

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
# The accelerator is chosen as for the QEMU tests (scripts/accel.sh:
# WISP_ACCEL=kvm|tcg, else KVM only when it is hardware-backed).
if [ -x scripts/accel.sh ]; then
    accel=$(scripts/accel.sh)
    accel_args=$(scripts/accel.sh --qemu-args)
else
    accel=${WISP_ACCEL:-tcg}
    accel_args="-accel $accel -cpu max"
fi
out=build/bench
bindir=${BENCH_BIN_DIR:-build/user}
mkdir -p "$out"
# Nothing from an earlier run may pass for this one's.
# Only this script's files: other benchmarks may write build/bench/ too.
rm -rf "$out"/wisp-*.log "$out"/linux-*.log "$out"/host-*.log "$out/foundation.csv" \
    "$out/foundation-runs.csv" "$out/foundation.png" "$out/table.txt" "$out/hostbin"

# KVM is hardware-backed when the CPU has VT-x/AMD-V, /dev/kvm exists and it
# is not the paravirtual PVM module (which runs guests slowly in software).
hw_kvm() {
    grep -qE 'vmx|svm' /proc/cpuinfo && [ -e /dev/kvm ] && [ ! -e /sys/module/kvm_pvm ]
}

set -- --accel "$accel" --accel-args "$accel_args" --runs "${BENCH_RUNS:-3}" --out "$out"
if [ -n "${WISP_BENCH_APPEND:-}" ]; then
    set -- "$@" --wisp-append "$WISP_BENCH_APPEND"
fi
for s in ${BENCH_SKIP:-}; do
    set -- "$@" --skip "$s"
done
host=${BENCH_HOST:-auto}
if [ "$host" = auto ]; then
    if hw_kvm; then host=1; else host=0; fi
fi
if [ "$host" = 1 ]; then
    # The host execs the same `true` the Linux guest got.
    hostbin="$out/hostbin"
    mkdir -p "$hostbin"
    for p in bench benchnull benchctx benchfork; do
        cp "$bindir/$p" "$hostbin/$p"
    done
    cp build/linux-guest/root/bin/true "$hostbin/true"
    set -- "$@" --host "$hostbin"
fi

status=0
python3 scripts/bench_run.py "$@" >"$out/table.txt" || status=$?
cat "$out/table.txt"

# Optional plot: Debian's python3-matplotlib lives under /usr/bin/python3.
for py in /usr/bin/python3 python3; do
    if command -v "$py" >/dev/null 2>&1 && "$py" -c 'import matplotlib' 2>/dev/null; then
        "$py" scripts/bench_plot.py "$out/foundation.csv" "$out/foundation.png" || true
        break
    fi
done
exit "$status"
