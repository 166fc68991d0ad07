# shellcheck shell=bash
# Bash helpers for tests that run a cluster with scripts/cluster. Source it:
#     . "$(dirname "$0")/../../scripts/cluster_lib.sh"
#     cl_setup NAME          # a fresh state dir; `down` is run at exit
#     cl up -n 3             # scripts/cluster -d "$CL_DIR" ...
#     cl_expect_out "hello" sh 0 'echo hello'
#
#   cl_setup NAME           sets CL_DIR (build/test/NAME.XXXXXX) and an EXIT
#                           trap that brings every cluster in CL_DIRS down and
#                           removes the dirs when the test passed
#   cl_new_dir VAR NAME     set VAR to another fresh state dir (in CL_DIRS)
#   cl ARGS...              scripts/cluster -d "$CL_DIR" ARGS...
#   cld DIR ARGS...         scripts/cluster -d DIR ARGS...
#   cl_expect_out WANT ARGS...  run `cl ARGS`; fail unless it exits 0 and
#                           prints exactly WANT
#   cl_expect_status N ARGS...  fail unless `cl ARGS` exits with status N
#   cl_node_state K         print up or down for node K (from `cl status`)
#   cl_fail MSG             print MSG and the nodes' log tails; exit 1
#   cl_pass                 print "PASS" and exit 0
#   cl_bg PID               stop background process PID (and wait for it) at exit
#   cl_stats ARRAY K CMD    run CMD (rpcstat, netstat) on node K and fill the
#                           associative ARRAY (declare -A first) from its
#                           "name value" lines
# WISP_KEEP_TMP=1 keeps the state dirs (logs) even when the test passes.

CL_ROOT=${WISP_ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
CL_TOOL=$CL_ROOT/scripts/cluster
CL_DIRS=()
CL_PIDS=()

cl_new_dir() {
    local d
    mkdir -p "$CL_ROOT/build/test"
    d=$(mktemp -d "$CL_ROOT/build/test/$2.XXXXXX") || exit 1
    CL_DIRS+=("$d")
    printf -v "$1" '%s' "$d"
}

cl_setup() {
    CL_NAME=$1
    trap cl_cleanup EXIT
    # A timeout's TERM (tests/run.sh) ends the test at once, so the EXIT
    # trap brings its clusters down within timeout's grace period.
    trap 'exit 143' TERM INT
    cl_new_dir CL_DIR "$1"
}

cl_cleanup() {
    local st=$? d p
    for p in "${CL_PIDS[@]}"; do
        kill "$p" 2>/dev/null
    done
    for p in "${CL_PIDS[@]}"; do
        wait "$p" 2>/dev/null
    done
    for d in "${CL_DIRS[@]}"; do
        "$CL_TOOL" -d "$d" down >/dev/null 2>&1
    done
    if [[ $st == 0 && ${WISP_KEEP_TMP:-0} != 1 ]]; then
        rm -rf "${CL_DIRS[@]}"
    elif [[ $st != 0 ]]; then
        echo "state dirs kept: ${CL_DIRS[*]}" >&2
    fi
    return $st
}

# shellcheck disable=SC2153 # CL_DIR is set by cl_setup
cl() { "$CL_TOOL" -d "$CL_DIR" "$@"; }
cld() { local d=$1; shift; "$CL_TOOL" -d "$d" "$@"; }

cl_fail() {
    local d f
    echo "FAIL: $*" >&2
    for d in "${CL_DIRS[@]}"; do
        for f in "$d"/node*.log; do
            [[ -f $f ]] || continue
            echo "--- tail of $f ---" >&2
            tail -n 15 "$f" | tr -d '\r' >&2
        done
    done
    exit 1
}

cl_pass() {
    echo "PASS${CL_NAME:+ $CL_NAME}"
    exit 0
}

cl_expect_out() {
    local want=$1 out st=0
    shift
    out=$(cl "$@") || st=$?
    [[ $st == 0 ]] || cl_fail "'scripts/cluster $*' exited $st (output: '$out')"
    [[ $out == "$want" ]] || cl_fail "'scripts/cluster $*' printed '$out', not '$want'"
}

cl_expect_status() {
    local want=$1 st=0 errs
    shift
    errs=$(cl "$@" 2>&1 >/dev/null) || st=$?
    [[ $st == "$want" ]] || cl_fail "'scripts/cluster $*' exited $st, not $want ($errs)"
}

cl_node_state() {
    cl status | awk -v k="$1" '$1 == k { print $3 }'
}

cl_bg() { CL_PIDS+=("$1"); }

cl_stats() {
    local -n cl_stats_arr=$1     # a nameref: fills the caller's array
    local out name value
    out=$(cl sh "$2" "$3") || return 1
    while read -r name value _; do
        # shellcheck disable=SC2034 # cl_stats_arr is the caller's array
        [[ $value =~ ^[0-9]+$ ]] && cl_stats_arr["$name"]=$value
    done <<<"$out"
    return 0
}
