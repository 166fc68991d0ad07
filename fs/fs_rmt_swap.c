/*
 * The flush strategy's backing files (fs/fs_swap.h): Sprite migrated a
 * process by flushing its dirty pages to its swap file on the file server,
 * from which the target paged them in. Here a migration's pages go to
 * /shared/.swap/mig-<id hex> (page i of the migration's page list at byte
 * i * 4096), through the shared file system's protocol as root: the
 * directory is made (mode 0700) the first time it is needed.
 */
#include "fs/fs_rmt.h"
#include "fs/fs_swap.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define SWAP_DIR ".swap"
static const struct fsproto_fh root_fh = { 1, 0 };

/* A request as root (the kernel's own), not as the current process. */
static struct fs_rmt_call *
root_call(unsigned op)
{
    struct fs_rmt_call *c = fs_rmt_call_new(op, NULL);
    if (c)
        memset(&c->req.cred, 0, sizeof(c->req.cred));
    return c;
}

static void
swap_name(uint64_t id, char *buf, size_t n)
{
    k_snprintf(buf, n, "mig-%016lx", (unsigned long)id);
}

/* The directory's handle, made when make says so and it is missing. */
static int
swap_dir(bool make, struct fsproto_fh *out)
{
    struct fs_rmt_call *c = root_call(FSP_WALK);
    if (!c)
        return -ENOMEM;
    c->req.fh = root_fh;
    k_strlcpy(c->req.path, SWAP_DIR, sizeof(c->req.path));
    int err = fs_rmt_call_do(c);
    if (err == -ENOENT && make) {
        c->req.op = FSP_MKDIR;
        k_strlcpy(c->req.name, SWAP_DIR, sizeof(c->req.name));
        c->req.mode = 0700;
        err = fs_rmt_call_do(c);
        if (err == -EEXIST) {   /* another node made it meanwhile */
            c->req.op = FSP_WALK;
            err = fs_rmt_call_do(c);
        }
    }
    if (!err)
        *out = c->rep.fh;
    fs_rmt_call_free(c);
    return err;
}

int
fs_swap_create(uint64_t id, struct fsproto_fh *fh)
{
    struct fsproto_fh dir;
    int err = swap_dir(true, &dir);
    struct fs_rmt_call *c = err ? NULL : root_call(FSP_CREATE);
    if (!err && !c)
        err = -ENOMEM;
    if (!err) {
        c->req.fh = dir;
        swap_name(id, c->req.name, sizeof(c->req.name));
        c->req.flags = O_RDWR | O_CREAT | O_TRUNC;
        c->req.mode = 0600;
        err = fs_rmt_call_do(c);
        if (!err)
            *fh = c->rep.fh;
    }
    fs_rmt_call_free(c);
    return err;
}

int
fs_swap_find(uint64_t id, struct fsproto_fh *fh)
{
    struct fs_rmt_call *c = root_call(FSP_WALK);
    if (!c)
        return -ENOMEM;
    char name[32];
    swap_name(id, name, sizeof(name));
    c->req.fh = root_fh;
    k_snprintf(c->req.path, sizeof(c->req.path), "%s/%s", SWAP_DIR, name);
    int err = fs_rmt_call_do(c);
    if (!err)
        *fh = c->rep.fh;
    fs_rmt_call_free(c);
    return err;
}

/* Reads or writes in pieces of at most FSPROTO_IO_MAX bytes. A write the
 * server took only in part goes on with the rest, so that a full volume
 * answers -ENOSPC; a write that stopped on an error returns that error (the
 * caller needs every byte, and a bare short count would read as EIO). A
 * short read is the file's end. */
static long
swap_io(struct fsproto_fh fh, uint64_t off, void *buf, size_t len, bool wr)
{
    struct fs_rmt_call *c = root_call(wr ? FSP_WRITE : FSP_READ);
    if (!c)
        return -ENOMEM;
    size_t done = 0;
    long err = 0;
    c->req.fh = fh;
    while (done < len && !err) {
        size_t piece = MIN(len - done, (size_t)FSPROTO_IO_MAX);
        c->req.off = off + done;
        c->req.len = (uint32_t)piece;
        c->req.data = wr ? (const uint8_t *)buf + done : NULL;
        c->req.datalen = wr ? piece : 0;
        err = fs_rmt_call_do(c);
        size_t got = err ? 0 : wr ? c->rep.count : c->rep.datalen;
        if (!err && !wr)
            memcpy((uint8_t *)buf + done, c->rep.data, got);
        done += got;
        if (!err && got < piece && (!wr || got == 0))
            break;
    }
    fs_rmt_call_free(c);
    if (err && wr)
        return err;
    return done ? (long)done : err;
}

long
fs_swap_write(struct fsproto_fh fh, uint64_t off, const void *buf, size_t len)
{
    return swap_io(fh, off, (void *)buf, len, true);
}

long
fs_swap_read(struct fsproto_fh fh, uint64_t off, void *buf, size_t len)
{
    return swap_io(fh, off, buf, len, false);
}

void
fs_swap_close(struct fsproto_fh fh)
{
    struct fs_rmt_call *c = root_call(FSP_CLOSE);
    if (c) {
        c->req.fh = fh;
        c->req.flags = O_RDWR;
        (void)fs_rmt_call_do(c);
    }
    fs_rmt_call_free(c);
}

int
fs_swap_remove(uint64_t id)
{
    struct fsproto_fh dir;
    int err = swap_dir(false, &dir);
    struct fs_rmt_call *c = err ? NULL : root_call(FSP_REMOVE);
    if (!err && !c)
        err = -ENOMEM;
    if (!err) {
        c->req.fh = dir;
        swap_name(id, c->req.name, sizeof(c->req.name));
        err = fs_rmt_call_do(c);
    }
    fs_rmt_call_free(c);
    return err;
}
