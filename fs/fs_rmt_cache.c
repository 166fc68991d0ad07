/*
 * The shared file system's client cache (docs/fs.md "Shared file system"):
 * file blocks of the server's files in this node's block cache (fscache.c),
 * kept consistent by Sprite's rules (fsconsist.c at the server): an open
 * says whether the file may be cached and its version; blocks cached under
 * another version are dropped; writes stay dirty here until the delayed
 * write-back (fswriteback= seconds, 30 by default), an fsync, or the
 * server's recall; a server's "disable" makes this node write back, drop
 * the file's blocks and send its reads and writes to the server.
 *
 * SYNCHRONIZATION: table_lock guards the table of files, each file's
 * reference count and its open count; a file is looked up with a
 * reference (file_get) and given back (file_put), and is freed only when
 * idle and unreferenced, so a walk over the table (each_file: sync, the
 * delayed write-back, recovery) can drop the lock while it works on one
 * file and go on from it. Each file's io mutex serialises its cached reads, writes,
 * write-backs and drops, and is held across the RPCs they make (never
 * across an open, so the server's callbacks, which take it, cannot wait on
 * an open of this node's).
 */
#include "fs/fs_rmt.h"
#include "fs/fscache.h"
#include "fs/fsconsist.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/arch.h"

#define FILES_MAX 1024
#define RUN_MAX (FSPROTO_IO_MAX / FSCACHE_BLOCK)   /* blocks per READ or WRITE */

struct rmt_file {
    struct fsproto_fh fh;
    uint64_t version;           /* the version the cached blocks belong to; 0 none */
    uint64_t size;              /* this node's idea of the size while it caches */
    bool cached;                /* the server lets this node cache the file */
    bool fresh;                 /* made since its first open: none of its blocks cached */
    uint64_t changes;           /* cached writes, truncations and drops: sticky maps' check */
    int opens;
    int refs;                   /* file_get's references: never freed while > 0 */
    struct mutex io;
    struct rmt_file *next;
};

static struct fscache *cache;
static struct mutex table_lock;
static struct rmt_file *files;
static unsigned nfiles;
static uint64_t delay_ns = 30ull * 1000000000ull;
static struct fs_rmt_stats st;

static uint64_t
key_of(struct fsproto_fh fh)
{
    return (uint64_t)fh.ino << 32 | fh.gen;
}

/* Frees an idle file (closed, unreferenced, nothing dirty) and its
 * blocks, to stay under FILES_MAX. Caller holds table_lock. */
static void
evict_idle(void)
{
    for (struct rmt_file **pp = &files; *pp; pp = &(*pp)->next) {
        struct rmt_file *e = *pp;
        if (e->opens == 0 && e->refs == 0 && !fscache_has_dirty(cache, key_of(e->fh))) {
            *pp = e->next;
            fscache_drop(cache, key_of(e->fh), 0);
            kfree(e);
            nfiles--;
            return;
        }
    }
}

/* The file of fh, made if make, with a reference the caller gives back
 * with file_put. NULL if absent (or no memory). */
static struct rmt_file *
file_get(struct fsproto_fh fh, bool make)
{
    mutex_lock(&table_lock);
    struct rmt_file *e = files;
    while (e && (e->fh.ino != fh.ino || e->fh.gen != fh.gen))
        e = e->next;
    if (!e && make && cache) {
        if (nfiles >= FILES_MAX)
            evict_idle();
        if ((e = kzalloc(sizeof(*e)))) {
            e->fh = fh;
            e->fresh = true;    /* a file's blocks go with its entry (evict_idle) */
            mutex_init(&e->io, "fs.rmt.io");
            e->next = files;
            files = e;
            nfiles++;
        }
    }
    if (e)
        e->refs++;
    mutex_unlock(&table_lock);
    return e;
}

/* Drops every block of e, dirty ones unsent; returns how many dirty
 * blocks went. Caller holds e->io. */
static uint64_t
drop_all(struct rmt_file *e)
{
    struct fscache_stats before, after;
    fscache_get_stats(cache, &before);
    fscache_drop(cache, key_of(e->fh), 0);
    e->changes++;
    fscache_get_stats(cache, &after);
    return before.dirty_blocks - after.dirty_blocks;
}

static void
file_put(struct rmt_file *e)
{
    if (!e)
        return;
    mutex_lock(&table_lock);
    e->refs--;
    mutex_unlock(&table_lock);
}

/* fn(e, arg) for every file in the table, each called with a reference
 * and no lock held; files added meanwhile may be missed, none known at
 * the start is skipped or seen twice (the reference keeps e, and with it
 * e->next's place, in the table). Stops at fn's first error, returned. */
static int
each_file(int (*fn)(struct rmt_file *e, void *arg), void *arg)
{
    mutex_lock(&table_lock);
    struct rmt_file *e = files;
    if (e)
        e->refs++;
    mutex_unlock(&table_lock);
    int err = 0;
    while (e && !err) {
        err = fn(e, arg);
        mutex_lock(&table_lock);
        struct rmt_file *next = e->next;
        if (next)
            next->refs++;
        e->refs--;
        mutex_unlock(&table_lock);
        e = next;
    }
    if (e)
        file_put(e);
    return err;
}

/* ---- moving blocks ---- */

/* Fetch blocks [bno, bno + n) from the server into buf; bytes past the
 * end read as zero. */
static int
fetch(struct vnode *v, uint64_t bno, unsigned n, uint8_t *buf)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_READ, v);
    if (!c)
        return -ENOMEM;
    c->req.off = bno * FSCACHE_BLOCK;
    c->req.len = n * FSCACHE_BLOCK;
    int err = fs_rmt_call_do(c);
    if (!err) {
        memcpy(buf, c->rep.data, c->rep.datalen);
        memset(buf + c->rep.datalen, 0, n * FSCACHE_BLOCK - c->rep.datalen);
        st.fetched_blocks += n;
    }
    fs_rmt_call_free(c);
    return err;
}

static int
send_run(struct rmt_file *e, struct vnode *v, uint64_t bno, const uint8_t *data, size_t len)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_WRITE, v);
    if (!c)
        return -ENOMEM;
    c->req.fh = e->fh;
    c->req.off = bno * FSCACHE_BLOCK;
    c->req.data = data;
    c->req.datalen = len;
    int err = fs_rmt_call_do(c);
    if (!err)
        st.written_back += len;
    fs_rmt_call_free(c);
    return err;
}

/* Send blk[i..j) (contiguous) as one WRITE, cut at the file's size. */
static int
send_blocks(struct rmt_file *e, struct vnode *v, struct fscache_block **blk, unsigned i,
            unsigned j, uint8_t *run)
{
    uint64_t start = blk[i]->bno * FSCACHE_BLOCK;
    if (start >= e->size)
        return 0;               /* truncated away since: nothing to send */
    size_t len = 0;
    for (unsigned k = i; k < j; k++, len += FSCACHE_BLOCK)
        memcpy(run + len, fscache_data(blk[k]), FSCACHE_BLOCK);
    if (start + len > e->size)
        len = (size_t)(e->size - start);
    return send_run(e, v, blk[i]->bno, run, len);
}

/* Write back the dirty blocks of e dirtied at or before `before`, in runs
 * of contiguous blocks. Caller holds e->io. v: any vnode of the file (for
 * the handle; NULL: e's own). */
static int
write_back(struct rmt_file *e, uint64_t before)
{
    struct fscache_block *blk[RUN_MAX * 4];
    uint64_t gens[RUN_MAX * 4];
    struct fs_rmt_node fake = { .fh = e->fh };
    uint8_t *run = kmalloc(FSPROTO_IO_MAX);
    int err = run ? 0 : -ENOMEM;
    unsigned n;
    while (!err && (n = fscache_take_dirty(cache, false, key_of(e->fh), before, blk, gens,
                                           RUN_MAX * 4)) > 0) {
        fscache_sort(blk, gens, n, FSCACHE_BY_BNO);
        for (unsigned i = 0, j; i < n; i = j) {
            for (j = i + 1; j < n && j - i < RUN_MAX && blk[j]->bno == blk[j - 1]->bno + 1; j++)
                ;
            if (!err)
                err = send_blocks(e, &fake.vn, blk, i, j, run);
            if (err == -ESTALE) {
                err = 0;        /* the file is gone: its blocks with it, not kept dirty */
                st.dropped_unsent += j - i;
            }
            for (unsigned k = i; k < j; k++) {
                if (err)
                    fscache_put(cache, blk[k]);        /* stays dirty: tried again later */
                else
                    fscache_cleaned(cache, blk[k], gens[k]);
            }
        }
    }
    kfree(run);
    return err;
}

/* ---- reads and writes through the cache ---- */

/* Blocks [bno, bno + n) that are not cached (n at most RUN_MAX, stopping
 * at the first cached one): fetched in one READ and put in the cache. */
static int
fill_run(struct rmt_file *e, struct vnode *v, uint64_t bno, uint64_t last)
{
    unsigned n = 1;
    while (n < RUN_MAX && bno + n <= last) {
        struct fscache_block *b = fscache_get(cache, key_of(e->fh), bno + n);
        if (b) {
            fscache_put(cache, b);
            break;
        }
        n++;
    }
    uint8_t *buf = kmalloc(n * FSCACHE_BLOCK);
    int err = buf ? fetch(v, bno, n, buf) : -ENOMEM;
    for (unsigned i = 0; !err && i < n; i++) {
        struct fscache_block *b;
        err = fscache_add(cache, key_of(e->fh), bno + i, &b);
        if (err == -EAGAIN)
            err = write_back(e, UINT64_MAX) ? -EAGAIN : fscache_add(cache, key_of(e->fh), bno + i, &b);
        if (err)
            break;
        if (!b->filled) {
            memcpy(fscache_data(b), buf + i * FSCACHE_BLOCK, FSCACHE_BLOCK);
            b->filled = true;
        }
        fscache_put(cache, b);
    }
    kfree(buf);
    return err;
}

long
fs_rmt_cache_read(struct vnode *v, void *buf, size_t n, uint64_t off)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, false);
    if (!e || !e->cached) {
        file_put(e);
        return -EAGAIN;         /* not cached: the caller asks the server */
    }
    mutex_lock(&e->io);
    long r = 0;
    if (!e->cached) {
        r = -EAGAIN;
    } else if (off < e->size) {
        n = (size_t)MIN((uint64_t)n, e->size - off);
        uint64_t last = (e->size - 1) / FSCACHE_BLOCK;   /* read ahead within the file */
        size_t done = 0;
        while (done < n && r >= 0) {
            uint64_t pos = off + done, bno = pos / FSCACHE_BLOCK;
            size_t boff = pos % FSCACHE_BLOCK, take = MIN(FSCACHE_BLOCK - boff, n - done);
            struct fscache_block *b = fscache_get(cache, key_of(e->fh), bno);
            if (!b || !b->filled) {
                if (b)
                    fscache_put(cache, b);
                st.misses++;
                r = fill_run(e, v, bno, last);
                continue;
            }
            st.hits++;
            memcpy((uint8_t *)buf + done, (uint8_t *)fscache_data(b) + boff, take);
            fscache_put(cache, b);
            done += take;
        }
        r = done ? (long)done : r;
    }
    mutex_unlock(&e->io);
    file_put(e);
    return r;
}

/* The block for a write of [boff, boff + take) into block bno: filled from
 * the server first when the write covers only part of bytes that exist. */
static int
block_for_write(struct rmt_file *e, struct vnode *v, uint64_t bno, size_t boff, size_t take,
                struct fscache_block **out)
{
    int err = fscache_add(cache, key_of(e->fh), bno, out);
    if (err == -EAGAIN && (err = write_back(e, UINT64_MAX)) == 0)
        err = fscache_add(cache, key_of(e->fh), bno, out);
    if (err || (*out)->filled)
        return err;
    bool partial = boff != 0 || take != FSCACHE_BLOCK;
    if (partial && bno * FSCACHE_BLOCK < e->size)
        err = fetch(v, bno, 1, fscache_data(*out));
    else
        memset(fscache_data(*out), 0, FSCACHE_BLOCK);
    if (err) {
        fscache_put(cache, *out);
        return err;
    }
    (*out)->filled = true;
    return 0;
}

long
fs_rmt_cache_write(struct vnode *v, const void *buf, size_t n, uint64_t off, bool append)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, false);
    if (!e || !e->cached) {
        file_put(e);
        return -EAGAIN;
    }
    mutex_lock(&e->io);
    long r = 0;
    size_t done = 0;
    if (!e->cached)
        r = -EAGAIN;
    else if (append)
        off = e->size;
    while (r >= 0 && done < n) {
        uint64_t pos = off + done, bno = pos / FSCACHE_BLOCK;
        size_t boff = pos % FSCACHE_BLOCK, take = MIN(FSCACHE_BLOCK - boff, n - done);
        struct fscache_block *b;
        r = block_for_write(e, v, bno, boff, take, &b);
        if (r < 0)
            break;
        memcpy((uint8_t *)fscache_data(b) + boff, (const uint8_t *)buf + done, take);
        fscache_dirty(cache, b, arch_time_ns());
        fscache_put(cache, b);
        e->changes++;
        done += take;
        if (pos + take > e->size)
            e->size = pos + take;
    }
    v->size = e->size;
    mutex_unlock(&e->io);
    file_put(e);
    return done ? (long)done : r;
}

/* ---- opens, closes, attributes ---- */

void
fs_rmt_cache_opened(struct vnode *v, unsigned mode, const struct fsproto_msg *rep)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, rep->flags & FSP_CACHEABLE);
    if (!e)
        return;
    mutex_lock(&e->io);
    struct fsconsist_reply cr = { rep->version, rep->prev, (rep->flags & FSP_CACHEABLE) != 0 };
    if (e->fresh) {
        /* Nothing of it can be cached: no write-back or drop, each a walk
         * of the whole cache (a migration moving many files in paid them
         * for every file). */
        e->fresh = false;
        e->size = rep->attr.size;
    } else if (!fsconsist_cache_valid(&cr, mode, e->version)) {
        (void)write_back(e, UINT64_MAX);
        fscache_drop(cache, key_of(e->fh), 0);
        e->size = rep->attr.size;
    } else if (!fscache_has_dirty(cache, key_of(e->fh))) {
        e->size = rep->attr.size;
    }
    e->cached = cr.cacheable;
    e->version = cr.cacheable ? cr.version : 0;
    v->size = e->cached ? e->size : rep->attr.size;
    mutex_unlock(&e->io);
    mutex_lock(&table_lock);
    e->opens++;
    mutex_unlock(&table_lock);
    file_put(e);
}

void
fs_rmt_cache_closed(struct vnode *v)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, false);
    if (e) {
        mutex_lock(&table_lock);
        if (e->opens > 0)
            e->opens--;
        mutex_unlock(&table_lock);
    }
    file_put(e);
}

void
fs_rmt_cache_attr(struct vnode *v)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, false);
    if (e && e->cached)
        v->size = e->size;       /* this node may hold the newest bytes */
    file_put(e);
}

void
fs_rmt_cache_truncated(struct vnode *v, uint64_t size)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, false);
    if (!e)
        return;
    mutex_lock(&e->io);
    uint64_t keep = (size + FSCACHE_BLOCK - 1) / FSCACHE_BLOCK;
    fscache_drop(cache, key_of(e->fh), keep);
    if (size % FSCACHE_BLOCK) {
        struct fscache_block *b = fscache_get(cache, key_of(e->fh), size / FSCACHE_BLOCK);
        if (b) {
            memset((uint8_t *)fscache_data(b) + size % FSCACHE_BLOCK, 0,
                   FSCACHE_BLOCK - size % FSCACHE_BLOCK);
            fscache_put(cache, b);
        }
    }
    e->size = size;
    e->changes++;
    mutex_unlock(&e->io);
    file_put(e);
}

bool
fs_rmt_cache_ident(struct vnode *v, uint64_t *version, uint64_t *changes)
{
    struct rmt_file *e = file_get(fs_rmt_node(v)->fh, false);
    bool ok = false;
    if (e) {
        mutex_lock(&e->io);
        ok = e->cached && e->version != 0;
        *version = e->version;
        *changes = e->changes;
        mutex_unlock(&e->io);
    }
    file_put(e);
    return ok;
}

/* Write back e's dirty blocks; with drop, also forget its blocks and
 * stop caching it. */
static int
flush_file(struct rmt_file *e, bool drop)
{
    mutex_lock(&e->io);
    int err = write_back(e, UINT64_MAX);
    if (drop) {
        fscache_drop(cache, key_of(e->fh), 0);
        e->changes++;
        e->cached = false;
        e->version = 0;
    }
    mutex_unlock(&e->io);
    return err;
}

int
fs_rmt_cache_flush(struct fsproto_fh fh, bool drop)
{
    struct rmt_file *e = file_get(fh, false);
    int err = e ? flush_file(e, drop) : 0;
    file_put(e);
    return err;
}

int
fs_rmt_cache_callback(struct fsproto_fh fh, bool disable)
{
    if (disable)
        st.disabled++;
    else
        st.recalled++;
    return fs_rmt_cache_flush(fh, disable);
}

static int
sync_one(struct rmt_file *e, void *arg)
{
    int *first = arg, r = flush_file(e, false);
    *first = *first ? *first : r;
    return 0;                   /* on to the next file whatever happened */
}

int
fs_rmt_cache_sync(void)
{
    int err = 0;
    (void)each_file(sync_one, &err);
    return err;
}

/* ---- the delayed write-back ---- */

static int
write_back_old(struct rmt_file *e, void *arg)
{
    mutex_lock(&e->io);
    (void)write_back(e, *(uint64_t *)arg);
    mutex_unlock(&e->io);
    return 0;
}

/* One pass of the delayed write-back: blocks dirtied at or before now -
 * the delay (fswriteback=). */
void
fs_rmt_cache_write_back_old(uint64_t now)
{
    uint64_t before = now > delay_ns ? now - delay_ns : 0;
    (void)each_file(write_back_old, &before);
}

static void
writeback_thread(void *arg)
{
    for (;;) {
        if (sched_sleep_ns(delay_ns / 6 + 1000000000ull) != 0)
            continue;
        fs_rmt_cache_write_back_old(arch_time_ns());
    }
}

/* ---- for recovery (fs_rmt_recov.c) ---- */

bool
fs_rmt_cache_dirty(struct fsproto_fh fh)
{
    return cache && fscache_has_dirty(cache, key_of(fh));
}

uint64_t
fs_rmt_cache_version(struct fsproto_fh fh)
{
    struct rmt_file *e = file_get(fh, false);
    uint64_t v = e ? e->version : 0;
    file_put(e);
    return v;
}

void
fs_rmt_cache_reopened(struct fsproto_fh fh, bool cacheable, uint64_t version)
{
    struct rmt_file *e = file_get(fh, false);
    if (!e)
        return;
    if (!cacheable) {
        (void)flush_file(e, true);     /* write-shared since the reboot: as a DISABLE */
    } else {
        mutex_lock(&e->io);
        if (e->cached)
            e->version = version;       /* nobody wrote it while the server was down */
        mutex_unlock(&e->io);
    }
    file_put(e);
}

void
fs_rmt_cache_lose(struct fsproto_fh fh)
{
    struct rmt_file *e = file_get(fh, false);
    if (!e)
        return;
    mutex_lock(&e->io);
    fscache_drop(cache, key_of(e->fh), 0);
    e->cached = false;
    e->version = 0;
    mutex_unlock(&e->io);
    file_put(e);
}

struct dirty_walk {
    int (*fn)(struct fsproto_fh fh, void *arg);
    void *arg;
};

static int
dirty_one(struct rmt_file *e, void *arg)
{
    struct dirty_walk *w = arg;
    return fscache_has_dirty(cache, key_of(e->fh)) ? w->fn(e->fh, w->arg) : 0;
}

int
fs_rmt_cache_each_dirty(int (*fn)(struct fsproto_fh fh, void *arg), void *arg)
{
    struct dirty_walk w = { fn, arg };
    return cache ? each_file(dirty_one, &w) : 0;
}

void
fs_rmt_cache_stats(struct fs_rmt_stats *out)
{
    *out = st;
    if (cache) {
        struct fscache_stats cs;
        fscache_get_stats(cache, &cs);
        out->blocks = cs.blocks;
        out->dirty_blocks = cs.dirty_blocks;
        out->max_blocks = cs.max_blocks;
    }
}

void
fs_rmt_cache_init(const struct cmdline *c)
{
    uint64_t blocks = 4096, secs = 30;   /* 16 MiB */
    if (cmdline_get_u64(c, "fscache", 4096, &blocks) || blocks > (1u << 20))
        blocks = 4096;
    if (cmdline_get_u64(c, "fswriteback", 30, &secs) || secs == 0 || secs > 3600)
        secs = 30;
    delay_ns = secs * 1000000000ull;
    mutex_init(&table_lock, "fs.rmt.files");
    if (blocks == 0)
        return;                 /* fscache=0: every read and write goes to the server */
    cache = fscache_new((uint32_t)blocks);
    if (!cache || !sched_spawn("fs.writeback", writeback_thread, NULL)) {
        kprintf("wisp: fs: shared: no memory for the block cache; not caching\n");
        cache = NULL;
    }
}

/* The server says fh's last name is gone: unless this node still has it
 * open, what it caches of the file, dirty blocks too, is dropped unsent
 * (Sprite: a file deleted before its write-back never reaches the server). */
void
fs_rmt_cache_removed(struct fsproto_fh fh)
{
    struct rmt_file *e = file_get(fh, false);
    if (!e)
        return;
    mutex_lock(&e->io);
    mutex_lock(&table_lock);
    bool open = e->opens > 0;
    mutex_unlock(&table_lock);
    if (!open) {
        st.dropped_unsent += drop_all(e);
        e->version = 0;
    }
    mutex_unlock(&e->io);
    file_put(e);
}
