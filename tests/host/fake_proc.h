/*
 * Controls for the host fake of kernel/proc.h (tests/host/fake_proc.c): a
 * small table of fake processes, a settable current one, and a record of
 * the signals posted.
 */
#pragma once
#include "kernel/proc.h"

#define FAKE_PROC_MAX 8
#define FAKE_SIG_MAX  64

struct proc {
    bool live;
    struct proc_info info;      /* what proc_list / proc_info_get report */
    struct fs_ctx *fs;
    const char *exe;            /* what proc_exe_path reports; NULL: unknown */
    uint64_t blocked_or_ignored; /* bit sig-1: proc_signal_is_blocked_or_ignored */
    bool ctty_dropped;          /* proc_drop_ctty was called */
};

struct fake_sig {
    int target;                 /* pid, or pgid when pgrp is set */
    bool pgrp;
    int sig;
};

extern struct proc fake_procs[FAKE_PROC_MAX];
extern struct proc *fake_proc_cur;
extern struct fake_sig fake_sigs[FAKE_SIG_MAX];
extern int fake_nsigs;
extern bool fake_signal_pending;
extern int fake_node_self;          /* proc_node_self(): 0 unless a test sets it */
/* arch_time_ns() and sched_idle_ns() (weak: a test may define its own): 0 unless set */
extern uint64_t fake_clock_ns, fake_idle_ns;
/* What ppoll/pselect6 passed to proc_sigmask_enter/leave. */
extern uint64_t fake_sigmask;
extern bool fake_sigmask_set;
extern bool fake_sigmask_left;
extern long fake_sigmask_left_ret;
extern bool fake_pgrp_orphaned;  /* what proc_pgrp_is_orphaned answers */

/* Fill slot i as a live process (in session 1 unless info.sid is changed)
 * and return it. */
struct proc *fake_proc_make(int i, int pid, int ppid, int pgid, const char *name);
/* Forget every process and signal. */
void fake_proc_reset(void);
