#!/usr/bin/env bash
# The wall clock comes from the CMOS RTC (QEMU's defaults to the host's UTC):
# `date +%s` (when a date program is installed) and `timesync`'s
# seconds since the epoch on Wisp fall within the host's `date +%s` taken
# just before and just after the boot, give or take TIME_RTC_SLACK (2) s.
set -uo pipefail
. "$(dirname "$0")/lib_user.sh"
ut_setup time_rtc
slack=${TIME_RTC_SLACK:-2}

script=$UT_TMP/t.sh
{
    [ -x build/rootfs/bin/date ] && printf 'echo date-follows\ndate +%%s\n'
    echo 'timesync'
} >"$script"
ut_initrd_with "$script" t.sh
before=$(date +%s)
ut_boot "sh /t.sh" 120
after=$(date +%s)
ut_expect_ok

check() {   # check WHAT SECONDS
    [[ $2 =~ ^[0-9]+$ ]] || { ut_show_log; ut_fail "$1: no seconds in the log"; }
    echo "$1: $2 (host: $before .. $after)"
    if ((($2) < before - slack || ($2) > after + slack)); then
        ut_show_log
        ut_fail "$1 says $2 s since the epoch; the host said $before .. $after"
    fi
}
check timesync "$(sed -n 's/^time: .*(\([0-9]*\) s since the epoch)$/\1/p' "$UT_TMP/log.txt")"
if [ -x build/rootfs/bin/date ]; then
    check date "$(awk 'f { print; exit } $0 == "date-follows" { f = 1 }' "$UT_TMP/log.txt")"
fi
ut_pass
