#!/usr/bin/env bash
# The NFS peer of the shared file system's experiments (docs/experiments.md):
# two Linux guests (scripts/linux-guest-nfs.sh: Debian's kernel, nfsd and
# nfs-utils) on one vde_switch hub; guest 0 serves its ext4 disk over
# NFSv4.2, guest 1 mounts it with caching and with noac, and runs the
# benchmark's steps on both: a file written and read back cold and warm,
# the build-like workload (busybox sh) and open+close. Runs
# scripts/bench_fs.py --skip wisp --skip linux at a small size, so the
# harness's NFS path and its CSV are covered (and first its --selftest).
# Asserts that every step ran, that the workload gave the same result on
# both mounts (bench_fs.py exits 1 otherwise), and that the work really
# crossed the wire: NFS calls and bytes for each build. Timings are printed,
# never asserted.
set -uo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 1
out=build/test/nfs_guest
fail() { echo "FAIL: $*" >&2; exit 1; }

python3 scripts/bench_fs.py --selftest || fail "bench_fs.py --selftest"
command -v vde_switch >/dev/null || fail "no vde_switch (apt-get install vde2)"
[[ -x build/user/fsbench ]] || fail "missing build/user/fsbench: run 'make user'"
[[ -f build/linux-guest/initramfs.gz ]] || scripts/linux-guest.sh || fail "scripts/linux-guest.sh"
rm -rf "$out"
mkdir -p "$out"
python3 scripts/bench_fs.py --skip wisp --skip linux --mib 2 --reps 1 --shape "2 4" \
    --opcl-n 20 --linux-timeout 1500 --out "$out" --no-plot
st=$?
((st == 0)) || { tail -n 40 "$out/fs-nfs.log" >&2; fail "bench_fs.py exited $st"; }
grep -q "nfsguest: serving /export" "$out/fs-nfs.log" 2>/dev/null ||
    grep -q "nfsguest: 10.77.0.1:/ on /mnt " "$out/fs-nfs.log" || fail "no NFS mount in the log"
for sys in linux-nfs linux-nfs-noac; do
    for m in seqread_cold seqread_warm build_ms open_close_us; do
        grep -q "^$m,$sys,[0-9]" "$out/fs.csv" || fail "no $m value for $sys"
    done
    for m in build_server_requests build_wire_bytes; do
        v=$(grep "^$m,$sys," "$out/fs.csv" | cut -d, -f3)
        if [[ -z $v ]] || ! awk -v v="$v" 'BEGIN { exit !(v > 0) }'; then
            fail "$sys: $m is '$v', the build did not cross the wire"
        fi
    done
done
grep -E "^(build_ms|build_server_requests|build_wire_bytes)," "$out/fs.csv"
echo "PASS: two Linux guests shared a disk over NFS, and the benchmark's steps ran on both mounts"
