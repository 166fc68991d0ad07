"""What the cluster experiments (scripts/bench_fs.py, scripts/bench_migrate.py)
share, so that each holds only its own experiments: the options every one of
them takes, BENCH_SKIP, a Wisp cluster brought up and always taken down, a
node's command that must succeed, the QEMU command line of one Linux guest,
and plotting with Debian's python3 when this Python lacks matplotlib.
Python 3 standard library only; the cluster driver is bench_net.Wisp.
"""
import contextlib
import os
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench_net as bn  # noqa: E402  (cluster driver)

ROOT = bn.ROOT
SYSTEM_PYTHON = "/usr/bin/python3"     # Debian's, with python3-matplotlib


def make_say(tag):
    """A progress printer: `tag: msg` on stderr."""
    def say(msg):
        print("%s: %s" % (tag, msg), file=sys.stderr, flush=True)
    return say


def add_args(ap, skip, linux_mem_help, plot_help, selftest_help=None):
    """The options of every cluster experiment; skip: the systems --skip
    takes (wisp and the peer's name)."""
    ap.add_argument("--accel", default="tcg")
    ap.add_argument("--accel-args", default=None)
    ap.add_argument("--out", default="build/bench")
    ap.add_argument("--qemu", default="qemu-system-x86_64")
    ap.add_argument("--mem", default="512M", help=linux_mem_help)
    ap.add_argument("--linux-dir", default="build/linux-guest")
    ap.add_argument("--wisp-kernel", default="build/wisp.elf")
    ap.add_argument("--wisp-initrd", default="build/initrd.cpio")
    ap.add_argument("--wisp-mem", default="256M", help="RAM per Wisp node")
    ap.add_argument("--rootfs", default="build/rootfs")
    ap.add_argument("--cluster", default=os.path.join(ROOT, "scripts", "cluster"))
    ap.add_argument("--boot-timeout", type=int, default=180)
    ap.add_argument("--skip", action="append", default=[], choices=skip)
    ap.add_argument("--no-plot", action="store_true")
    ap.add_argument("--plot", action="store_true", help=plot_help)
    ap.add_argument("--selftest", action="store_true", help=selftest_help)


def finish_args(a, skip_words):
    """The QEMU accelerator arguments, and BENCH_SKIP (as scripts/bench.sh
    reads it) added to --skip; skip_words maps its words to --skip's."""
    a.accel_args = a.accel_args or "-accel %s -cpu max" % a.accel
    for word in os.environ.get("BENCH_SKIP", "").replace(",", " ").split():
        skip = skip_words.get(word)
        if skip and skip not in a.skip:
            a.skip.append(skip)


class Nodes(bn.Wisp):
    """bench_net's cluster driver, each command announced through say."""

    def __init__(self, a, log, say):
        super().__init__(a, log)
        self.say = say

    def run(self, k, command, timeout):
        """(exit status, output) of command in node k's shell."""
        self.say("wisp: node %d: %s" % (k, command if len(command) < 100 else
                                        command[:97] + "..."))
        return self.cluster(["sh", "--timeout", str(timeout), str(k), command], timeout + 15)

    def on(self, k, command, timeout=900):
        """The output of command on node k; RuntimeError when it fails."""
        rc, out = self.run(k, command, timeout)
        if rc != 0:
            raise RuntimeError("node %d: %s: %s" % (k, command, bn.failure(rc, out)))
        return out


@contextlib.contextmanager
def cluster(w, a, name, n=3, extra=(), fresh=False):
    """Brings up n nodes of w (a Nodes) in <out>/<name> and yields (exit
    status, output) of `up`; takes them down after, whatever happened.
    fresh: the directory's state (its fs.img) is removed first."""
    w.dir = os.path.join(a.out, name)
    w.cluster(["down"], 60)
    if fresh:
        shutil.rmtree(w.dir, ignore_errors=True)
    w.say("wisp: %s nodes booting (%s) ..." % ({2: "two", 3: "three"}.get(n, n), a.accel))
    up = ["up", "-n", str(n), "-q", "--timeout", str(a.boot_timeout), "--mem", a.wisp_mem,
          "--kernel", a.wisp_kernel, "--initrd", a.wisp_initrd] + list(extra)
    rc, out = w.cluster(up, a.boot_timeout + 30)
    try:
        yield rc, out
    finally:
        w.cluster(["down"], 60)


def linux_argv(a, initrd, devices, append=""):
    """QEMU's command line for one Linux guest (the kernel of --linux-dir)
    with its serial console on stdout and devices ([option, value, ...])."""
    return [a.qemu] + a.accel_args.split() + [
        "-m", a.mem, "-smp", "1", "-display", "none", "-no-reboot", "-nodefaults",
        "-serial", "stdio", "-kernel", os.path.join(a.linux_dir, "vmlinuz"), "-initrd", initrd,
        "-append", ("console=ttyS0 quiet panic=-1 " + append).strip()] + list(devices)


def plot_elsewhere(script, argv):
    """When this Python is not Debian's python3, runs script with argv under
    that one (for its matplotlib); True when that succeeded."""
    if os.path.realpath(sys.executable) == os.path.realpath(SYSTEM_PYTHON) or \
            not os.access(SYSTEM_PYTHON, os.X_OK):
        return False
    return subprocess.run([SYSTEM_PYTHON, os.path.abspath(script)] + list(argv)).returncode == 0


def selftest():
    """Checks the option handling and the Linux guest's command line."""
    import argparse
    ap = argparse.ArgumentParser()
    add_args(ap, ["wisp", "linux"], "RAM", "plot")
    os.environ["BENCH_SKIP"] = "linux,other"
    a = ap.parse_args(["--accel", "kvm"])
    finish_args(a, {"wisp": "wisp", "linux": "linux"})
    assert a.accel_args == "-accel kvm -cpu max" and a.skip == ["linux"], a
    argv = linux_argv(a, "i.gz", ["-drive", "x"], "node=1")
    assert argv[:3] == ["qemu-system-x86_64", "-accel", "kvm"], argv
    assert argv[-2:] == ["-drive", "x"] and "console=ttyS0 quiet panic=-1 node=1" in argv, argv
    assert "console=ttyS0 quiet panic=-1" in linux_argv(a, "i.gz", []), argv
    print("bench_common selftest: ok")
    return 0


if __name__ == "__main__":
    sys.exit(selftest())
