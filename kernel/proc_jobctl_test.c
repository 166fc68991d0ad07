/*
 * Host tests of the process side of job control (kernel/proc_jobctl.c):
 * setpgid's and setsid's POSIX rules, the getters, orphaned process
 * groups, and the SIGHUP/SIGCONT an exit sends to a stopped group it
 * orphans. The process table, the current process and proc_signal are
 * stand-ins defined here; the scheduler is never entered.
 */
// TEST_SRCS: tests/host/fake_sync.c
#include <string.h>
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "tests/host/test.h"

struct spinlock proc_table_lock = { .name = "proc.table", .cpu = -1 };
struct proc proc_table[PROC_MAX];
static struct proc *cur;
static struct { int pid, sig; } sent[16];
static int nsent;

struct proc *
proc_current(void)
{
    return cur;
}

struct proc *
proc_by_pid(int pid)
{
    for (int i = 0; i < PROC_MAX; i++)
        if (proc_table[i].state != PROC_FREE && proc_table[i].pid == pid)
            return &proc_table[i];
    return NULL;
}

int
proc_node_self(void)
{
    return 0;
}

bool
proc_is_init(const struct proc *p)
{
    return p->pid == 1;   /* node 0's init */
}

void
proc_signal(struct proc *p, int sig)
{
    if (nsent < 16)
        sent[nsent].pid = p->pid, sent[nsent++].sig = sig;
}

uint64_t arch_irq_save(void) { return 0; }
void arch_irq_restore(uint64_t f) {}
/* Every process here is local: the home paths are never taken. */
bool proc_is_foreign(const struct proc *p) { return false; }
bool proc_is_away(const struct proc *p) { return false; }
void proc_home_post_jobctl(struct proc *p) {}
void proc_home_post_child(struct proc *p, int sig) {}
void proc_home_post_pgid(struct proc *p) {}
void sched_lock(void) {}
void sched_unlock(void) {}
void sched_sleep_locked(bool interruptible, uint64_t deadline_ns) {}
void sched_wakeup(struct thread *t, bool interruptible_only) {}

/* Slot i: pid, parent pid (0: none), group, session. */
static struct proc *
mk(int i, int pid, int ppid, int pgid, int sid)
{
    struct proc *p = &proc_table[i];
    memset(p, 0, sizeof(*p));
    p->state = PROC_ALIVE;
    p->pid = pid;
    p->parent = ppid ? proc_by_pid(ppid) : NULL;
    p->pgid = pgid;
    p->sid = sid;
    return p;
}

/* init (1); a shell (2, group 2, session 1) with children 3 and 4 in its
 * group, 5 in a session of its own; the shell is current. */
static void
setup(void)
{
    memset(proc_table, 0, sizeof(proc_table));
    nsent = 0;
    mk(1, 1, 0, 1, 1);
    cur = mk(2, 2, 1, 2, 1);
    mk(3, 3, 2, 2, 1);
    mk(4, 4, 2, 2, 1);
    mk(5, 5, 2, 5, 5);
}

static void
test_jobctl_setpgid_child(void)
{
    setup();
    EXPECT_EQ(sys_setpgid(3, 0), 0);                  /* a group of its own */
    EXPECT_EQ(sys_getpgid(3), 3);
    EXPECT_EQ(sys_setpgid(4, 3), 0);                  /* joins it: same session */
    EXPECT_EQ(sys_getpgid(4), 3);
    EXPECT_EQ(sys_setpgid(4, 99), -EPERM);            /* no such group */
    EXPECT_EQ(sys_setpgid(4, 5), -EPERM);             /* a group of another session */
    EXPECT_EQ(sys_setpgid(5, 5), -EPERM);             /* a child in another session */
    proc_table[4].did_exec = true;
    EXPECT_EQ(sys_setpgid(4, 4), -EACCES);            /* it has exec'd */
    EXPECT_EQ(sys_setpgid(1, 1), -ESRCH);             /* not a child */
    EXPECT_EQ(sys_setpgid(77, 0), -ESRCH);
    EXPECT_EQ(sys_setpgid(0, -1), -EINVAL);
    EXPECT_EQ(sys_setpgid(0xffffffffl, 0), -ESRCH);   /* glibc's -1 in 32 bits */
}

static void
test_jobctl_setpgid_self_and_leader(void)
{
    setup();
    cur = &proc_table[3];
    EXPECT_EQ(sys_setpgid(0, 0), 0);
    EXPECT_EQ(sys_getpgrp(), 3);
    EXPECT_EQ(sys_setpgid(3, 2), 0);                  /* back to the shell's group */
    cur = &proc_table[5];                             /* leads session 5 */
    EXPECT_EQ(sys_setpgid(0, 0), -EPERM);
}

static void
test_jobctl_setsid(void)
{
    setup();
    EXPECT_EQ(sys_setsid(), -EPERM);                  /* the shell leads group 2 */
    cur = &proc_table[3];
    EXPECT_EQ(sys_setsid(), 3);
    EXPECT_EQ(sys_getsid(0), 3);
    EXPECT_EQ(sys_getpgid(0), 3);
    EXPECT_EQ(sys_setsid(), -EPERM);                  /* now a group leader */
    cur = &proc_table[4];
    proc_table[1].pgid = 4;                           /* pid 4 names someone's group */
    EXPECT_EQ(sys_setsid(), -EPERM);
    EXPECT_EQ(sys_getsid(2), 1);
    EXPECT_EQ(sys_getsid(77), -ESRCH);
    EXPECT_EQ(sys_getpgid(-1), -ESRCH);
}

static void
test_jobctl_pgrp_check_and_orphans(void)
{
    setup();
    proc_table[3].pgid = 3;
    EXPECT_EQ(proc_pgrp_check(3, 1), 0);
    EXPECT_EQ(proc_pgrp_check(5, 1), -EPERM);
    EXPECT_EQ(proc_pgrp_check(9, 1), -ESRCH);
    EXPECT_TRUE(!proc_pgrp_is_orphaned(3));         /* its parent's group holds it */
    EXPECT_TRUE(proc_pgrp_is_orphaned(2));            /* the shell's parent is init */
    EXPECT_TRUE(proc_pgrp_is_orphaned(5));            /* parent in another session */
    spin_lock(&proc_table_lock);
    EXPECT_TRUE(proc_pgrp_orphaned_locked(3, &proc_table[2]));  /* once the shell exits */
    spin_unlock(&proc_table_lock);
}

static void
test_jobctl_exit_hups_stopped_orphans(void)
{
    setup();
    proc_table[3].pgid = 3;
    proc_table[4].pgid = 4;
    proc_table[3].stopped = 1;                        /* a stopped job; 4 runs */
    spin_lock(&proc_table_lock);
    proc_jobctl_exit(&proc_table[2]);
    spin_unlock(&proc_table_lock);
    EXPECT_EQ(nsent, 2);                              /* group 4 has no stopped member */
    EXPECT_EQ(sent[0].pid, 3);
    EXPECT_EQ(sent[0].sig, SIGHUP);
    EXPECT_EQ(sent[1].sig, SIGCONT);
}

void
tests_run(void)
{
    RUN(test_jobctl_setpgid_child);
    RUN(test_jobctl_setpgid_self_and_leader);
    RUN(test_jobctl_setsid);
    RUN(test_jobctl_pgrp_check_and_orphans);
    RUN(test_jobctl_exit_hups_stopped_orphans);
}
