#!/usr/bin/env bash
# The tmpfs on /tmp: boots with tmpsize=1M and a script added to the initrd
# at /test/tmp_test.sh run by init's shell. The script writes, appends and
# lists files in /tmp from the shell, checks that the initrd still answers
# "Read-only file system", and runs /bin/tmptest (files, directories,
# rename, unlink while open, links, attributes, times, statfs, and filling
# /tmp to ENOSPC then writing again). The lines between the markers must
# equal the expected lines exactly.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup fs_tmp

cat >"$UT_TMP/tmp_test.sh" <<'EOF2'
echo BEGIN-TMP-TEST
echo hello > /tmp/f
cat /tmp/f
echo more >> /tmp/f
cat /tmp/f
echo again > /tmp/f
cat /tmp/f
ls /tmp
sh -c 'echo x > /etc/newfile' 2>&1 | cat
tmptest
echo END-TMP-TEST
EOF2

cat >"$UT_TMP/expected" <<'EOF2'
hello
hello
more
again
f
sh: can't create /etc/newfile: Read-only file system
tmptest: PASS file
tmptest: PASS dirs
tmptest: PASS rename
tmptest: PASS unlink_open
tmptest: PASS links_attrs
tmptest: PASS full
tmptest: 6 passed, 0 failed
EOF2

ut_initrd_with "$UT_TMP/tmp_test.sh" test/tmp_test.sh
# As ut_boot, with tmpsize=1M on the command line.
UT_STATUS=0
# shellcheck disable=SC2046 # the options are words on purpose
timeout -k 5 300 "$UT_QEMU" $(ut_qemu_args) -serial "file:$UT_TMP/log" \
    -kernel "$UT_KERNEL" -initrd "$UT_INITRD" \
    -append "test=fs_tmp tmpsize=1M init=/bin/init initargs=\"sh /test/tmp_test.sh\"" \
    </dev/null >"$UT_TMP/qemu.out" 2>&1 || UT_STATUS=$?
tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt" 2>/dev/null
ut_expect_line "wisp: tmpfs on /tmp, 1024 KiB"
ut_between BEGIN-TMP-TEST END-TMP-TEST >"$UT_TMP/got"
if ! diff -u "$UT_TMP/expected" "$UT_TMP/got" >"$UT_TMP/diff"; then
    sed 's/^/    /' "$UT_TMP/diff" >&2
    ut_show_log 10
    ut_fail "the script's output differs from the expected lines"
fi
ut_expect_ok
ut_pass
