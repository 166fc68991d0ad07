# Helpers for the migration tests (tests/qemu/mig_*.sh), sourced after
# scripts/cluster_lib.sh and cl_setup. A migrated process keeps its
# streams: its output goes where it was started (its home's console or a
# file in its home's /tmp), whatever node it runs on. Tests send output
# that must be read reliably to a file on the home node (a background
# writer can interleave with the commands the cluster tool types).

# mig_wait_log K REGEX SECONDS: wait until node K's log matches REGEX.
mig_wait_log() {
    local k=$1 re=$2 t=$3 i
    for ((i = 0; i < t; i++)); do
        cl log "$k" | tr -d '\r' | grep -Eq -- "$re" && return 0
        sleep 1
    done
    return 1
}

# mig_cat K FILE: FILE on node K, without carriage returns.
mig_cat() {
    cl sh --timeout 60 "$1" "cat $2" 2>/dev/null | tr -d '\r'
}

# mig_wait_file K FILE REGEX SECONDS: wait until FILE on node K matches.
mig_wait_file() {
    local k=$1 f=$2 re=$3 t=$4 i
    for ((i = 0; i < t; i += 2)); do
        mig_cat "$k" "$f" | grep -Eq -- "$re" && return 0
        sleep 2
    done
    return 1
}

# mig_file_pid K FILE: the pid migtest printed at its start into FILE.
mig_file_pid() {
    local k=$1 f=$2 i pid
    for ((i = 0; i < 60; i++)); do
        pid=$(mig_cat "$k" "$f" | sed -n 's/^migtest: pid \([0-9]*\) node [0-9]* start.*/\1/p' |
            tail -n 1)
        [[ -n $pid ]] && { echo "$pid"; return 0; }
        sleep 1
    done
    return 1
}

# mig_stat K NAME: one counter of node K's `migrate stat`.
mig_stat() {
    cl sh "$1" 'migrate stat' | tr -d '\r' | awk -v n="$2" '$1 == n { print $2 }'
}

# mig_ps_has K PID: node K's ps lists PID (any state).
mig_ps_has() {
    cl sh --timeout 60 "$1" ps | tr -d '\r' | grep -q "^ *$2 "
}

# mig_drive SOCK WAIT SEND ...: type on a node's console socket as a user
# does: for each pair, wait until WAIT ("" none; "sleep:S" S seconds) was
# printed since the last send, then send SEND (Python escapes). Prints what
# came back after the last send; fails if a WAIT never came (180 s).
mig_drive() {
    python3 - "$@" <<'PY'
import socket, sys, time
sock, steps = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock)
s.settimeout(0.2)
buf = b""
def wait_for(text, secs=180):
    global buf
    end = time.monotonic() + secs
    # A loaded serial console now and then drops a character: accept the
    # text with at most one character missing (never its last).
    forms = [text] + [text[:k] + text[k + 1:] for k in range(len(text) - 1)] if len(text) > 4 else [text]
    while True:
        hits = [(buf.find(f.encode("latin-1")), f) for f in forms]
        hits = [(k, f) for k, f in hits if k >= 0]
        if hits:
            # what came after the text may hold the next step's text (one
            # read can bring both): keep it
            k, f = min(hits)
            buf = buf[k + len(f):]
            return
        if time.monotonic() > end:
            sys.stdout.write(buf.decode(errors="replace"))
            sys.exit("timed out waiting for %r" % text)
        try:
            buf += s.recv(65536)
        except socket.timeout:
            pass
for i in range(0, len(steps), 2):
    if steps[i].startswith("sleep:"):
        time.sleep(float(steps[i][6:]))
        buf = b""
    elif steps[i]:
        wait_for(steps[i].encode().decode("unicode_escape"))
    else:
        buf = b""
    if i + 1 < len(steps):
        s.sendall(steps[i + 1].encode().decode("unicode_escape").encode("latin-1"))
sys.stdout.write(buf.decode(errors="replace"))
PY
}

# mig_target_dies PHASE [MIB [NODE [MS]]]: the target's QEMU is killed while
# a migration of migtest (MIB MiB, default 1; node 0 -> node 1, moved by a
# background `migrate` of the shell that waits for it) sleeps at PHASE
# (migrate_delay=PHASE:MS on NODE, default 0: the source; 1 for a delay of
# the target's, "go"; MS default 40000: a loaded host is slow to kill the
# target), a test knob. Leaves in MIG_OUT what home's shell
# printed (mig=STATUS of migrate, status=STATUS of wait) and in MIG_PID
# migtest's pid.
mig_target_dies() {
    local phase=$1 mib=${2:-1} at=${3:-0} ms=${4:-40000} bg
    cl up -n 2 --timeout 180 --node-args "$at" "migrate_delay=$phase:$ms" >/dev/null ||
        cl_fail "up -n 2"
    cl sh --timeout 400 0 "migtest -p 100 -r 1500 -d 20 $mib > /tmp/c 2>&1 & p=\$!; sleep 2; migrate \$p 1 > /tmp/m 2>&1; echo mig=\$?; wait \$p; echo status=\$?" \
        > "$CL_DIR/sh.out" 2>&1 &
    bg=$!
    cl_bg "$bg"
    mig_wait_log "$at" "migrate pid [0-9]+: test delay at $phase" 120 ||
        cl_fail "the migration never reached $phase"
    cl kill 1 >/dev/null || cl_fail "kill 1"
    wait "$bg"
    MIG_OUT=$(tr -d '\r' <"$CL_DIR/sh.out")
    MIG_PID=$(mig_file_pid 0 /tmp/c) || cl_fail "no pid"
}

# mig_stays_at_source: after mig_target_dies before the commit, the move
# failed and the process went on at node 0 only: it passed there once,
# exited 0 to its parent, and node 0 counts one failed move and none out.
mig_stays_at_source() {
    [[ $MIG_OUT == *mig=1* ]] || cl_fail "migrate did not fail though its target died: $MIG_OUT"
    [[ $MIG_OUT == *status=0* ]] || cl_fail "the parent's wait did not get 0: $MIG_OUT"
    local c
    c=$(mig_cat 0 /tmp/c)
    [[ $(grep -c "migtest: PASS pid $MIG_PID node 0$" <<<"$c") == 1 ]] ||
        cl_fail "migtest did not pass once at node 0: $c"
    grep -q "FAIL" <<<"$c" && cl_fail "migtest failed: $c"
    [[ $(mig_stat 0 failed) == 1 && $(mig_stat 0 out) == 0 ]] ||
        cl_fail "node 0 does not count one failed migration and none out"
    mig_ps_has 0 "$MIG_PID" && cl_fail "$MIG_PID is still listed at node 0"
    mig_no_stream_refs 0
    return 0
}

# mig_no_stream_refs NODE...: once the processes that moved have ended,
# no node's export table holds a reference (docs/fs.md, "A migration's own
# streams"): every one taken for a target, in transit or held, was given
# back exactly once -- a reference dropped twice would have closed a
# stream under a running process, one never dropped stays here.
mig_no_stream_refs() {
    local k
    for k in "$@"; do
        declare -A st=()
        cl_stats st "$k" 'streamtest stat' || cl_fail "streamtest stat on node $k"
        [[ -n ${st[refs]:-} && -n ${st[rows]:-} ]] || cl_fail "streamtest stat on node $k: no counts"
        ((st[refs] == 0 && st[rows] == 0)) ||
            cl_fail "node $k still holds stream references: refs ${st[refs]} rows ${st[rows]}"
        unset st
    done
}
