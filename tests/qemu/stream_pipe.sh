#!/usr/bin/env bash
# Streams that stay behind (docs/fs.md "Streams across nodes"), through
# remote exec (`rexec NODE PROG ARGS`, docs/home.md): a
# program started on node 1 with node 0's streams writes to node 0's
# console; reads a pipe whose writer is on node 0 (`seq 1 1000 | ... wc -l`
# gives 1000) and writes one whose reader is there; a pipeline across 3
# nodes; tty ioctls on the remote console (TCGETS/TCSETS/TIOCGWINSZ/
# FIONREAD); poll and select on a remote pipe; lseek and fstat on a
# remote /tmp file; two processes on
# different nodes writing one /tmp file's description in turn share one
# offset (A0 B0 A1 B1 ...); a boot-image file is reopened at the receiver
# by path at its offset; and afterwards node 0 holds no export reference.
# Output lines are matched with grep -x: the console's echo of a long
# command line may come back wrapped.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup stream_pipe
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# Run a command on node K; fail unless it exits 0 and prints line WANT.
expect_line() {
    local k=$1 want=$2 cmd=$3 out st=0
    out=$(cl sh --timeout 120 "$k" "$cmd" | tr -d '\r') || st=$?
    [[ $st == 0 ]] || cl_fail "'$cmd' on node $k exited $st: $out"
    grep -qxF -- "$want" <<<"$out" || cl_fail "'$cmd' on node $k did not print '$want': $out"
    echo "ok: node $k: $cmd -> $want"
}

cl up -n 3 --timeout 150 >/dev/null || cl_fail "up -n 3"

expect_line 0 "hello-from-1" 'rexec 1 /bin/echo hello-from-1'
expect_line 0 "1000" 'seq 1 1000 | rexec 1 /usr/bin/wc -l'
expect_line 0 "500" 'rexec 1 /usr/bin/seq 1 500 | wc -l'
expect_line 0 "300" 'seq 1 300 | rexec 1 /bin/cat | rexec 2 /usr/bin/wc -l'
expect_line 0 "ioctl ok: 24x80 isatty 1" 'rexec 2 /bin/streamtest ioctl'
expect_line 0 "seek: size 9 at 4 end 9" \
    'echo abcdefgh >/tmp/f; rexec 1 /bin/streamtest seek </tmp/f'
# A boot-image file travels as its path and offset: the reader on node 1
# goes on where node 0's shell left the shared description.
expect_line 0 "# by the login shell init starts on the console, busybox's ash as \"-sh\"," \
    '(read x; rexec 1 /usr/bin/head -n 1) </etc/profile'
expect_line 0 "poll ok: late" '(sleep 2; echo late) | rexec 1 /bin/streamtest poll'
expect_line 0 "share ok: 60 lines" 'streamtest share 1 30'
expect_line 0 "share: offset 220" 'streamtest share 2 30'

declare -A st0
cl_stats st0 0 'streamtest stat' || cl_fail "streamstat on node 0"
echo "node 0: exports ${st0[exports]} served ${st0[served]} refs ${st0[refs]} bad ${st0[bad]}"
((st0[exports] > 0 && st0[served] > 0)) || cl_fail "node 0 exported nothing"
((st0[refs] == 0 && st0[rows] == 0)) || cl_fail "node 0 still holds references: ${st0[refs]}"
((st0[bad] == 0)) || cl_fail "node 0 refused ${st0[bad]} stream requests"
cl down >/dev/null
cl_pass
