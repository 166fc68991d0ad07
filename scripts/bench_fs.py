#!/usr/bin/env python3
"""The shared file system's experiments (issue 9; docs/experiments.md).

Wisp: a 3-node cluster (scripts/cluster); node 0 serves the volume, node 1
caches (fscache default), node 2 does not (fscache=0), so caching on and
off are measured in one boot. The peers (Debian's kernel, build/linux-guest),
same QEMU, same accelerator, same static binaries (user/fsbench.c) and the
same busybox script (user/share/fsbuild.sh), one system after the other:
  - linux-nfs: what a cluster's users would otherwise pick, two Linux
    guests on one vde_switch, guest 0 serving its virtio disk (ext4) with
    Linux's nfsd (scripts/linux-guest-nfs.sh: Debian's nfs-utils), guest 1
    mounting it over NFSv4.2 with caching (linux-nfs) and with noac,
    lookupcache=none (linux-nfs-noac, caching as far off as NFS goes);
  - linux-ext4: one guest on its own virtio disk (ext4, made by the host's
    mkfs.ext4): what a user of one machine would pick.

Figures:
  - sequential read of an MIB-MiB file on a client: cold (the client has
    never seen it; on Linux after drop_caches), then warm (median of two
    re-reads), the warm/cold ratio (goal >= 10) and the server's READ
    requests per re-read (goal 0);
  - the build-like workload with caching on and off: time, the server's
    requests (all kinds) and the bytes on the client's wire; Sprite saw
    client caching halve the server's load and cut traffic by 75-90%;
  - open+close of a file: in a node's /tmp, on the shared volume from the
    server's own node, and from a client; on Linux, tmpfs and ext4.
Writes <out>/fs.csv, fs-table.txt, fs-*.log and (matplotlib) fs.png.
Exit status 1 when a system that was asked for could not be measured.
"""
import argparse
import csv
import os
import re
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_common as bc  # noqa: E402  (options, cluster, Linux guest, plots)
import bench_net as bn  # noqa: E402  (BENCH-line parser)

ROOT = bn.ROOT
SCRIPT = "/usr/lib/wisp/fsbuild.sh"
BUILD_RE = re.compile(r"fsbuild ok files (\d+) bytes (\d+) sum (\w+)")
# Linux modules for a virtio disk with ext4, in insmod order (their
# `depends=`: virtio_blk on virtio, virtio_ring; ext4 on jbd2, mbcache,
# crc16; crc32c for ext4's metadata checksums).
LINUX_MODS = ["virtio_ring", "virtio", "virtio_pci_modern_dev", "virtio_pci_legacy_dev",
              "virtio_pci", "virtio_blk", "crc16", "mbcache", "jbd2", "crc32c_generic", "ext4"]
NEW_MODS = ["virtio_blk", "crc16", "mbcache", "jbd2", "crc32c_generic", "ext4"]
COLS = ["metric", "system", "value", "unit", "baseline", "baseline_system", "ratio", "goal",
        "note", "accel"]


say = bc.make_say("bench-fs")


def values(text):
    """{name: value} of the BENCH lines in text."""
    return {n: v for n, v, _ in bn.bench_lines(text)}


def counters(text):
    """{name: int} of `name value` lines (fsstat, netstat)."""
    out = {}
    for line in text.splitlines():
        w = line.split()
        if len(w) == 2 and w[1].isdigit():
            out[w[0]] = int(w[1])
    return out


def steps(text):
    """{step: text} of a Linux guest's console, split at its `FSB step` lines."""
    out, cur = {}, None
    for line in text.replace("\r", "").splitlines():
        m = re.match(r"^FSB step (\S+)", line)
        if m:
            cur = m.group(1)
            out.setdefault(cur, "")
        elif cur:
            out[cur] += line + "\n"
    return out


def median(v):
    v = [x for x in v if x is not None]
    return statistics.median(v) if v else None


# ---- one plan, two systems ----

def linux_plan(a, d, tmp):
    """[(step, command)] of the whole experiment in directory d (the disk)
    with tmp as the local tmpfs, in the order the Linux guest runs them:
    the commands Wisp's nodes run one by one (wisp_experiments)."""
    p = [("write", "fsbench write %s/big %d" % (d, a.mib)),
         ("drop", "fsbench drop"),
         ("cold", "fsbench read %s/big 1" % d),
         ("warm", "fsbench read %s/big 2" % d)]
    for r in range(a.reps):
        p.append(("build%d" % r, "fsbench time sh %s %s/b %s" % (SCRIPT, d, a.shape)))
    for r in range(a.reps):
        p.append(("buildtmp%d" % r, "fsbench time sh %s %s/b %s" % (SCRIPT, tmp, a.shape)))
    p += [("mk", "touch %s/of %s/of" % (tmp, d)),
          ("opcl_tmp", "fsbench opcl %s/of %d" % (tmp, a.opcl_n)),
          ("opcl_fs", "fsbench opcl %s/of %d" % (d, a.opcl_n))]
    return p


class Results:
    def __init__(self, a):
        self.a = a
        self.rows = []
        self.missing = []

    def add(self, metric, system, value, unit, base=None, base_sys="", goal="", note=""):
        ratio = value / base if value is not None and base else None
        self.rows.append({"metric": metric, "system": system, "value": value, "unit": unit,
                          "baseline": base, "baseline_system": base_sys, "ratio": ratio,
                          "goal": goal, "note": note, "accel": self.a.accel})


def build_result(text, what):
    m = BUILD_RE.search(text)
    if not m:
        raise RuntimeError("%s: the workload failed: %s" % (what, text.strip()[-200:]))
    return m.group(3), values(text).get("time_us")


# ---- Wisp ----

class Cluster(bc.Nodes):
    def stat(self, k, prog):
        return counters(self.on(k, prog, 60))


def served_total(s):
    return sum(v for n, v in s.items() if n.startswith("served_"))


def wire_bytes(s):
    return s.get("rx_bytes", 0) + s.get("tx_bytes", 0)


def wisp_read(w, res, k, name):
    """Cold then warm sequential read on node k."""
    s0 = w.stat(0, "fsstat")
    cold = values(w.on(k, "fsbench read /shared/big 1")).get("read0_rate")
    s1 = w.stat(0, "fsstat")
    warm_out = values(w.on(k, "fsbench read /shared/big 2"))
    s2 = w.stat(0, "fsstat")
    warm = median([warm_out.get("read0_rate"), warm_out.get("read1_rate")])
    rr = (s2.get("served_read", 0) - s1.get("served_read", 0)) / 2.0
    res.add("seqread_cold", name, cold, "MB/s", note="%d MiB, server READs %d" %
            (res.a.mib, s1.get("served_read", 0) - s0.get("served_read", 0)))
    res.add("seqread_warm", name, warm, "MB/s", cold, name + " cold", ">= 10x cold")
    res.add("server_reads_per_reread", name, rr, "requests", goal="0")


def wisp_build(w, res, k, name, sums):
    t, srv, wire = [], [], []
    for r in range(res.a.reps):
        s0, n0 = w.stat(0, "fsstat"), w.stat(k, "netstat")
        out = w.on(k, "fsbench time sh %s /shared/b%d %s" % (SCRIPT, k, res.a.shape))
        s1, n1 = w.stat(0, "fsstat"), w.stat(k, "netstat")
        s, us = build_result(out, name)
        sums.add(s)
        t.append(us)
        srv.append(served_total(s1) - served_total(s0))
        wire.append(wire_bytes(n1) - wire_bytes(n0))
    return median(t), median(srv), median(wire)


def load_rows(res, on, off):
    """The build's server requests and wire bytes, caching off then on (each
    (system, (time, requests, bytes, ...))), on as a ratio to off."""
    for i, metric, unit, goal in ((1, "build_server_requests", "requests", "Sprite: ~0.5"),
                                  (2, "build_wire_bytes", "bytes", "Sprite: 0.10-0.25")):
        res.add(metric, off[0], off[1][i], unit)
        res.add(metric, on[0], on[1][i], unit, off[1][i], off[0], goal)


def wisp_experiments(a, w, res):
    w.on(0, "fsbench write /shared/big %d" % a.mib)
    wisp_read(w, res, 1, "wisp-cache")
    wisp_read(w, res, 2, "wisp-nocache")
    sums = set()
    on = wisp_build(w, res, 1, "wisp-cache", sums)
    off = wisp_build(w, res, 2, "wisp-nocache", sums)
    tmp = [build_result(w.on(1, "fsbench time sh %s /tmp/b %s" % (SCRIPT, a.shape)),
                        "wisp-tmp")[1] for _ in range(a.reps)]
    res.add("build_ms", "wisp-nocache", off[0] and off[0] / 1e3, "ms")
    res.add("build_ms", "wisp-cache", on[0] and on[0] / 1e3, "ms",
            off[0] and off[0] / 1e3, "wisp-nocache")
    res.add("build_ms", "wisp-tmp", median(tmp) and median(tmp) / 1e3, "ms",
            on[0] and on[0] / 1e3, "wisp-cache", note="node-local tmpfs")
    load_rows(res, ("wisp-cache", on), ("wisp-nocache", off))
    w.on(1, "touch /tmp/of /shared/of")
    n = a.opcl_n
    loc = values(w.on(1, "fsbench opcl /tmp/of %d" % n)).get("opcl_us")
    srv = values(w.on(0, "fsbench opcl /shared/of %d" % n)).get("opcl_us")
    rem = values(w.on(1, "fsbench opcl /shared/of %d" % n)).get("opcl_us")
    res.add("open_close_us", "wisp-tmp", loc, "us")
    res.add("open_close_us", "wisp-server-node", srv, "us", loc, "wisp-tmp")
    res.add("open_close_us", "wisp-client", rem, "us", srv, "wisp-server-node")
    return sums


def run_wisp(a, res):
    why = bn.wisp_unavailable(a)
    if why:
        res.missing.append("wisp: " + why)
        return set()
    with open(os.path.join(a.out, "fs-wisp.log"), "w") as log:
        w = Cluster(a, log, say)
        up = ["--fs", "%dM" % (4 * a.mib + 64), "--node-args", "2", "fscache=0"]
        with bc.cluster(w, a, "fs-cluster", extra=up, fresh=True) as (rc, out):
            if rc != 0:
                res.missing.append("wisp: cluster up failed: %s" % bn.failure(rc, out))
                return set()
            try:
                return wisp_experiments(a, w, res)
            except RuntimeError as e:
                res.missing.append("wisp: %s" % e)
                return set()


# ---- the Linux guest ----

def linux_init(a):
    lines = ["#!/bin/sh", "export PATH=/bin:/sbin:/usr/bin:/usr/sbin",
             "mount -t proc proc /proc", "mount -t sysfs sysfs /sys",
             "mount -t devtmpfs devtmpfs /dev", "mkdir -p /tmp /mnt", "mount -t tmpfs tmpfs /tmp",
             "for m in %s; do insmod /lib/modules/$m.ko || echo \"FSB fail insmod $m\"; done"
             % " ".join(LINUX_MODS),
             "mount -t ext4 /dev/vda /mnt || echo 'FSB fail mount'"]
    for step, cmd in linux_plan(a, "/mnt", "/tmp"):
        lines += ["echo 'FSB step %s'" % step, cmd + " || echo 'FSB fail %s'" % step]
    lines += ["echo 'FSB step end'", "umount /mnt", "sync", "poweroff -f", ""]
    return "\n".join(lines)


def linux_initrd(a, name="fs-linux", init=None, overlays=()):
    """The guest's initramfs plus an archive with the disk's modules,
    fsbench, the workload script and an /init (linux_init's unless given),
    then the archives of overlays."""
    lg, work = a.linux_dir, os.path.join(a.out, name)
    root, x = os.path.join(work, "root"), os.path.join(work, "x")
    shutil.rmtree(work, ignore_errors=True)
    for d in ("lib/modules", "bin", "usr/lib/wisp"):
        os.makedirs(os.path.join(root, d))
    os.makedirs(x)
    debs = sorted(f for f in os.listdir(os.path.join(lg, "debs")) if f.startswith("linux-image-"))
    if not debs:
        raise RuntimeError("no kernel package in %s/debs (scripts/linux-guest.sh)" % lg)
    tar = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", os.path.join(lg, "debs", debs[0])],
                           stdout=subprocess.PIPE)
    subprocess.run(["tar", "-x", "-C", x, "--wildcards"] + ["*/%s.ko" % m for m in NEW_MODS],
                   stdin=tar.stdout, check=True)
    tar.wait()
    for dirpath, _, files in os.walk(x):
        for f in files:
            shutil.copy(os.path.join(dirpath, f), os.path.join(root, "lib/modules", f))
    for m in NEW_MODS:
        if not os.path.exists(os.path.join(root, "lib/modules", m + ".ko")):
            raise RuntimeError("no %s.ko in %s" % (m, debs[0]))
    shutil.copy(os.path.join(ROOT, "build/user/fsbench"), os.path.join(root, "bin"))
    shutil.copy(os.path.join(ROOT, "user/share/fsbuild.sh"), os.path.join(root, "usr/lib/wisp"))
    with open(os.path.join(root, "init"), "w") as f:
        f.write(init or linux_init(a))
    os.chmod(os.path.join(root, "init"), 0o755)
    extra = os.path.join(work, "extra.cpio.gz")
    subprocess.run("cd '%s' && find . | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0 | gzip -1"
                   " > '%s'" % (root, os.path.abspath(extra)), shell=True, check=True)
    out = os.path.join(work, "initrd.gz")
    with open(out, "wb") as o:
        for part in (os.path.join(lg, "initramfs.gz"), extra) + tuple(overlays):
            with open(part, "rb") as i:
                shutil.copyfileobj(i, o)
    return out


def linux_disk(a, name="fs-linux"):
    mkfs = shutil.which("mkfs.ext4") or "/usr/sbin/mkfs.ext4"
    if not os.path.exists(mkfs):
        raise RuntimeError("no mkfs.ext4 (Debian: e2fsprogs)")
    img = os.path.join(a.out, name, "disk.img")
    with open(img, "wb") as f:
        f.truncate((4 * a.mib + 64) << 20)
    subprocess.run([mkfs, "-q", "-F", img], check=True)
    return img


def linux_experiments(res, text, sums):
    st = steps(text)
    bad = re.findall(r"^FSB fail (\S+)", text, re.M)
    if bad or "end" not in st:
        raise RuntimeError("the guest's steps failed: %s" % (" ".join(bad) or "no end"))
    cold = values(st["cold"]).get("read0_rate")
    w = values(st["warm"])
    res.add("seqread_cold", "linux-ext4", cold, "MB/s", note="after drop_caches")
    res.add("seqread_warm", "linux-ext4", median([w.get("read0_rate"), w.get("read1_rate")]),
            "MB/s", cold, "linux-ext4 cold", ">= 10x cold")
    t = []
    for r in range(res.a.reps):
        s, us = build_result(st["build%d" % r], "linux-ext4")
        sums.add(s)
        t.append(us)
    tmp = [build_result(st["buildtmp%d" % r], "linux-tmpfs")[1] for r in range(res.a.reps)]
    res.add("build_ms", "linux-ext4", median(t) / 1e3, "ms")
    res.add("build_ms", "linux-tmpfs", median(tmp) / 1e3, "ms", median(t) / 1e3, "linux-ext4")
    loc = values(st["opcl_tmp"]).get("opcl_us")
    res.add("open_close_us", "linux-tmpfs", loc, "us")
    res.add("open_close_us", "linux-ext4", values(st["opcl_fs"]).get("opcl_us"), "us", loc,
            "linux-tmpfs")


def run_linux(a, res, sums):
    try:
        initrd, img = linux_initrd(a), linux_disk(a)
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        res.missing.append("linux: %s" % e)
        return
    say("linux: one guest on its virtio disk (ext4) ...")
    argv = bc.linux_argv(a, initrd, ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                                     "-device", "virtio-blk-pci,drive=d0"])
    try:
        p = subprocess.run(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=a.linux_timeout)
        text = p.stdout.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as e:
        text = (e.stdout or b"").decode("utf-8", "replace") + "\nFSB fail timeout\n"
    with open(os.path.join(a.out, "fs-linux.log"), "w") as f:
        f.write(text)
    try:
        linux_experiments(res, text, sums)
    except (RuntimeError, KeyError, TypeError) as e:
        res.missing.append("linux: %s" % e)


# ---- two Linux guests sharing files over NFS ----
# Guest 0 serves its virtio disk (ext4) with Linux's nfsd; guest 1 mounts it
# twice: /mnt with NFS's client caching, /mnt2 with noac and
# lookupcache=none (attributes and names asked of the server on every use,
# writes synchronous: the closest Linux comes to caching off).

NFS_COUNT = ("nfscount() { awk '/^rpc /{print \"nfs_calls\", $2} "
             "/^proc4 /{print \"nfs_reads\", $4}' /proc/net/rpc/nfs; "
             "for x in rx_bytes tx_bytes; do "
             "echo \"$x $(cat /sys/class/net/eth0/statistics/$x)\"; done; }")
NFS_MOUNTS = (("/mnt", "linux-nfs", ""), ("/mnt2", "linux-nfs-noac",
                                           "noac,lookupcache=none,nosharecache"))


def nfs_plan(a):
    """[(step, command)] of the NFS client; every measured step is framed
    by counter steps (`<step>_0`, `<step>_1`)."""
    p = []

    def framed(step, cmd):
        p.extend([(step + "_0", "nfscount"), (step, cmd), (step + "_1", "nfscount")])
    for mnt, sys_, _ in NFS_MOUNTS:
        tag = sys_.replace("-", "_")
        p.append(("write_" + tag, "fsbench write %s/big_%s %d" % (mnt, tag, a.mib)))
        p.append(("drop_" + tag, "fsbench drop"))
        framed("cold_" + tag, "fsbench read %s/big_%s 1" % (mnt, tag))
        framed("warm_" + tag, "fsbench read %s/big_%s 2" % (mnt, tag))
        for r in range(a.reps):
            framed("build_%s%d" % (tag, r), "fsbench time sh %s %s/b %s" % (SCRIPT, mnt, a.shape))
        p += [("mk_" + tag, "touch %s/of" % mnt),
              ("opcl_" + tag, "fsbench opcl %s/of %d" % (mnt, a.opcl_n))]
    return p


def nfs_init(a):
    head = ["#!/bin/sh", "export PATH=/bin:/sbin:/usr/bin:/usr/sbin",
            "mount -t proc proc /proc", "mount -t sysfs sysfs /sys",
            "mount -t devtmpfs devtmpfs /dev", "mkdir -p /tmp", "mount -t tmpfs tmpfs /tmp",
            NFS_COUNT, "role=; k=0",
            "for arg in $(cat /proc/cmdline); do case $arg in nfsrole=*) role=${arg#nfsrole=};;"
            " node=*) k=${arg#node=};; esac; done",
            "for m in $(cat /lib/modules/order); do insmod /lib/modules/$m.ko ||"
            " echo \"FSB fail insmod $m\"; done",
            "ip link set lo up", "ip addr add 10.77.0.$((k + 1))/24 dev eth0",
            "ip link set eth0 up",
            "if [ \"$role\" = server ]; then",
            "  for m in %s; do insmod /lib/modules/$m.ko || echo \"FSB fail insmod $m\"; done"
            % " ".join(NEW_MODS),
            "  nfsguest server /dev/vda /export && echo 'FSB nfs serving' ||"
            " echo 'FSB fail server'",
            "  sleep 100000", "fi"]
    for mnt, _, opts in NFS_MOUNTS:
        head.append("nfsguest client 10.77.0.1 %s clientaddr=10.77.0.$((k + 1))%s ||"
                    " echo 'FSB fail mount'" % (mnt, "," + opts if opts else ""))
    for step, cmd in nfs_plan(a):
        head += ["echo 'FSB step %s'" % step, cmd + " || echo 'FSB fail %s'" % step]
    head += ["echo 'FSB step end'", "umount /mnt /mnt2", "poweroff -f", ""]
    return "\n".join(head)


def nfs_delta(st, step, name):
    c0, c1 = counters(st[step + "_0"]), counters(st[step + "_1"])
    return c1.get(name, 0) - c0.get(name, 0)


def nfs_experiments(res, text, sums):
    st = steps(text)
    bad = re.findall(r"^FSB fail (\S+)", text, re.M)
    if bad or "end" not in st:
        raise RuntimeError("the NFS client's steps failed: %s" % (" ".join(bad) or "no end"))
    by = {}
    for _, sys_, _ in NFS_MOUNTS:
        tag = sys_.replace("-", "_")
        cold = values(st["cold_" + tag]).get("read0_rate")
        w = values(st["warm_" + tag])
        res.add("seqread_cold", sys_, cold, "MB/s", note="after drop_caches on the client")
        res.add("seqread_warm", sys_, median([w.get("read0_rate"), w.get("read1_rate")]),
                "MB/s", cold, sys_ + " cold", ">= 10x cold")
        res.add("server_reads_per_reread", sys_, nfs_delta(st, "warm_" + tag, "nfs_reads") / 2.0,
                "requests", goal="0")
        t, calls, wire = [], [], []
        for r in range(res.a.reps):
            step = "build_%s%d" % (tag, r)
            s, us = build_result(st[step], sys_)
            sums.add(s)
            t.append(us)
            calls.append(nfs_delta(st, step, "nfs_calls"))
            wire.append(nfs_delta(st, step, "rx_bytes") + nfs_delta(st, step, "tx_bytes"))
        by[sys_] = (median(t), median(calls), median(wire), values(st["opcl_" + tag]).get("opcl_us"))
    off, on = by["linux-nfs-noac"], by["linux-nfs"]
    res.add("build_ms", "linux-nfs-noac", off[0] / 1e3, "ms")
    res.add("build_ms", "linux-nfs", on[0] / 1e3, "ms", off[0] / 1e3, "linux-nfs-noac")
    load_rows(res, ("linux-nfs", on), ("linux-nfs-noac", off))
    res.add("open_close_us", "linux-nfs", on[3], "us")
    res.add("open_close_us", "linux-nfs-noac", off[3], "us", on[3], "linux-nfs")


def nfs_guests(a, initrd, img, log):
    """Boots the server and the client on one vde_switch; returns the client's
    console once it printed its last step (or timed out)."""
    d = os.path.join(a.out, "fs-nfs")
    sw = bn.start_switch(d)
    procs, t0 = [], time.monotonic()
    try:
        for k, role in ((0, "server"), (1, "client")):
            dev = ["-netdev", "vde,id=net0,sock=" + sw, "-device",
                   "virtio-net-pci,rx_queue_size=1024,tx_queue_size=256,netdev=net0,mac="
                   + bn.mac_of(k)]
            if role == "server":
                dev += ["-drive", "file=%s,format=raw,if=none,id=d0" % img,
                        "-device", "virtio-blk-pci,drive=d0"]
            argv = bc.linux_argv(a, initrd, dev, "node=%d nfsrole=%s" % (k, role))
            procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT))
        lines, done = bn.read_console(procs[1], log, t0, "FSB step end", a.linux_timeout)
        return "\n".join(lines) + ("" if done else "\nFSB fail timeout\n")
    finally:
        for p in procs:
            p.kill()
            p.wait()
        bn.stop_switch(d)


def run_nfs(a, res, sums):
    try:
        subprocess.run([os.path.join(ROOT, "scripts", "linux-guest-nfs.sh")], check=True)
        overlay = os.path.join(a.linux_dir, "nfs", "overlay.gz")
        initrd = linux_initrd(a, "fs-nfs", nfs_init(a), (overlay,))
        img = linux_disk(a, "fs-nfs")
    except (RuntimeError, OSError, subprocess.CalledProcessError) as e:
        res.missing.append("linux-nfs: %s" % e)
        return
    say("linux-nfs: two guests, one serving its disk over NFSv4.2 ...")
    with open(os.path.join(a.out, "fs-nfs.log"), "w") as log:
        text = nfs_guests(a, initrd, img, log)
    try:
        nfs_experiments(res, text, sums)
    except (RuntimeError, KeyError, TypeError) as e:
        res.missing.append("linux-nfs: %s" % e)


# ---- output ----

def fmt(v, nd=1):
    if v is None:
        return "-"
    if isinstance(v, float) and abs(v) < 10 and v != int(v):
        return "%.2f" % v
    return ("%%.%df" % nd) % v if isinstance(v, float) else str(v)


def report(res):
    lines = ["%-24s %-17s %12s %-9s %8s  %-18s %s" % ("metric", "system", "value", "unit",
                                                     "ratio", "against", "goal / note")]
    for r in res.rows:
        lines.append("%-24s %-17s %12s %-9s %8s  %-18s %s" % (
            r["metric"], r["system"], fmt(r["value"]), r["unit"],
            fmt(r["ratio"]) if r["ratio"] is not None else "", r["baseline_system"],
            " ".join(x for x in (r["goal"], r["note"]) if x)))
    for m in res.missing:
        lines.append("not measured: " + m)
    lines.append("machine load: %s" % " ".join(open("/proc/loadavg").read().split()[:3]))
    return "\n".join(lines)


def write_csv(a, res):
    with open(os.path.join(a.out, "fs.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=COLS)
        w.writeheader()
        for r in res.rows:
            w.writerow(r)


def read_rows(path):
    rows = []
    with open(path) as f:
        for r in csv.DictReader(f):
            r["value"] = float(r["value"]) if r["value"] not in ("", "None") else None
            rows.append(r)
    return rows


def plot(a):
    """fs.png from fs.csv; with Debian's python3 when this one lacks
    matplotlib (python3-matplotlib lives under /usr/bin/python3)."""
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        if not bc.plot_elsewhere(__file__, ["--plot", "--out", a.out]):
            say("no matplotlib: no plot")
        return
    rows_all = read_rows(os.path.join(a.out, "fs.csv"))
    fig, axes = plt.subplots(1, 3, figsize=(14, 4))
    for ax, metrics, title in zip(axes, (("seqread_cold", "seqread_warm"), ("build_ms",),
                                         ("open_close_us",)),
                                  ("sequential read (MB/s)", "build-like workload (ms)",
                                   "open+close (us)")):
        rows = [r for r in rows_all if r["metric"] in metrics and r["value"] is not None]
        labels = [r["system"] + (" " + r["metric"][8:] if len(metrics) > 1 else "")
                  for r in rows]
        ax.barh(labels, [r["value"] for r in rows])
        ax.set_title(title)
    fig.tight_layout()
    fig.savefig(os.path.join(a.out, "fs.png"))


def selftest():
    t = "x\nFSB step cold\nBENCH read0_rate 12.5 MB/s\nFSB step end\n"
    assert values(steps(t)["cold"])["read0_rate"] == 12.5
    assert counters("served_read 7\nnode 1 ip x\n") == {"served_read": 7}
    assert build_result("fsbuild ok files 3 bytes 9 sum ab\nBENCH time_us 5 us\n", "t") == \
        ("ab", 5.0)
    r = Results(argparse.Namespace(accel="tcg"))
    load_rows(r, ("on", (1, 10, 100)), ("off", (2, 20, 200)))
    assert [(x["metric"], x["system"], x["ratio"]) for x in r.rows] == [
        ("build_server_requests", "off", None), ("build_server_requests", "on", 0.5),
        ("build_wire_bytes", "off", None), ("build_wire_bytes", "on", 0.5)]
    print("bench_fs selftest: ok")
    return 0


def args():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    bc.add_args(ap, ["wisp", "linux", "nfs"], "RAM of the Linux guest",
                "only draw fs.png from --out's fs.csv")
    ap.add_argument("--linux-timeout", type=int, default=1800)
    ap.add_argument("--mib", type=int, default=8, help="size of the read file (MiB)")
    ap.add_argument("--shape", default="8 16", help="the workload's directories and files")
    ap.add_argument("--reps", type=int, default=3, help="workload runs per system (median)")
    ap.add_argument("--opcl-n", type=int, default=500, help="open+close pairs")
    ap.add_argument("--quick", action="store_true", help="smaller: 4 MiB, one run, 200 pairs")
    a = ap.parse_args()
    if a.quick:
        a.mib, a.reps, a.opcl_n = 4, 1, 200
    bc.finish_args(a, {"wisp": "wisp", "linux": "linux", "nfs": "nfs"})
    return a


def main():
    a = args()
    if a.selftest:
        return selftest()
    if a.plot:
        plot(a)
        return 0
    os.makedirs(a.out, exist_ok=True)
    res, sums = Results(a), set()
    t0 = time.monotonic()
    if "wisp" not in a.skip:
        sums |= run_wisp(a, res)
    if "linux" not in a.skip:
        run_linux(a, res, sums)
    if "nfs" not in a.skip:
        run_nfs(a, res, sums)
    if len(sums) > 1:
        res.missing.append("the workload's results differ between runs: %s" % sorted(sums))
    write_csv(a, res)
    text = report(res)
    with open(os.path.join(a.out, "fs-table.txt"), "w") as f:
        f.write(text + "\n")
    print(text)
    if not a.no_plot:
        plot(a)
    say("done in %.0f s" % (time.monotonic() - t0))
    return 1 if res.missing else 0


if __name__ == "__main__":
    sys.exit(main())
