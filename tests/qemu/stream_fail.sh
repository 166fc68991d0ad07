#!/usr/bin/env bash
# Streams across nodes when things go wrong (docs/fs.md "Streams across
# nodes"; remote programs started with rexec, docs/home.md):
#  1. a cat on node 1 (`rexec 1 cat`, home node 0) blocked reading a pipe
#     of node 0 dies of a kill sent from its home, and its rexec sees it go;
#  2. node 1's QEMU killed while it holds node 0's streams: node 0 drops
#     its references (streamstat: refs back to 0, `dropped` counts them),
#     and the rexec waiting there returns;
#  3. node 0's QEMU killed while a reader on node 1 is blocked on node 0's
#     pipe: the read fails with EIO (never hangs), and the reader, which
#     writes what it got into its own node's /tmp, exits. The reader's home
#     must outlive node 0 (a process whose home dies is killed), so it is
#     started from node 1 (`rexec 0 sh -c 'sleep | streamtest readerr'`:
#     the pipe is made on node 0) and then migrated home to node 1, its
#     pipe staying behind on node 0.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup stream_fail
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# The pid of the process whose command line starts with CMD (words, as ps
# shows them), running on node K as `ps -c` on node 0 lists it, or "".
pid_of() {
    cl sh 0 'ps -c' | tr -d '\r' |
        awk -v k="$1" -v c="$2" '$4 == k { l = $6; for (i = 7; i <= NF; i++) l = l " " $i
                                            if (index(l, c) == 1) { print $1; exit } }'
}
# The same in node K's own table (ps), for a process running there.
local_pid_of() {
    cl sh "$1" ps | tr -d '\r' |
        awk -v k="$1" -v c="$2" '$4 == k { l = $6; for (i = 7; i <= NF; i++) l = l " " $i
                                            if (index(l, c) == 1) { print $1; exit } }'
}
# Where node K's own table says PID runs ("" when it is not there).
node_of() {
    cl sh "$1" ps | tr -d '\r' | awk -v p="$2" '$1 == p && $5 != "Z" { print $4; exit }'
}
stat_of() {
    cl sh "$1" 'streamtest stat' | tr -d '\r' | awk -v n="$2" '$1 == n { print $2 }'
}

# Node 0, killed in part 3, is also the file server: with the volume as
# every node's / (fsroot=on) node 1 could then run no program from it, so
# / is the full initrd here (docs/fs.md "The root switch").
cl up -n 2 --fsroot off --timeout 150 >/dev/null || cl_fail "up -n 2"

# 1. A signal ends a read blocked on a remote pipe.
cl sh 0 'sleep 1000 | rexec 1 /bin/cat >/dev/null &' >/dev/null ||
    cl_fail "starting the remote cat"
for _ in $(seq 1 20); do
    cat_pid=$(pid_of 1 /bin/cat)
    [[ -n $cat_pid ]] && break
    sleep 1
done
[[ -n $cat_pid ]] || cl_fail "no cat runs on node 1"
[[ -n $(local_pid_of 0 "rexec 1 /bin/cat") ]] || cl_fail "no rexec waits on node 0"
cl sh 0 "kill $cat_pid" >/dev/null || cl_fail "kill $cat_pid from node 0, its home"
for _ in $(seq 1 20); do
    [[ -z $(pid_of 1 /bin/cat) && -z $(local_pid_of 0 "rexec 1 /bin/cat") ]] && break
    sleep 1
done
[[ -z $(pid_of 1 /bin/cat) ]] || cl_fail "the blocked cat on node 1 survived SIGTERM"
[[ -z $(local_pid_of 0 "rexec 1 /bin/cat") ]] || cl_fail "node 0's rexec did not see its cat go"
echo "ok: a reader blocked on a remote pipe died of a signal"

# 2. The holder's node dies: the exporter drops its references.
cl sh 0 'sleep 1000 | rexec 1 /bin/cat >/dev/null &' >/dev/null ||
    cl_fail "starting the remote cat again"
for _ in $(seq 1 20); do
    refs=$(stat_of 0 refs)
    [[ ${refs:-0} -ge 3 ]] && break
    sleep 1
done
((refs >= 3)) || cl_fail "node 0 holds $refs references for node 1, not 3 (pipe, null, console)"
dropped0=$(stat_of 0 dropped)
cl kill 1 >/dev/null || cl_fail "kill 1"
for _ in $(seq 1 40); do
    refs=$(stat_of 0 refs)
    [[ $refs == 0 ]] && break
    sleep 1
done
dropped=$(stat_of 0 dropped)
[[ $refs == 0 ]] || cl_fail "node 0 still holds $refs references of dead node 1"
((dropped - dropped0 >= 3)) || cl_fail "node 0 counted $dropped - $dropped0 dropped references"
echo "ok: node 1 died; node 0 dropped its $((dropped - dropped0)) references"
for _ in $(seq 1 20); do
    [[ -z $(local_pid_of 0 "rexec 1 /bin/cat") ]] && break
    sleep 1
done
[[ -z $(local_pid_of 0 "rexec 1 /bin/cat") ]] || cl_fail "node 0's rexec hangs after node 1 died"

# 3. The exporter dies: the holder's blocked read fails with EIO.
cl restart 1 --timeout 150 >/dev/null || cl_fail "restart 1"
cl sh 1 "rexec 0 /bin/sh -c 'sleep 1000 | streamtest readerr /tmp/re' >/dev/null 2>&1 &" \
    >/dev/null || cl_fail "starting the reader on node 0"
for _ in $(seq 1 30); do
    rd_pid=$(local_pid_of 0 "streamtest readerr")
    [[ -n $rd_pid ]] && break
    sleep 1
done
[[ -n $rd_pid ]] || cl_fail "no reader runs on node 0"
out=$(cl sh --timeout 120 0 "migrate $rd_pid 1") || cl_fail "migrate $rd_pid 1: $out"
for _ in $(seq 1 20); do
    [[ $(node_of 1 "$rd_pid") == 1 ]] && break
    sleep 1
done
[[ $(node_of 1 "$rd_pid") == 1 ]] || cl_fail "the reader $rd_pid did not come home to node 1"
cl kill 0 >/dev/null || cl_fail "kill 0"
out=""
for _ in $(seq 1 60); do
    # Only the file's line: the node's own kernel messages ("wisp: process
    # ... lost: node 0 went down") can land in the same console output.
    out=$(cl sh 1 'cat /tmp/re 2>/dev/null' | tr -d '\r' | grep -v '^wisp: ' | grep . || true)
    [[ -n $out ]] && break
    sleep 1
done
[[ $out == "error 5 "* ]] || cl_fail "the reader on node 1 got '$out', not EIO"
for _ in $(seq 1 20); do
    [[ -z $(node_of 1 "$rd_pid") ]] && break
    sleep 1
done
[[ -z $(node_of 1 "$rd_pid") ]] || cl_fail "the reader on node 1 did not exit"
echo "ok: node 0 died; the read on node 1 failed: $out"
cl down >/dev/null
cl_pass
