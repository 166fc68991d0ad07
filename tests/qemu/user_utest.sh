#!/usr/bin/env bash
# System-call conformance: init runs utest, which must print
# "utest: N passed, 0 failed" and exit 0. Failed checks are listed.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup user_utest
ut_boot "utest" 180
if grep -q '^utest: FAIL' "$UT_TMP/log.txt"; then
    grep '^utest: FAIL' "$UT_TMP/log.txt" | sed 's/^/    /' >&2
    ut_fail "$(grep -c '^utest: FAIL' "$UT_TMP/log.txt") checks failed"
fi
summary=$(grep -E '^utest: [0-9]+ passed, [0-9]+ failed$' "$UT_TMP/log.txt" | tail -n 1)
if [ -z "$summary" ]; then
    ut_show_log
    ut_fail "no summary line ($(ut_status_text "$UT_STATUS"))"
fi
ut_expect_line "${summary% passed*} passed, 0 failed"
ut_expect_ok
ut_pass "${summary#utest: }"
