#!/usr/bin/env bash
# The smallest user-mode test: init runs "hello" through the shell; the
# log must have "hello from wisp" and init must exit 0 (QEMU status 1).
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup user_hello
ut_boot "hello" 120
ut_expect_line "hello from wisp"
ut_expect_ok
ut_pass
