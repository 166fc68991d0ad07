/*
 * STUB of helper `streams`'s rows of the migration table (fs_mig_*,
 * timer_mig_*), for the `mig` branch only: the lead deletes this file at
 * merge. STREAMS packs nothing: the target gives the process a fresh
 * context with fds 0-2 on its own console, and the source closes the
 * process's streams once the move is committed. TIMERS packs nothing.
 */
#include "fs/fs.h"
#include "kernel/errno.h"
#include "kernel/migrate.h"
#include "kernel/proc.h"

int
fs_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    return 0;
}

int
fs_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    struct fs_ctx *fs = fs_ctx_new_console();
    if (!fs)
        return -ENOMEM;
    proc_mig_set_fs(p, fs);
    return 0;
}

void
fs_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    struct fs_ctx *fs = proc_fs(p);
    if (!committed || !fs)
        return;
    proc_mig_set_fs(p, NULL);
    fs_ctx_free(fs);
}

void
fs_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
    struct fs_ctx *fs = proc_fs(p);
    if (fs) {
        proc_mig_set_fs(p, NULL);
        fs_ctx_free(fs);
    }
}

int
timer_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    return 0;
}

int
timer_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    return 0;
}

void
timer_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
}

void
timer_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
}
