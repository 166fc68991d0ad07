#!/usr/bin/env bash
# Wisp's own shell (user/sh*.c, installed as /usr/lib/wisp/bin/sh beside
# Wisp's other teaching tools; /bin/sh is busybox's, tested by
# busybox_sh.sh): boots with a script added to the initrd at
# /test/sh_test.sh and initargs="/usr/lib/wisp/bin/sh /test/sh_test.sh",
# the script putting Wisp's tools first on PATH; the lines the script
# prints between its BEGIN and END markers must equal the expected lines
# below exactly (pipes, $?, && ||, quoting, ls, cat, background jobs and
# wait, kill status 143, ps, cd, redirections, a file in /tmp (tmpfs), the
# read-only initrd's error,
# signal messages). WISP_SH_HOST=1 runs the same script on this Linux host
# with build/user programs instead (to check the test itself).
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup user_sh

cat >"$UT_TMP/sh_test.sh" <<'EOF'
PATH=/usr/lib/wisp/bin:/bin
echo BEGIN-SH-TEST
echo a b | cat
echo one | cat | cat | cat
false; echo false=$?
true && echo and-ok
false || echo or-ok
false && echo not-printed
true || echo not-printed
echo "double  $HOME" 'single $HOME' back\ slash "q\"uote"
X=wisp; echo $X ${X}y "$X"
export FOO=bar
sh -c 'echo FOO=$FOO'
ls /bin | grep -x sh
cat /etc/motd
sleep 1 &
wait
echo wait=$?
sleep 30 &
kill $!
wait $!
echo killed=$?
ps | grep -q 'sh /test/sh_test.sh' && echo ps-shows-sh
cd /bin
ls | grep -x echo
pwd
cd
pwd
echo hidden > /dev/null
echo shown
sh -c 'echo to-stderr >&2' 2>&1 | cat
sh -c 'echo x > /tmp/newfile' 2>&1 | cat
cat /tmp/newfile
sh -c 'echo x > /etc/newfile' 2>&1 | cat
sh -c 'exit 3'; echo exit=$?
nosuchcmd 2>&1 | cat
nosuchcmd 2>/dev/null; echo nf=$?
sh -c 'kill -SEGV $$' 2>&1 | cat
sh -c 'kill -SEGV $$'; echo segv=$?
sh -c 'kill -KILL $$'; echo kill=$?
echo a &&
  echo continued
echo END-SH-TEST
EOF

motd=$(cat build/rootfs/etc/motd)
cat >"$UT_TMP/expected" <<EOF
a b
one
false=1
and-ok
or-ok
double  / single \$HOME back slash q"uote
wisp wispy wisp
FOO=bar
sh
$motd
wait=0
killed=143
ps-shows-sh
echo
/bin
/
shown
to-stderr
x
sh: /etc/newfile: Read-only file system
exit=3
sh: nosuchcmd: not found
nf=127
Segmentation fault
Segmentation fault
segv=139
Killed
kill=137
a
continued
EOF

if [ "${WISP_SH_HOST:-0}" = 1 ]; then
    # The host's /etc is not read-only the same way and its /bin is not ours.
    sed -i '/Read-only file system/d' "$UT_TMP/expected"
    sed -i 's|/etc/newfile|/dev/null|; s|/tmp/newfile|newfile|; s|/test/sh_test.sh|sh_test.sh|; /^PATH=/d' \
        "$UT_TMP/sh_test.sh"
    sed -i "s|^cat /etc/motd|cat $PWD/build/rootfs/etc/motd|" "$UT_TMP/sh_test.sh"
    sed -i "s|^ls /bin |ls $PWD/build/rootfs/bin |; s|^cd /bin|cd $PWD/build/rootfs/bin|" \
        "$UT_TMP/sh_test.sh"
    sed -i "s|^/bin\$|$PWD/build/rootfs/bin|" "$UT_TMP/expected"
    (cd "$UT_TMP" && env -i PATH="$OLDPWD/build/user" HOME=/ "$OLDPWD/build/user/sh" \
        sh_test.sh </dev/null >log 2>&1)
    tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt"
    UT_STATUS=1
else
    ut_initrd_with "$UT_TMP/sh_test.sh" test/sh_test.sh
    ut_boot "/usr/lib/wisp/bin/sh /test/sh_test.sh" 180
fi
ut_between BEGIN-SH-TEST END-SH-TEST >"$UT_TMP/got"
if ! diff -u "$UT_TMP/expected" "$UT_TMP/got" >"$UT_TMP/diff"; then
    sed 's/^/    /' "$UT_TMP/diff" >&2
    ut_show_log 10
    ut_fail "the script's output differs from the expected lines"
fi
ut_expect_ok
ut_pass
