#!/usr/bin/env bash
# The console loses no output when its reader is slow (arch/x86_64/
# arch_serial.c): QEMU keeps the UART's THRE clear while the socket to the
# reader is full, and a kernel that wrote on anyway overran the FIFO and
# QEMU dropped bytes (CI's fs_mmap saw ten bytes of `cat` vanish on a
# loaded host). Here a reader on node 0's console socket stops reading for
# 2 s, three times, while the node prints 80 000 numbered lines (about
# 470 KB, more than the socket holds); every line must arrive, in order.
# Never times anything but its own pauses.
# test-timeout: 600
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup console_slow
cd "$CL_ROOT" || exit 1
cl up -n 1 --timeout 180 >/dev/null || cl_fail "up -n 1"
cl sh 0 'true' >/dev/null || cl_fail "node 0 does not answer"

out=$(python3 - "$CL_ROOT/scripts/cluster" "$CL_DIR" <<'EOF'
import importlib.machinery, importlib.util, os, socket, sys, time
# The console socket is where scripts/cluster puts it (a short directory
# when the clone's path is too long for a unix socket's address).
loader = importlib.machinery.SourceFileLoader("wisp_cluster", sys.argv[1])
spec = importlib.util.spec_from_loader("wisp_cluster", loader)
cluster = importlib.util.module_from_spec(spec)
loader.exec_module(cluster)
sock = cluster.Cluster(sys.argv[2]).node_file(0, "sock")
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.connect(sock)
s.sendall(b"seq 1 80000; echo __DO\"\"NE__\n")
data = b""
pauses = 0
t_read = time.time()
deadline = time.time() + 400
s.settimeout(1.0)
while b"__DONE__" not in data and time.time() < deadline:
    if pauses < 3 and time.time() - t_read > 0.3 and len(data) > 1000:
        time.sleep(2.0)             # the reader stalls; the node must wait
        pauses += 1
        t_read = time.time()
    try:
        chunk = s.recv(4096)
    except socket.timeout:
        continue
    if not chunk:
        break
    data += chunk
text = data.decode("latin-1").replace("\r", "")
nums = [l for l in text.split("\n") if l.isdigit()]
want = [str(i) for i in range(1, 80001)]
print("pauses %d lines %d" % (pauses, len(nums)))
if nums != want:
    bad = next((i for i, (a, b) in enumerate(zip(nums, want)) if a != b), min(len(nums), len(want)))
    print("MISMATCH at line %d: got %r want %r" % (bad + 1, nums[bad:bad + 3], want[bad:bad + 3]))
    sys.exit(1)
print("OK")
EOF
) || cl_fail "console output lost: $out"
echo "$out"
[[ $out == *"pauses 3"* && $out == *OK* ]] || cl_fail "the reader did not pause three times: $out"
cl_pass
