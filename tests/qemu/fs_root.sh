#!/usr/bin/env bash
# The shared volume as every node's / (fsroot=on; docs/fs.md "The name
# space"). Three nodes boot the small boot image (build/initrd-boot.cpio,
# checked to be smaller than the full one; both sizes printed) and switch
# / to node 0's volume, made by scripts/cluster from build/rootfs: a file
# made at /x on node 1 is /x on node 2, /shared/x, and /x on the server's
# own node; Wisp programs that are not in the boot image run, and their
# path (/proc/self/exe) and device are the shared volume's; /dev, /proc,
# /tmp, /boot (the boot image) and /shared work; getcwd, "..", symlinks
# and /proc/mounts are right; a walk on a client is one STEPS request and
# keeps its rules; a program's pages are kept for its next exec until its
# file changes. With no file server the nodes say so and
# keep the boot image as / (fsrootwait=).
# test-timeout: 900
set -uo pipefail
# shellcheck source=scripts/cluster_lib.sh
. "$(dirname "$0")/../../scripts/cluster_lib.sh"
cl_setup fs_root
cd "$CL_ROOT" || exit 1
boot=build/initrd-boot.cpio
for f in build/wisp.elf build/initrd.cpio $boot build/host/wisp-mkfs build/rootfs/bin/hello; do
    [[ -f $f ]] || cl_fail "missing $f: run 'make' first"
done
small=$(stat -c %s $boot) full=$(stat -c %s build/initrd.cpio)
echo "fs_root: boot image $small bytes; full initrd $full bytes"
((small < full)) || cl_fail "the boot image is not smaller than the full one"

cl up -n 3 --initrd "$boot" --kernel-args "fsroot=on" --timeout 200 || cl_fail "up -n 3"
for k in 0 1 2; do
    grep -q "fs: root: / is the shared volume" "$CL_DIR/node$k.log" ||
        cl_fail "node $k did not switch its root"
done

# one name space at /
cl_expect_status 0 sh 1 'echo from one > /x'
cl_expect_out "from one" sh 2 'cat /x'
cl_expect_out "from one" sh 2 'cat /shared/x'
cl_expect_out "from one" sh 0 'cat /x'
cl_expect_status 0 sh 2 'mkdir -p /d/e && ln -s /x /d/abs && ln -s ../x /d/rel'
cl_expect_out $'from one\nfrom one' sh 1 'cat /d/abs /d/rel'

# programs come from the shared volume
cl_expect_status 1 sh 1 'test -e /boot/bin/hello'
cl_expect_out "hello from wisp" sh 1 'hello'
cl_expect_out "/bin/busybox" sh 2 'readlink /proc/self/exe'
cl_expect_out "/bin/hello" sh 2 'which hello'
cl_expect_out "same" sh 1 '[ "$(stat -c %D /bin/busybox)" = "$(stat -c %D /shared)" ] && echo same'
cl_expect_out "same" sh 1 '[ "$(stat -c %i /bin/busybox)" = "$(stat -c %i /shared/bin/busybox)" ] && echo same'

# the kernel's trees and the boot image hang under /
cl_expect_out "t" sh 2 'echo t > /tmp/t && cat /tmp/t'
cl_expect_status 0 sh 2 'test -c /dev/null && test -d /proc/self && test -x /boot/bin/busybox'
cl_expect_out "cat" sh 1 'cat /proc/self/comm'
mounts=$(cl sh 1 'cat /proc/mounts') || cl_fail "cat /proc/mounts"
for want in "^wfs / wfs rw" "^devtmpfs /dev " "^proc /proc " "^tmpfs /tmp " "^wfs /shared wfs" \
    "^rootfs /boot rootfs ro"; do
    grep -q "$want" <<<"$mounts" || cl_fail "/proc/mounts lacks /$want/: $mounts"
done

# cwd, getcwd and ".."
cl_expect_out "/" sh 1 'cd /bin && cd .. && pwd -P'
cl_expect_out "/" sh 1 'cd /.. && pwd -P'
cl_expect_out "/" sh 1 'cd /tmp/.. && pwd -P'
cl_expect_out "/" sh 1 'cd /dev && cd .. && pwd -P'
cl_expect_out "/boot/bin" sh 2 'cd /boot/bin && pwd -P'
cl_expect_out "/shared/bin" sh 2 'cd /shared/bin && pwd -P'
cl_expect_out "/d/e" sh 2 'cd /d/e && pwd -P'
cl_expect_out "from one" sh 2 'cd /d/e && cat ../../x'
cl_expect_status 0 sh 0 'rm -r /d /x'

# Name lookup on a node that is not the server (docs/fs.md "Name lookup"):
# one STEPS request answers a whole walk and no WALK is sent, while the
# walk keeps its own rules: "..", symlinks (relative, absolute, at the
# root), mount points, a trailing slash, errors, permissions, and another
# node's rename seen at once. /shared/tmp is the volume's own /tmp, which
# each node's tmpfs covers: a walk must never end up in it.
cl_expect_status 0 sh 0 "mkdir -p /n/a/b/c /shared/tmp && echo deep > /n/a/b/c/f &&"\
" ln -s ../../a /n/a/b/up && ln -s /tmp /n/tmpabs && ln -s tmp /tmprel &&"\
" mkdir -m 700 /n/priv && echo p > /n/priv/f && echo volume > /shared/tmp/m &&"\
" cp /bin/hello /n/a/b/c/hi"
# s: node 1's WALK, STEPS and OPEN counts and the opens STEPS made that an
# open took (FSP_OPEN_LAST); its own fsstat's cost is b - a
s='s() { fsstat | awk '"'"'{ v[$1] = $2 } END { print v["sent_walk"], v["sent_steps"],'\
' v["sent_open"], v["preopens_taken"] }'"'"'; };'
out=$(cl sh 1 "$s"' a=$(s); b=$(s); read x < /n/a/b/c/f; read y < /n/a/b/up/b/c/f;'\
' c=$(s); echo "$a|$b|$c|$x $y"') || cl_fail "fsstat around two reads: $out"
IFS='|' read -r s0 s1 s2 words <<<"$(tail -n 1 <<<"$out")"
read -r wk0 st0 op0 pt0 <<<"$s0"
read -r wk1 st1 op1 pt1 <<<"$s1"
read -r wk2 st2 op2 pt2 <<<"$s2"
echo "node 1: sent_steps $st0 $st1 $st2, sent_walk $wk0 $wk1 $wk2, sent_open $op0 $op1 $op2,"\
     "preopens_taken $pt0 $pt1 $pt2; read '$words'"
[[ $words == "deep deep" ]] || cl_fail "reads through a deep path and a link with '..': '$words'"
(((st2 - st1) - (st1 - st0) == 2)) ||
    cl_fail "two opens of 5- and 7-component paths took $(((st2 - st1) - (st1 - st0))) STEPS, not 2"
((wk2 == wk0)) || cl_fail "node 1 sent $((wk2 - wk0)) WALKs: lookups did not go by STEPS"
# ... and the opens rode in them: no OPEN at all, fsstat's own execs included
((op2 == op0)) || cl_fail "node 1 sent $((op2 - op0)) OPENs: the STEPS did not open"
(((pt2 - pt1) - (pt1 - pt0) == 2)) ||
    cl_fail "the two reads took $(((pt2 - pt1) - (pt1 - pt0))) opens made by STEPS, not 2"
# an open made by STEPS that is not taken (exec of a file that is not a
# program) is closed; one the server refuses (no read permission) is not
# made, and the client's OPEN gets the error
un() { cl sh 1 'fsstat' | awk '$1 == "preopens_unused" { print $2 }'; }
cl_expect_status 0 sh 0 'echo s > /n/secret && chmod 600 /n/secret && echo np > /n/np'
u0=$(un)
cl_expect_out "126" sh 1 '/n/np 2>/dev/null; echo $?'
u1=$(un)
((u1 == u0 + 1)) || cl_fail "the exec of a non-program left $((u1 - u0)) unused opens, not 1"
# ... and closed: after node 1's sync, node 0's write open finds no reader
dis() { cl sh 0 'fsstat' | awk '$1 == "server_disables" { print $2 }'; }
cl_expect_status 0 sh 1 'sync'
d0=$(dis)
cl_expect_status 0 sh 0 'echo more >> /n/np'
d1=$(dis)
((d1 == d0)) || cl_fail "node 1 still had the file open at the server: its unused open was not closed"
cl_expect_out "denied" sh 1 'runas 1000 cat /n/secret 2>/dev/null || echo denied'
cl_expect_out "s" sh 1 'cat /n/secret'
cl_expect_out "mine mine mine" sh 1 'echo mine > /tmp/m && echo $(cat /n/tmpabs/m /tmprel/m /tmprel/../tmp/m)'
cl_expect_out "/n/rel-dir/" sh 1 'ln -s a/b /n/rel-dir && ls -d /n/rel-dir/'
cl_expect_out "notdir" sh 1 'cat /n/a/b/c/f/ 2>/dev/null || cat /n/a/b/c/f/x 2>/dev/null || echo notdir'
cl_expect_out "denied" sh 1 'runas 1000 cat /n/priv/f 2>/dev/null || echo denied'
cl_expect_out "new" sh 1 'echo new > /n/a/b/c/g && cat /n/a/b/c/g'
cl_expect_out "hello from wisp" sh 1 '/n/a/b/up/b/c/hi'
cl_expect_status 0 sh 0 'mv /n/a/b /n/a/b2'
cl_expect_out "deep gone" sh 1 'echo $(cat /n/a/b2/c/f) $(cat /n/a/b/c/f 2>/dev/null || echo gone)'
cl_expect_status 0 sh 0 'rm -r /n /tmprel /shared/tmp/m'

# Sticky programs (docs/fs.md "Sticky programs"): a program's pages stay on
# the node after it exits, and the next exec of the unchanged file maps them
# again (sticky_taken counts it); a file changed since -- by another node,
# by this one, truncated and rewritten -- never runs its old pages. true and
# false are the same size and differ in one byte.
t=/usr/lib/wisp/bin/true f=/usr/lib/wisp/bin/false
taken() { cl sh 1 'fsstat' | awk '$1 == "sticky_taken" { print $2 }'; }
cl_expect_status 0 sh 0 "mkdir /st && cp $t /st/p"
cl_expect_out "0 0" sh 1 '/st/p; a=$?; /st/p; echo $a $?'
n0=$(taken)
cl_expect_out "0" sh 1 '/st/p; echo $?'
n1=$(taken)
((n1 > n0)) || cl_fail "an unchanged program's exec took no kept map (sticky_taken $n0, then $n1)"
cl_expect_status 0 sh 0 "cp $f /st/p"
cl_expect_out "1 1" sh 1 '/st/p; a=$?; /st/p; echo $a $?'
cl_expect_out "0 0" sh 1 "cp $t /st/p; /st/p; a=\$?; /st/p; echo \$a \$?"
cl_expect_out "1" sh 1 "cat $f > /st/p; /st/p; echo \$?"
# more programs than the node keeps: each still runs its own file
cl_expect_status 0 sh 0 "for i in 0 1 2 3 4 5 6 7 8 9; do cp $t /st/t\$i; done; cp $f /st/t5"
cl_expect_out "0 0 0 0 0 1 0 0 0 0 0 0 0 0 0 1 0 0 0 0" sh 1 \
    's=; for r in 1 2; do for i in 0 1 2 3 4 5 6 7 8 9; do /st/t$i; s="$s $?"; done; done; echo $s'
kept=$(cl sh 1 'fsstat' | awk '$1 == "sticky_kept" { print $2 }')
((kept <= 8)) || cl_fail "node 1 keeps $kept programs' maps, more than 8"
cl_expect_status 0 sh 0 'rm -r /st'
cl_expect_status 1 sh 1 'test -e /x'
cl down >/dev/null || cl_fail "down"

# no file server: the boot image stays /, and the nodes say so
cl_new_dir alone fs_root_alone
cld "$alone" up -n 2 --fs off --initrd "$boot" --kernel-args "fsroot=on fsrootwait=3" \
    --timeout 200 || cl_fail "up without a server"
for k in 0 1; do
    grep -q "fs: root: the file server did not answer in 3 s.*/ stays the boot image" \
        "$alone/node$k.log" || cl_fail "node $k did not say it kept the boot image"
done
CL_DIR=$alone cl_expect_out "boot" sh 1 'test -e /bin/hello || echo boot'
CL_DIR=$alone cl_expect_out "/bin/busybox" sh 1 'readlink /proc/self/exe'
cld "$alone" down >/dev/null
cl_pass
