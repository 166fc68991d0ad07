#!/usr/bin/env bash
# Streams across nodes when things go wrong (the wisp_rstart test vehicle,
# `streamtest run`; docs/fs.md "Streams across nodes"):
#  1. a cat on node 1 blocked reading a pipe of node 0 dies of a kill
#     there, and node 0's runner sees it gone;
#  2. node 1's QEMU killed while it holds node 0's streams: node 0 drops
#     its references (streamstat: refs back to 0, `dropped` counts them);
#  3. node 0's QEMU killed while a reader on node 1 is blocked on node 0's
#     pipe: the read fails with EIO (never hangs), and the reader, which
#     writes what it got into its own node's /tmp, exits.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup stream_fail
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# The pid of the process running PROG (a path, as ps shows it) on node K, or "".
pid_of() {
    cl sh "$1" ps | tr -d '\r' | awk -v p="$2" '$4 == p { print $1; exit }'
}
stat_of() {
    cl sh "$1" 'streamtest stat' | tr -d '\r' | awk -v n="$2" '$1 == n { print $2 }'
}

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

# 1. A signal ends a read blocked on a remote pipe.
cl sh 0 'sleep 1000 | streamtest run 1 /bin/cat >/dev/null &' >/dev/null ||
    cl_fail "starting the remote cat"
for _ in $(seq 1 20); do
    cat_pid=$(pid_of 1 /bin/cat)
    [[ -n $cat_pid ]] && break
    sleep 1
done
[[ -n $cat_pid ]] || cl_fail "no cat runs on node 1"
cl sh 1 "kill $cat_pid" >/dev/null || cl_fail "kill $cat_pid on node 1"
for _ in $(seq 1 20); do
    [[ -z $(pid_of 1 /bin/cat) && -z $(pid_of 0 /bin/streamtest) ]] && break
    sleep 1
done
[[ -z $(pid_of 1 /bin/cat) ]] || cl_fail "the blocked cat on node 1 survived SIGTERM"
[[ -z $(pid_of 0 /bin/streamtest) ]] || cl_fail "node 0's runner did not see its cat go"
echo "ok: a reader blocked on a remote pipe died of a signal"

# 2. The holder's node dies: the exporter drops its references.
cl sh 0 'sleep 1000 | streamtest run 1 /bin/cat >/dev/null &' >/dev/null ||
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
    [[ -z $(pid_of 0 /bin/streamtest) ]] && break
    sleep 1
done
[[ -z $(pid_of 0 /bin/streamtest) ]] || cl_fail "node 0's runner hangs after node 1 died"

# 3. The exporter dies: the holder's blocked read fails with EIO.
cl restart 1 --timeout 150 >/dev/null || cl_fail "restart 1"
cl sh 0 'sleep 1000 | streamtest run 1 /bin/streamtest readerr /tmp/re &' >/dev/null ||
    cl_fail "starting the remote reader"
for _ in $(seq 1 20); do
    [[ -n $(pid_of 1 /bin/streamtest) ]] && break
    sleep 1
done
[[ -n $(pid_of 1 /bin/streamtest) ]] || cl_fail "no reader runs on node 1"
cl kill 0 >/dev/null || cl_fail "kill 0"
out=""
for _ in $(seq 1 60); do
    out=$(cl sh 1 'cat /tmp/re 2>/dev/null' | tr -d '\r')
    [[ -n $out ]] && break
    sleep 1
done
[[ $out == "error 5 "* ]] || cl_fail "the reader on node 1 got '$out', not EIO"
[[ -z $(pid_of 1 /bin/streamtest) ]] || cl_fail "the reader on node 1 did not exit"
echo "ok: node 0 died; the read on node 1 failed: $out"
cl down >/dev/null
cl_pass
