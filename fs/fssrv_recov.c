/*
 * The file server's side of recovery after its own reboot (docs/fs.md
 * "Recovery"; Sprite's reopen, NFSv4's grace period). A new incarnation
 * of the server knows no opens: every client that sees the new boot id
 * (net/rpc/recov.h) sends one REOPEN per file it has open or holds dirty
 * blocks of (handle, opens for reading and for writing, whether dirty),
 * and the server rebuilds the file's consistency record from it
 * (fssrv_open_again); then one REOPEN with FSP_REOPEN_DONE says it has
 * told everything. Until a client has said DONE, and at most for the
 * grace period (fsgrace= seconds after the server starts, 15 by default),
 * its new OPENs and CREATEs are answered -EAGAIN and the client retries,
 * so the records of files that were open before the crash are rebuilt
 * before anyone can open them in a way that conflicts. After the grace
 * period every request is served; a late REOPEN still works, and one
 * whose dirty blocks another node overwrote meanwhile gets -EIO.
 * A handle whose file is gone gets -ESTALE.
 *
 * SYNCHRONIZATION: called with the server's lock held (fssrv_serve).
 */
#include "fs/fssrv_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define REOPEN_OPENS_MAX 65535    /* per file and node, as fsconsist counts them */

void
fssrv_recov_start(struct fssrv *s, int self, uint64_t (*now_ns)(void), uint64_t grace_ns)
{
    if (self >= 0 && self < 256)
        s->reopened[self / 8] |= (uint8_t)(1u << (self % 8));   /* its client rebooted with it */
    s->now_ns = now_ns;
    s->grace_end_ns = now_ns ? now_ns() + grace_ns : 0;
}

static bool
said_done(const struct fssrv *s, int node)
{
    return node >= 0 && node < 256 && (s->reopened[node / 8] & (1u << (node % 8)));
}

bool
fssrv_recov_held(struct fssrv *s, int node, unsigned op)
{
    if (op != FSP_OPEN && op != FSP_CREATE)
        return false;
    if (!s->now_ns || said_done(s, node) || s->now_ns() >= s->grace_end_ns)
        return false;
    s->st.grace_waits++;
    return true;
}

int
fssrv_reopen(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    if (req->flags & ~(uint32_t)(FSP_REOPEN_DIRTY | FSP_REOPEN_DONE))
        return -EINVAL;
    if (node < 0 || node >= 256)
        return -EINVAL;
    if (req->flags & FSP_REOPEN_DONE) {
        s->reopened[node / 8] |= (uint8_t)(1u << (node % 8));
        return 0;
    }
    if (req->count > REOPEN_OPENS_MAX || req->len > REOPEN_OPENS_MAX)
        return -EINVAL;
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (err)
        return err;             /* -ESTALE: gone (or reused) while the server was down */
    if ((a.mode & WFS_S_IFMT) != WFS_S_IFREG)
        return -EINVAL;         /* only regular files are opened through the server */
    s->st.reopens++;
    return fssrv_open_again(s, node, req->fh, req->count, req->len,
                            (req->flags & FSP_REOPEN_DIRTY) != 0, rep);
}
