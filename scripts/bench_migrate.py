#!/usr/bin/env python3
"""The migration half of `make bench` (issue 8's experiments; docs/experiments.md).

CRIU baseline: two Linux guests (scripts/linux-guest-criu.sh) on one
vde_switch; guest A checkpoints /bin/benchdirty with N MiB dirty, the
images go to guest B over the segment, B restores them and checks that the
program goes on (its /bin/criubench; A prints one `CRIU mib ...` line per
size). Wisp: a 3-node cluster (scripts/cluster) in the same run, one after
the other so they do not starve each other. On Wisp, whatever of `migrate`,
`rexec` and `migtest` the image has is used; what it lacks gives rows marked
"not available". Figures:
  - migration time per strategy and dirty size, split by phase (the line
    `migrate: pid P node A->B strategy S total_us T negotiate_us N freeze_us
    F transfer_us X commit_us C resume_us R pages P bytes B resent R`), the
    floor (null RPC round trip + dirty bytes / RPC bulk bandwidth between
    the same nodes: the faster of one-way 64 KiB RPCs and 1 MiB streams; a
    direct move of dirty memory takes the fastest of those measured just
    before and just after its own runs, `floor_mbs` in the CSV) and
    each time's ratio to the floor and to CRIU's total; the moved program
    (migtest, benchdirty for the stream runs) must go on at the target and
    end there by itself with status 0 (cont ok);
  - a null process's migration in null RPC round trips;
  - remote exec vs local fork+exec+wait (benchloop rexec / exec; and as
    typed into ash); a forwarded call (getppid) vs a null
    RPC vs the same call locally; Sprite's Fig. 3 (fork loop, system-call
    loop, CPU loop, busybox shell script: remote / local);
  - migration with files (issue 9): migration time against dirty blocks of
    a /shared file the program wrote and did not write back (--file-mib;
    written back before its open moves) and against open /shared files
    (--shared-files), direct strategy, with `fsmigtest` (its file checked
    at the target); the flush strategy beside the other three;
  - the cost model fixed + per dirty page (+ per stream, + per dirty file
    block, + per open /shared file) fitted by least squares, beside
    Sprite's 110 + 14*pages + 7*blocks + 14*files ms.
Writes <out>/migrate.csv, migrate-calls.csv, migrate-fit.csv, logs
<out>/migrate-*.log and (matplotlib) migrate-time.png, migrate-fig3.png.
Exit status 1 when a system that was asked for could not be measured.
"""
import argparse
import csv
import os
import re
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_net as bn  # noqa: E402  (switch, console and BENCH-line helpers)

ROOT = bn.ROOT
STRATEGIES = ["direct", "precopy", "lazy", "flush"]
PHASES = ["negotiate_us", "freeze_us", "transfer_us", "commit_us", "resume_us"]
CRIU_RE = re.compile(r"^CRIU mode (\w+) mib (\d+) files (\d+) dump_us (\d+) transfer_us (\d+) restore_us (\d+) "
                     r"total_us (\d+) image_kib (\d+) cont (\w+)")
MIG_RE = re.compile(r"migrate: pid (\d+) node (\d+)->(\d+) strategy (\w+)((?: \w+ -?\d+)+)")
# The stream runs (--files) dirty this much, and the program has 3 streams
# of its own (stdin, stdout, stderr).
STREAM_MIB = 1
STD_STREAMS = 3
# CRIU's modes (scripts/linux-guest-criubench.sh) as strategy names.
CRIU_NAMES = {"copy": "dump+copy+restore", "ps": "page-server"}
MIG_COLS = ["system", "strategy", "mib", "streams", "total_us", "negotiate_us", "freeze_us",
            "transfer_us", "commit_us", "resume_us", "dump_us", "restore_us", "pages",
            "bytes", "resent", "image_kib", "floor_us", "total_over_floor",
            "total_over_criu", "cont", "runs", "note", "accel", "downtime_us",
            "file_mib", "shared_files", "file_blocks", "src", "dst", "floor_mbs"]


def parse_migrate(text):
    """The agreed line of Wisp's migrate command as a dict (ints), or None."""
    for line in text.splitlines():
        m = MIG_RE.search(line)
        if m:
            kv = m.group(5).split()
            d = {kv[i]: int(kv[i + 1]) for i in range(0, len(kv) - 1, 2)}
            d.update(pid=int(m.group(1)), src=int(m.group(2)), dst=int(m.group(3)),
                     strategy=m.group(4))
            if "total_us" in d:
                return d
    return None


def parse_criu(lines):
    """{(mode, mib, files): row} from guest A's CRIU lines, and the error
    lines."""
    rows, errors = {}, []
    for line in lines:
        m = CRIU_RE.match(line.strip())
        if m:
            g = [m.group(1)] + [int(x) for x in m.groups()[1:8]] + [m.group(9)]
            rows[(g[0], g[1], g[2])] = {"dump_us": g[3], "transfer_us": g[4], "restore_us": g[5],
                                        "total_us": g[6], "image_kib": g[7], "cont": g[8]}
        elif line.startswith("CRIU error"):
            errors.append(line.strip())
    return rows, errors


def bench_value(text, name):
    for n, v, u in bn.bench_lines(text):
        if n == name:
            return v * bn.TIME_UNITS.get(u, 1.0) if u in bn.TIME_UNITS else v
    return None


# ---- least squares (normal equations, by hand: no numpy needed) ----

def solve(m, v):
    """Gaussian elimination with partial pivoting; None if singular."""
    n = len(v)
    a = [row[:] + [v[i]] for i, row in enumerate(m)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(a[r][c]))
        if abs(a[p][c]) < 1e-12:
            return None
        a[c], a[p] = a[p], a[c]
        for r in range(n):
            if r != c:
                f = a[r][c] / a[c][c]
                a[r] = [x - f * y for x, y in zip(a[r], a[c])]
    return [a[i][n] / a[i][i] for i in range(n)]


def fit(points, names):
    """Least squares y = sum(coef_i * x_i) over points [(xs, y)]; the
    columns of names whose x never varies (beyond the constant) are left
    out (None). Returns ({name: coef or None}, r2)."""
    keep = [i for i, _ in enumerate(names)
            if i == 0 or len({p[0][i] for p in points}) > 1]
    if len(points) < len(keep):
        return {n: None for n in names}, None
    xs = [[p[0][i] for i in keep] for p in points]
    ys = [p[1] for p in points]
    k = len(keep)
    ata = [[sum(x[i] * x[j] for x in xs) for j in range(k)] for i in range(k)]
    aty = [sum(x[i] * y for x, y in zip(xs, ys)) for i in range(k)]
    c = solve(ata, aty)
    if c is None:
        return {n: None for n in names}, None
    out = {n: None for n in names}
    for i, col in enumerate(keep):
        out[names[col]] = c[i]
    mean = sum(ys) / len(ys)
    ss_tot = sum((y - mean) ** 2 for y in ys)
    ss_res = sum((y - sum(ci * xi for ci, xi in zip(c, x))) ** 2 for x, y in zip(xs, ys))
    return out, (1 - ss_res / ss_tot) if ss_tot > 0 else None


# ---- the CRIU pair ----

def criu_argv(a, sw, k, extra):
    return [a.qemu] + a.accel_args.split() + [
        "-m", a.mem, "-smp", "1", "-display", "none", "-no-reboot", "-nodefaults",
        "-serial", "stdio", "-netdev", "vde,id=net0,sock=" + sw,
        "-device", "virtio-net-pci,netdev=net0,mac=" + bn.mac_of(k),
        "-kernel", os.path.join(a.linux_dir, "vmlinuz"),
        "-initrd", os.path.join(a.linux_dir, "initramfs-criu.gz"),
        "-append", "console=ttyS0 quiet panic=-1 node=%d %s" % (k, extra)]


def run_criu(a, st):
    """Boots guests B (recv) and A (send); returns {(mode, mib, files): row}."""
    for f in ("vmlinuz", "initramfs-criu.gz"):
        if not os.path.exists(os.path.join(a.linux_dir, f)):
            st.miss("criu", "no %s/%s (scripts/linux-guest-criu.sh)" % (a.linux_dir, f))
            return {}
    d = os.path.join(a.out, "mig-criu")
    os.makedirs(d, exist_ok=True)
    sizes = ",".join(str(s) for s in a.sizes)
    procs, lines, done = [], [], False
    t0 = time.monotonic()
    logb = open(os.path.join(a.out, "migrate-criu-B.log"), "w")
    loga_path = os.path.join(a.out, "migrate-criu-A.log")
    loga = open(loga_path, "w")
    try:
        sw = bn.start_switch(d)
        argv_b = criu_argv(a, sw, 1, "criu=recv cb_period=%d" % a.period)
        argv_a = criu_argv(a, sw, 0, "criu=send cb_sizes=%s cb_modes=%s cb_files=%s "
                           "cb_period=%d" % (sizes, ",".join(a.criu_modes),
                                             ",".join(map(str, a.files)) or "none", a.period))
        logb.write("# " + " ".join(argv_b) + "\n")
        loga.write("# " + " ".join(argv_a) + "\n")
        logb.flush()
        procs.append(subprocess.Popen(argv_b, stdin=subprocess.DEVNULL, stdout=logb,
                                      stderr=subprocess.STDOUT))
        pa = subprocess.Popen(argv_a, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        procs.append(pa)
        say("criu: two Linux guests booting (%s), sizes %s MiB ..." % (a.accel, sizes))
        lines, done = bn.read_console(pa, loga, t0, "CRIU done", a.criu_timeout)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        st.miss("criu", "could not start: %s" % e)
    finally:
        stop_all(procs)
        bn.stop_switch(d)
        loga.close()
        logb.close()
    rows, errors = parse_criu(lines)
    for e in errors:
        st.miss("criu", e)
    if not done:
        st.miss("criu", "no 'CRIU done' within %d s (see %s)" % (a.criu_timeout, loga_path))
    for mode in a.criu_modes:
        for mib, files in series(a):
            r = rows.get((mode, mib, files))
            if r is None:
                st.miss("criu", "no figure for %s %d MiB %d files" % (mode, mib, files))
            elif r["cont"] != "ok":
                st.miss("criu", "%s %d MiB %d files: the restored program did not continue "
                        "at B" % (mode, mib, files))
    return rows


def series(a):
    """(MiB, extra streams) of each run: the sizes, then the stream runs."""
    return [(m, 0) for m in a.sizes] + [(STREAM_MIB, f) for f in a.files]


def stop_all(procs):
    for p in procs:
        if p.poll() is None:
            p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


# ---- the Wisp cluster ----

class WispNodes(bn.Wisp):
    """bench_net's cluster driver, node 0's (or node's) commands announced
    as ours."""

    def sh(self, command, timeout, node=0):
        say("wisp%s: %s" % ("" if node == 0 else " node %d" % node,
                            command if len(command) < 100 else command[:97] + "..."))
        return self.cluster(["sh", "--timeout", str(timeout), str(node), command], timeout + 15)


class Status:
    def __init__(self):
        self.missing = {"wisp": [], "criu": []}

    def miss(self, system, why):
        if why not in self.missing[system]:
            self.missing[system].append(why)


def say(msg):
    print("bench-migrate: " + msg, file=sys.stderr, flush=True)


def wisp_have(w):
    """The commands this image has, of those the experiments use."""
    names = "migrate rexec migtest benchdirty benchloop benchsh rpcbench fsmigtest"
    rc, out = w.sh("for c in %s; do [ -x /bin/$c ] && echo have_$c; done; true" % names, 60)
    return {c for c in names.split() if "have_" + c in out}


def bulk_rates(a, w):
    """One-way MB/s node 0 -> 1: 64 KiB RPCs (32 a system call) and 1 MiB
    streams (the windowed transport migration sends pages with,
    rpc_stream_send); None where one failed. The floor takes the faster."""
    rc, out = w.sh("rpcbench put 1 65536 %d 1 32" % a.tput_seconds, a.tput_seconds + 60)
    put = bn.pick_rate_mbs(bn.bench_lines(out)) if rc == 0 else None
    rc, out = w.sh("rpcbench stream 1 1048576 %d" % a.stream_n, 300)
    return put, (bn.pick_rate_mbs(bn.bench_lines(out)) if rc == 0 else None)


def wisp_net(a, w, calls):
    """Null RPC round trip and one-way bulk bandwidth, node 0 -> node 1."""
    rc, out = w.sh("rpcbench echo 1 0 %d" % a.rr_count, 120)
    b = bn.bench_lines(out) if rc == 0 else []
    rtt = bn.pick_time_us(b)
    kern = [v * bn.TIME_UNITS[u] for n, v, u in b if n.endswith("_kern_p50") and u in bn.TIME_UNITS]
    mbs, smbs = bulk_rates(a, w)
    calls["rpc_null_rtt_us"] = ("us", rtt, None, "", None)
    calls["rpc_null_rtt_kern_us"] = ("us", kern[0] if kern else None, None, "", None)
    calls["rpc_put_mbs"] = ("MB/s", mbs, None, "", None)
    calls["rpc_stream_mbs"] = ("MB/s", smbs, None, "", None)
    best = max([x for x in (mbs, smbs) if x] or [None])
    calls["floor_mbs"] = ("MB/s", best, None, "", None)
    if a.file_mib or a.shared_files or a.client_flush:
        # the runs with files go node 1 -> 2: their floor's round trip
        rc, out = w.sh("rpcbench echo %d 0 %d" % (FILE_DST, a.rr_count), 120, FILE_SRC)
        b = bn.bench_lines(out) if rc == 0 else []
        k12 = [v * bn.TIME_UNITS[u] for n, v, u in b
               if n.endswith("_kern_p50") and u in bn.TIME_UNITS]
        calls["rpc_null_rtt_1to2_us"] = ("us", k12[0] if k12 else bn.pick_time_us(b), None,
                                         "", "node %d -> %d" % (FILE_SRC, FILE_DST))
    return (kern[0] if kern else rtt), best


def wisp_bulk_again(a, w, calls, mbs):
    """The bulk bandwidth once more, after the migrations: the floor takes
    the faster of the two measurements (one slow minute at the start made
    every direct move look faster than its floor, 2026-12-03)."""
    again, sagain = bulk_rates(a, w)
    calls["rpc_put_end_mbs"] = ("MB/s", again, None, "", "after the migrations")
    calls["rpc_stream_end_mbs"] = ("MB/s", sagain, None, "", "after the migrations")
    best = max([x for x in (mbs, again, sagain) if x] or [None])
    calls["floor_mbs"] = ("MB/s", best, None, "", "the fastest bulk rate of the run")
    return best


def migrate_cmd(prog, mib, strategy, period, files=0, target=1):
    """One shell command for node 0: start the program (its output into a
    file on node 0, its home, where it stays after the move), wait until it
    has dirtied its memory, migrate it to node 1, wait for it to end there
    by itself, show what it printed after the move. The program ends on its
    own (a bounded run) rather than by kill: see docs/experiments.md (a
    signal ending a foreign process on its way out of an interrupt stopped
    node 1 with an assertion, 2026-12-01)."""
    if prog in ("fsmigtest-dirty", "fsmigtest-files"):
        # Writes MiB to a /shared file (dirty in node 0's cache) or opens
        # `files` /shared files, then runs 300 rounds of 20 ms and checks
        # its file(s) at the end, wherever it is (PASS node N).
        start = ("fsmigtest dirty /shared/bench.dirty %d 300 >/tmp/mig.out 2>&1 & p=$!; " % mib
                 if prog == "fsmigtest-dirty" else
                 "fsmigtest files /shared/bench.files %d 300 >/tmp/mig.out 2>&1 & p=$!; " % files)
        ready = "ready"
    elif prog == "migtest":
        # Rewrites 16 pages every 20 ms (pre-copy has something to resend)
        # for 300 rounds (6 s at least, so it is still running when it is
        # moved), a progress line with its node every 25 rounds, then checks
        # every page and prints PASS or FAIL with its node. Pre-copy's
        # rounds go while it runs: it runs longer at the larger sizes, so
        # it does not end before they do (at 16 MiB on a loaded host it
        # did: ESRCH).
        rounds = 300 + (50 * mib if strategy == "precopy" else 0)
        start = "migtest -r %d -d 20 -p 25 %d >/tmp/mig.out 2>&1 & p=$!; " % (rounds, mib)
        ready = "start"
    else:
        ticks = max(30, 6000 // max(period, 1))
        start = "benchdirty %d %d %d %d >/tmp/mig.out 2>&1 & p=$!; " % (mib, period, ticks, files)
        ready = "ready"
    wait = ("i=0; until grep -q %s /tmp/mig.out; do i=$((i+1)); [ $i -gt 1500 ] && break; "
            "sleep 0.2; done; sleep 1; n=$(wc -l </tmp/mig.out); " % ready)
    if prog.startswith("fsmigtest"):
        # The dirty blocks the migration finds (the cache may have written
        # some back already; `files` wrote a line to each file): the fit
        # takes this count.
        wait += "fsstat | grep cache_dirty; "
    # In a subshell: the line is typed into node 0's interactive shell,
    # which `exit` would end.
    return "(" + start + wait + "migrate $p %d %s; r=$?; wait $p; echo MIG_EXIT $?; " \
        "echo MIG_AFTER; tail -n +$((n+1)) /tmp/mig.out | tail -n 4; exit $r)" % (target, strategy)


def continued(out, prog, node=1):
    """ok when the program printed, after the move, a line that shows it ran
    at node 1 with its memory intact; else bad or none."""
    after = out.split("MIG_AFTER", 1)[1] if "MIG_AFTER" in out else ""
    lines = [x.strip() for x in after.splitlines() if x.strip()]
    if "MIG_EXIT 0" not in out:
        return "bad" if "MIG_EXIT" in out else "none"
    if prog.startswith("fsmigtest"):
        good = any(re.search(r"fsmigtest: (node %d round \d+|PASS node %d$)" % (node, node), x)
                   for x in lines)
        bad = any("FAIL" in x for x in lines)
    elif prog == "migtest":
        good = any(re.search(r"migtest: (pid \d+ node %d round \d+ ok=1|PASS pid \d+ node %d$)"
                             % (node, node), x) for x in lines)
        bad = any("FAIL" in x or "ok=0" in x for x in lines)
    else:
        good = any(re.search(r"benchdirty: tick \d+ sum \d+ ok", x) for x in lines)
        bad = any("bad word" in x or "changed" in x for x in lines)
    return "ok" if good and not bad else ("bad" if bad else "none")


def median_try(w, cmd, timeout, reps, node=0):
    """The median run (by total time) of reps migrations, each tried again
    once when its `migrate:` line did not parse (a character lost on the
    console under load garbles it now and then): (rc, out, d)."""
    tries = []
    for _ in range(reps):
        for again in range(2):
            rc, out = w.sh(cmd, timeout, node)
            d = parse_migrate(out)
            if d or "migrated pid" not in out:
                break
            say("wisp: the migrate line did not parse; once more")
        tries.append((d["total_us"] if d else float("inf"), rc, out, d))
    tries.sort(key=lambda t: t[0])
    return tries[len(tries) // 2][1:] if all(t[3] for t in tries) else tries[-1][1:]


def wisp_migrations(a, w, have, rows, st):
    runs = [(s, m, 0) for s in STRATEGIES for m in a.sizes]
    runs += [("direct", STREAM_MIB, f) for f in a.files]
    warm = set()
    for strategy, mib, files in runs:
        # The stream runs need benchdirty's extra streams.
        prog = "migtest" if "migtest" in have and not files else "benchdirty"
        if strategy not in warm and "migrate" in have:
            # A strategy's first move on fresh nodes runs code TCG has not
            # translated yet: 10 ms for the first null direct move against
            # 2 ms for the next, and 37 ms for the first 1 MiB move against
            # 28-29 (2026-12-03). One move of 1 MiB (a GO, PIECEs, the
            # target's build), not counted, warms each strategy's path (the
            # null RPC the ratios divide by is warm too).
            warm.add(strategy)
            w.sh(migrate_cmd(prog, 1, strategy, a.period), 300)
        row = {"system": "wisp", "strategy": strategy, "mib": mib,
               "streams": STD_STREAMS + files}
        rows.append(row)
        if "migrate" not in have:
            row["note"] = "not available (no /bin/migrate)"
            continue
        # The median run (by total time) of a few at the small sizes, and at
        # every size for direct: its ratio to the floor is a target, and one
        # 16 MiB move alone varied from 380 to 560 ms (2026-12-03).
        reps = a.reps if mib < 16 or strategy == "direct" else 1
        # Direct moves of dirty memory get a floor of their own minutes: the
        # bulk rates just before and just after their runs, the faster of
        # the four (a busy minute slows the moves and the rates alike).
        here = list(bulk_rates(a, w)) if strategy == "direct" and mib > 0 else []
        rc, out, d = median_try(w, migrate_cmd(prog, mib, strategy, a.period, files),
                                300 + mib * 10, reps)
        if here:
            here += bulk_rates(a, w)
            row["floor_mbs"] = max([x for x in here if x] or [None])
        row["runs"] = reps
        row["cont"] = continued(out, prog)
        if d is None:
            row["note"] = "failed: " + bn.failure(rc, out.split("MIG_AFTER")[0])
            st.miss("wisp", "migrate %s %d MiB: %s" % (strategy, mib, row["note"]))
            continue
        if row["cont"] != "ok":
            st.miss("wisp", "migrate %s %d MiB: the program did not go on at node 1 (%s)" %
                    (strategy, mib, row["cont"]))
        for k in ["total_us"] + PHASES + ["pages", "bytes", "resent", "downtime_us"]:
            row[k] = d.get(k)
        if "streams" in d:
            row["streams"] = d["streams"]


# The runs with files go from node 1 to node 2: both clients of the file
# server (node 0), as Sprite's workstations were, so the write-back of the
# dirty blocks and each open's MOVE cross the wire (from node 0 they were
# calls to its own server).
FILE_SRC, FILE_DST = 1, 2


def dirty_blocks(out):
    """cache_dirty of fsstat's output (printed just before the migration)."""
    m = re.search(r"cache_dirty\s+(\d+)", out)
    return int(m.group(1)) if m else None


def wisp_file_migrations(a, w, have, rows, st):
    """Migration time against dirty /shared file blocks and open /shared
    files (direct strategy, node FILE_SRC -> FILE_DST)."""
    runs = [("fsmigtest-dirty", m, 0) for m in a.file_mib]
    runs += [("fsmigtest-files", 0, n) for n in a.shared_files]
    runs += [("migtest", m, 0) for m in a.client_flush]
    for prog, mib, files in runs:
        if prog == "migtest":
            client_flush(a, w, have, rows, st, mib)
            continue
        row = {"system": "wisp", "strategy": "direct", "mib": 0,
               "streams": STD_STREAMS + (1 if prog == "fsmigtest-dirty" else files)}
        row["file_mib" if prog == "fsmigtest-dirty" else "shared_files"] = \
            mib if prog == "fsmigtest-dirty" else files
        rows.append(row)
        if "migrate" not in have or "fsmigtest" not in have:
            row["note"] = "not available (no /bin/migrate or /bin/fsmigtest)"
            continue
        reps = a.reps if mib < 16 else 1
        rc, out, d = median_try(w, migrate_cmd(prog, mib, "direct", a.period, files, FILE_DST),
                                300 + mib * 10, reps, FILE_SRC)
        row["runs"] = reps
        row["cont"] = continued(out, prog, FILE_DST)
        row["src"], row["dst"] = FILE_SRC, FILE_DST
        row["rtt_us"] = w.rtt_12
        row["file_blocks"] = dirty_blocks(out)
        what = "%d MiB dirty in a /shared file" % mib if prog == "fsmigtest-dirty" else \
            "%d open /shared files" % files
        if d is None:
            row["note"] = "failed: " + bn.failure(rc, out.split("MIG_AFTER")[0])
            st.miss("wisp", "migrate with %s: %s" % (what, row["note"]))
            continue
        if row["cont"] != "ok":
            st.miss("wisp", "migrate with %s: the program did not go on at node %d (%s)" %
                    (what, FILE_DST, row["cont"]))
        for k in ["total_us"] + PHASES + ["pages", "bytes", "resent", "downtime_us"]:
            row[k] = d.get(k)
        row.setdefault("note", what + ", node %d -> %d" % (FILE_SRC, FILE_DST))


def client_flush(a, w, have, rows, st, mib):
    """The flush strategy as Sprite ran it: from a client of the file server
    (node FILE_SRC -> FILE_DST; from node 0 the pages are written to its
    own server). Rows `flush(1->2)`."""
    row = {"system": "wisp", "strategy": "flush(%d->%d)" % (FILE_SRC, FILE_DST), "mib": mib,
           "streams": STD_STREAMS, "src": FILE_SRC, "dst": FILE_DST, "rtt_us": w.rtt_12}
    rows.append(row)
    if "migrate" not in have or "migtest" not in have:
        row["note"] = "not available (no /bin/migrate or /bin/migtest)"
        return
    reps = a.reps if mib < 16 else 1
    rc, out, d = median_try(w, migrate_cmd("migtest", mib, "flush", a.period, 0, FILE_DST),
                            300 + mib * 10, reps, FILE_SRC)
    row["runs"] = reps
    row["cont"] = continued(out, "migtest", FILE_DST)
    if d is None:
        row["note"] = "failed: " + bn.failure(rc, out.split("MIG_AFTER")[0])
        st.miss("wisp", "migrate %s %d MiB: %s" % (row["strategy"], mib, row["note"]))
        return
    if row["cont"] != "ok":
        st.miss("wisp", "migrate %s %d MiB: the program did not go on at node %d (%s)" %
                (row["strategy"], mib, FILE_DST, row["cont"]))
    for k in ["total_us"] + PHASES + ["pages", "bytes", "resent", "downtime_us"]:
        row[k] = d.get(k)


def timed_loop(cmd, n):
    """A shell loop running cmd n times between two clock readings."""
    return ("(t0=$(benchdirty now); i=0; while [ $i -lt %d ]; do %s >/dev/null || exit 1; "
            "i=$((i+1)); done; t1=$(benchdirty now); echo LOOP_US $((t1-t0)) )" % (n, cmd))


def loop_us(out):
    m = re.search(r"LOOP_US (\d+)", out)
    return int(m.group(1)) if m else None


def wisp_calls(a, w, have, calls, null_rtt):
    """Remote exec vs local, a forwarded call, and Sprite's Fig. 3."""
    rexec = "rexec" in have
    true = "/usr/lib/wisp/bin/true"
    rc, out = w.sh(timed_loop(true, a.exec_n), 600)
    local = loop_us(out)
    remote = None
    if rexec:
        rc, out = w.sh(timed_loop("rexec 1 " + true, a.exec_n), 900)
        remote = loop_us(out)
    per = lambda v: v / a.exec_n if v is not None else None  # noqa: E731
    na = None if rexec else "not available (no /bin/rexec)"
    # As Sprite measured it: one program forking and exec'ing (or remote
    # exec'ing) `true` and waiting, in a loop (benchloop exec / rexec).
    ploc = prem = pcall = pwait = None
    if "benchloop" in have:
        rc, out = w.sh("benchloop exec %d" % a.exec_n, 600)
        ploc = bench_value(out, "loop_exec_ns")
        if rexec:
            rc, out = w.sh("BENCH_NODE=1 benchloop rexec %d" % a.exec_n, 900)
            prem = bench_value(out, "loop_rexec_ns")
            # Where it went: the call (until the program started there)
            # and the wait (its run, its exit report home, the wakeup).
            pcall = bench_value(out, "loop_rexec_call_ns")
            pwait = bench_value(out, "loop_rexec_wait_ns")
    calls["exec_local_us"] = ("us", ploc, None, "", None)
    calls["rexec_vs_local"] = ("us", prem, ploc, "local fork+exec+wait", na)
    calls["rexec_call_us"] = ("us", pcall, None, "", na)
    calls["rexec_wait_us"] = ("us", pwait, None, "", na)
    # The same typed into ash: `rexec 1 true` is a local fork+exec of
    # /bin/rexec more than `true`.
    calls["exec_shell_local_us"] = ("us", per(local), None, "", None)
    calls["rexec_shell_vs_local"] = ("us", per(remote), per(local), "ash: true", na)
    # The forwarded call (getppid: home's) against a null RPC and locally.
    # The loop is timed in user space, a mean over its calls, so its null
    # RPC is too (rpcbench echo's mean per system call), measured in chunks
    # alternating with the loop's so that the host's load hits both alike.
    loc = rem = None
    base, base_what = null_rtt, "null RPC round trip"
    if "benchloop" in have:
        rc, out = w.sh("benchloop getppid %d" % a.call_n, 300)
        loc = bench_value(out, "loop_getppid_ns")
        if rexec:
            n = max(1, a.call_n // 60)
            rems, nulls = [], []
            for _ in range(3):
                rc, out = w.sh("rpcbench echo 1 0 %d" % n, 120)
                v = bench_value(out, "rpc_echo_0_avg") if rc == 0 else None
                if v:
                    nulls.append(v)
                rc, out = w.sh("rexec 1 /bin/benchloop getppid %d" % n, 600)
                v = bench_value(out, "loop_getppid_ns")
                if v:
                    rems.append(v)
            rem = bn.median(rems)
            if nulls:
                base = bn.median(nulls)
                base_what = "null RPC, user-timed, alternating"
            calls["rpc_null_rtt_user_us"] = ("us", bn.median(nulls), None, "", None)
    # bench_value gives microseconds whatever the unit printed.
    na = None if rexec else "not available (no /bin/rexec)"
    calls["getppid_local_us"] = ("us", loc, None, "", None)
    calls["getppid_forwarded_vs_null_rpc"] = ("us", rem, base, base_what, na)
    calls["getppid_forwarded_vs_local"] = ("us", rem, loc, "local getppid", na)
    fig3(a, w, have, calls, rexec)


def fig3(a, w, have, calls, rexec):
    """Sprite's Fig. 3: each program's time remote / local."""
    progs = [("fork_loop", "benchloop fork %d" % a.fig3_fork, "loop_fork_us"),
             ("syscall_loop", "benchloop getppid %d" % a.call_n, "loop_getppid_us"),
             ("gettime_loop", "benchloop gettime %d" % a.call_n, "loop_gettime_us"),
             ("cpu_loop", "benchloop cpu %d" % a.fig3_cpu, "loop_cpu_us"),
             ("shell_script", "benchsh /usr/lib/wisp/benchsh.sh %d" % a.fig3_sh_rounds,
              "shell_ms")]
    for name, cmd, metric in progs:
        if cmd.split()[0] not in have:
            calls["fig3_" + name] = ("us", None, None, "local", "not available (no %s)" %
                                     cmd.split()[0])
            continue
        rc, out = w.sh(cmd, 600)
        loc = bench_value(out, metric)
        rem = None
        if rexec:
            rc, out = w.sh("rexec 1 /bin/" + cmd, 900)
            rem = bench_value(out, metric)
        calls["fig3_" + name] = ("us", rem, loc, "local",
                                 None if rexec else "not available (no /bin/rexec)")


def run_wisp(a, st, rows, calls):
    why = bn.wisp_unavailable(a)
    if why:
        st.miss("wisp", why)
        return None
    with open(os.path.join(a.out, "migrate-wisp.log"), "w") as log:
        w = WispNodes(a, log)
        w.dir = os.path.join(a.out, "mig-cluster")
        w.cluster(["down"], 60)
        # A fresh volume each run, large enough for the flush strategy's
        # 64 MiB backing file beside the files of the runs with files; a
        # client cache of fscache_blocks, so that 16 MiB of one file stay
        # dirty (the default 4096 blocks = 16 MiB writes the file back when
        # the cache fills).
        img = os.path.join(w.dir, "fs.img")
        if os.path.exists(img):
            os.remove(img)
        say("wisp: three nodes booting (%s) ..." % a.accel)
        rc, out = w.cluster(["up", "-n", "3", "-q", "--timeout", str(a.boot_timeout),
                             "--mem", a.wisp_mem, "--kernel", a.wisp_kernel,
                             "--initrd", a.wisp_initrd, "--fs", a.fs_size,
                             "--kernel-args", "fscache=%d" % a.fscache_blocks],
                            a.boot_timeout + 30)
        try:
            if rc != 0:
                st.miss("wisp", "cluster up failed: %s" % (out.strip().splitlines() or ["?"])[0])
                return None
            have = wisp_have(w)
            say("wisp: has %s" % " ".join(sorted(have)))
            null_rtt, mbs = wisp_net(a, w, calls)
            w.rtt_12 = calls.get("rpc_null_rtt_1to2_us", (0, None))[1]
            wisp_migrations(a, w, have, rows, st)
            wisp_file_migrations(a, w, have, rows, st)
            mbs = wisp_bulk_again(a, w, calls, mbs)
            null = [r for r in rows if r["strategy"] == "direct" and r["mib"] == 0]
            calls["null_migration_vs_null_rpc"] = (
                "us", null[0].get("total_us") if null else None, null_rtt, "null RPC round trip",
                None if "migrate" in have else "not available (no /bin/migrate)")
            if not a.no_calls:
                wisp_calls(a, w, have, calls, null_rtt)
            return null_rtt, mbs
        finally:
            w.cluster(["down"], 60)


# ---- tables ----

def floors(a, rows, criu, net):
    """Fills floor_us and the ratios into rows; adds CRIU's rows."""
    null_rtt, mbs = net if net else (None, None)
    best = {}
    for mode in ([] if "criu" in a.skip else a.criu_modes):
        for mib, files in series(a):
            c = criu.get((mode, mib, files))
            rows.append({"system": "criu", "strategy": CRIU_NAMES.get(mode, mode), "mib": mib,
                         "streams": STD_STREAMS + files,
                         **({k: c[k] for k in ("total_us", "dump_us", "transfer_us",
                                               "restore_us", "image_kib", "cont")} if c else
                            {"note": "no figure"})})
            key = (mib, STD_STREAMS + files)
            if c and c["cont"] == "ok" and (key not in best or
                                            c["total_us"] < best[key]["total_us"]):
                best[key] = c
    for r in rows:
        if null_rtt and mbs:
            # file blocks cross the wire too (written back before the move)
            moved = r["mib"] * 1048576 + file_blocks(r) * 4096
            rtt = r.get("rtt_us") or null_rtt
            r["floor_us"] = rtt + moved / ((r.get("floor_mbs") or mbs) * 1e6) * 1e6
            if r.get("total_us"):
                r["total_over_floor"] = r["total_us"] / r["floor_us"]
        c = best.get((r["mib"], r.get("streams", STD_STREAMS)))
        if r["system"] == "wisp" and c and r.get("total_us"):
            r["total_over_criu"] = r["total_us"] / c["total_us"]
        r["accel"] = a.accel


def file_blocks(r):
    """Dirty 4 KiB blocks of /shared files the run had: as fsstat counted
    them just before the migration, else all it wrote."""
    if r.get("file_blocks") is not None:
        return float(r["file_blocks"])
    return float(r.get("file_mib") or 0) * 256


def fits(rows):
    """The cost model per system and strategy: ms = fixed + per_page * dirty
    4 KiB pages + per_stream * open streams + per_block * dirty 4 KiB blocks
    of /shared files + per_file * open /shared files (a term only when it
    varies)."""
    out = []
    groups = {}
    for r in rows:
        if r.get("total_us"):
            pages = r.get("pages") if r.get("pages") is not None else r["mib"] * 256
            # the dirty-file runs hold one /shared file open
            files = float(r.get("shared_files") or (1 if r.get("file_mib") is not None else 0))
            groups.setdefault((r["system"], r["strategy"]), []).append(
                ([1.0, float(pages), float(r.get("streams", STD_STREAMS)) - files,
                  file_blocks(r), files],
                 r["total_us"] / 1000.0))
    for (system, strategy), pts in sorted(groups.items()):
        c, r2 = fit(pts, ["fixed_ms", "per_page_ms", "per_stream_ms", "per_block_ms",
                          "per_file_ms"])
        out.append({"system": system, "strategy": strategy, "points": len(pts), "r2": r2, **c})
    return out


def targets(rows, calls):
    """Issue 8's targets, each met, missed or n/a, from this run's ratios."""
    print()
    print("Targets (ratios from this run):")
    # Dirty memory from 1 MiB up: at 0 MiB the floor is one null RPC, and the
    # null migration has its own target (<= 10 of them) below.
    direct = [r.get("total_over_floor") for r in rows if r["strategy"] == "direct" and
              float(r.get("mib") or 0) > 0 and not r.get("file_mib") and
              not r.get("shared_files")]
    crius = [r.get("total_over_criu") for r in rows if r["system"] == "wisp"]

    def ratio(m):
        u, v, b, what, note = calls.get(m, (None, None, None, None, None))
        return v / b if v and b else None

    def line(what, vals, limit):
        vals = [v for v in vals if v is not None]
        if not vals:
            verdict = "n/a"
        else:
            verdict = "met" if max(vals) <= limit else "missed"
        worst = fmt(max(vals)) if vals else "-"
        print("  %-48s <= %-5s worst %-8s %s" % (what, limit, worst, verdict))
    line("direct migration / floor, every dirty size", direct, 1.25)
    line("null migration / null RPC round trip", [ratio("null_migration_vs_null_rpc")], 10)
    line("remote exec / local fork+exec+wait", [ratio("rexec_vs_local")], 1.3)
    line("forwarded call / null RPC", [ratio("getppid_forwarded_vs_null_rpc")], 1.2)
    line("Wisp / CRIU (faster mode), every size and strategy", crius, 1.0)


def fmt(v, nd=1):
    if v is None or v == "":
        return "-"
    if isinstance(v, str):
        return v
    if isinstance(v, int) or (isinstance(v, float) and v.is_integer() and abs(v) < 1e9):
        return "%d" % v
    if abs(v) >= 100:
        return "%.0f" % v
    if 0 < abs(v) < 0.1:
        return "%.2g" % v
    return ("%%.%df" % (nd + 1)) % v


def write_csvs(a, rows, calls, fitrows):
    with open(os.path.join(a.out, "migrate.csv"), "w", newline="") as f:
        cw = csv.DictWriter(f, MIG_COLS, extrasaction="ignore")
        cw.writeheader()
        for r in rows:
            cw.writerow({k: ("%.4f" % v if isinstance(v, float) else v) for k, v in r.items()})
    with open(os.path.join(a.out, "migrate-calls.csv"), "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["metric", "unit", "wisp", "baseline", "baseline_is", "ratio", "note", "accel"])
        for m, (u, v, b, what, note) in calls.items():
            cw.writerow([m, u, "" if v is None else "%.3f" % v, "" if b is None else "%.3f" % b,
                         what, "%.4f" % (v / b) if v and b else "", note or "", a.accel])
    with open(os.path.join(a.out, "migrate-fit.csv"), "w", newline="") as f:
        cols = ["system", "strategy", "points", "fixed_ms", "per_page_ms", "per_stream_ms", "r2",
                "per_block_ms", "per_file_ms"]
        cw = csv.DictWriter(f, cols)
        cw.writeheader()
        for r in fitrows:
            cw.writerow({k: ("%.5f" % v if isinstance(v, float) else v) for k, v in r.items()})


def report(a, rows, calls, fitrows, st):
    print()
    print("Migration: time against dirty memory, QEMU %s (us; floor = null RPC + bytes / "
          "bulk bandwidth; fds: open streams)" % a.accel)
    print("%-6s %-17s %5s %4s %10s %9s %9s %9s %6s %9s %9s %9s %9s %7s %7s  %s" % (
        "system", "strategy", "MiB", "fds", "total", "downtime", "freeze", "transfer", "resent",
        "dump", "restore", "floor", "x floor", "x criu", "cont", "note"))
    for r in rows:
        print("%-6s %-17s %5d %4s %10s %9s %9s %9s %6s %9s %9s %9s %9s %7s %7s  %s" % (
            r["system"], r["strategy"], r["mib"], r.get("streams", "-"), fmt(r.get("total_us")),
            fmt(r.get("downtime_us")), fmt(r.get("freeze_us")), fmt(r.get("transfer_us")),
            fmt(r.get("resent")),
            fmt(r.get("dump_us")),
            fmt(r.get("restore_us")), fmt(r.get("floor_us")), fmt(r.get("total_over_floor")),
            fmt(r.get("total_over_criu")), r.get("cont", "-"), r.get("note", "")))
    print()
    print("%-34s %10s %10s %-22s %8s  %s" % ("metric", "wisp", "baseline", "baseline is",
                                             "ratio", "note"))
    for m, (u, v, b, what, note) in calls.items():
        print("%-34s %10s %10s %-22s %8s  %s" % (m, fmt(v), fmt(b), what or "-",
                                                 fmt(v / b) if v and b else "-", note or ""))
    print()
    print("Cost model (ms = fixed + per_page * 4 KiB dirty pages + per_stream * streams + "
          "per_block * 4 KiB dirty /shared blocks + per_file * open /shared files); "
          "Sprite (Sun-3, 8 KB pages): 110 + 14*pages + 7*blocks + 14*files")
    for r in fitrows:
        print("  %-6s %-17s fixed %s ms, %s ms/page, %s ms/stream, %s ms/block, %s ms/file "
              "(%d points, r2 %s)" % (
                  r["system"], r["strategy"], fmt(r["fixed_ms"]), fmt(r["per_page_ms"], 4),
                  fmt(r["per_stream_ms"]), fmt(r.get("per_block_ms"), 4),
                  fmt(r.get("per_file_ms")), r["points"], fmt(r["r2"], 3)))
    targets(rows, calls)
    status = 0
    for s in ("criu", "wisp"):
        if s in a.skip:
            print("%s: skipped" % s)
        elif st.missing[s]:
            status = 1
            print("%s: not available in full (%s)" % (s, st.missing[s][0]))
            for why in st.missing[s][1:]:
                print("    %s" % why)
    print("CSV: %s/migrate.csv, migrate-calls.csv, migrate-fit.csv; logs %s/migrate-*.log" % (
        a.out, a.out))
    return status


def plot(a, rows, calls):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    series = {}
    for r in rows:
        if r.get("total_us") and int(r.get("streams", STD_STREAMS)) == STD_STREAMS and \
                r.get("file_mib") is None and r.get("shared_files") is None:
            series.setdefault("%s %s" % (r["system"], r["strategy"]), []).append(
                (r["mib"], r["total_us"] / 1000.0))
    floor = sorted({(r["mib"], r["floor_us"] / 1000.0) for r in rows if r.get("floor_us")
                    and r.get("file_mib") is None and r.get("shared_files") is None
                    and r.get("src") is None})
    for label, pts in sorted(series.items()):
        pts.sort()
        ax.plot([p[0] for p in pts], [p[1] for p in pts], "o-", label=label)
    if floor:
        ax.plot([p[0] for p in floor], [p[1] for p in floor], "k--", label="floor (Wisp net)")
    ax.set_xscale("symlog", linthresh=1)
    ax.set_yscale("log")
    ax.set_xlabel("dirty memory (MiB)")
    ax.set_ylabel("migration time (ms)")
    ax.set_title("Migration vs CRIU, QEMU %s" % a.accel)
    ax.grid(True, which="both", alpha=0.3)
    if series:
        ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "migrate-time.png"), dpi=120)
    plt.close(fig)
    plot_files(a, rows, calls, plt)
    f3 = [(m[5:], v / b) for m, (u, v, b, what, note) in calls.items()
          if m.startswith("fig3_") and v and b]
    fig, ax = plt.subplots(figsize=(7, 3.5))
    if f3:
        ax.bar([x[0] for x in f3], [(x[1] - 1) * 100 for x in f3])
    ax.set_ylabel("slowdown remote vs local (%)")
    ax.set_title("Sprite's Fig. 3 on Wisp, QEMU %s%s" % (a.accel, "" if f3 else " (no data)"))
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "migrate-fig3.png"), dpi=120)
    plt.close(fig)
    say("plots %s/migrate-time.png, migrate-files.png, migrate-fig3.png" % a.out)


def plot_files(a, rows, calls, plt):
    """migrate-files.png: direct migration time and freeze against dirty
    /shared blocks and against open /shared files, with the floor (and,
    for the files, one null round trip per file on top of it)."""
    panels = [("file_mib", "dirty /shared file blocks (MiB)", "migration with dirty file blocks"),
              ("shared_files", "open /shared files", "migration with open files")]
    if not any(r.get(k) is not None for r in rows for k, _, _ in panels):
        return
    fig, axs = plt.subplots(1, 2, figsize=(10, 4))
    rtt = calls.get("rpc_null_rtt_1to2_us", (0, None))[1]
    for ax, (key, xlabel, title) in zip(axs, panels):
        pts = sorted((r[key], r) for r in rows if r.get(key) is not None and r.get("total_us"))
        if not pts:
            continue
        xs = [x for x, _ in pts]
        ax.plot(xs, [r["total_us"] / 1000.0 for _, r in pts], "o-", label="total")
        ax.plot(xs, [(r.get("freeze_us") or 0) / 1000.0 for _, r in pts], "s--",
                label="freeze (write-back, MOVEs)")
        ax.plot(xs, [r.get("floor_us", 0) / 1000.0 for _, r in pts], "k:", label="floor")
        if key == "shared_files" and rtt:
            ax.plot(xs, [(pts[0][1].get("floor_us", 0) + x * rtt) / 1000.0 for x in xs],
                    "g-.", label="floor + 1 null RPC per file")
        ax.set_xlabel(xlabel)
        ax.set_ylabel("ms")
        ax.set_title(title + ", node %d -> %d" % (FILE_SRC, FILE_DST), fontsize=9)
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=7)
    fig.suptitle("Wisp, direct strategy, QEMU %s" % a.accel, fontsize=10)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "migrate-files.png"), dpi=120)
    plt.close(fig)


def selftest():
    """Checks the parsers and the fit on fixed input (tests/qemu/criu_guest.sh
    runs it): the migrate line's contract must not drift."""
    line = ("x\nmigrate: pid 1048577 node 0->1 strategy precopy total_us 91000 negotiate_us 400 "
            "freeze_us 2100 transfer_us 85000 commit_us 300 resume_us 150 pages 4100 "
            "bytes 16793600 resent 4 streams 3\nbenchdirty: tick 9 sum 1 ok\n")
    d = parse_migrate(line)
    assert d and d["strategy"] == "precopy" and d["src"] == 0 and d["dst"] == 1, d
    assert d["total_us"] == 91000 and d["freeze_us"] == 2100 and d["resent"] == 4, d
    assert d["streams"] == 3 and d["pid"] == 1048577, d
    assert parse_migrate("migrate: pid 5 node 0->1 strategy direct failed") is None
    rows, errs = parse_criu(["CRIU mode ps mib 16 files 8 dump_us 10 transfer_us 20 "
                             "restore_us 30 total_us 60 image_kib 44 cont ok",
                             "CRIU error copy mib 1 dump rc 1"])
    assert rows[("ps", 16, 8)]["total_us"] == 60 and rows[("ps", 16, 8)]["cont"] == "ok", rows
    assert errs == ["CRIU error copy mib 1 dump rc 1"], errs
    pts = [([1.0, p, 3.0], 110 + 0.5 * p) for p in (0, 256, 1024, 4096)]
    c, r2 = fit(pts, ["fixed_ms", "per_page_ms", "per_stream_ms"])
    assert abs(c["fixed_ms"] - 110) < 1e-6 and abs(c["per_page_ms"] - 0.5) < 1e-9, c
    assert c["per_stream_ms"] is None and abs(r2 - 1) < 1e-9, (c, r2)
    pts = [([1.0, p, f], 100 + 2 * p + 14 * f) for p, f in ((0, 1), (10, 1), (0, 4), (5, 2))]
    c, r2 = fit(pts, ["fixed_ms", "per_page_ms", "per_stream_ms"])
    assert abs(c["per_stream_ms"] - 14) < 1e-6 and abs(c["fixed_ms"] - 100) < 1e-6, c
    # Did the moved program go on at node 1? (Only what it printed after
    # the move counts.)
    out = ("migtest: pid 9 node 0 round 25 ok=1\nMIG_EXIT 0\nMIG_AFTER\nmigtest: pid 9 node 1 "
           "round 50 ok=1\n")
    assert continued(out, "migtest") == "ok", out
    assert continued(out.replace("node 1", "node 0"), "migtest") == "none"
    assert continued(out.replace("ok=1\n", "ok=0\n"), "migtest") == "bad"
    assert continued(out.replace("MIG_EXIT 0", "MIG_EXIT 1"), "migtest") == "bad"
    assert continued("MIG_EXIT 0\nMIG_AFTER\nbenchdirty: tick 7 sum 5 ok\n", "benchdirty") == "ok"
    out = "MIG_EXIT 0\nMIG_AFTER\nfsmigtest: node 1 round 50\nfsmigtest: PASS node 1\n"
    assert continued(out, "fsmigtest-dirty") == "ok", out
    assert continued(out.replace("PASS", "FAIL"), "fsmigtest-files") == "bad"
    pts = [([1.0, 10.0, 3.0, b, f], 50 + 0.1 * b + 2 * f)
           for b, f in ((0, 0), (256, 0), (1024, 0), (0, 8), (0, 32))]
    c, r2 = fit(pts, ["fixed_ms", "per_page_ms", "per_stream_ms", "per_block_ms", "per_file_ms"])
    assert abs(c["per_block_ms"] - 0.1) < 1e-6 and abs(c["per_file_ms"] - 2) < 1e-6, c
    assert continued("benchdirty: tick 7 sum 5 ok\n", "benchdirty") == "none"
    cmd = migrate_cmd("migtest", 4, "lazy", 200)
    assert "migtest -r 300 -d 20 -p 25 4 " in cmd and "migrate $p 1 lazy" in cmd, cmd
    assert "kill" not in cmd and "wait $p" in cmd, cmd
    assert cmd.startswith("(") and cmd.endswith(")") and "MIG_AFTER" in cmd, cmd
    # The runs with files: node 1 -> 2, their dirty blocks from fsstat.
    cmd = migrate_cmd("fsmigtest-files", 0, "direct", 200, 8, 2)
    assert "fsmigtest files /shared/bench.files 8 300" in cmd and "migrate $p 2 direct" in cmd
    assert "fsstat | grep cache_dirty" in cmd, cmd
    assert dirty_blocks("x\ncache_dirty            4096\nMIG_EXIT 0\n") == 4096
    assert dirty_blocks("nothing") is None
    out = "MIG_EXIT 0\nMIG_AFTER\nmigtest: pid 9 node 2 round 50 ok=1\n"
    assert continued(out, "migtest", 2) == "ok" and continued(out, "migtest") == "none"
    assert "-r 1100 " in migrate_cmd("migtest", 16, "precopy", 200), "pre-copy runs longer"
    assert file_blocks({"file_mib": 4}) == 1024 and file_blocks({"file_blocks": 7}) == 7
    # Microseconds whatever the unit printed.
    assert bench_value("BENCH loop_getppid_ns 1500.5 ns\n", "loop_getppid_ns") == 1.5005
    assert bench_value("BENCH shell_ms 2.5 ms\n", "shell_ms") == 2500.0
    print("bench_migrate: selftest ok")
    return 0


def read_csvs(out):
    """rows and calls back from the CSVs of a run (for --plot)."""
    rows, calls = [], {}
    with open(os.path.join(out, "migrate.csv"), newline="") as f:
        for r in csv.DictReader(f):
            d = {k: v for k, v in r.items() if v != ""}
            for k in list(d):
                if k not in ("system", "strategy", "cont", "note", "accel"):
                    d[k] = float(d[k])
            d["mib"] = int(d["mib"])
            rows.append(d)
    with open(os.path.join(out, "migrate-calls.csv"), newline="") as f:
        for r in csv.DictReader(f):
            num = lambda x: float(x) if x else None  # noqa: E731
            calls[r["metric"]] = (r["unit"], num(r["wisp"]), num(r["baseline"]),
                                  r["baseline_is"], r["note"] or None)
    return rows, calls


def draw(a, rows, calls):
    """Plots with this Python's matplotlib, else with the system's python3
    (Debian's python3-matplotlib) on the CSVs just written."""
    try:
        plot(a, rows, calls)
        return
    except ImportError:
        pass
    syspy = "/usr/bin/python3"
    if os.path.realpath(sys.executable) != os.path.realpath(syspy) and os.access(syspy, os.X_OK):
        r = subprocess.run([syspy, os.path.abspath(__file__), "--plot", "--out", a.out,
                            "--accel", a.accel])
        if r.returncode == 0:
            return
    say("no matplotlib (Debian: python3-matplotlib): no plots")


def sizes(s):
    return [int(x) for x in s.replace(",", " ").split()]


def args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--accel-args", default=None)
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--mem", default="512M", help="RAM per Linux guest")
    ap.add_argument("--linux-dir", default="build/linux-guest")
    ap.add_argument("--wisp-kernel", default="build/wisp.elf")
    ap.add_argument("--wisp-initrd", default="build/initrd.cpio")
    ap.add_argument("--rootfs", default="build/rootfs")
    ap.add_argument("--cluster", default=os.path.join(ROOT, "scripts", "cluster"))
    ap.add_argument("--skip", action="append", default=[], choices=["wisp", "criu"])
    ap.add_argument("--sizes", type=sizes, default=[0, 1, 4, 16, 64], help="dirty MiB")
    ap.add_argument("--files", type=lambda s: sizes(s) if s.strip() else [], default=[8, 32],
                    help="extra open streams of the stream runs (at %d MiB; '' for none)" %
                    STREAM_MIB)
    ap.add_argument("--file-mib", type=lambda s: sizes(s) if s.strip() else [],
                    default=[0, 1, 4, 16], help="MiB dirty in a /shared file ('' for none)")
    ap.add_argument("--shared-files", type=lambda s: sizes(s) if s.strip() else [],
                    default=[0, 8, 16, 32, 61],
                    help="open /shared files (at most 61: with the 3 standard streams, the "
                         "64 fds of a process) ('' for none)")
    ap.add_argument("--client-flush", type=lambda s: sizes(s) if s.strip() else [],
                    default=[0, 1, 4, 16, 64],
                    help="dirty MiB of the flush runs from node 1 to 2 ('' for none)")
    ap.add_argument("--fs-size", default="256M", help="the shared volume (fresh each run)")
    ap.add_argument("--fscache-blocks", type=int, default=8192,
                    help="each node's /shared block cache (fscache=; 4 KiB blocks)")
    ap.add_argument("--no-calls", action="store_true",
                    help="migrations only: no remote exec, forwarded calls or Fig. 3")
    ap.add_argument("--period", type=int, default=200, help="benchdirty's tick (ms)")
    ap.add_argument("--rr-count", type=int, default=100)
    ap.add_argument("--tput-seconds", type=int, default=4)
    ap.add_argument("--stream-n", type=int, default=16, help="1 MiB RPC streams for the floor")
    ap.add_argument("--exec-n", type=int, default=50, help="fork+exec (local, remote) rounds")
    ap.add_argument("--call-n", type=int, default=20000, help="system calls per loop")
    ap.add_argument("--fig3-fork", type=int, default=200)
    ap.add_argument("--fig3-cpu", type=int, default=20000000)
    ap.add_argument("--fig3-sh-rounds", type=int, default=30)
    ap.add_argument("--criu-modes", type=lambda s: s.replace(",", " ").split(),
                    default=["copy", "ps"], help="copy (image sent after dump), ps (page server)")
    ap.add_argument("--criu-timeout", type=int, default=1800)
    ap.add_argument("--boot-timeout", type=int, default=180)
    ap.add_argument("--reps", type=int, default=3,
                    help="Wisp migrations per strategy and size below 16 MiB (the median)")
    ap.add_argument("--wisp-mem", default="256M", help="RAM per Wisp node")
    ap.add_argument("--quick", action="store_true",
                    help="smaller: sizes 0,1,4, one stream run, shorter loops (make bench)")
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--plot", action="store_true", help="only draw the plots of --out's CSVs")
    ap.add_argument("--selftest", action="store_true", help="check the parsers and the fit")
    a = ap.parse_args()
    a.accel_args = a.accel_args or "-accel %s -cpu max" % a.accel
    if a.quick:
        given = " ".join(sys.argv)
        if "--sizes" not in given:
            a.sizes = [0, 1, 4]
        if "--files" not in given:
            a.files = [8]
        if "--file-mib" not in given:
            a.file_mib = [0, 1, 4]
        if "--shared-files" not in given:
            a.shared_files = [0, 8, 32]
        if "--client-flush" not in given:
            a.client_flush = []
        a.exec_n, a.call_n, a.fig3_fork = 20, 5000, 50
        a.fig3_cpu, a.fig3_sh_rounds, a.tput_seconds, a.stream_n = 5000000, 10, 2, 8
    a.wisp_args = ""
    # BENCH_SKIP as for scripts/bench.sh: wisp, or linux (here: the CRIU guests).
    for word in os.environ.get("BENCH_SKIP", "").replace(",", " ").split():
        skip = {"wisp": "wisp", "linux": "criu", "criu": "criu"}.get(word)
        if skip and skip not in a.skip:
            a.skip.append(skip)
    return a


def main():
    a = args()
    if a.selftest:
        return selftest()
    if a.plot:
        plot(a, *read_csvs(a.out))
        return 0
    os.makedirs(a.out, exist_ok=True)
    st = Status()
    rows, calls, criu, net = [], {}, {}, None
    # One system at a time: two cores, and each side's figures alone.
    if "criu" not in a.skip:
        criu = run_criu(a, st)
    if "wisp" not in a.skip:
        net = run_wisp(a, st, rows, calls)
    floors(a, rows, criu, net)
    fitrows = fits(rows)
    write_csvs(a, rows, calls, fitrows)
    status = report(a, rows, calls, fitrows, st)
    if not a.no_plot:
        draw(a, rows, calls)
    return status


if __name__ == "__main__":
    sys.exit(main())
