#!/usr/bin/env bash
# The cheap [check] rules of the project's style guide (STYLE.md, shared
# beside the repository): module-prefixed file names, lwIP only in net/,
# no arch code in portable code, no *_test.c in the kernel build, file
# size limits, `#pragma once`, and prefix_int.h private to its module.
# Prints one "path:line: problem" per violation and exits 1 if there are
# any. Header self-containment and include cycles are not checked here.
# Usage: scripts/lint.sh   (from anywhere; checks the whole tree)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# The kernel objects as the Makefile computes them (rule: no *_test.c).
# shellcheck disable=SC2016 # $(...) is for make, not the shell
kobjs=$(${MAKE:-make} -s --no-print-directory MAKEFLAGS= \
    --eval 'wisp-lint-kobj: ; @echo $(KSRC_C) $(KOBJ)' wisp-lint-kobj 2>/dev/null) ||
    kobjs="?"

KOBJS="$kobjs" exec python3 - <<'EOF'
import os
import re
import sys

# Module prefixes a file in kernel/ fs/ net/ arch/ boot/ may start with.
# STYLE.md's module table, plus the foundation's small modules. A new
# module adds its row to STYLE.md's table and its prefix here.
MODULES = """
    arch boot mem vm proc sched migrate sync wire net rpc recov
    fs fscache fsconsist fssrv
    lib log cmdline elf sys syscall main trap tty pipe initrd
    compiler errno uaccess ksyms panic console serial timer time clock
    pci acpi apic smp cpu irq virtio e1000 blk signal exec futex test ktest
    wisp rand
    home stub
    fsproto fsrmt
    wfs
""".split()

NAMED_DIRS = ("kernel", "fs", "net", "arch", "boot")
PORTABLE_DIRS = ("kernel", "fs", "net")
SIZE_DIRS = ("kernel", "fs", "net", "arch", "boot", "user", "tests")
# lwIP dictates these names for our port; they live in net/ only.
LWIP_PORT = re.compile(r"^net/(lwipopts\.h|arch/[a-z_]+\.h)$")
LWIP_INC = re.compile(r'^\s*#\s*include\s*[<"](lwip/|netif/|lwipopts\.h|arch/(cc|sys_arch|perf)\.h)')
INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"')
MAX_C, MAX_H = 1500, 300
# Files whose names predate the rule; each says why it may keep its name.
EXEMPT_NAMES = {
    "boot/bootinfo.h": "the loader/kernel contract, named so in DESIGN.md",
}

problems = []


def bad(path, line, msg):
    problems.append(f"{path}:{line}: {msg}")


def strip_code(text):
    """Blank out comments and string/char literals, keeping newlines."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(" " * (min(j + 1, n) - i))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def sources():
    for top, dirs, files in os.walk("."):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "build")
        for f in sorted(files):
            if f.endswith((".c", ".h", ".S")):
                yield os.path.normpath(os.path.join(top, f))


def prefix_of(path):
    stem = os.path.basename(path).rsplit(".", 1)[0]
    return stem.split("_")[0]


def check_name(path):
    if LWIP_PORT.match(path) or path in EXEMPT_NAMES:
        return
    stem = os.path.basename(path).rsplit(".", 1)[0]
    if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", stem):
        bad(path, 1, "file name must be prefix.c or prefix_topic.c (lowercase, '_' between words)")
    elif prefix_of(path) not in MODULES:
        bad(path, 1, f"'{prefix_of(path)}' is not a known module prefix "
            "(add it to STYLE.md's module table and to scripts/lint.sh)")


def check_file(path):
    top = path.split("/")[0]
    with open(path, encoding="utf-8", errors="replace") as fh:
        text = fh.read()
    lines = text.split("\n")
    nlines = text.count("\n")

    if top in NAMED_DIRS:
        check_name(path)
    if top in SIZE_DIRS:
        if path.endswith(".c") and nlines > MAX_C:
            bad(path, nlines, f"{nlines} lines: .c files over {MAX_C} lines must be split")
        if path.endswith(".h") and nlines > MAX_H:
            bad(path, nlines, f"{nlines} lines: headers stay under {MAX_H} lines")
    if path.endswith(".h") and not re.search(r"^\s*#\s*pragma\s+once\b", text, re.M):
        bad(path, 1, "header lacks #pragma once")

    for no, line in enumerate(lines, 1):
        if top != "net" and LWIP_INC.match(line):
            bad(path, no, "only net/ includes lwIP headers")
        m = INCLUDE.match(line)
        if not m:
            continue
        inc = m.group(1)
        if top in PORTABLE_DIRS:
            lwip_port = top == "net" and LWIP_INC.match(line)
            if (inc.startswith("arch/") and not lwip_port) or (
                inc != "arch_types.h" and os.path.exists(os.path.join("arch/x86_64", inc))
            ):
                bad(path, no, f'portable code includes arch header "{inc}" (use kernel/arch.h)')
        base = os.path.basename(inc)
        if base.endswith("_int.h") and top in NAMED_DIRS:
            if prefix_of(base) != prefix_of(path):
                bad(path, no, f'"{inc}" is private to module {prefix_of(base)}; include its {prefix_of(base)}.h')

    if top in PORTABLE_DIRS:
        code = strip_code(text)
        for no, line in enumerate(code.split("\n"), 1):
            if re.search(r"\b__x86_64__\b", line):
                bad(path, no, "portable code tests __x86_64__")
            if re.search(r"\b(asm|__asm__|__asm)\b", line):
                bad(path, no, "inline asm in portable code (put it behind kernel/arch.h)")


nfiles = 0
for path in sources():
    nfiles += 1
    check_file(path)

kobjs = os.environ.get("KOBJS", "?")
if kobjs == "?":
    print("lint: warning: could not list the kernel's sources from make", file=sys.stderr)
else:
    for w in kobjs.split():
        if re.search(r"_test\.[co]$", w):
            bad("mk/kernel.mk", 1, f"the kernel build includes test code: {w}")

import subprocess
if subprocess.run([sys.executable, "scripts/gen-syscalls.py", "--check"]).returncode != 0:
    bad("docs/syscalls.md", 1, "stale: regenerate with scripts/gen-syscalls.py")

for p in problems:
    print(p)
if problems:
    print(f"lint: {len(problems)} problem(s) in {nfiles} files")
    sys.exit(1)
print(f"lint: ok ({nfiles} files)")
EOF
