/*
 * Host tests of the credential rules (kernel/proc_cred.c), Linux's: root
 * sets any id, others only the ids they hold; setreuid moves the saved id
 * with the effective one; setgroups is root's; kill's permission check.
 */
// TEST_SRCS: tests/host/fake_sync.c tests/host/fake_uaccess.c
#include <string.h>
#include "kernel/errno.h"
#include "kernel/proc_int.h"
#include "tests/host/test.h"

struct spinlock proc_table_lock = { .name = "proc.table", .cpu = -1 };
static struct proc me;

struct proc *
proc_current(void)
{
    return &me;
}

static void
ids(struct proc *p, uint32_t r, uint32_t e, uint32_t s)
{
    memset(p, 0, sizeof(*p));
    p->uid = r, p->euid = e, p->suid = s;
}

static void
test_cred_root_setuid_sets_all_three(void)
{
    ids(&me, 0, 0, 0);
    EXPECT_EQ(proc_cred_set(&me, 105, 1000, 0, 0, NULL, 0), 0);
    EXPECT_EQ(me.uid, 1000);
    EXPECT_EQ(me.euid, 1000);
    EXPECT_EQ(me.suid, 1000);
    EXPECT_EQ(proc_cred_set(&me, 105, 0, 0, 0, NULL, 0), -EPERM);  /* no way back */
}

static void
test_cred_user_setuid_only_to_real_or_saved(void)
{
    ids(&me, 1000, 0, 0);           /* a set-uid-root program */
    EXPECT_EQ(proc_cred_set(&me, 117, ~0u, 1000, ~0u, NULL, 0), 0);   /* drop euid */
    EXPECT_EQ(me.euid, 1000);
    EXPECT_EQ(proc_cred_set(&me, 105, 0, 0, 0, NULL, 0), 0);          /* saved is 0 */
    EXPECT_EQ(me.euid, 0);
    EXPECT_EQ(me.uid, 1000);        /* it was not privileged: only euid changes */
    ids(&me, 1000, 1000, 1000);
    EXPECT_EQ(proc_cred_set(&me, 105, 7, 0, 0, NULL, 0), -EPERM);
}

static void
test_cred_setreuid_moves_saved(void)
{
    ids(&me, 1000, 2000, 3000);
    EXPECT_EQ(proc_cred_set(&me, 113, ~0u, 3000, 0, NULL, 0), 0);
    EXPECT_EQ(me.suid, 3000);       /* euid != old ruid: saved = new euid */
    EXPECT_EQ(proc_cred_set(&me, 113, 3000, ~0u, 0, NULL, 0), 0);
    EXPECT_EQ(me.uid, 3000);
    EXPECT_EQ(proc_cred_set(&me, 113, 5, ~0u, 0, NULL, 0), -EPERM);
}

static void
test_cred_setgroups_is_roots(void)
{
    uint32_t g[2] = { 4, 5 };
    ids(&me, 0, 0, 0);
    EXPECT_EQ(proc_cred_set(&me, 116, 0, 0, 0, g, 2), 0);
    EXPECT_EQ(me.ngroups, 2);
    EXPECT_EQ(proc_cred_set(&me, 116, 0, 0, 0, g, PROC_NGROUPS_MAX + 1), -EINVAL);
    ids(&me, 1, 1, 1);
    EXPECT_EQ(proc_cred_set(&me, 116, 0, 0, 0, g, 1), -EPERM);
}

static void
test_cred_kill_permission(void)
{
    struct proc a, b;
    ids(&a, 1000, 1000, 1000);
    ids(&b, 0, 0, 0);
    EXPECT_TRUE(!proc_cred_may_signal(&a, &b));
    EXPECT_TRUE(proc_cred_may_signal(&b, &a));
    ids(&b, 0, 0, 1000);            /* saved uid matches */
    EXPECT_TRUE(proc_cred_may_signal(&a, &b));
}

void
tests_run(void)
{
    RUN(test_cred_root_setuid_sets_all_three);
    RUN(test_cred_user_setuid_only_to_real_or_saved);
    RUN(test_cred_setreuid_moves_saved);
    RUN(test_cred_setgroups_is_roots);
    RUN(test_cred_kill_permission);
}
