#!/usr/bin/env bash
# Job control. First jctest (user/jctest.c): setpgid/setsid/getsid errors,
# SIGSTOP/SIGCONT seen by wait4 with WUNTRACED/WCONTINUED, TIOCSPGRP and
# SIGTTOU/SIGTTIN for a background group. Then busybox's sh driven through
# the serial console as a person would: a job stopped by ^Z (echoed "^Z"),
# `jobs` showing it Stopped, `bg`, `fg`, ^C, `sleep 100 &` and `kill %1`.
# The busybox binary is /bin/busybox from the initrd when the build has it,
# else $WISP_BUSYBOX, else Debian's busybox-static fetched with apt-get
# from the system's apt sources (kept in build/test/busybox-static).
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup user_jobctl

# --- part 1: the conformance checks
ut_boot "jctest" 180
if grep -q '^jctest: FAIL' "$UT_TMP/log.txt"; then
    grep '^jctest: FAIL' "$UT_TMP/log.txt" | sed 's/^/    /' >&2
    ut_fail "jctest: $(grep -c '^jctest: FAIL' "$UT_TMP/log.txt") checks failed"
fi
summary=$(grep -E '^jctest: [0-9]+ passed, [0-9]+ failed$' "$UT_TMP/log.txt" | tail -n 1)
[ -n "$summary" ] || { ut_show_log; ut_fail "jctest: no summary ($(ut_status_text "$UT_STATUS"))"; }
ut_expect_line "${summary% passed*} passed, 0 failed"
if grep -q '^jctest: SKIP' "$UT_TMP/log.txt"; then
    ut_fail "jctest skipped the tty checks: the console is not init's session's controlling tty"
fi
ut_expect_ok

# --- part 2: busybox's sh on the console
find_busybox() {   # the initrd's busybox (mk/user.mk), or WISP_BUSYBOX
    [ -x build/rootfs/bin/busybox ] && [ -z "${WISP_BUSYBOX:-}" ] && return 0
    local bb=${WISP_BUSYBOX:-}
    [ -n "$bb" ] || ut_fail "no build/rootfs/bin/busybox: run make (scripts/fetch-busybox.sh)"
    [ -x "$bb" ] || ut_fail "$bb is not an executable"
    ut_initrd_with "$bb" bin/busybox
}
find_busybox

mkfifo "$UT_TMP/in" || ut_fail "mkfifo"
exec 3<>"$UT_TMP/in"     # read-write: opening never blocks, and no EOF
: >"$UT_TMP/log"
# shellcheck disable=SC2046 # the options are words on purpose
timeout -k 5 240 "$UT_QEMU" $(ut_qemu_args) -serial stdio \
    -kernel "$UT_KERNEL" -initrd "$UT_INITRD" \
    -append 'test=user_jobctl init=/bin/init initargs="/bin/busybox sh"' \
    <&3 >"$UT_TMP/log" 2>"$UT_TMP/qemu.out" &
UT_QEMU_PID=$!

send() { printf '%s' "$1" >&3; }
# seen ERE [N]: the log has at least N (1) lines matching ERE.
seen() {
    tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt"
    [ "$(grep -cE -- "$1" "$UT_TMP/log.txt")" -ge "${2:-1}" ]
}
# wait_for ERE SECS [N]: until seen ERE N, or fail.
wait_for() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        seen "$1" "${3:-1}" && return 0
        kill -0 "$UT_QEMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    ut_show_log 40
    ut_fail "no line matching '$1' (x${3:-1}) within $2 s"
}
# key_until KEY ERE [N]: type KEY (^Z, ^C) until ERE shows up: a key that
# comes before the shell has handed the terminal to the job is lost.
key_until() {
    local i
    for _ in 1 2 3 4 5 6; do
        send "$1"
        for ((i = 0; i < 50; i++)); do
            seen "$2" "${3:-1}" && return 0
            sleep 0.1
        done
    done
    ut_show_log 40
    ut_fail "no line matching '$2' after typing the key"
}

stopped='\[1\]\+ +Stopped +sleep 100$'
running='\[1\]\+ +Running +sleep 100$'
wait_for '^BusyBox v' 90
send $'echo mark-start\n'
wait_for '^mark-start$' 30
# ^Z stops the foreground job; the tty echoes ^Z.
send $'echo go-1; sleep 100\n'
wait_for '^go-1$' 30
key_until $'\032' "$stopped"
seen '\^Z' || ut_fail "^Z was not echoed"
send $'jobs; echo mark-jobs1\n'
wait_for '^mark-jobs1$' 30
seen "$stopped" 2 || ut_fail "jobs does not show the job Stopped"
# bg continues it in the background, jobs shows it Running.
send $'bg; echo mark-bg\n'
wait_for '^mark-bg$' 30
seen '^\[1\] sleep 100$' || ut_fail "bg did not report the job"
send $'jobs; echo mark-jobs2\n'
wait_for '^mark-jobs2$' 30
seen "$running" || ut_fail "jobs does not show the job Running"
# fg brings it back; ^C ends it with status 130.
send $'fg\n'
wait_for '^sleep 100$' 30
# Typed-ahead "echo st=$?" waits in the tty for the shell; a ^C that came
# too early flushes it, and the next try types it again.
for _ in 1 2 3 4 5 6; do
    send $'\003'
    send $'echo st=$?\n'
    for ((i = 0; i < 50; i++)); do
        seen '^st=' && break 2
        sleep 0.1
    done
done
wait_for '^st=130$' 5
# A background job killed with kill %1: wait reports SIGTERM, jobs Terminated.
send $'sleep 100 &\n'
send $'jobs; echo mark-jobs3\n'        # (see below)
wait_for '^mark-jobs3$' 30
seen "$running" 2 || ut_fail "jobs does not show the background job Running"
send $'kill %1; wait %1; echo w=$?\n'
wait_for '^w=143$' 30
# (kill waits for the job to be listed: a SIGTERM that came before the new
# shell child reset its signals would be ignored, on Linux too.)
send $'sleep 100 &\n'
send $'jobs; echo mark-jobs4\n'
wait_for '^mark-jobs4$' 30
seen "$running" 3 || ut_fail "jobs does not show the second background job Running"
terminated='\[1\]\+ +Terminated +sleep 100$'
n=$(grep -cE -- "$terminated" "$UT_TMP/log.txt")
send $'kill %1\n'
# The shell reports the death once it has reaped the job: ask until it has.
for i in $(seq 40); do
    send "sleep 0.25; jobs; echo mark-jobs5-$i"$'\n'
    wait_for "^mark-jobs5-$i\$" 30
    seen "$terminated" $((n + 1)) && break
done
seen "$terminated" $((n + 1)) || ut_fail "the killed job was not shown Terminated"
send $'exit 0\n'
UT_STATUS=0
wait "$UT_QEMU_PID" || UT_STATUS=$?
UT_QEMU_PID=
tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt"
ut_expect_ok
ut_pass "${summary#jctest: }; busybox sh: ^Z, jobs, bg, fg, ^C, kill %1"
