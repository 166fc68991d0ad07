/*
 * The shared file system's client across a file server's crash and
 * reboot (docs/fs.md "Recovery"; Sprite's reopen). Three parts:
 *
 *  - Retry. A call that fails because the server is down or rebooted
 *    (-ETIMEDOUT, -EHOSTDOWN from the RPC layer), or an OPEN/CREATE the
 *    new server asks to wait for its grace period (-EAGAIN), is sent
 *    again every half second, for at most fsretry= seconds (60 by
 *    default) from the call's start; then it fails with -EIO and a console
 *    line. A call never waits forever: at most fsretry= plus one RPC
 *    timeout (about 12 s).
 *  - Reopen. This node keeps a table of the server's files it has open
 *    (handle, opens for reading only and for writing). When the RPC layer
 *    reports the server up with a new boot id (or up again after down),
 *    the recovery thread tells it, file by file, what this node has open,
 *    whether it holds dirty blocks (also of files it has closed), and the
 *    version it caches; then DONE. Calls of other threads wait meanwhile
 *    (bounded as above). A file the server cannot reopen (gone: -ESTALE;
 *    written by another node since: -EIO) loses its cached and dirty
 *    blocks, with a console line, and its streams here fail with -EIO.
 *  - Write-back. After the reopen the dirty blocks are written back.
 *
 * SYNCHRONIZATION: lock (a spinlock) guards the open table, the state
 * flags and the recovery thread's wait; nothing sleeps holding it.
 */
#include "fs/fs_rmt.h"
#include "fs/fsconsist.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "net/rpc/recov.h"

struct open_rec {
    struct fsproto_fh fh;
    uint32_t readers, writers;
    bool lost;                  /* could not be reopened: its streams fail */
    struct open_rec *next;
};

static struct spinlock lock;
static struct waitq wake;
static struct open_rec *opens;
static unsigned nlost;
static int server_node = -1;
static uint32_t server_boot;
static bool server_down, need_reopen, recovering;
static uint32_t epoch = 1;      /* + 1 at each reboot of the server seen (closes behind) */
static struct thread *recov_thread;
static uint64_t retry_ns = 60ull * 1000000000ull;
static struct fs_rmt_recov_stats rst;

#define RETRY_PAUSE_NS 500000000ull

/* ---- the table of open files ---- */

static struct open_rec *
find(struct fsproto_fh fh)
{
    struct open_rec *r = opens;
    while (r && (r->fh.ino != fh.ino || r->fh.gen != fh.gen))
        r = r->next;
    return r;
}

void
fs_rmt_recov_opened(struct fsproto_fh fh, unsigned mode)
{
    struct open_rec *fresh = kzalloc(sizeof(*fresh));
    spin_lock(&lock);
    struct open_rec *r = find(fh);
    if (!r && fresh) {
        r = fresh;
        fresh = NULL;
        r->fh = fh;
        r->next = opens;
        opens = r;
    }
    if (r && (mode & FSCONSIST_WRITE))
        r->writers++;
    else if (r)
        r->readers++;
    spin_unlock(&lock);
    kfree(fresh);
}

void
fs_rmt_recov_closed(struct fsproto_fh fh, unsigned mode)
{
    struct open_rec *gone = NULL;
    spin_lock(&lock);
    for (struct open_rec **pp = &opens; *pp; pp = &(*pp)->next) {
        struct open_rec *r = *pp;
        if (r->fh.ino != fh.ino || r->fh.gen != fh.gen)
            continue;
        if ((mode & FSCONSIST_WRITE) && r->writers)
            r->writers--;
        else if (r->readers)
            r->readers--;
        if (r->readers + r->writers == 0) {
            *pp = r->next;
            nlost -= r->lost;
            gone = r;
        }
        break;
    }
    spin_unlock(&lock);
    kfree(gone);
}

bool
fs_rmt_recov_lost(struct fsproto_fh fh)
{
    if (!nlost)
        return false;
    spin_lock(&lock);
    struct open_rec *r = find(fh);
    bool lost = r && r->lost;
    spin_unlock(&lock);
    return lost;
}

/* ---- retrying calls ---- */

void
fs_rmt_recov_wait(uint64_t start)
{
    while (recovering && sched_current() != recov_thread &&
           arch_time_ns() - start < retry_ns)
        if (sched_sleep_ns(RETRY_PAUSE_NS / 5) != 0)
            return;             /* a signal: go on, the call decides */
}

bool
fs_rmt_recov_retry(unsigned op, int *err, uint64_t start)
{
    bool down = *err == -ETIMEDOUT || *err == -EHOSTDOWN;
    /* the grace period, or the server's callback threads all busy; or,
     * for the reopen, the rebooted node's RPC up before its file server */
    bool wait = (*err == -EAGAIN && (op == FSP_OPEN || op == FSP_CREATE || op == FSP_REOPEN)) ||
                (*err == -ENODEV && sched_current() == recov_thread);
    if (!down && !wait)
        return false;
    if (down && sched_current() == recov_thread)
        return false;           /* recovery starts over at the next event instead */
    if (arch_time_ns() - start >= retry_ns && sched_current() == recov_thread) {
        *err = -ETIMEDOUT;      /* the recovery thread tries again later */
        return false;
    }
    if (arch_time_ns() - start >= retry_ns) {
        rst.gave_up++;
        kprintf("wisp: fs: shared: file server (node %d) did not answer for %lu s: EIO\n",
                server_node, (unsigned long)(retry_ns / 1000000000ull));
        *err = -EIO;
        return false;
    }
    rst.retries++;
    if (sched_sleep_ns(RETRY_PAUSE_NS) != 0) {
        *err = -EINTR;
        return false;
    }
    return true;
}

/* ---- reopening ---- */

/* Tell the server about one file; 0, or the RPC's error (recovery stops). */
static int
reopen_one(struct fsproto_fh fh, uint32_t readers, uint32_t writers)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_REOPEN, NULL);
    if (!c)
        return -ENOMEM;
    c->req.fh = fh;
    c->req.count = readers;
    c->req.len = writers;
    c->req.flags = fs_rmt_cache_dirty(fh) ? FSP_REOPEN_DIRTY : 0;
    c->req.version = fs_rmt_cache_version(fh);
    int err = fs_rmt_call_do(c);
    if (!err) {
        rst.reopened++;
        fs_rmt_cache_reopened(fh, (c->rep.flags & FSP_CACHEABLE) != 0, c->rep.version);
    } else if (err != -ETIMEDOUT && err != -EHOSTDOWN && err != -ENOMEM) {
        rst.lost++;
        kprintf("wisp: fs: shared: file %u lost in the server's reboot (error %d): "
                "its unwritten blocks are dropped, its streams fail with EIO\n",
                (unsigned)fh.ino, -err);
        fs_rmt_cache_lose(fh);
        spin_lock(&lock);
        struct open_rec *r = find(fh);
        if (r && !r->lost) {
            r->lost = true;
            nlost++;
        }
        spin_unlock(&lock);
        err = 0;
    }
    fs_rmt_call_free(c);
    return err;
}

/* The open files, copied out of the table (it changes while we call). */
static struct open_rec *
snapshot(unsigned *n)
{
    for (;;) {
        spin_lock(&lock);
        unsigned want = 0;
        for (struct open_rec *r = opens; r; r = r->next)
            want++;
        spin_unlock(&lock);
        struct open_rec *a = kmalloc((want + 1) * sizeof(*a));
        if (!a)
            return NULL;
        spin_lock(&lock);
        unsigned k = 0;
        for (struct open_rec *r = opens; r && k <= want; r = r->next)
            if (!r->lost)
                a[k++] = *r;
        bool fits = k <= want;
        spin_unlock(&lock);
        if (fits) {
            *n = k;
            return a;
        }
        kfree(a);
    }
}

static int
reopen_dirty(struct fsproto_fh fh, void *arg)
{
    spin_lock(&lock);
    bool open = find(fh) != NULL;
    spin_unlock(&lock);
    return open ? 0 : reopen_one(fh, 0, 0);    /* closed, but dirty blocks to write back */
}

/* 0, or the error that stopped it; *told: files the server was told of. */
static int
reopen_all(unsigned *told)
{
    unsigned n = 0;
    uint64_t before = rst.reopened + rst.lost;
    struct open_rec *a = snapshot(&n);
    int err = a ? 0 : -ENOMEM;
    for (unsigned i = 0; !err && i < n; i++)
        err = reopen_one(a[i].fh, a[i].readers, a[i].writers);
    kfree(a);
    if (!err)
        err = fs_rmt_cache_each_dirty(reopen_dirty, NULL);
    struct fs_rmt_call *c = err ? NULL : fs_rmt_call_new(FSP_REOPEN, NULL);
    if (c) {
        c->req.flags = FSP_REOPEN_DONE;
        err = fs_rmt_call_do(c);
        fs_rmt_call_free(c);
    }
    *told = (unsigned)(rst.reopened + rst.lost - before);
    return err;
}

static void
recov_thread_fn(void *arg)
{
    for (;;) {
        spin_lock(&lock);
        while (!need_reopen)
            waitq_wait(&wake, &lock);
        need_reopen = false;
        spin_unlock(&lock);
        unsigned told = 0;
        int err = reopen_all(&told);
        spin_lock(&lock);
        recovering = need_reopen && opens;    /* another reboot meanwhile: once more */
        spin_unlock(&lock);
        if (err) {
            kprintf("wisp: fs: shared: reopening files at the server failed (error %d); "
                    "trying again\n", -err);
            int woken = sched_sleep_ns(RETRY_PAUSE_NS * 2);   /* (no signals here) */
            (void)woken;
            spin_lock(&lock);
            if (!server_down) {                   /* else at the server's next UP */
                need_reopen = true;
                recovering = opens != NULL;
            }
            spin_unlock(&lock);
            continue;
        }
        rst.recoveries++;
        if (told)
            kprintf("wisp: fs: shared: reopened %u files at the file server (node %d)\n", told,
                    server_node);
        (void)fs_rmt_cache_sync();     /* dirty blocks go back now, not in 30 s */
    }
}

static void
server_event(void *arg, int node, int event, uint32_t boot_id)
{
    if (node != server_node)
        return;
    spin_lock(&lock);
    if (event == RECOV_EVENT_DOWN) {
        server_down = true;
    } else if (server_down || boot_id != server_boot) {
        if (server_boot != 0 && boot_id != server_boot)
            epoch++;            /* its state is gone: closes queued before are moot */
        server_down = false;
        server_boot = boot_id;
        need_reopen = true;
        recovering = opens != NULL;     /* others' calls wait only if there is something to reopen */
        waitq_wake_all(&wake);
    }
    spin_unlock(&lock);
}

uint32_t
fs_rmt_recov_epoch(void)
{
    spin_lock(&lock);
    uint32_t e = epoch;
    spin_unlock(&lock);
    return e;
}

void
fs_rmt_recov_stats(struct fs_rmt_recov_stats *out)
{
    *out = rst;
}

void
fs_rmt_recov_init(int server, int self, const struct cmdline *c)
{
    uint64_t secs = 60;
    if (cmdline_get_u64(c, "fsretry", 60, &secs) || secs == 0 || secs > 3600)
        secs = 60;
    retry_ns = secs * 1000000000ull;
    spin_init(&lock, "fs.rmt.recov");
    waitq_init(&wake);
    server_node = server;
    if (server == self)
        return;                 /* the server's own client reboots with it */
    if (!(recov_thread = sched_spawn("fs.recov", recov_thread_fn, NULL)) ||
        recov_register(server_event, NULL) != 0)
        kprintf("wisp: fs: shared: cannot watch the file server: no recovery after its reboot\n");
}
