/*
 * The STREAMS row of the migration encapsulation table (kernel/migrate.h,
 * Sprite's encapCallbacks): a process's descriptor table, cwd and umask
 * move as fs_ctx_pack_fds packs them, every fd with its close-on-exec bit.
 * A local stream becomes an exported one and a remote stream's reference
 * moves with it (the receiver's reference is taken, in transit, before
 * this node drops its own: the source's context is freed only at commit).
 * If the migration is not committed, the process resumes here with its
 * context untouched and the transit references are given back.
 */
#include "fs/fs_remote.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/migrate.h"

#define PENDING_MAX 16

/* Packs not yet settled by source_done: the bytes, to give back. */
struct pending {
    struct proc *p;
    void *data;
    size_t len;
};
static struct spinlock pending_lock = { .name = "fs.migpend", .cpu = -1 };
static struct pending pending[PENDING_MAX];

static struct pending
take_pending(struct proc *p)
{
    struct pending out = { 0 };
    spin_lock(&pending_lock);
    for (int i = 0; i < PENDING_MAX; i++) {
        if (pending[i].p == p) {
            out = pending[i];
            pending[i] = (struct pending){ 0 };
            break;
        }
    }
    spin_unlock(&pending_lock);
    return out;
}

int
fs_mig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    struct fs_ctx *c = proc_fs(p);
    if (!c)
        return -EINVAL;
    size_t start = b->len;
    int err = fs_ctx_pack_fds(c, b, true);
    if (err)
        return err;
    void *copy = kmalloc(b->len - start);
    bool kept = false;
    if (copy) {
        memcpy(copy, b->data + start, b->len - start);
        spin_lock(&pending_lock);
        for (int i = 0; i < PENDING_MAX && !kept; i++) {
            if (!pending[i].p) {
                pending[i] = (struct pending){ p, copy, b->len - start };
                kept = true;
            }
        }
        spin_unlock(&pending_lock);
    }
    if (!kept) {
        fs_ctx_pack_discard(b->data + start, b->len - start);
        kfree(copy);
        b->len = start;
        return -ENOMEM;
    }
    return 0;
}

int
fs_mig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    int err;
    struct fs_ctx *ctx = fs_ctx_unpack(c, &err);
    if (!ctx)
        return err;
    fs_ctx_free(proc_fs_swap(p, ctx));
    return 0;
}

void
fs_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    struct pending pk = take_pending(p);
    if (committed)
        fs_ctx_free(proc_fs_swap(p, NULL));     /* exports keep what the target holds */
    else if (pk.data)
        fs_ctx_pack_discard(pk.data, pk.len);
    kfree(pk.data);
}

void
fs_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
    fs_ctx_free(proc_fs_swap(p, NULL));         /* closing gives the references back */
}
