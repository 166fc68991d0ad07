#!/usr/bin/env bash
# The console stays on its node: a program started on node 1 with node 0's
# streams (`rexec 1 PROG`: its home is node 0) reads a line typed on node
# 0's console, its output appears there, and ^C typed there reaches it
# (node 0's tty signals the foreground group; home forwards the signal to
# the member on node 1) while it is blocked reading the console: it dies,
# node 0's shell comes back, and node 1 has no such process left. Started in the
# background, such a reader stops its job (SIGTTIN, sent by node 0's tty
# to the group, at home) and `fg` lets it read. The console is driven
# through its socket, as a user types.
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup stream_console
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 2 --timeout 150 >/dev/null || cl_fail "up -n 2"

# type SOCK: send each argument (after a pause) to a console socket and
# print what comes back; exit 0 once the last expected text is seen.
# Arguments: WAIT_TEXT SEND ... pairs: wait until WAIT_TEXT ("" none;
# "sleep:S" S seconds) was printed since the last send, then send SEND
# (Python escapes).
drive() {
    python3 - "$@" <<'PY'
import socket, sys, time
sock, steps = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.connect(sock)
s.settimeout(0.2)
buf = b""
def wait_for(text, secs=90):
    global buf
    end = time.monotonic() + secs
    # A loaded serial console now and then drops a character: accept the
    # text with at most one character missing (never its last).
    forms = [text] + [text[:k] + text[k + 1:] for k in range(len(text) - 1)] if len(text) > 4 else [text]
    while not any(f.encode() in buf for f in forms):
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
    elif steps[i]:
        wait_for(steps[i].encode().decode("unicode_escape"))
    buf = b""
    if i + 1 < len(steps):
        s.sendall(steps[i + 1].encode().decode("unicode_escape").encode("latin-1"))
sys.stdout.write(buf.decode(errors="replace"))
PY
}
sock=$(cl sockdir)/node0.sock   # a short directory when the clone path is long

# Input typed on node 0 reaches the program on node 1; its output comes back.
out=$(drive "$sock" "" "\\x15rexec 1 /bin/sh -c 'read x; echo GOT-\$x'\\n" \
    "" "" "" 'typed-on-0\n' "GOT-typed-on-0" "") ||
    cl_fail "the line typed on node 0 did not reach node 1: $out"
echo "ok: console input read on node 1, its output on node 0"
out=$(drive "$sock" "" '\x15echo back-$((6*7))\n' "back-42" "") ||
    cl_fail "node 0's shell did not come back: $out"

# ^C on node 0's console ends a cat on node 1 that reads that console.
out=$(drive "$sock" "" '\x15rexec 1 /bin/cat\n' "" "" "" 'line-one\n' \
    "line-one" "" "" "") || cl_fail "cat on node 1 did not echo a line: $out"
sleep 2
out=$(cl sh 1 'ps' | tr -d '\r') || cl_fail "ps on node 1"
grep -q '/bin/cat' <<<"$out" || cl_fail "no cat runs on node 1: $out"
# (Typing waits for the prompt: a line typed at once could be the last
# thing the dying reader's pending read takes.)
out=$(drive "$sock" "" '\x03' 'wisp:0$' '\x15echo after-$((6*7))\n' "after-42" "") ||
    cl_fail "^C did not give node 0's shell back: $out"
for _ in $(seq 1 20); do
    out=$(cl sh 1 'ps' | tr -d '\r') || cl_fail "ps on node 1"
    grep -q '/bin/cat' <<<"$out" || break
    sleep 1
done
grep -q '/bin/cat' <<<"$out" && cl_fail "cat still runs on node 1 after ^C: $out"
echo "ok: ^C on node 0 ended the reader on node 1"

# Job control: a background job whose reader on node 1 reads node 0's
# console is stopped (SIGTTIN from the console's node to its group) and
# leaves the line to the shell; fg puts it in front, where it reads.
# (ash reports a stopped job before its next prompt: hence the empty line.)
out=$(drive "$sock" "" '\x15rexec 1 /bin/cat &\n' "sleep:4" '\n' "Stopped" "" \
    "sleep:1" '\x15echo shell-$((6*7))\n' "shell-42" "") ||
    cl_fail "the background reader on node 1 was not stopped: $out"
echo "ok: a background reader on node 1 is stopped by SIGTTIN; the shell reads"
out=$(drive "$sock" "" '\x15fg\n' "sleep:3" 'line-three\n' "line-three\r\nline-three" \
    '\x03' 'wisp:0$' '\x15echo end-$((6*7))\n' "end-42" "") ||
    cl_fail "fg did not give node 0's console to the reader on node 1: $out"
echo "ok: fg: the reader on node 1 reads node 0's console"
cl down >/dev/null
cl_pass
