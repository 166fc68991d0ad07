#!/usr/bin/env bash
# System-call fuzzing: init runs "fuzz -s 1 -n N" (N = WISP_FUZZ_CALLS,
# default 20000); the kernel must survive, the fuzzer's sanity checks
# must pass ("... kernel alive") and init must exit 0.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup user_fuzz
calls=${WISP_FUZZ_CALLS:-20000}
ut_boot "fuzz -s ${WISP_FUZZ_SEED:-1} -n $calls" 280
line=$(grep -E '^fuzz: [0-9]+ calls, [0-9]+ workers, [0-9]+ killed by signal, kernel alive$' \
    "$UT_TMP/log.txt" | tail -n 1)
if [ -z "$line" ]; then
    ut_show_log 40
    ut_fail "no 'kernel alive' line ($(ut_status_text "$UT_STATUS"))"
fi
ut_expect_ok
ut_pass "${line#fuzz: }"
