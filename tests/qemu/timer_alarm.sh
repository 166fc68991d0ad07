#!/usr/bin/env bash
# Interval timers (kernel/proc_timer.c): /bin/alarmtest checks alarm,
# setitimer/getitimer for ITIMER_REAL, SIGALRM's handler and default
# action, EINVAL for ITIMER_VIRTUAL/PROF, fork and exec (user/alarmtest.c).
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup timer_alarm
ut_boot "alarmtest" 150
ut_expect_line "alarmtest ok"
ut_expect_ok
ut_pass
