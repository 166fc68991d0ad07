#!/usr/bin/env bash
# File mappings and demand-loaded exec (docs/memory.md "File mappings"),
# on 3 nodes: maptest (private/shared, COW after fork, two mappings,
# msync/munmap/fsync write-back, write() coherence, SIGBUS past EOF,
# PROT_EXEC, mremap, EACCES/EINVAL/ENODEV/EBADF/EFAULT) passes on a tmpfs
# and on /shared; a file written through a shared mapping on node 1 is
# read on nodes 2 and 0 (through Sprite's consistency); a program exec'd
# from /tmp and from /shared runs, and the /shared one (busybox, 2 MB) is
# demand-loaded: node 1's cache fetches fewer blocks (read-ahead included)
# than node 2's for reading the whole file; a program demand-loaded from /tmp migrates 0 -> 1 -> 0 (direct,
# pre-copy and lazy) and passes its own checks; a writable shared mapping
# refuses migration with EOPNOTSUPP, a private one moves.
# test-timeout: 900
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
. "$(dirname "$0")/../mig_lib.sh"
cl_setup fs_mmap
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-mkfs; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

cl up -n 3 --timeout 180 >/dev/null || cl_fail "up -n 3"

# 1. maptest on a tmpfs and on the shared file system
for d in /tmp /shared; do
    out=$(cl sh --timeout 300 1 "maptest $d; echo status=\$?" | tr -d '\r') ||
        cl_fail "maptest $d: $out"
    if grep -q '^maptest: FAIL' <<<"$out"; then
        cl_fail "maptest $d: $(grep '^maptest: FAIL' <<<"$out")"
    fi
    grep -Eq '^maptest: [0-9]+ passed, 0 failed$' <<<"$out" || cl_fail "maptest $d: $out"
    [[ $out == *status=0* ]] || cl_fail "maptest $d exit status: $out"
    echo "fs_mmap: $d: $(grep -E '^maptest: [0-9]+ passed' <<<"$out")"
done

# 2. written through a shared mapping on node 1, read on 2 and on the server
cl_expect_status 0 sh 1 'maptest -put /shared/mapped through-a-mapping'
cl_expect_out "through-a-mapping" sh 2 'cat /shared/mapped'
cl_expect_out "through-a-mapping" sh 0 'cat /shared/mapped'

# 3. exec from /tmp (demand-loaded from a tmpfs)
cl_expect_status 0 sh 1 'cp /bin/hello /tmp/h && chmod 755 /tmp/h'
out=$(cl sh 1 '/tmp/h' | tr -d '\r') || cl_fail "/tmp/h: $out"
[[ $out == *ello* ]] || cl_fail "/tmp/h printed: $out"

# 4. exec of busybox from /shared on node 1, copied there by node 0: only
# the pages it touches (and the cache's read-ahead runs) are fetched
cl_expect_status 0 sh 0 'cp /bin/busybox /shared/busybox && ln -s busybox /shared/sh && sync'
size=$(cl sh 0 'stat -c %s /shared/busybox' | tr -d '\r')
blocks=$(((size + 4095) / 4096))
fetched() { cl sh "$1" 'fsstat' | tr -d '\r' | awk '$1 == "fetched_blocks" { print $2 }'; }
f1=$(fetched 1)
cl_expect_out "dl" sh 1 '/shared/busybox echo dl'
f2=$(fetched 1)
[[ -n $f1 && -n $f2 ]] || cl_fail "no fsstat on node 1"
used=$((f2 - f1))
# the baseline: reading the whole file on node 2 (what exec did before)
g1=$(fetched 2)
cl_expect_status 0 sh 2 'cat /shared/busybox > /dev/null'
g2=$(fetched 2)
whole=$((g2 - g1))
((used > 0 && used < whole && whole >= blocks)) ||
    cl_fail "exec of a $blocks-block program fetched $used blocks (a whole read: $whole)"
echo "fs_mmap: busybox ($blocks blocks): exec fetched $used blocks, a whole read $whole"
# again, as a shell running a pipeline of its applets
cl_expect_out "2" sh 1 '/shared/sh -c "echo a b|wc -w"'

# 5. a demand-loaded program migrates, with each strategy
cl_expect_status 0 sh 0 'cp /bin/migtest /tmp/mt && chmod 755 /tmp/mt'
for s in direct precopy lazy; do
    # (short command lines: the console wraps long ones)
    out=$(cl sh --timeout 300 0 "/tmp/mt -s $s -r 30 1 1 0 >/tmp/o 2>&1;echo s=\$?") ||
        cl_fail "migtest $s: $out"
    t=$(mig_cat 0 /tmp/o)
    [[ $out == *s=0* ]] || cl_fail "/tmp/mt -s $s: $out $t"
    grep -q 'migtest: PASS pid [0-9]* node 0$' <<<"$t" || cl_fail "/tmp/mt -s $s failed: $t"
    grep -q 'moved to node 1' <<<"$t" || cl_fail "/tmp/mt -s $s never ran on node 1: $t"
done

# 6. a writable shared mapping refuses migration (EOPNOTSUPP); a private
# one moves as anonymous pages
out=$(cl sh --timeout 300 0 'maptest -mig 1 /tmp/mg' | tr -d '\r') || cl_fail "maptest -mig: $out"
grep -q '^maptest: 2 passed, 0 failed$' <<<"$out" || cl_fail "maptest -mig: $out"

cl down >/dev/null || cl_fail "down"
cl_pass
