#!/usr/bin/env python3
# Write compile_commands.json (for clangd and other tools) to stdout from
# the flags mk/tools.mk exports: WISP_{K,U,H}* are the compiler, flags and
# sources of the kernel, the user programs and the host tests. Nothing is
# compiled; the commands are what the Makefile fragments would run.
import json
import os
import shlex

root = os.getcwd()
entries = []
seen = set()


def add(cc, flags, srcs, objdir):
    cc = os.environ.get(cc, "")
    flags = shlex.split(os.environ.get(flags, ""))
    for src in os.environ.get(srcs, "").split():
        if src in seen or not cc:
            continue
        seen.add(src)
        obj = os.path.join("build", objdir, os.path.splitext(src)[0] + ".o")
        entries.append({
            "directory": root,
            "file": os.path.join(root, src),
            "arguments": shlex.split(cc) + flags + ["-c", src, "-o", obj],
        })


add("WISP_KCC", "WISP_KCFLAGS", "WISP_KSRC", "k")
add("WISP_UCC", "WISP_UCFLAGS", "WISP_USRC", "user")
add("WISP_HOSTCC", "WISP_HCFLAGS", "WISP_HSRC", "check")
print(json.dumps(entries, indent=1))
