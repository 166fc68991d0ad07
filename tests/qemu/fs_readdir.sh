#!/usr/bin/env bash
# Listing a directory of the shared volume from a client: the VFS asks for
# one entry at a time, and the client answers a listing's continuation from
# the READDIR replies it keeps (fs/fs_rmt_dirbuf.c), so 300 entries cost a
# handful of requests to the server, not 300. The listing is the server's:
# complete, the same as the server's own node sees; a name made or removed
# through the client shows at once in its next listing (its change drops
# the kept replies); a name made on another node shows in the client's
# next listing (a listing's start always asks the server). Counts READDIRs
# with fsstat on the server; never times anything.
# test-timeout: 900
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_readdir
cd "$CL_ROOT" || exit 1
cl up -n 2 --timeout 300 || cl_fail "up -n 2"

cl_expect_status 0 sh --timeout 300 0 \
    'mkdir /shared/big && cd /shared/big && i=0; while [ $i -lt 300 ]; do : > f$i; i=$((i+1)); done'
readdirs() { cl sh 0 'fsstat' | tr -d '\r' | awk '$1 == "served_readdir" { print $2 }'; }
cl sh 1 'ls /shared/big >/dev/null' >/dev/null   # warms ls's own pages and the path
r0=$(readdirs)
n=$(cl sh 1 'ls -1 /shared/big | wc -l' | tr -d '\r ')
r1=$(readdirs)
[[ $n == 300 ]] || cl_fail "node 1 lists $n entries of 300"
echo "READDIRs for one listing of 300 entries: $((r1 - r0))"
((r1 - r0 <= 30)) || cl_fail "one listing of 300 entries took $((r1 - r0)) READDIRs"
a=$(cl sh 0 'ls -1 /shared/big | md5sum' | tr -d '\r')
b=$(cl sh 1 'ls -1 /shared/big | md5sum' | tr -d '\r')
[[ -n $a && $a == "$b" ]] || cl_fail "the two nodes list different names: $a / $b"

# Changes through the client, then on the server's node.
cl_expect_status 0 sh 1 'ls /shared/big >/dev/null && : > /shared/big/new1 && rm /shared/big/f7'
cl_expect_out "300" sh 1 'ls -1 /shared/big | grep -c .'
cl_expect_status 1 sh 1 'ls -1 /shared/big | grep -qx f7'
cl_expect_status 0 sh 1 'ls -1 /shared/big | grep -qx new1'
cl_expect_status 0 sh 0 'rm /shared/big/f8 && : > /shared/big/new0'
cl_expect_status 1 sh 1 'ls -1 /shared/big | grep -qx f8'
cl_expect_status 0 sh 1 'ls -1 /shared/big | grep -qx new0'
# rm -r lists and removes in turns: every name goes.
cl_expect_status 0 sh --timeout 300 1 'rm -r /shared/big'
cl_expect_status 1 sh 0 'test -e /shared/big'
cl_pass
