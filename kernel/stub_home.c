/*
 * STUB of helper `home`'s interface (kernel/home.h), for the `mig` branch
 * only: the lead deletes this file at merge. Agreed signatures; the
 * behaviour is the single-node minimum migration needs: no away entries,
 * no forwarding, commit is a no-op, everyone is root.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/migrate.h"
#include "kernel/proc.h"

struct proc *
home_adopt_begin(int pid, int from_node)
{
    return proc_mig_entry_new(pid);
}

void
home_adopt_abort(struct proc *p)
{
    proc_mig_entry_free(p);
}

int
home_moved(int pid, int to_node)
{
    return 0;
}

void
home_depart(struct proc *p)
{
    proc_mig_entry_free(p);
}

bool
proc_is_foreign(const struct proc *p)
{
    return (proc_pid(p) >> PROC_NODE_SHIFT) != main_node_id();
}

bool
proc_is_away(const struct proc *p)
{
    return false;
}

/* The PROC row: names only (home's real row carries identity). */
int
proc_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    return proc_mig_names_pack(p, b);
}

int
proc_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    return proc_mig_names_unpack(p, c);
}

void
proc_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
}

void
proc_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
}
