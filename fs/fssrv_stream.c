/*
 * The file server's stream records (docs/fs.md "Streams shared across
 * nodes"): Sprite kept the offset of a stream shared by processes on
 * different nodes at the I/O server. A client whose /shared stream becomes
 * shared across nodes (fork then migrate, or remote exec passing it) asks
 * SSHARE: the server makes a record (id, handle, open flags, offset) and
 * the holders' references; from then on reads, writes and lseeks of that
 * stream come here (SIO) and are served at the record's offset, uncached.
 *
 * References are counted per holder, as the export table does for streams
 * of other kinds (fs_export.c): a node, or "node n in transit" (a stream
 * packed by n for a receiver that has not claimed it yet). A node's first
 * reference is an open of the file for the consistency rules (fsconsist:
 * two nodes holding a writable stream is concurrent write-sharing, so
 * caching goes off for the file), its last one the close. The SSHARE
 * caller's reference takes over the open it already had. Transit
 * references keep the record alive and open nothing.
 *
 * Ids are the server's epoch (high 32 bits) and a counter: never reused,
 * so a forged, stale or earlier boot's id names nothing (-EBADF).
 *
 * SYNCHRONIZATION: everything under the server's mutex (fssrv_serve holds
 * it); the consistency open may drop it while clients are called back, so
 * a record is looked up again after one.
 */
#include "fs/fs_abi.h"
#include "fs/fssrv_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

static struct fssrv_stream *
find(struct fssrv *s, uint64_t id)
{
    for (struct fssrv_stream *r = s->streams; r; r = r->next)
        if (r->id == id)
            return r;
    return NULL;
}

static uint32_t *
count_of(struct fssrv_stream *r, uint32_t holder, bool make)
{
    struct fssrv_stream_holder *free_slot = NULL;
    for (int i = 0; i < FSSRV_STREAM_HOLDERS; i++) {
        if (r->h[i].count && r->h[i].holder == holder)
            return &r->h[i].count;
        if (!r->h[i].count && !free_slot)
            free_slot = &r->h[i];
    }
    if (!make || !free_slot)
        return NULL;
    free_slot->holder = holder;
    return &free_slot->count;
}

static uint32_t
total(const struct fssrv_stream *r)
{
    uint32_t n = 0;
    for (int i = 0; i < FSSRV_STREAM_HOLDERS; i++)
        n += r->h[i].count;
    return n;
}

static void
unlink_free(struct fssrv *s, struct fssrv_stream *r)
{
    for (struct fssrv_stream **pp = &s->streams; *pp; pp = &(*pp)->next) {
        if (*pp == r) {
            *pp = r->next;
            s->nstreams--;
            kfree(r);
            return;
        }
    }
}

/* Whether node holds r directly or in transit. */
static bool
holds(struct fssrv_stream *r, int node)
{
    return count_of(r, (uint32_t)node, false) || count_of(r, FSP_HOLDER_TRANSIT(node), false);
}

int
fssrv_sshare(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, req->fh, &a);
    if (err)
        return err;
    if (!fssrv_node_has_open(s, node, req->fh, req->flags))
        return -EBADF;          /* only a node with the file open shares a stream of it */
    if (s->nstreams >= FSSRV_STREAMS_MAX)
        return -ENFILE;
    struct fssrv_stream *r = kzalloc(sizeof(*r));
    if (!r)
        return -ENOMEM;
    r->id = (uint64_t)s->epoch << 32 | ++s->stream_count;
    r->fh = req->fh;
    r->flags = req->flags & (O_ACCMODE | O_APPEND);
    r->off = req->off;
    r->h[0] = (struct fssrv_stream_holder){ (uint32_t)node, 1 };
    r->next = s->streams;
    s->streams = r;
    s->nstreams++;
    rep->cookie = r->id;
    return 0;
}

static bool
holder_ok(uint32_t h)
{
    return h == FSP_HOLDER_NONE || h < 512;
}

/* Move one reference of r from `from` to `to`; a real node's first
 * reference opens the file for it, its last one closes. */
int
fssrv_sref(struct fssrv *s, int node, const struct fsproto_msg *req)
{
    struct fssrv_stream *r = find(s, req->cookie);
    uint32_t from = req->mask, to = req->mode;
    if (!r || !holder_ok(from) || !holder_ok(to) || from == to)
        return -EBADF;
    uint32_t *fc = from == FSP_HOLDER_NONE ? NULL : count_of(r, from, false);
    if (from == FSP_HOLDER_NONE ? !holds(r, node) : !fc)
        return -EBADF;
    uint32_t *tc = to == FSP_HOLDER_NONE ? NULL : count_of(r, to, true);
    if (to != FSP_HOLDER_NONE && !tc)
        return -ENFILE;
    struct fsproto_fh fh = r->fh;
    uint32_t flags = r->flags;
    bool opens = tc && *tc == 0 && to < 256;
    if (tc)
        (*tc)++;
    if (fc)
        (*fc)--;
    bool closes = fc && *fc == 0 && from < 256;
    uint64_t id = r->id;
    if (total(r) == 0)
        unlink_free(s, r);
    if (closes)
        (void)fssrv_close_node(s, (int)from, fh, flags);
    if (opens) {
        struct fsproto_msg *tmp = kzalloc(sizeof(*tmp));
        int err = tmp ? fssrv_open_node(s, (int)to, fh, flags, tmp) : -ENOMEM;
        kfree(tmp);
        if (err && (r = find(s, id)) && (tc = count_of(r, to, false))) {
            (*tc)--;            /* undo: the holder gets nothing */
            if (total(r) == 0)
                unlink_free(s, r);
            return err;
        }
    }
    return 0;
}

static int
sio_seek(struct fssrv *s, struct fssrv_stream *r, const struct fsproto_msg *req,
         struct fsproto_msg *rep)
{
    struct wfs_attr a;
    int err = fssrv_fh(s, r->fh, &a);
    if (err)
        return err;
    int64_t off = (int64_t)req->off;
    int64_t base = req->len == SEEK_SET ? 0 : req->len == SEEK_CUR ? (int64_t)r->off
                 : req->len == SEEK_END ? (int64_t)a.size : -1;
    if (base < 0 || (off > 0 && base > INT64_MAX - off) || base + off < 0)
        return -EINVAL;
    r->off = (uint64_t)(base + off);
    rep->off = r->off;
    fssrv_attr_out(&a, rep);
    return 0;
}

static int
sio_rw(struct fssrv *s, struct fssrv_stream *r, const struct fsproto_msg *req,
       struct fsproto_msg *rep, uint8_t *buf)
{
    bool wr = (req->flags & FSP_SIO_OPMASK) == FSP_SIO_WRITE;
    unsigned acc = r->flags & O_ACCMODE;
    if (wr ? acc == O_RDONLY : acc == O_WRONLY)
        return -EBADF;
    struct wfs_attr a;
    int err = fssrv_fh(s, r->fh, &a);
    if (err)
        return err;
    if ((a.mode & WFS_S_IFMT) != WFS_S_IFREG)
        return -EINVAL;
    bool cur = req->off == FSP_SIO_CUR;
    uint64_t at = cur ? r->off : req->off;
    if (wr && (req->flags & FSP_SIO_APPEND))
        at = a.size;
    long n;
    if (wr) {
        n = wfs_write(s->fs, r->fh.ino, at, req->data, req->datalen);
        s->st.bytes_written += n > 0 ? (uint64_t)n : 0;
    } else {
        n = wfs_read(s->fs, r->fh.ino, at, buf, MIN(req->len, (uint32_t)FSPROTO_IO_MAX));
        s->st.bytes_read += n > 0 ? (uint64_t)n : 0;
        rep->data = buf;
        rep->datalen = n > 0 ? (size_t)n : 0;
    }
    if (n < 0)
        return (int)n;
    rep->count = (uint32_t)n;
    if (cur)
        r->off = at + (uint64_t)n;
    rep->off = r->off;
    err = wfs_getattr(s->fs, r->fh.ino, &a);
    if (!err)
        fssrv_attr_out(&a, rep);
    return err;
}

int
fssrv_sio(struct fssrv *s, int node, const struct fsproto_msg *req, struct fsproto_msg *rep,
          uint8_t *buf)
{
    struct fssrv_stream *r = find(s, req->cookie);
    if (!r || !count_of(r, (uint32_t)node, false))
        return -EBADF;
    switch (req->flags & FSP_SIO_OPMASK) {
    case FSP_SIO_READ:
    case FSP_SIO_WRITE: return sio_rw(s, r, req, rep, buf);
    case FSP_SIO_SEEK: return sio_seek(s, r, req, rep);
    }
    return -EINVAL;
}

void
fssrv_streams_node_down(struct fssrv *s, int node)
{
    struct fssrv_stream *r = s->streams, *next;
    for (; r; r = next) {
        next = r->next;
        uint32_t *c = count_of(r, (uint32_t)node, false);
        if (c)
            *c = 0;             /* its opens went with fssrv_files_node_down */
        c = count_of(r, FSP_HOLDER_TRANSIT(node), false);
        if (c)
            *c = 0;
        if (total(r) == 0)
            unlink_free(s, r);
    }
}

void
fssrv_streams_free(struct fssrv *s)
{
    while (s->streams)
        unlink_free(s, s->streams);
}

unsigned
fssrv_streams_count(struct fssrv *s)
{
    return s->nstreams;
}
