#!/usr/bin/env bash
# Unlinked open files on the shared file system (docs/wfs.md "The orphan
# list"): a file open on node 1 (read-write) and node 0 (read) is removed;
# its name is gone at once, but node 1 still writes it and node 0 then reads
# what node 1 wrote, through the server (both have it open, one writing:
# nobody caches). After the last close the server frees it: wisp-fsck finds
# the image clean with nothing left on the orphan list.
# test-timeout: 600
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_unlinked
cd "$CL_ROOT" || exit 1
for f in build/wisp.elf build/initrd.cpio build/host/wisp-fsck; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done

# wait_file K F: until file F exists on node K
wait_file() {
    cl_expect_status 0 sh --timeout 150 "$1" "i=0; while [ ! -f $2 ] && [ \$i -lt 120 ]; do sleep 1; i=\$((i+1)); done; [ -f $2 ]"
}

cl up -n 2 --timeout 200 || cl_fail "up -n 2"
cl_expect_status 0 sh 1 'echo -n 0123456789 > /shared/u && sync'
cl sh 1 '( exec 3<>/shared/u; touch /tmp/open; while [ ! -f /tmp/go ]; do sleep 1; done; echo -n AB >&3; exec 3>&-; touch /tmp/done ) >/tmp/w.out 2>&1 &' >/dev/null ||
    cl_fail "start the writer on 1"
cl sh 0 '( exec 4</shared/u; touch /tmp/open; while [ ! -f /tmp/go ]; do sleep 1; done; cat <&4 > /tmp/u.out; exec 4<&-; touch /tmp/done ) >/tmp/r.out 2>&1 &' >/dev/null ||
    cl_fail "start the reader on 0"
wait_file 1 /tmp/open
wait_file 0 /tmp/open
cl_expect_status 0 sh 0 'rm /shared/u && [ ! -e /shared/u ]'
cl_expect_status 1 sh 1 'cat /shared/u'
cl_expect_status 0 sh 1 'touch /tmp/go'
wait_file 1 /tmp/done
cl_expect_status 0 sh 0 'touch /tmp/go'
wait_file 0 /tmp/done
cl_expect_out "AB23456789" sh 0 'cat /tmp/u.out'
cl_expect_status 0 sh 0 'sync'
cl down >/dev/null || cl_fail "down"
out=$(build/host/wisp-fsck -n "$CL_DIR/fs.img" 2>&1) || cl_fail "fsck -n: $out"
if grep -q "unlinked while open" <<<"$out"; then
    cl_fail "the file was not freed at its last close: $out"
fi
cl_pass
