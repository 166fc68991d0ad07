/*
 * A /shared stream that moves with a migrating process (docs/migration.md,
 * the STREAMS row; Sprite's Fsio_StreamMigrate): when only the migrating
 * process holds the description, its offset travels in the STREAMS row and
 * the server's open moves from the source to the target in one request
 * (FSP_MOVE), after the source wrote the file's dirty blocks back. The
 * target then holds a plain /shared description with its own cache state
 * (the MOVE's answer says whether it may cache), exactly as if it had
 * opened the file itself; nothing is left at the source.
 *
 * The source marks its description FS_RMT_MOVED, so freeing it after the
 * commit sends no CLOSE; if the migration is not committed the source asks
 * for the open back (fs_rmt_move_back) and clears the mark, and the target
 * frees its copy without a CLOSE (fs_mig_target_abort marks it too).
 */
#include "fs/fs_rmt_stream.h"
#include "fs/fsconsist.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"

static unsigned
cons_mode(int flags)
{
    unsigned acc = (unsigned)(flags & O_ACCMODE);
    return acc == O_RDONLY ? FSCONSIST_READ : acc == O_WRONLY ? FSCONSIST_WRITE
                                                              : FSCONSIST_READ | FSCONSIST_WRITE;
}

static int
move_call(struct fsproto_fh fh, int flags, int from, int to, struct fsproto_msg *rep)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_MOVE, NULL);
    if (!c)
        return -ENOMEM;
    c->req.fh = fh;
    c->req.flags = (uint32_t)(flags & O_ACCMODE);
    c->req.mask = (uint32_t)from;
    c->req.mode = (uint32_t)to;
    int err = fs_rmt_call_do(c);
    if (!err && rep)
        *rep = c->rep;
    if (rep)
        rep->data = NULL, rep->datalen = 0;
    fs_rmt_call_free(c);
    return err;
}

int
fs_rmt_move_out(struct file *f, int to, struct fsproto_msg *rep)
{
    if (!fs_rmt_stream_is_plain(f))
        return -EINVAL;
    struct fsproto_fh fh = fs_rmt_node(f->vn)->fh;
    int err = fs_rmt_cache_flush(fh, false);
    if (!err)
        err = move_call(fh, f->flags, proc_node_self(), to, rep);
    if (!err) {
        f->priv = FS_RMT_MOVED;
        FS_RMT_MCOUNT(moved_out);
    }
    return err;
}

int
fs_rmt_move_back(struct fsproto_fh fh, int flags, int from)
{
    struct fsproto_msg *rep = kmalloc(sizeof(*rep));
    int err = rep ? move_call(fh, flags, from, proc_node_self(), rep) : -ENOMEM;
    kfree(rep);
    if (!err)
        FS_RMT_MCOUNT(moved_back);
    return err;
}

struct file *
fs_rmt_move_in(struct fsproto_fh fh, int flags, uint64_t off, const struct fsproto_msg *rep)
{
    struct vnode *v = fs_rmt_vnode(NULL, fh, &rep->attr);
    struct file *f = v ? kzalloc(sizeof(*f)) : NULL;
    if (!f) {
        fs_vn_unref(v);
        return NULL;
    }
    /* as fs_file_open, without the open: the server's open came with MOVE */
    f->refs = 1;
    f->flags = flags & (O_ACCMODE | O_APPEND | O_NONBLOCK);
    f->vn = v;                  /* the file takes the vnode's creation reference */
    f->off = off;
    spin_init(&f->lock, "fs.file");
    fs_rmt_cache_opened(v, cons_mode(flags), rep);
    FS_RMT_MCOUNT(moved_in);
    return f;
}
