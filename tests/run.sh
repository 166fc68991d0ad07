#!/usr/bin/env bash
# The test runner behind `make test`. It does not build: mk/test.mk builds
# first. Runs the host unit tests (`make check`, each host test counted),
# then `lint` and every tests/qemu/*.sh (one test each, exit 0 = pass),
# WISP_JOBS (2) at a time, each under WISP_TEST_TIMEOUT (300 s), output in
# build/test/logs/NAME.log. The last line is always "N passed, N failed";
# the exit status is non-zero if anything failed or nothing ran.
#   tests/run.sh               everything
#   tests/run.sh NAME...       only these (check, lint, or a tests/qemu name)
# WISP_QEMU_TESTS overrides the directory of QEMU tests (default tests/qemu).
# WISP_BUILD_STATUS, _LOG and _T0 (from mk/test.mk) report the build
# as one more test, `build`.
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root" || exit 2
export WISP_ROOT=$root

qdir=${WISP_QEMU_TESTS:-tests/qemu}
jobs_max=${WISP_JOBS:-2}
tmo=${WISP_TEST_TIMEOUT:-300}
logdir=build/test/logs
resdir=build/test/results.$$
mkdir -p "$logdir" "$resdir"
export WISP_LOG_DIR=$root/$logdir

# We are usually started by make; the host-test build must not try to use
# a jobserver it was not handed.
unset MAKEFLAGS MFLAGS MAKELEVEL
make=${MAKE:-make}

now_us() { local t=${EPOCHREALTIME//[.,]/}; echo "${t}"; }

elapsed() {   # elapsed T0_US -> "12.3s"
    local d=$((($(now_us) - $1) / 100000))
    echo "$((d / 10)).$((d % 10))s"
}

describe() {  # what a test's exit status means
    case $1 in
    124 | 137) echo "timed out after ${tmo}s" ;;
    126) echo "not executable" ;;
    127) echo "not found" ;;
    *) echo "exit $1" ;;
    esac
}

# report NAME STATUS T0 LOG [PASSED FAILED]: print one PASS/FAIL line (with
# the log's tail on failure) and record the counts for the summary.
report() {
    local name=$1 st=$2 t0=$3 log=$4 np=${5:-} nf=${6:-} dt msg tail
    dt=$(elapsed "$t0")
    if [[ -z $np ]]; then
        if [[ $st == 0 ]]; then np=1 nf=0; else np=0 nf=1; fi
    fi
    echo "$np $nf" >"$resdir/$name"
    if [[ $st == 0 && $nf == 0 ]]; then
        if [[ $name == check ]]; then
            echo "PASS check ($np host tests, $dt)"
        else
            echo "PASS $name ($dt)"
        fi
        return
    fi
    # One echo so that lines of tests finishing together do not interleave.
    if [[ $name == check ]]; then
        msg="FAIL check ($np passed, $nf failed, $(describe "$st"), $dt): $log"
    else
        msg="FAIL $name ($(describe "$st"), $dt): $log"
    fi
    tail=$(tail -n "${WISP_TAIL:-15}" "$log" 2>/dev/null | sed 's/^/    | /')
    echo "$msg${tail:+$'\n'$tail}"
}

# Host unit tests: mk/check.mk's last summary line "check: N passed, N
# failed" gives the counts. If make failed without a count (a build
# error, or no check target), that is one failure.
run_check() {
    local log=$logdir/check.log t0 st=0 line np=0 nf=0
    t0=$(now_us)
    timeout -k 10 "$tmo" "$make" --no-print-directory -j"$jobs_max" check \
        </dev/null >"$log" 2>&1 || st=$?
    line=$(grep -E '^check: [0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
    if [[ $line =~ ^check:\ ([0-9]+)\ passed,\ ([0-9]+)\ failed ]]; then
        np=${BASH_REMATCH[1]} nf=${BASH_REMATCH[2]}
    fi
    ((st != 0 && nf == 0)) && nf=1
    report check "$st" "$t0" "$log" "$np" "$nf"
}

# One QEMU (or lint) test in the background. timeout(1) puts the test in
# its own process group, so an interrupt is passed on to it by hand.
run_job() {
    local name=$1 log=$logdir/$1.log t0 st=0 pid
    shift
    t0=$(now_us)
    if [[ $1 != scripts/* && ! -x $1 ]]; then
        echo "$1 is not executable (chmod +x it)" >"$log"
        report "$name" 126 "$t0" "$log"
        return
    fi
    # A test may ask for more time with a line "# test-timeout: SECONDS".
    local t=$tmo own
    own=$(sed -n 's/^# test-timeout: *\([0-9][0-9]*\)$/\1/p' "$1" 2>/dev/null | head -n 1)
    [[ -n $own ]] && ((own > t)) && t=$own
    WISP_TEST_NAME=$name timeout -k 60 "$t" "$@" </dev/null >"$log" 2>&1 &
    pid=$!
    trap 'kill -TERM $pid 2>/dev/null; wait $pid; exit 130' TERM INT
    wait $pid || st=$?
    report "$name" "$st" "$t0" "$log"
}

# Which tests: names on the command line, or all of them.
want_check=0
qtests=()
if (($# == 0)); then
    want_check=1
    qtests+=(lint)
    for f in "$qdir"/*.sh; do
        [[ -e $f ]] && qtests+=("$(basename "$f" .sh)")
    done
else
    for a in "$@"; do
        a=$(basename "$a" .sh)
        if [[ $a == check ]]; then want_check=1; else qtests+=("$a"); fi
    done
fi

pids=()
trap 'kill -TERM "${pids[@]}" 2>/dev/null; wait; rm -rf "$resdir"; echo "interrupted"; exit 130' INT TERM

# mk/test.mk built before calling us and passes the result: one test.
if [[ -n ${WISP_BUILD_STATUS:-} ]]; then
    report build "$WISP_BUILD_STATUS" "${WISP_BUILD_T0:-$(now_us)}" "${WISP_BUILD_LOG:-/dev/null}"
fi
((want_check)) && run_check

for name in "${qtests[@]}"; do
    while (($(jobs -rp | wc -l) >= jobs_max)); do
        wait -n
    done
    if [[ $name == lint ]]; then
        run_job lint scripts/lint.sh &
    elif [[ -e $qdir/$name.sh ]]; then
        run_job "$name" "$qdir/$name.sh" &
    else
        echo "no test $qdir/$name.sh" >"$logdir/$name.log"
        report "$name" 127 "$(now_us)" "$logdir/$name.log"
        continue
    fi
    pids+=($!)
done
wait

passed=0 failed=0
for r in "$resdir"/*; do
    [[ -e $r ]] || continue
    read -r np nf <"$r"
    passed=$((passed + np)) failed=$((failed + nf))
done
rm -rf "$resdir"

if ((passed + failed == 0)); then
    echo "no test ran" >&2
    failed=1
fi
echo "$passed passed, $failed failed"
((failed == 0))
