#!/usr/bin/env bash
# busybox's sh on Wisp beside the very same binary on this host: every
# tests/sh/*.sh is run by build/busybox/busybox (PATH: a temp dir of applet
# links) here and by /bin/sh (the same file, in the initrd) on Wisp, each
# script's output and exit status framed by "=== NAME" lines; the two must
# be equal line for line, and every script must exit 0 on the host.
# WISP_SH_ONLY="a.sh b.sh" runs only those.
# The kernel must log no "unimplemented system call" line during the run.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup busybox_sh

bb=build/busybox/busybox
[ -x "$bb" ] || ut_fail "$bb missing (run make user)"
cmp -s "$bb" build/rootfs/bin/busybox || ut_fail "build/rootfs/bin/busybox is not $bb (run make user)"
scripts=${WISP_SH_ONLY:-$(cd tests/sh && ls -- *.sh)}
nscripts=$(wc -w <<<"$scripts")

# The runner, the same on both sides: each script in its own sh (ended
# after $per s), its output captured whole so no console message can land
# inside it.
per=${WISP_SH_SCRIPT_TIMEOUT:-40}
mkdir -p "$UT_TMP/sh"
for s in $scripts; do
    cp "tests/sh/$s" "$UT_TMP/sh/$s" || ut_fail "no tests/sh/$s"
done
{
    echo "cd \"\${0%/*}\" || exit 1"
    echo "echo BEGIN-BUSYBOX-SH"
    for s in $scripts; do
        echo "out=\$(timeout -s KILL $per sh ./$s </dev/null 2>&1); st=\$?"
        # shellcheck disable=SC2028 # the \n is for the runner's printf
        echo "echo '=== $s'; printf '%s\\n' \"\$out\"; echo \"=== $s exit \$st\""
    done
    echo "echo END-BUSYBOX-SH"
} >"$UT_TMP/sh/run"

# The host: applet links to the same binary, an empty environment.
mkdir -p "$UT_TMP/links"
for a in $("$bb" --list); do
    ln -s "$PWD/$bb" "$UT_TMP/links/$a"
done
links=$(cd "$UT_TMP/links" && pwd)   # absolute: the scripts cd, and tar execs gzip by PATH
env -i PATH="$links" HOME=/ TERM=vt100 "$UT_TMP/links/sh" "$UT_TMP/sh/run" \
    </dev/null >"$UT_TMP/host.all" 2>&1
sed -n '/^BEGIN-BUSYBOX-SH$/,/^END-BUSYBOX-SH$/p' "$UT_TMP/host.all" | sed '1d;$d' >"$UT_TMP/host"

# Wisp: the scripts at /test/sh in the initrd.
root=$UT_TMP/root
cp -a build/rootfs "$root"
mkdir -p "$root/test" || ut_fail "cannot make $root/test"
cp -r "$UT_TMP/sh" "$root/test/sh" || ut_fail "cannot stage /test/sh"
python3 scripts/mkcpio.py "$root" "$UT_TMP/initrd.cpio" || ut_fail "mkcpio failed"
# shellcheck disable=SC2034 # UT_INITRD is read by ut_boot
UT_INITRD=$UT_TMP/initrd.cpio
ut_boot "sh /test/sh/run" $((60 + per * nscripts))
ut_between BEGIN-BUSYBOX-SH END-BUSYBOX-SH >"$UT_TMP/wisp"

# section FILE NAME: NAME's lines, from its "===" line to its exit line.
section() {
    awk -v n="$2" '$0 == "=== " n { on = 1 } on { print } on && index($0, "=== " n " exit ") == 1 { on = 0 }' "$1"
}
bad=
for s in $scripts; do
    section "$UT_TMP/host" "$s" >"$UT_TMP/host.$s"
    section "$UT_TMP/wisp" "$s" >"$UT_TMP/wisp.$s"
    # A script that fails on the host proves nothing when Wisp fails alike.
    grep -q "^=== $s exit 0\$" "$UT_TMP/host.$s" || bad="$bad $s(host)"
    if ! diff -u "$UT_TMP/host.$s" "$UT_TMP/wisp.$s" >"$UT_TMP/diff.$s"; then
        sed 's/^/    /' "$UT_TMP/diff.$s" >&2
        bad="$bad $s"
    fi
done
# Every call busybox made must exist: the kernel logs the ones it lacks.
if grep -q 'unimplemented system call' "$UT_TMP/log.txt"; then
    grep 'unimplemented system call' "$UT_TMP/log.txt" | sort | uniq -c | sed 's/^/    /' >&2
    bad="$bad (unimplemented system calls)"
fi
if [ -n "$bad" ]; then
    ut_show_log 10
    ut_fail "output on Wisp differs from the host's for:$bad"
fi
ut_expect_ok
ut_pass "$nscripts scripts equal on Wisp and the host"
