/*
 * The STREAMS row of the migration encapsulation table (kernel/migrate.h,
 * Sprite's encapCallbacks): a process's descriptor table, cwd and umask
 * move as fs_ctx_pack_fds packs them, every fd with its close-on-exec bit.
 * A local stream becomes an exported one and a remote stream's reference
 * moves with it (the receiver's reference is taken, in transit, before
 * this node drops its own: the source's context is freed only at commit).
 * If the migration is not committed, the process resumes here with its
 * context untouched and the transit references are given back.
 * A /shared stream only this process holds moves with it (its open moves
 * at the server, fs_rmt_move.c): after the commit the source's copy goes
 * without a CLOSE; not committed, the open comes back and the target's
 * copy goes without a CLOSE too.
 */
#include "fs/fs_remote.h"
#include "fs/fs_rmt_stream.h"
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
    int err = fs_ctx_pack_mig(c, b, m ? m->target : -1);
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

/* Set (moved) or clear the FS_RMT_MOVED mark of c's plain /shared files;
 * moved (the target's side of a migration not committed) also leaves the
 * references its sender took for it (KIND_HELD) to the sender to drop. */
static void
mark_moved(struct fs_ctx *c, bool moved)
{
    if (!c)
        return;
    spin_lock(&c->lock);
    for (int i = 0; i < FS_NFD; i++) {
        if (c->fd[i] && fs_rmt_stream_is_plain(c->fd[i]))
            c->fd[i]->priv = moved ? FS_RMT_MOVED : NULL;
        if (c->fd[i] && moved)
            fs_remote_forget_held(c->fd[i]);
    }
    spin_unlock(&c->lock);
}

void
fs_mig_source_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    struct pending pk = take_pending(p);
    if (committed)
        fs_ctx_free(proc_fs_swap(p, NULL));     /* exports keep what the target holds */
    else if (pk.data)
        fs_ctx_pack_discard(pk.data, pk.len);
    if (!committed)
        mark_moved(proc_fs(p), false);          /* their opens came back */
    kfree(pk.data);
}

void
fs_mig_target_abort(struct proc *p, struct mig_ctx *m)
{
    struct fs_ctx *c = proc_fs_swap(p, NULL);
    mark_moved(c, true);                        /* the source takes the moved opens back */
    fs_ctx_free(c);                             /* closing gives the references back */
}
