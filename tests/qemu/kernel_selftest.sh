#!/usr/bin/env bash
# In-kernel tests (kernel/ktest.c): frames, kmalloc, threads, wait queues,
# mutexes, timed sleeps and copy-on-write address spaces, with -smp 2.
. "$(dirname "$0")/../lib.sh"
WISP_SMP=2 wisp_kernel_test kernel 120 || exit 1
expect_log "$WISP_TMP/kernel.serial" '^ktest: 0 failed' || exit 1
expect_no_log "$WISP_TMP/kernel.serial" 'ktest: FAIL' || exit 1
