#!/usr/bin/env python3
# Pack a directory tree into a cpio "newc" archive (magic 070701), the
# initrd format the kernel's fs/ mounts as the root. Deterministic: names
# sorted so every directory comes before its contents, mtime 0, uid/gid 0,
# inode numbers assigned in order; mode bits are kept. Names are stored
# relative to the tree's root, without a leading "./" or "/" (e.g. "bin/sh").
# Regular files, directories and symbolic links only. Standard library only.
# Usage: mkcpio.py ROOTDIR OUT.cpio   (OUT is rewritten only if it changed)
import os
import stat
import sys


def header(ino, mode, nlink, size, namesize):
    fields = [ino, mode, 0, 0, nlink, 0, size, 0, 0, 0, 0, namesize, 0]
    return b"070701" + b"".join(b"%08x" % f for f in fields)


def pad4(n):
    return (4 - n % 4) % 4


def entry(ino, name, mode, nlink, data):
    bname = name.encode() + b"\0"
    h = header(ino, mode, nlink, len(data), len(bname))
    out = h + bname + b"\0" * pad4(len(h) + len(bname))
    return out + data + b"\0" * pad4(len(data))


def walk(root):
    """Yield (relative name, lstat) for everything under root, sorted by
    path components so a directory precedes its contents."""
    items = []
    for dirpath, dirnames, filenames in os.walk(root):
        for n in dirnames + filenames:
            full = os.path.join(dirpath, n)
            rel = os.path.relpath(full, root)
            items.append((rel.split(os.sep), full))
    items.sort()
    for parts, full in items:
        yield "/".join(parts), full


def pack(root):
    out = bytearray()
    ino = 1
    for name, full in walk(root):
        st = os.lstat(full)
        if stat.S_ISDIR(st.st_mode):
            data, nlink = b"", 2
        elif stat.S_ISREG(st.st_mode):
            with open(full, "rb") as f:
                data = f.read()
            nlink = 1
        elif stat.S_ISLNK(st.st_mode):
            data, nlink = os.readlink(full).encode(), 1
        else:
            sys.exit("mkcpio: %s: unsupported file type" % full)
        out += entry(ino, name, st.st_mode, nlink, data)
        ino += 1
    out += entry(0, "TRAILER!!!", 0, 1, b"")
    return bytes(out)


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: mkcpio.py ROOTDIR OUT.cpio")
    root, dest = sys.argv[1], sys.argv[2]
    if not os.path.isdir(root):
        sys.exit("mkcpio: %s: not a directory" % root)
    img = pack(root)
    try:
        with open(dest, "rb") as f:
            if f.read() == img:
                return  # unchanged: keep the timestamp so make stays quiet
    except OSError:
        pass
    tmp = dest + ".tmp"
    with open(tmp, "wb") as f:
        f.write(img)
    os.replace(tmp, dest)


if __name__ == "__main__":
    main()
