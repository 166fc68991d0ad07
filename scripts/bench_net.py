#!/usr/bin/env python3
"""The network half of `make bench`: two nodes on one vde_switch, Wisp's
RPC beside ICMP and raw UDP between the same two nodes, and the same ICMP
and UDP figures between two Linux guests (scripts/linux-guest.sh) on the
same kind of segment (vde_switch, virtio-net-pci) under the same QEMU
and accelerator.

Linux: node 1 boots with `node=1 netsink=1` (udpbench sink), node 0 with
`node=0 netbench=1 nb_...` (its /bin/netbench pings, runs udpbench rr and
send); node 0's serial console is read to "NET done". Wisp: scripts/cluster
brings up two nodes and `sh 0 '...'` runs ping and rpcbench on node 0.
Writes <out>/net.csv (metric,size,unit,wisp,linux,ratio,accel), the logs
<out>/net-*.log and, with --plot (needs matplotlib), net-rtt.png and
net-tput.png. Exit status 1 when a side could not be measured in full.
Python 3 standard library only (but --plot); scripts/bench-net.sh is the
front end, docs/bench.md the description.
"""
import argparse
import csv
import os
import re
import select
import signal
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_RE = re.compile(r"^BENCH (\S+) (-?[0-9.eE+]+) (\S+)")
TIME_RE = re.compile(r"time[=<] *([0-9.]+) *(ms|us|µs|usec|ns)\b")
SUMMARY_RE = re.compile(r"min/avg/max(?:/\w+)? = ([0-9.]+)/([0-9.]+)/([0-9.]+) *(ms|us|µs|ns)")
TIME_UNITS = {"ns": 1e-3, "us": 1.0, "µs": 1.0, "usec": 1.0, "ms": 1e3, "s": 1e6}
RATE_UNITS = {"MB/s": 1.0, "MiB/s": 1.048576, "KB/s": 1e-3, "kB/s": 1e-3, "KiB/s": 1.024e-3,
              "B/s": 1e-6, "bytes/s": 1e-6, "GB/s": 1e3, "Mbit/s": 0.125, "Mb/s": 0.125,
              "Mbps": 0.125, "Gbit/s": 125.0}
CALL_UNITS = ("calls/s", "call/s", "ops/s", "rpc/s", "rpcs/s", "/s")
LINUX_PORT = 9000
METRIC_ORDER = ["icmp_rtt_us", "icmp_ping_rtt_us", "rpc_rtt_us", "rpc_rtt_kern_us", "udp_rr_us", "udp_tput_mbs",
                "udp_loss_pct", "rpc_tput_1caller_mbs", "rpc_tput_8callers_mbs",
                "rpc_put_1caller_mbs", "rpc_put_8callers_mbs", "rpc_put_syscall_1caller_mbs",
                "rpc_stream_1caller_mbs",
                "rpc_put_1caller_retx_per_mb", "rpc_put_8callers_retx_per_mb",
                "rpc_calls_1caller_per_s", "rpc_calls_8callers_per_s"]
RETX_RE = re.compile(r"^(frag_retransmits|retransmits)\s+(\d+)", re.M)


def log_line(f, t0, text):
    f.write("%10.1f %s\n" % ((time.monotonic() - t0) * 1000.0, text))
    f.flush()


def median(v):
    return statistics.median(v) if v else None


# ---- reading what the programs print ----

def bench_lines(text):
    """[(name, value, unit)] of the BENCH lines in text."""
    out = []
    for line in text.splitlines():
        m = BENCH_RE.match(line.strip().lstrip("\x00"))
        if m:
            out.append((m.group(1), float(m.group(2)), m.group(3)))
    return out


def ping_rtt_us(text):
    """Median round trip in us of one ping run: the time= of each reply,
    else a BENCH line in a time unit, else the summary's average."""
    times = [float(v) * TIME_UNITS[u] for v, u in TIME_RE.findall(text)]
    if times:
        return median(times), len(times)
    for name, v, u in bench_lines(text):
        if u in TIME_UNITS:
            return v * TIME_UNITS[u], 0
    m = SUMMARY_RE.search(text)
    if m:
        return float(m.group(2)) * TIME_UNITS[m.group(4)], 0
    return None, 0


def pick_time_us(lines):
    """The round trip among BENCH lines: a median if named so, else an
    rtt/echo figure, else the first figure in a time unit."""
    timed = [(n, v * TIME_UNITS[u]) for n, v, u in lines if u in TIME_UNITS]
    for key in ("p50", "med", "rtt", "echo", "us"):
        for n, v in timed:
            if key in n and not any(x in n for x in ("min", "max", "p9", "avg", "mean")):
                return v
    return timed[0][1] if timed else None


def pick_rate_mbs(lines):
    """The delivered rate among BENCH lines (not an offered or send rate)."""
    rates = [(n, v * RATE_UNITS[u]) for n, v, u in lines if u in RATE_UNITS and
             not any(x in n for x in ("send", "sent", "tx", "offer", "loss"))]
    for n, v in rates:
        if any(x in n for x in ("recv", "rx", "good", "sink", "deliver")):
            return v
    return rates[0][1] if rates else None


def pick_calls(lines):
    for n, v, u in lines:
        if u in CALL_UNITS or (u.endswith("/s") and u not in RATE_UNITS):
            return v
    return None


# ---- results ----

class Results:
    """Rows keyed by (metric, size); each has the wisp and the linux figure
    of every run, and reports their median."""

    def __init__(self):
        self.rows = {}
        self.order = []
        self.missing = {"wisp": [], "linux": []}

    def put(self, system, metric, size, unit, value):
        key = (metric, size)
        if key not in self.rows:
            self.rows[key] = {"unit": unit, "wisp": [], "linux": []}
            self.order.append(key)
        if value is not None:
            self.rows[key][system].append(value)

    def get(self, system, metric, size):
        return median(self.rows.get((metric, size), {}).get(system, []))

    def miss(self, system, what):
        if what not in self.missing[system]:
            self.missing[system].append(what)


# ---- the Linux pair ----

def mac_of(k):
    return "52:54:00:77:%02x:%02x" % ((k + 1) >> 8, (k + 1) & 0xFF)


def switch_dir(d):
    """d/sw, absolute (vde_switch -d leaves the working directory), or, when
    that path leaves no room for vde's unix sockets (108 bytes), a short
    directory in /tmp named by a hash of it."""
    sw = os.path.abspath(os.path.join(d, "sw"))
    if len(sw.encode()) + 24 <= 107:
        return sw
    import hashlib
    return "/tmp/wisp-%d/bench-%s" % (os.getuid(), hashlib.sha256(sw.encode()).hexdigest()[:16])


def start_switch(d):
    """A learning vde_switch in switch_dir(d), as scripts/cluster starts Wisp's."""
    sw, pidf = switch_dir(d), os.path.join(d, "switch.pid")
    if os.path.exists(pidf):
        stop_switch(d)
    os.makedirs(sw, exist_ok=True)
    subprocess.run(["vde_switch", "-n", "8", "-s", sw, "-p", pidf, "-d"],
                   stdin=subprocess.DEVNULL, check=True)
    end = time.monotonic() + 5
    while time.monotonic() < end:
        if os.path.exists(os.path.join(sw, "ctl")) and os.path.exists(pidf):
            return sw
        time.sleep(0.05)
    raise RuntimeError("vde_switch did not start")


def stop_switch(d):
    pidf = os.path.join(d, "switch.pid")
    try:
        pid = int(open(pidf).read().split()[0])
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            ours = switch_dir(d).encode() in f.read()
        if ours:
            os.kill(pid, signal.SIGTERM)
    except (OSError, ValueError, IndexError):
        pass
    try:
        os.unlink(pidf)
    except OSError:
        pass


def linux_argv(a, sw, k, extra):
    lg = a.linux_dir
    return [a.qemu] + a.accel_args.split() + [
        "-m", a.mem, "-smp", "1", "-display", "none", "-no-reboot", "-nodefaults",
        "-serial", "stdio", "-netdev", "vde,id=net0,sock=" + sw,
        "-device", "virtio-net-pci,rx_queue_size=1024,tx_queue_size=256,netdev=net0,mac="
        + mac_of(k),
        "-kernel", os.path.join(lg, "vmlinuz"), "-initrd", os.path.join(lg, "initramfs.gz"),
        "-append", "console=ttyS0 quiet panic=-1 node=%d %s" % (k, extra)]


def read_console(proc, log, t0, until, timeout):
    """Reads proc's stdout into log (timestamped) until a line contains
    until, proc ends or timeout; returns (lines, finished)."""
    lines, buf, fd = [], b"", proc.stdout.fileno()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            if proc.poll() is not None:
                break
            continue
        chunk = os.read(fd, 65536)
        if not chunk:
            break
        buf += chunk
        while b"\n" in buf:
            raw, buf = buf.split(b"\n", 1)
            line = raw.decode("utf-8", "replace").rstrip("\r")
            log_line(log, t0, line)
            lines.append(line)
            if until in line:
                return lines, True
    return lines, False


def run_linux(a, res, run):
    """Boots the two Linux guests, runs node 0's /bin/netbench, parses it."""
    for f in ("vmlinuz", "initramfs.gz"):
        if not os.path.exists(os.path.join(a.linux_dir, f)):
            res.miss("linux", "no %s/%s (make linux-guest)" % (a.linux_dir, f))
            return
    d = os.path.join(a.out, "net-linux")
    os.makedirs(d, exist_ok=True)
    # /bin/netbench's parameters (scripts/linux-guest.sh): lists take commas.
    params = {"nb_ping_sizes": a.ping_sizes, "nb_ping_count": a.ping_count,
              "nb_ping_interval": a.ping_interval, "nb_icmp_count": a.rr_count,
              "nb_rr_sizes": a.linux_rr_sizes, "nb_rr_count": a.rr_count,
              "nb_udp_sizes": a.udp_sizes, "nb_udp_total": a.udp_total, "nb_port": LINUX_PORT}
    nb = " ".join("%s=%s" % (k, ",".join(map(str, v)) if isinstance(v, list) else v)
                  for k, v in params.items())
    procs = []
    t0 = time.monotonic()
    log0_path = os.path.join(a.out, "net-linux-%d-node0.log" % run)
    log1 = open(os.path.join(a.out, "net-linux-%d-node1.log" % run), "w")
    log0 = open(log0_path, "w")
    lines, done = [], False
    try:
        sw = start_switch(d)
        argv1 = linux_argv(a, sw, 1, "netsink=1 nb_port=%d" % LINUX_PORT)
        argv0 = linux_argv(a, sw, 0, "netbench=1 nb_peer=10.77.0.2 " + nb)
        log1.write("# " + " ".join(argv1) + "\n")
        log0.write("# " + " ".join(argv0) + "\n")
        log1.flush()
        procs.append(subprocess.Popen(argv1, stdin=subprocess.DEVNULL, stdout=log1,
                                      stderr=subprocess.STDOUT))
        p0 = subprocess.Popen(argv0, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT)
        procs.append(p0)
        print("bench-net: linux: two guests booting (%s) ..." % a.accel, file=sys.stderr,
              flush=True)
        lines, done = read_console(p0, log0, t0, "NET done", a.linux_timeout)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as e:
        res.miss("linux", "could not start: %s" % e)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        stop_switch(d)
        log0.close()
        log1.close()
    if not done:
        res.miss("linux", "no 'NET done' from node 0 within %d s (see %s)" % (
            a.linux_timeout, log0_path))
    parse_linux(lines, res)


def parse_linux(lines, res):
    sections, cur = [], None
    for line in lines:
        m = re.match(r"^NET (\w+) (\d+)", line)
        if m:
            cur = [m.group(1), int(m.group(2)), []]
            sections.append(cur)
        elif line.startswith("NET done"):
            cur = None
        elif line.startswith("BENCH error"):
            res.miss("linux", line[6:].strip())
        elif cur is not None:
            cur[2].append(line)
    for kind, size, out in sections:
        text = "\n".join(out)
        b = bench_lines(text)
        if kind == "icmp":
            v = pick_time_us(b)
            res.put("linux", "icmp_rtt_us", size, "us", v)
            if v is None:
                res.miss("linux", "udpbench ping %d: no figure" % size)
        elif kind == "ping":
            rtt, n = ping_rtt_us(text)
            res.put("linux", "icmp_ping_rtt_us", size, "us", rtt)
            if rtt is None:
                res.miss("linux", "ping -s %d: no replies" % size)
        elif kind == "rr":
            v = pick_time_us(b)
            res.put("linux", "udp_rr_us", size, "us", v)
            if v is None:
                res.miss("linux", "udpbench rr %d: no figure" % size)
        elif kind == "udp":
            v = pick_rate_mbs(b)
            res.put("linux", "udp_tput_mbs", size, "MB/s", v)
            for n, val, u in b:
                if n == "udp_loss_pct":
                    res.put("linux", "udp_loss_pct", size, "%", val)
            if v is None:
                res.miss("linux", "udpbench send %d: no figure" % size)


# ---- the Wisp pair ----

class Wisp:
    def __init__(self, a, log):
        self.a = a
        self.log = log
        self.t0 = time.monotonic()
        self.dir = os.path.join(a.out, "net-cluster")
        self.tool = a.cluster

    def cluster(self, args, timeout):
        cmd = [self.tool, "-d", self.dir] + args
        log_line(self.log, self.t0, "$ " + " ".join(cmd))
        try:
            p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, timeout=timeout)
            out, rc = p.stdout.decode("utf-8", "replace").replace("\r", ""), p.returncode
        except subprocess.TimeoutExpired as e:
            out, rc = (e.stdout or b"").decode("utf-8", "replace"), 124
        for line in out.splitlines():
            log_line(self.log, self.t0, line)
        log_line(self.log, self.t0, "# exit %d" % rc)
        return rc, out

    def sh(self, command, timeout):
        print("bench-net: wisp: %s" % command, file=sys.stderr, flush=True)
        return self.cluster(["sh", "--timeout", str(timeout), "0", command], timeout + 15)


def failure(rc, out):
    """Why a command gave no figure: its exit status and last line."""
    last = [x for x in out.splitlines() if x.strip() and not x.startswith("BENCH")]
    return "exit %d%s" % (rc, ": " + last[-1].strip()[:100] if last else "")


def wisp_unavailable(a):
    """Why the Wisp side cannot run at all, or None."""
    if not os.access(a.cluster, os.X_OK):
        return "no %s" % os.path.relpath(a.cluster, ROOT)
    for f in (a.wisp_kernel, a.wisp_initrd):
        if not os.path.exists(f):
            return "no %s (make)" % f
    if not os.path.exists(os.path.join(a.rootfs, "bin", "ping")):
        return "no ping in %s/bin" % a.rootfs
    return None


def run_wisp(a, res, run):
    why = wisp_unavailable(a)
    if why:
        res.miss("wisp", why)
        return
    has_rpc = os.path.exists(os.path.join(a.rootfs, "bin", "rpcbench"))
    with open(os.path.join(a.out, "net-wisp-%d.log" % run), "w") as log:
        w = Wisp(a, log)
        w.cluster(["down"], 60)
        up = ["up", "-n", "2", "-q", "--timeout", str(a.boot_timeout),
              "--kernel", a.wisp_kernel, "--initrd", a.wisp_initrd]
        if a.wisp_args:
            up += ["--kernel-args", a.wisp_args]
        print("bench-net: wisp: two nodes booting (%s) ..." % a.accel, file=sys.stderr,
              flush=True)
        rc, out = w.cluster(up, a.boot_timeout + 30)
        try:
            if rc != 0:
                res.miss("wisp", "cluster up failed: %s" % (out.strip().splitlines() or ["?"])[0])
                return
            measure_wisp(a, w, res, has_rpc)
        finally:
            w.cluster(["down"], 60)


def measure_wisp(a, w, res, has_rpc):
    rc, out = w.sh("ping -c 2 -s 56 1", 60)
    if ping_rtt_us(out)[0] is None:
        res.miss("wisp", "node 1 does not answer node 0's pings (%s)" % failure(rc, out))
        return
    # Back to back (as udpbench ping on Linux), then paced as busybox ping.
    # The smallest ping is measured with the null RPC (null_vs_icmp).
    small = min(a.ping_sizes)
    for s in a.ping_sizes:
        for metric, n, iv in (("icmp_rtt_us", a.rr_count, "0"),
                              ("icmp_ping_rtt_us", a.ping_count, a.ping_interval)):
            if metric == "icmp_rtt_us" and s == small and has_rpc and 0 in a.rpc_sizes:
                continue
            cmd = "ping -c %d -i %s -s %d 1" % (n, iv, s)
            rc, out = w.sh(cmd, 30 + int(n * (float(iv) + 0.5)))
            rtt, _ = ping_rtt_us(out)
            res.put("wisp", metric, s, "us", rtt)
            if rtt is None:
                res.miss("wisp", "%s: no figure (%s)" % (cmd, failure(rc, out)))
    if not has_rpc:
        res.miss("wisp", "no rpcbench in %s/bin" % a.rootfs)
        return
    if 0 in a.rpc_sizes:
        null_vs_icmp(a, w, res, small)
    # rpcbench exits non-zero on any failed call; echo and blast then print
    # no figure, tput prints what the calls that worked achieved.
    for s in a.rpc_sizes:
        if s == 0:
            continue
        rc, out = w.sh("rpcbench echo 1 %d %d" % (s, a.rr_count), 120)
        b = bench_lines(out) if rc == 0 else []
        v = pick_time_us(b)
        res.put("wisp", "rpc_rtt_us", s, "us", v)
        kern = [val * TIME_UNITS[u] for name, val, u in b
                if name.endswith("_kern_p50") and u in TIME_UNITS]
        res.put("wisp", "rpc_rtt_kern_us", s, "us", kern[0] if kern else None)
        if v is None:
            res.miss("wisp", "rpcbench echo %d: %s" % (s, failure(rc, out)))
    # No echo works at all: the tput runs would only spend their seconds.
    if all(res.get("wisp", "rpc_rtt_us", s) is None for s in a.rpc_sizes):
        res.miss("wisp", "rpcbench tput: not run (no echo call worked)")
        tput_runs = []
    else:
        tput_runs = a.tput_runs
    # Raw UDP of the largest datagram once before the RPC runs too (and the
    # sizes after them): the throughput ratios' baseline is then the median
    # of blasts on both sides of them in time.
    if tput_runs:
        blast(a, w, res, max(a.udp_sizes))
    for s, secs, callers in tput_runs:
        rc, out = w.sh("rpcbench tput 1 %d %d %d" % (s, secs, callers), secs + 60)
        b = bench_lines(out)
        mbs, calls = pick_rate_mbs(b), pick_calls(b)
        failed = re.search(r"\((\d+) failed\)", out)
        if rc != 0 and failed and int(failed.group(1)) and calls:
            res.miss("wisp", "rpcbench tput %d %d: %s calls failed" % (s, callers,
                                                                       failed.group(1)))
        if not calls:
            mbs = calls = None
        if calls is None and mbs is not None and s > 0:
            calls = mbs * 1e6 / s
        if mbs is None and calls is not None:
            mbs = calls * s / 1e6
        tag = "1caller" if callers == 1 else "%dcallers" % callers
        if s > 0:
            res.put("wisp", "rpc_tput_%s_mbs" % tag, s, "MB/s", mbs)
        res.put("wisp", "rpc_calls_%s_per_s" % tag, s, "calls/s", calls)
        if calls is None:
            res.miss("wisp", "rpcbench tput %d %d: no figure (%s)" % (s, callers,
                                                                       failure(rc, out)))
    for s, secs, callers in (a.put_runs if tput_runs else []):
        measure_put(w, res, s, secs, callers, a.put_batch)
    if tput_runs:
        big = max(a.rpc_sizes)
        measure_put(w, res, big, a.tput_seconds, 1, 1, prefix="rpc_put_syscall")
        measure_extra(a, w, res)
    for d in a.udp_sizes:
        blast(a, w, res, d)


def blast(a, w, res, d):
    rc, out = w.sh("rpcbench blast 1 %d %d" % (a.udp_total, d), 180)
    b = bench_lines(out) if rc == 0 else []
    v = pick_rate_mbs(b)
    res.put("wisp", "udp_tput_mbs", d, "MB/s", v)
    for n, val, u in b:
        if "loss" in n and u == "%":
            res.put("wisp", "udp_loss_pct", d, "%", val)
    if v is None:
        res.miss("wisp", "rpcbench blast %d: %s" % (d, failure(rc, out)))


def null_vs_icmp(a, w, res, small):
    """The null RPC and the ICMP echo of the smallest size in a.rr_chunks
    alternating chunks of the same number of back-to-back round trips, so
    that a change of load on a shared host hits both sides of the ratio
    alike; each figure is the median of its chunks' medians."""
    chunks = max(1, a.rr_chunks)
    n = max(1, a.rr_count // chunks)
    icmp, user, kern = [], [], []
    for _ in range(chunks):
        cmd = "ping -c %d -i 0 -s %d 1" % (n, small)
        rc, out = w.sh(cmd, 30 + n)
        rtt, _ = ping_rtt_us(out)
        if rtt is None:
            res.miss("wisp", "%s: no figure (%s)" % (cmd, failure(rc, out)))
        else:
            icmp.append(rtt)
        rc, out = w.sh("rpcbench echo 1 0 %d" % n, 120)
        b = bench_lines(out) if rc == 0 else []
        v = pick_time_us(b)
        k = [val * TIME_UNITS[u] for name, val, u in b
             if name.endswith("_kern_p50") and u in TIME_UNITS]
        if v is None:
            res.miss("wisp", "rpcbench echo 0: %s" % failure(rc, out))
        else:
            user.append(v)
        if k:
            kern.append(k[0])
    res.put("wisp", "icmp_rtt_us", small, "us", median(icmp))
    res.put("wisp", "rpc_rtt_us", 0, "us", median(user))
    res.put("wisp", "rpc_rtt_kern_us", 0, "us", median(kern))


def retransmitted(text):
    """Fragments node 0 sent again, from one rpcstat listing: selective
    resends (frag_retransmits) plus timer resends (retransmits)."""
    return sum(int(v) for _, v in RETX_RE.findall(text))


def measure_put(w, res, s, secs, callers, batch, prefix="rpc_put"):
    """One-way throughput (SINK calls: s-byte requests, empty replies; batch
    calls back to back per system call, as kernel clients call) and the
    fragments retransmitted per MB sent, from rpcstat around the run."""
    marker = "== put =="
    # The echo is split in two so that the command line, which the console
    # echoes back, does not contain the marker itself.
    m = "'%s''%s'" % (marker[:3], marker[3:])
    rc, out = w.sh("rpcstat; echo %s; rpcbench put 1 %d %d %d %d; echo %s; rpcstat" % (
        m, s, secs, callers, batch, m), secs + 60)
    parts = out.split(marker)
    tag = "1caller" if callers == 1 else "%dcallers" % callers
    if prefix != "rpc_put":
        b = bench_lines(parts[1] if len(parts) == 3 else "")
        res.put("wisp", "%s_%s_mbs" % (prefix, tag), s, "MB/s", pick_rate_mbs(b))
        return
    b = bench_lines(parts[1] if len(parts) == 3 else "")
    mbs, calls = pick_rate_mbs(b), pick_calls(b)
    res.put("wisp", "rpc_put_%s_mbs" % tag, s, "MB/s", mbs if calls else None)
    retx = None
    if len(parts) == 3 and calls:
        sent_mb = calls * secs * s / 1e6
        d = retransmitted(parts[2]) - retransmitted(parts[0])
        retx = d / sent_mb if sent_mb > 0 else None
    res.put("wisp", "rpc_put_%s_retx_per_mb" % tag, s, "frag/MB", retx)
    if not calls:
        res.miss("wisp", "rpcbench put %d %d: no figure (%s)" % (s, callers, failure(rc, out)))


STAT_RE = re.compile(r"^(\w+)\s+(\d+)\s*$", re.M)


def stats(text):
    return {k: int(v) for k, v in STAT_RE.findall(text)}


def measure_extra(a, w, res):
    """Streams (more than 64 KiB per caller), the MAC's cost, and what an
    idle node sends and receives (the failure detector, the time sync)."""
    for s in a.stream_sizes:
        n = max(1, a.stream_bytes // s)
        rc, out = w.sh("rpcbench stream 1 %d %d" % (s, n), 180)
        v = pick_rate_mbs(bench_lines(out)) if rc == 0 else None
        res.put("wisp", "rpc_stream_1caller_mbs", s, "MB/s", v)
        if v is None:
            res.miss("wisp", "rpcbench stream %d: %s" % (s, failure(rc, out)))
    for s, n in ((64, 20000), (1408, 5000), (65536, 200)):
        rc, out = w.sh("rpcbench mac %d %d" % (s, n), 120)
        v = None
        for name, val, unit in bench_lines(out):
            if name == "mac_ns_per_kib":
                v = val
        res.put("wisp", "mac_ns_per_kib", s, "ns/KiB", v)
    marker = "== idle =="
    secs = a.idle_seconds
    m = "'%s''%s'" % (marker[:3], marker[3:])
    rc, out = w.sh("rpcstat; echo %s; sleep %d; echo %s; rpcstat" % (m, secs, m), secs + 60)
    parts = out.split(marker)
    if len(parts) == 3:
        s0, s1 = stats(parts[0]), stats(parts[2])
        d = {k: s1.get(k, 0) - s0.get(k, 0) for k in s1}
        # The rpcstat call itself, and the shell's, add nothing: it is local.
        res.put("wisp", "idle_rpc_pkts_per_s", 2, "pkt/s",
                (d.get("tx_packets", 0) + d.get("rx_packets", 0)) / secs)
        res.put("wisp", "idle_detector_pkts_per_s", 2, "pkt/s",
                (d.get("pings_sent", 0) + d.get("pings_received", 0)) / secs)
    else:
        res.miss("wisp", "idle traffic: no figure (%s)" % failure(rc, out))


# ---- table, CSV, plots ----

def fmt(v):
    if v is None:
        return "-"
    if abs(v) >= 100:
        return "%.0f" % v
    if abs(v) >= 10:
        return "%.1f" % v
    return "%.2f" % v


def ratio_rows(res, a):
    """(what, size, wisp ratio, linux analogue) of the ratios asked for."""
    out = []
    small = min(a.ping_sizes)
    icmp_w = res.get("wisp", "icmp_rtt_us", small)
    icmp_l = res.get("linux", "icmp_rtt_us", small)
    # Both timed in the kernel over the same span, from the caller's request
    # to the caller waking with the answer (Wisp's ping reports the kernel's
    # figure, net/net_icmp.c); rpc_rtt_us is timed around the system
    # call in user space, like the Linux guests' figures.
    null_w = res.get("wisp", "rpc_rtt_kern_us", 0)
    rr_l = res.get("linux", "udp_rr_us", 0)
    out.append(("rpc_null_rtt/icmp_rtt", "0/%d" % small,
                null_w / icmp_w if null_w and icmp_w else None,
                rr_l / icmp_l if rr_l and icmp_l else None))
    big = max(s for s, _, _ in a.tput_runs)
    rpc = res.get("wisp", "rpc_tput_1caller_mbs", big)
    raw = [(res.get("wisp", "udp_tput_mbs", d), d) for d in a.udp_sizes]
    raw = [x for x in raw if x[0]]
    best = max(raw) if raw else (None, max(a.udp_sizes))
    out.append(("rpc_tput/udp_tput", "%d/%d" % (big, best[1]),
                rpc / best[0] if rpc and best[0] else None, None))
    udp_l = max([v for v in (res.get("linux", "udp_tput_mbs", d) for d in a.udp_sizes) if v]
                or [0])
    out.append(("udp_tput/linux_udp_tput", "%d/best" % best[1],
                best[0] / udp_l if best[0] and udp_l else None, None))
    for tag in ("1caller", "8callers"):
        put = res.get("wisp", "rpc_put_%s_mbs" % tag, big)
        out.append(("rpc_put_%s/udp_tput" % tag, "%d/%d" % (big, best[1]),
                    put / best[0] if put and best[0] else None, None))
    return out


def cell(a, system, metric, size, v):
    """A table cell: the figure, or why there is none: n/a (this side should
    have measured it), skipped, or - (this side does not measure it)."""
    if v is not None:
        return fmt(v)
    if metric.startswith("icmp"):
        ours = True
    elif metric in ("udp_tput_mbs", "udp_loss_pct"):
        ours = system == "linux" or size in map(str, a.udp_sizes)
    elif metric.startswith("udp"):
        ours = system == "linux"
    else:
        ours = system == "wisp"
    if not ours:
        return "-"
    return "skipped" if system in a.skip else "n/a"


def report(res, a):
    rows = []
    rank = {m: i for i, m in enumerate(METRIC_ORDER)}
    for key in sorted(res.order, key=lambda k: (rank.get(k[0], len(rank)), k[1])):
        w, l = res.get("wisp", *key), res.get("linux", *key)
        rows.append((key[0], str(key[1]), res.rows[key]["unit"], w, l,
                     w / l if w and l else None))
    for what, size, w, l in ratio_rows(res, a):
        rows.append((what, size, "x", w, l, None))
    with open(os.path.join(a.out, "net.csv"), "w", newline="") as f:
        cw = csv.writer(f)
        cw.writerow(["metric", "size", "unit", "wisp", "linux", "ratio", "accel"])
        for m, s, u, w, l, r in rows:
            cw.writerow([m, s, u, "" if w is None else "%.3f" % w,
                         "" if l is None else "%.3f" % l, "" if r is None else "%.4f" % r,
                         a.accel])
    print()
    print("Network: two nodes on a vde_switch (virtio-net-pci), QEMU %s" % a.accel)
    print("%-30s %-10s %-8s %10s %10s %11s" % ("metric", "size", "unit", "wisp", "linux",
                                              "wisp/linux"))
    for m, s, u, w, l, r in rows:
        ws, ls = cell(a, "wisp", m, s, w), cell(a, "linux", m, s, l)
        print("%-30s %-10s %-8s %10s %10s %11s" % (m, s, u, ws, ls,
                                                  "-" if r is None else "%.2f" % r))
    print()
    for what, size, w, l in ratio_rows(res, a):
        print("wisp %-26s %-11s %s%s" % (what, size, fmt(w),
                                         "   (linux udp rr / icmp: %s)" % fmt(l) if l else ""))
    status = 0
    for s in ("wisp", "linux"):
        if s in a.skip:
            print("%s: skipped" % s)
            continue
        if res.missing[s]:
            status = 1
            m = res.missing[s]
            more = "; and %d more below" % (len(m) - 1) if len(m) > 1 else ""
            print("%s: not available (%s%s)" % (s, m[0], more))
            for why in m[1:]:
                print("    %s" % why)
    print("CSV: %s/net.csv; logs %s/net-*.log" % (a.out, a.out))
    return status


def plot(csv_path, outdir):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    series, accel = {}, ""
    with open(csv_path, newline="") as f:
        for row in csv.DictReader(f):
            accel = row["accel"]
            if not row["size"].isdigit():
                continue
            for system in ("wisp", "linux"):
                if row[system]:
                    series.setdefault((row["metric"], system), []).append(
                        (int(row["size"]), float(row[system])))
    figs = [
        ("net-rtt.png", "round trip (us)", [
            (("rpc_rtt_us", "wisp"), "Wisp RPC echo", "o-"),
            (("icmp_rtt_us", "wisp"), "Wisp ICMP ping", "s-"),
            (("icmp_rtt_us", "linux"), "Linux ICMP ping", "s--"),
            (("udp_rr_us", "linux"), "Linux UDP request/response", "^--")]),
        ("net-tput.png", "throughput (MB/s, 10^6 B)", [
            (("rpc_tput_1caller_mbs", "wisp"), "Wisp RPC, 1 caller", "o-"),
            (("rpc_tput_8callers_mbs", "wisp"), "Wisp RPC, 8 callers", "D-"),
            (("rpc_put_1caller_mbs", "wisp"), "Wisp one-way RPC, 1 caller", "v-"),
            (("rpc_put_8callers_mbs", "wisp"), "Wisp one-way RPC, 8 callers", "^-"),
            (("rpc_stream_1caller_mbs", "wisp"), "Wisp RPC stream, 1 caller", "x-"),
            (("udp_tput_mbs", "wisp"), "Wisp raw UDP", "s-"),
            (("udp_tput_mbs", "linux"), "Linux raw UDP", "s--")]),
    ]
    for name, ylabel, lines in figs:
        fig, ax = plt.subplots(figsize=(7, 4))
        drawn = 0
        for key, label, style in lines:
            pts = sorted(series.get(key, []))
            if pts:
                ax.plot([p[0] for p in pts], [p[1] for p in pts], style, label=label)
                drawn += 1
        ax.set_xscale("symlog", linthresh=64)
        if name == "net-rtt.png":
            ax.set_yscale("log")
        ax.set_xlabel("payload (bytes)")
        ax.set_ylabel(ylabel)
        ax.set_title("Wisp vs. Linux guests, 2 nodes on vde_switch, QEMU %s" % accel)
        ax.grid(True, which="both", alpha=0.3)
        if drawn:
            ax.legend(fontsize=8)
        fig.tight_layout()
        fig.savefig(os.path.join(outdir, name), dpi=120)
        plt.close(fig)
        print("bench-net: plot %s" % os.path.join(outdir, name))
    return 0


def plan(res, a):
    """Every row the table will have, in order, so that it keeps its shape
    whatever could be measured."""
    for s in a.ping_sizes:
        res.put("wisp", "icmp_rtt_us", s, "us", None)
        res.put("wisp", "icmp_ping_rtt_us", s, "us", None)
    for s in a.rpc_sizes:
        res.put("wisp", "rpc_rtt_us", s, "us", None)
    for s in a.rpc_sizes:
        res.put("wisp", "rpc_rtt_kern_us", s, "us", None)
    for s in a.linux_rr_sizes:
        res.put("linux", "udp_rr_us", s, "us", None)
    for d in a.udp_sizes + [x for x in a.linux_udp_sizes if x not in a.udp_sizes]:
        res.put("wisp", "udp_tput_mbs", d, "MB/s", None)
        res.put("wisp", "udp_loss_pct", d, "%", None)
    for s, _, callers in a.tput_runs:
        tag = "1caller" if callers == 1 else "%dcallers" % callers
        if s > 0:
            res.put("wisp", "rpc_tput_%s_mbs" % tag, s, "MB/s", None)
        res.put("wisp", "rpc_calls_%s_per_s" % tag, s, "calls/s", None)
    for s, _, callers in a.put_runs:
        tag = "1caller" if callers == 1 else "%dcallers" % callers
        res.put("wisp", "rpc_put_%s_mbs" % tag, s, "MB/s", None)
        res.put("wisp", "rpc_put_%s_retx_per_mb" % tag, s, "frag/MB", None)
    res.put("wisp", "rpc_put_syscall_1caller_mbs", max(a.rpc_sizes), "MB/s", None)
    for s in a.stream_sizes:
        res.put("wisp", "rpc_stream_1caller_mbs", s, "MB/s", None)
    for s in (64, 1408, 65536):
        res.put("wisp", "mac_ns_per_kib", s, "ns/KiB", None)
    res.put("wisp", "idle_rpc_pkts_per_s", 2, "pkt/s", None)
    res.put("wisp", "idle_detector_pkts_per_s", 2, "pkt/s", None)


def sizes(s):
    return [int(x) for x in s.replace(",", " ").split()]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--plot", metavar="CSV", help="only draw the plots of CSV into --out")
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--accel-args", default=None)
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--mem", default="256M", help="RAM per Linux guest (Wisp: cluster's)")
    ap.add_argument("--linux-dir", default="build/linux-guest")
    ap.add_argument("--wisp-kernel", default="build/wisp.elf")
    ap.add_argument("--wisp-initrd", default="build/initrd.cpio")
    ap.add_argument("--rootfs", default="build/rootfs")
    ap.add_argument("--cluster", default=os.path.join(ROOT, "scripts", "cluster"),
                    help="the cluster tool (scripts/cluster)")
    ap.add_argument("--wisp-args", default="", help="extra kernel arguments for Wisp's nodes")
    ap.add_argument("--skip", action="append", default=[], choices=["wisp", "linux"])
    ap.add_argument("--runs", type=int, default=1,
                    help="runs of each side, alternating; figures are medians over runs")
    ap.add_argument("--ping-sizes", type=sizes, default=[56, 1024, 1400])
    ap.add_argument("--ping-count", type=int, default=20)
    ap.add_argument("--ping-interval", default="0.2",
                    help="seconds between the Linux guest's pings (0: as soon as answered)")
    ap.add_argument("--rpc-sizes", type=sizes, default=[0, 1024, 4096, 16384, 65536])
    ap.add_argument("--rr-count", type=int, default=100)
    ap.add_argument("--rr-chunks", type=int, default=5,
                    help="the null RPC and the smallest ping alternate in this many chunks")
    ap.add_argument("--udp-sizes", type=sizes, default=[64, 512, 1472])
    ap.add_argument("--linux-udp-sizes", type=sizes, default=[8192, 65507],
                    help="extra Linux-only datagram sizes (IP fragmentation)")
    ap.add_argument("--udp-total", type=int, default=40000000,
                    help="bytes per raw UDP blast (long enough that ring backlogs do not count)")
    ap.add_argument("--tput-seconds", type=int, default=5)
    ap.add_argument("--put-batch", type=int, default=32,
                    help="one-way calls per system call, made back to back by the kernel")
    ap.add_argument("--stream-sizes", type=sizes, default=[262144, 1048576])
    ap.add_argument("--stream-bytes", type=int, default=32 << 20,
                    help="bytes streamed per stream size")
    ap.add_argument("--idle-seconds", type=int, default=10)
    ap.add_argument("--linux-timeout", type=int, default=300)
    ap.add_argument("--boot-timeout", type=int, default=180)
    a = ap.parse_args()
    if a.plot:
        return plot(a.plot, a.out)
    a.accel_args = a.accel_args or "-accel %s -cpu max" % a.accel
    # The Linux UDP request/response curve: a datagram carries at most 65507.
    a.linux_rr_sizes = sorted({min(s, 65507) for s in a.rpc_sizes})
    # Calls per second with 1 and 8 callers, for null and 64 KiB calls;
    # 64 KiB with one caller is the RPC throughput; smaller sizes, shorter,
    # draw the throughput curve.
    t = a.tput_seconds
    big = max(a.rpc_sizes)
    a.tput_runs = [(0, t, 1), (0, t, 8), (big, t, 1), (big, t, 8)]
    a.tput_runs += [(s, max(2, t - 2), 1) for s in a.rpc_sizes if 0 < s < big]
    # One way (SINK: the request carries the bytes, the reply is empty), 1
    # and 8 callers, 1 KiB .. 64 KiB.
    a.put_runs = [(s, t if s == big else max(2, t - 2), c)
                  for s in a.rpc_sizes if s >= 1024 for c in (1, 8)]
    os.makedirs(a.out, exist_ok=True)
    res = Results()
    plan(res, a)
    # Linux also gets fragmented datagrams: its curve goes to 64 KiB.
    la = argparse.Namespace(**vars(a))
    la.udp_sizes = a.udp_sizes + [s for s in a.linux_udp_sizes if s not in a.udp_sizes]
    # Runs alternate, so that a burst of load on the host hits both sides.
    # A side that measured nothing in a run is not tried again.
    dead = set(a.skip)
    for run in range(1, a.runs + 1):
        for system, fn, args in (("linux", run_linux, la), ("wisp", run_wisp, a)):
            if system not in dead:
                fn(args, res, run)
                if res.get(system, "icmp_rtt_us", min(a.ping_sizes)) is None:
                    dead.add(system)
    return report(res, a)


if __name__ == "__main__":
    sys.exit(main())
