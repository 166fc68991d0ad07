/*
 * The PROC row of migration's encapsulation table (DESIGN.md 5, kernel/
 * migrate.h): a process's identity -- pid, process group and session
 * copies, credentials, resource limits, names, command line, program path
 * and start time -- packed at the source and unpacked into the entry
 * home_adopt_begin made at the target. Remote exec (proc_home_rexec.c)
 * sends the same block for its new process. Signals, registers, memory
 * and streams are other rows.
 */
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"
#include "kernel/migrate.h"

#define PROC_MIG_MAGIC 0x50524f43u   /* "PROC" */

int
proc_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    spin_lock(&proc_table_lock);
    struct proc c = *p;     /* a consistent copy; no RPC or allocation under the lock */
    spin_unlock(&proc_table_lock);
    mig_put_u32(b, PROC_MIG_MAGIC);
    mig_put_u32(b, (uint32_t)c.pid);
    mig_put_u32(b, (uint32_t)c.pgid);
    mig_put_u32(b, (uint32_t)c.sid);
    uint32_t ids[6] = { c.uid, c.euid, c.suid, c.gid, c.egid, c.sgid };
    for (int i = 0; i < 6; i++)
        mig_put_u32(b, ids[i]);
    mig_put_u32(b, (uint32_t)c.ngroups);
    for (int i = 0; i < c.ngroups; i++)
        mig_put_u32(b, c.groups[i]);
    mig_put_u32(b, c.rlim_set);
    for (int r = 0; r < PROC_RLIMIT_N; r++) {
        mig_put_u64(b, c.rlim[r].cur);
        mig_put_u64(b, c.rlim[r].max);
    }
    c.name[PROC_NAME_MAX - 1] = 0;
    c.exe[PROC_EXE_MAX - 1] = 0;
    mig_put_str(b, c.name);
    mig_put_u32(b, (uint32_t)c.cmdline_len);
    mig_put(b, c.cmdline, (size_t)c.cmdline_len);
    mig_put_str(b, c.exe);
    mig_put_u64(b, c.start_ns);
    mig_put_u32(b, (uint32_t)c.did_exec | (uint32_t)c.ctty_dropped << 1);
    return b->err;
}

int
proc_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    struct proc t;
    memset(&t, 0, sizeof(t));
    if (mig_get_u32(c) != PROC_MIG_MAGIC || (int)mig_get_u32(c) != p->pid)
        return -EBADMSG;
    t.pgid = (int)mig_get_u32(c);
    t.sid = (int)mig_get_u32(c);
    t.uid = mig_get_u32(c), t.euid = mig_get_u32(c), t.suid = mig_get_u32(c);
    t.gid = mig_get_u32(c), t.egid = mig_get_u32(c), t.sgid = mig_get_u32(c);
    t.ngroups = (int)mig_get_u32(c);
    if (t.ngroups < 0 || t.ngroups > PROC_NGROUPS_MAX)
        return -EBADMSG;
    for (int i = 0; i < t.ngroups; i++)
        t.groups[i] = mig_get_u32(c);
    t.rlim_set = mig_get_u32(c);
    for (int r = 0; r < PROC_RLIMIT_N; r++) {
        t.rlim[r].cur = mig_get_u64(c);
        t.rlim[r].max = mig_get_u64(c);
    }
    mig_get_str(c, t.name, sizeof(t.name));
    t.cmdline_len = (int)mig_get_u32(c);
    if (t.cmdline_len < 0 || t.cmdline_len > PROC_CMDLINE_MAX)
        return -EBADMSG;
    mig_get(c, t.cmdline, (size_t)t.cmdline_len);
    mig_get_str(c, t.exe, sizeof(t.exe));
    t.start_ns = mig_get_u64(c);
    uint32_t flags = mig_get_u32(c);
    if (c->err)
        return c->err;
    spin_lock(&proc_table_lock);
    p->pgid = t.pgid, p->sid = t.sid;
    proc_cred_copy(p, &t);
    proc_rlimit_fork(p, &t);
    memcpy(p->name, t.name, sizeof(p->name));
    memcpy(p->cmdline, t.cmdline, sizeof(p->cmdline));
    p->cmdline_len = t.cmdline_len;
    memcpy(p->exe, t.exe, sizeof(p->exe));
    p->start_ns = t.start_ns;
    p->did_exec = flags & 1;
    p->ctty_dropped = flags & 2;
    spin_unlock(&proc_table_lock);
    return 0;
}

/* The identity needs no freeing at the source (the entry itself goes
 * through home_depart) and leaves nothing to undo at the target (the entry
 * goes through home_adopt_abort). */
void
proc_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
}

void
proc_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
}
