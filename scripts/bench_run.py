#!/usr/bin/env python3
"""Runs Wisp and the Linux guest under the same QEMU and accelerator, reads
their serial consoles with host-side timestamps, and writes the comparison.

For each system and run: time from QEMU start to the ready line (Wisp's
"wisp: node 0 ready", Linux's "linux: init ready"), then the "BENCH <name>
<value> <unit>" lines of the bench programs up to "BENCH done". Runs
alternate between the systems; each figure is the median over runs. Where
asked (--host), the same binaries also run on the host, pinned to one CPU.
Writes <out>/foundation.csv (metric,unit,wisp,linux,ratio,accel[,host]),
<out>/foundation-runs.csv (every run's figures) and <out>/<system>-<run>.log.
Python 3 standard library only; scripts/bench.sh is the front end.
"""
import argparse
import csv
import os
import re
import select
import shutil
import statistics
import subprocess
import sys
import time

BENCH_RE = re.compile(r"^BENCH (\S+) (-?[0-9.eE+]+) (\S+)\s*$")
# Rows of the table, in order; figures the programs print beyond these are
# kept in foundation-runs.csv and appended to the table.
METRICS = [
    ("boot_ready_ms", "ms"),
    ("getpid_cycles", "cycles"),
    ("getpid_ns", "ns"),
    ("ctxswitch_ns", "ns"),
    ("ctxswitch_cycles", "cycles"),
    ("forkexec_us", "us"),
    ("shell_ms", "ms"),
]


class Run:
    """One boot (or host run) of the bench programs."""

    def __init__(self, system, index):
        self.system = system
        self.index = index
        self.ready_ms = None
        self.done = False
        self.figures = {}   # name -> (value, unit)
        self.errors = []
        self.exit_code = None
        self.note = ""

    def ok(self):
        return self.done and not self.errors


def parse_line(run, line, t_ms, ready_pat):
    if run.ready_ms is None and ready_pat and ready_pat in line:
        run.ready_ms = t_ms
    m = BENCH_RE.match(line)
    if m:
        run.figures[m.group(1)] = (float(m.group(2)), m.group(3))
    elif line.startswith("BENCH error"):
        run.errors.append(line[len("BENCH error"):].strip())
    elif line.startswith("BENCH done"):
        run.done = True


def run_qemu(system, index, cmd, ready_pat, log_path, ready_timeout, timeout):
    """Boots one guest; returns a Run. Lines are timestamped on arrival
    against a monotonic clock read just before QEMU is started."""
    run = Run(system, index)
    buf = b""
    t0 = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    fd = proc.stdout.fileno()
    done_at = None
    with open(log_path, "w", encoding="utf-8", errors="replace") as log:
        log.write("# " + " ".join(cmd) + "\n")
        while True:
            now = time.monotonic()
            elapsed = now - t0
            if run.ready_ms is None and elapsed > ready_timeout:
                run.note = "no ready line after %.0f s" % ready_timeout
                break
            if elapsed > timeout:
                run.note = "timed out after %.0f s" % timeout
                break
            if done_at is not None and now - done_at > 10:
                run.note = "still running 10 s after BENCH done; killed"
                break
            r, _, _ = select.select([fd], [], [], 0.5)
            if not r:
                if proc.poll() is not None:
                    break
                continue
            chunk = os.read(fd, 65536)
            if not chunk:
                break
            t_ms = (time.monotonic() - t0) * 1000.0
            buf += chunk
            while b"\n" in buf:
                raw, buf = buf.split(b"\n", 1)
                line = raw.decode("utf-8", "replace").rstrip("\r")
                log.write("%10.1f %s\n" % (t_ms, line))
                parse_line(run, line, t_ms, ready_pat)
                if run.done and done_at is None:
                    done_at = time.monotonic()
        if buf:
            line = buf.decode("utf-8", "replace").rstrip("\r")
            log.write("%10.1f %s\n" % ((time.monotonic() - t0) * 1000.0, line))
            parse_line(run, line, (time.monotonic() - t0) * 1000.0, ready_pat)
        if proc.poll() is None:
            proc.kill()
        run.exit_code = proc.wait()
        log.write("# exit %s %s\n" % (run.exit_code, run.note))
    if run.ready_ms is not None:
        run.figures["boot_ready_ms"] = (run.ready_ms, "ms")
    return run


def run_host(index, bindir, log_path, timeout):
    """Runs the bench programs on the host, pinned to CPU 0 like a guest's
    single CPU, exec'ing the same static `true`."""
    run = Run("host", index)
    cmd = [os.path.join(bindir, "bench"), bindir]
    if shutil.which("taskset"):
        cmd = ["taskset", "-c", "0"] + cmd
    env = dict(os.environ, BENCH_TRUE=os.path.join(bindir, "true"))
    try:
        out = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             timeout=timeout).stdout.decode("utf-8", "replace")
    except (OSError, subprocess.TimeoutExpired) as e:
        out = ""
        run.note = str(e)
    with open(log_path, "w") as log:
        log.write("# " + " ".join(cmd) + "\n" + out)
    for line in out.splitlines():
        parse_line(run, line, 0.0, None)
    return run


def median_figures(runs):
    """name -> (median value, unit) over the runs that have the figure."""
    vals, units = {}, {}
    for r in runs:
        for name, (v, u) in r.figures.items():
            vals.setdefault(name, []).append(v)
            units[name] = u
    return {n: (statistics.median(v), units[n]) for n, v in vals.items()}


def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    return "%.1f" % v


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--accel", default="tcg", help="accelerator name, for the table and CSV")
    ap.add_argument("--accel-args", default=None,
                    help='QEMU accelerator options (default "-accel ACCEL -cpu max")')
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--mem", default="512M")
    ap.add_argument("--wisp-kernel", default="build/wisp.elf")
    ap.add_argument("--wisp-initrd", default="build/initrd.cpio")
    # The shell workload first (its BENCH lines must come before bench's
    # "BENCH done"); fork+exec execs Wisp's musl true, as the guest's /bin/true.
    ap.add_argument("--wisp-append", default='test=bench init=/bin/init '
                    'initargs="benchsh; BENCH_TRUE=/usr/lib/wisp/bin/true bench"')
    ap.add_argument("--linux-dir", default="build/linux-guest")
    ap.add_argument("--host", metavar="BINDIR", help="also run the binaries in BINDIR on the host")
    ap.add_argument("--skip", action="append", default=[], choices=["wisp", "linux"])
    ap.add_argument("--ready-timeout", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=300.0)
    a = ap.parse_args()

    os.makedirs(a.out, exist_ok=True)
    accel_args = (a.accel_args or "-accel %s -cpu max" % a.accel).split()
    base = [a.qemu] + accel_args + ["-m", a.mem, "-smp", "1", "-display", "none",
            "-serial", "stdio", "-monitor", "none", "-no-reboot", "-nic", "none",
            "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    systems = {
        "wisp": (base + ["-kernel", a.wisp_kernel, "-initrd", a.wisp_initrd,
                         "-append", a.wisp_append], "wisp: node 0 ready",
                 [a.wisp_kernel, a.wisp_initrd]),
        "linux": (base + ["-kernel", os.path.join(a.linux_dir, "vmlinuz"),
                          "-initrd", os.path.join(a.linux_dir, "initramfs.gz"),
                          "-append", "console=ttyS0 quiet panic=-1 bench=1"],
                  "linux: init ready",
                  [os.path.join(a.linux_dir, "vmlinuz"), os.path.join(a.linux_dir, "initramfs.gz")]),
    }
    runs = {"wisp": [], "linux": [], "host": []}
    dead = {}   # system -> why it is not run again
    for name, (_, _, files) in systems.items():
        missing = [f for f in files if not os.path.exists(f)]
        if name in a.skip:
            dead[name] = "skipped"
        elif missing:
            dead[name] = "missing " + ", ".join(missing)

    for i in range(1, a.runs + 1):
        for name, (cmd, ready, _) in systems.items():
            if name in dead:
                continue
            log = os.path.join(a.out, "%s-%d.log" % (name, i))
            print("bench: %s run %d/%d (%s) ..." % (name, i, a.runs, a.accel), file=sys.stderr,
                  flush=True)
            r = run_qemu(name, i, cmd, ready, log, a.ready_timeout, a.timeout)
            runs[name].append(r)
            if not r.ok():
                why = r.note or ("errors: " + "; ".join(r.errors) if r.errors else
                                 "no BENCH done (exit %s)" % r.exit_code)
                print("bench: %s run %d failed: %s (see %s)" % (name, i, why, log),
                      file=sys.stderr, flush=True)
                if r.ready_ms is None:
                    dead[name] = "did not boot: " + why
                elif not r.done:
                    dead[name] = "hung or died before BENCH done: " + why
        if a.host:
            log = os.path.join(a.out, "host-%d.log" % i)
            runs["host"].append(run_host(i, a.host, log, a.timeout))

    med = {s: median_figures(runs[s]) for s in runs}
    booted = {s: any(r.ready_ms is not None for r in runs[s]) for s in ("wisp", "linux")}
    complete = {s: bool(runs[s]) and all(r.ok() for r in runs[s]) for s in runs}

    names = [m for m, _ in METRICS]
    units = dict(METRICS)
    for s in runs:
        for n, (_, u) in med[s].items():
            if n not in units:
                names.append(n)
                units[n] = u

    def cell(system, v):
        if system in a.skip:
            return "skipped"
        return fmt(v) if booted[system] else "FAILED"

    rows = []
    for n in names:
        w = med["wisp"].get(n, (None,))[0]
        l = med["linux"].get(n, (None,))[0]
        h = med["host"].get(n, (None,))[0]
        ratio = (w / l) if (w is not None and l) else None
        rows.append((n, units[n], w, l, ratio, h))

    with open(os.path.join(a.out, "foundation.csv"), "w", newline="") as f:
        w = csv.writer(f)
        head = ["metric", "unit", "wisp", "linux", "ratio", "accel"] + (["host"] if a.host else [])
        w.writerow(head)
        for n, u, wv, lv, ratio, hv in rows:
            row = [n, u, "" if wv is None else "%.3f" % wv, "" if lv is None else "%.3f" % lv,
                   "" if ratio is None else "%.4f" % ratio, a.accel]
            if a.host:
                row.append("" if hv is None else "%.3f" % hv)
            w.writerow(row)
    with open(os.path.join(a.out, "foundation-runs.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["system", "run", "metric", "value", "unit", "ok", "accel"])
        for s in runs:
            for r in runs[s]:
                for n, (v, u) in sorted(r.figures.items()):
                    w.writerow([s, r.index, n, "%.3f" % v, u, int(r.ok()), a.accel])

    print()
    print("Wisp vs. Linux guest (%s), median of %d run(s)" % (a.accel, a.runs))
    hdr = "%-18s %-7s %10s %10s %11s" % ("metric", "unit", "wisp", "linux", "wisp/linux")
    if a.host:
        hdr += " %10s" % "host"
    print(hdr)
    for n, u, wv, lv, ratio, hv in rows:
        ws = cell("wisp", wv)
        ls = cell("linux", lv)
        line = "%-18s %-7s %10s %10s %11s" % (n, u, ws, ls,
                                              "-" if ratio is None else "%.2f" % ratio)
        if a.host:
            line += " %10s" % fmt(hv)
        print(line)
    status = 0
    for s in ("wisp", "linux"):
        if s in a.skip:
            continue
        if not booted[s]:
            print("%s: FAILED to boot (%s)" % (s, dead.get(s, "no ready line")))
            status = 1
        elif not complete[s]:
            print("%s: some runs FAILED; see %s/%s-*.log" % (s, a.out, s))
            status = 1
    if a.host and not complete["host"]:
        print("host: FAILED; see %s/host-*.log" % a.out)
        status = 1
    print("CSV: %s/foundation.csv, %s/foundation-runs.csv" % (a.out, a.out))
    return status


if __name__ == "__main__":
    sys.exit(main())
