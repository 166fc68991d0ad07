#!/usr/bin/env bash
# The interactive shell over the serial line: boots with initargs="/bin/sh"
# (init runs one interactive shell and exits with its status), feeds the
# console through a fifo, waits for each "wisp:0$ " prompt, and checks
# echo, a pipeline, ^C killing a foreground "sleep 30" (status 130, shell
# alive) and "exit 0" ending the run with init's status 0.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup user_interactive

mkfifo "$UT_TMP/in" || ut_fail "mkfifo"
exec 3<>"$UT_TMP/in"     # read-write: opening never blocks, and no EOF
: >"$UT_TMP/log"         # exists before the first wait_prompts looks
# shellcheck disable=SC2046 # the options are words on purpose
timeout -k 5 150 "$UT_QEMU" $(ut_qemu_args) -serial stdio \
    -kernel "$UT_KERNEL" -initrd "$UT_INITRD" \
    -append 'test=user_interactive init=/bin/init initargs="/bin/sh -l"' \
    <&3 >"$UT_TMP/log" 2>"$UT_TMP/qemu.out" &
UT_QEMU_PID=$!

prompt='wisp:0$ '
# wait_prompts N SECS: until the log holds N prompts.
wait_prompts() {
    local i
    for ((i = 0; i < $2 * 10; i++)); do
        if [ "$(grep -aoF "$prompt" "$UT_TMP/log" 2>/dev/null | wc -l)" -ge "$1" ]; then
            tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt"
            return 0
        fi
        kill -0 "$UT_QEMU_PID" 2>/dev/null || break
        sleep 0.1
    done
    tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt"
    ut_show_log
    ut_fail "prompt number $1 did not come within $2 s"
}
send() { printf '%s' "$1" >&3; }

wait_prompts 1 90
send $'echo hi\n'
wait_prompts 2 30
ut_expect_line "hi"
send $'ls /bin | grep -x sh\n'
wait_prompts 3 30
ut_expect_line "sh"
send $'sleep 30\n'
sleep 2
send $'\003'
wait_prompts 4 15
send $'echo status=$?\n'
wait_prompts 5 30
ut_expect_line "status=130"
send $'exit 0\n'
UT_STATUS=0
wait "$UT_QEMU_PID" || UT_STATUS=$?
UT_QEMU_PID=
tr -d '\r' <"$UT_TMP/log" >"$UT_TMP/log.txt"
ut_expect_ok
ut_pass
