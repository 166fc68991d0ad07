#!/usr/bin/env bash
# A second program nobody here wrote: Debian 12's bash-static (a statically
# linked glibc bash; scripts/fetch-debstatic.sh, pinned) runs
# tests/bash/features.bash on Wisp and, the very same binary, on the host,
# under busybox's sh on both sides (host PATH: a temp dir of applet links);
# `bash --version | head -1`, the script's output and its exit status must
# be equal line by line. The script uses what ash does not: arrays, [[ ]],
# process substitution through /dev/fd, coprocesses, read -t, wait -n -p,
# traps, {fd} redirections, ulimit (prlimit64), times, $SECONDS, $RANDOM.
# An unimplemented system call the kernel reports during the run fails the
# test unless it is in the allow-list below, with its reason.
# bash-static is test input only: it goes into this test's initrd, never
# the default one. WISP_BASH_STATIC=/path/to/bash-static skips the fetch.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup bash_static

# NUMBER NAME  why it may stay unimplemented here
allowed() {
    cat <<'EOF'
41 socket   glibc's NSS asks nscd over AF_UNIX (getpwuid at bash's start) and falls back on any error
EOF
}

bin=${WISP_BASH_STATIC:-}
if [ -z "$bin" ]; then
    bin=$(scripts/fetch-debstatic.sh bash-static) || ut_fail "cannot fetch bash-static"
fi
[ -x "$bin" ] || ut_fail "$bin is not an executable"
bb=build/busybox/busybox
[ -x "$bb" ] || ut_fail "$bb missing (run make user)"

# The runner, the same on both sides (busybox's sh): ARG1 is bash-static.
mkdir -p "$UT_TMP/bash"
cp tests/bash/features.bash "$UT_TMP/bash/" || ut_fail "no tests/bash/features.bash"
cat >"$UT_TMP/bash/run" <<'EOF'
cd "${0%/*}" || exit 1
echo BEGIN-BASH-STATIC
"$1" --version | head -n 1
out=$(timeout -s KILL 150 "$1" ./features.bash </dev/null 2>&1); st=$?
printf '%s\n' "$out"
echo "=== exit $st"
echo END-BASH-STATIC
EOF

# The host: an empty environment, busybox's applets on PATH.
mkdir -p "$UT_TMP/links"
for a in $("$bb" --list); do
    ln -s "$PWD/$bb" "$UT_TMP/links/$a"
done
env -i PATH="$PWD/$UT_TMP/links" HOME=/ TERM=vt100 "$UT_TMP/links/sh" "$UT_TMP/bash/run" \
    "$PWD/$bin" </dev/null >"$UT_TMP/host.all" 2>&1
sed -n '/^BEGIN-BASH-STATIC$/,/^END-BASH-STATIC$/p' "$UT_TMP/host.all" | sed '1d;$d' >"$UT_TMP/host"
grep -qx '=== exit 0' "$UT_TMP/host" || {
    sed 's/^/    /' "$UT_TMP/host.all" >&2
    ut_fail "the script does not pass on the host"
}

# Wisp: the binary at its package path, the scripts at /test/bash.
root=$UT_TMP/root
cp -a build/rootfs "$root"
mkdir -p "$root/test" || ut_fail "cannot make $root/test"
cp "$bin" "$root/bin/bash-static" || ut_fail "cannot stage bash-static"
cp -r "$UT_TMP/bash" "$root/test/bash" || ut_fail "cannot stage /test/bash"
python3 scripts/mkcpio.py "$root" "$UT_TMP/initrd.cpio" || ut_fail "mkcpio failed"
# shellcheck disable=SC2034 # UT_INITRD is read by ut_boot
UT_INITRD=$UT_TMP/initrd.cpio
ut_boot "sh /test/bash/run /bin/bash-static" 240
ut_between BEGIN-BASH-STATIC END-BASH-STATIC >"$UT_TMP/wisp"

if ! diff -u "$UT_TMP/host" "$UT_TMP/wisp" >"$UT_TMP/diff"; then
    sed 's/^/    /' "$UT_TMP/diff" >&2
    ut_show_log 10
    ut_fail "Wisp's output differs from the host's (- host, + Wisp)"
fi
ut_expect_ok

# Unimplemented calls: "wisp: unimplemented system call N (name), ..."
sed -n 's/^wisp: unimplemented system call \([0-9]*\) (\([a-z0-9_]*\)).*/\1 \2/p' \
    "$UT_TMP/log.txt" | sort -u >"$UT_TMP/enosys"
bad=
while read -r nr name; do
    if allowed | awk -v n="$nr" '$1 == n { f = 1 } END { exit !f }'; then
        echo "bash_static: note: $nr ($name) unimplemented, allowed" >&2
    else
        bad="$bad $nr($name)"
    fi
done <"$UT_TMP/enosys"
[ -z "$bad" ] || ut_fail "unimplemented system calls not in the allow-list:$bad"
ut_pass "$(wc -l <"$UT_TMP/host") lines agree"
