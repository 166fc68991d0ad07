/*
 * Host fake of kernel/proc.h: a fixed table of fake processes (a test
 * fills it with fake_proc_make), the current process (fake_proc_cur, with
 * the fs_ctx the code under test uses), and a log of posted signals.
 * proc_signal_pgrp reaches the live processes with that pgid.
 */
#include <string.h>
#include "kernel/errno.h"
#include "kernel/uaccess.h"
#include "tests/host/fake_proc.h"

struct proc fake_procs[FAKE_PROC_MAX];
struct proc *fake_proc_cur;
struct fake_sig fake_sigs[FAKE_SIG_MAX];
int fake_nsigs;
bool fake_signal_pending;
uint64_t fake_sigmask;
bool fake_sigmask_set;
bool fake_sigmask_left;
long fake_sigmask_left_ret;
bool fake_pgrp_orphaned;

struct proc *
fake_proc_make(int i, int pid, int ppid, int pgid, const char *name)
{
    struct proc *p = &fake_procs[i];
    memset(p, 0, sizeof(*p));
    p->live = true;
    p->info.pid = pid;
    p->info.ppid = ppid;
    p->info.pgid = pgid;
    p->info.sid = 1;
    p->info.state = 'R';
    strncpy(p->info.name, name, PROC_NAME_MAX - 1);
    return p;
}

void
fake_proc_reset(void)
{
    memset(fake_procs, 0, sizeof(fake_procs));
    fake_proc_cur = NULL;
    fake_nsigs = 0;
    fake_signal_pending = false;
    fake_sigmask = 0;
    fake_sigmask_set = false;
    fake_sigmask_left = false;
    fake_sigmask_left_ret = 0;
    fake_pgrp_orphaned = false;
}

struct proc *
proc_current(void)
{
    return fake_proc_cur;
}

int
proc_pid(const struct proc *p)
{
    return p->info.pid;
}

int
proc_pgid(const struct proc *p)
{
    return p->info.pgid;
}

int
proc_sid(const struct proc *p)
{
    return p->info.sid;
}

int
proc_ctty_sid(const struct proc *p)
{
    return p->ctty_dropped ? 0 : p->info.sid;
}

bool
proc_is_session_leader(const struct proc *p)
{
    return p->info.pid == p->info.sid;
}

int
proc_pgrp_check(int pgid, int sid)
{
    int err = -ESRCH;
    for (int i = 0; i < FAKE_PROC_MAX; i++) {
        if (!fake_procs[i].live || fake_procs[i].info.pgid != pgid)
            continue;
        if (fake_procs[i].info.sid == sid)
            return 0;
        err = -EPERM;
    }
    return err;
}

bool
proc_pgrp_is_orphaned(int pgid)
{
    return fake_pgrp_orphaned;
}

bool
proc_signal_is_blocked_or_ignored(const struct proc *p, int sig)
{
    return p->blocked_or_ignored & (1ull << (sig - 1));
}

void
proc_drop_ctty(struct proc *p)
{
    p->ctty_dropped = true;
}

struct fs_ctx *
proc_fs(const struct proc *p)
{
    return p->fs;
}

static void
record(int target, bool pgrp, int sig)
{
    if (fake_nsigs < FAKE_SIG_MAX)
        fake_sigs[fake_nsigs++] = (struct fake_sig){ target, pgrp, sig };
}

void
proc_signal(struct proc *p, int sig)
{
    record(p->info.pid, false, sig);
}

int
proc_signal_pgrp(int pgid, int sig)
{
    bool any = false;
    for (int i = 0; i < FAKE_PROC_MAX; i++)
        any |= fake_procs[i].live && fake_procs[i].info.pgid == pgid;
    record(pgid, true, sig);
    return any ? 0 : -ESRCH;
}

bool
proc_signal_pending(void)
{
    return fake_signal_pending;
}

int
proc_sigmask_enter(uint64_t umask, uint64_t sigsetsize)
{
    if (!umask)
        return 0;
    if (sigsetsize != 8)
        return -EINVAL;
    if (copyin(&fake_sigmask, umask, 8))
        return -EFAULT;
    fake_sigmask_set = true;
    return 0;
}

void
proc_sigmask_leave(long ret)
{
    fake_sigmask_left = true;
    fake_sigmask_left_ret = ret;
}

int
proc_list(struct proc_info *out, int max)
{
    int n = 0;
    for (int i = 0; i < FAKE_PROC_MAX && n < max; i++)
        if (fake_procs[i].live)
            out[n++] = fake_procs[i].info;
    return n;
}

int
proc_info_get(int pid, struct proc_info *out)
{
    for (int i = 0; i < FAKE_PROC_MAX; i++) {
        if (fake_procs[i].live && fake_procs[i].info.pid == pid) {
            *out = fake_procs[i].info;
            return 0;
        }
    }
    return -ESRCH;
}

long
proc_exe_path(int pid, char *buf, size_t n)
{
    for (int i = 0; i < FAKE_PROC_MAX; i++) {
        if (fake_procs[i].live && fake_procs[i].info.pid == pid) {
            const char *e = fake_procs[i].exe;
            if (!e)
                return -ENOENT;
            size_t len = strlen(e) < n ? strlen(e) : n;
            memcpy(buf, e, len);
            return (long)len;
        }
    }
    return -ESRCH;
}

int fake_node_self;

int
proc_node_self(void)
{
    return fake_node_self;
}

/* The clocks /proc/stat reads (fs/fs_proc.c), for the tests that link it
 * without a clock of their own: weak, so a test's own fake wins. */
uint64_t fake_clock_ns, fake_idle_ns;

__attribute__((weak)) uint64_t
arch_time_ns(void)
{
    return fake_clock_ns;
}

__attribute__((weak)) uint64_t
time_realtime_ns(void)
{
    return 0;
}

__attribute__((weak)) uint64_t
sched_idle_ns(void)
{
    return fake_idle_ns;
}
