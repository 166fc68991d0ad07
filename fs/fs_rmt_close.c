/*
 * Closes sent behind (docs/fs.md, "Closes sent behind"). A client's close
 * of a file it opened for reading only tells the server nothing it must
 * act on before the closer goes on: the server's record of this node's
 * opens only loses one reader. So the close is queued here and a thread
 * sends it, while the closing process goes on at once; an exec on a
 * client (STEPS, OPEN, CLOSE) loses one round trip of three.
 *
 * What stays exact: the server applies each close once (an ordinary
 * at-most-once call), and its counts are sums, so a queued close that
 * arrives after a later open or a stream's MOVE of the same node leaves
 * the same counts. Until it arrives the server sees one reader more,
 * which can only make it more careful (another node's writer then finds
 * the file shared and gets it uncached). A close queued before the server
 * rebooted is dropped unsent: the reopen that follows tells the new server
 * this node's opens as they are (fs_rmt_recov_epoch). A server that was
 * only unreachable still counts the open, so that close is retried as a
 * synchronous one would be. `sync` waits until every queued
 * close is answered, so a sync'd node has told the server everything.
 * Closes of files opened for writing, and every close when this node is
 * the server, stay synchronous. A full queue makes the closer send its own.
 * fsclose_delay=MS (tests only) holds each queued close MS ms before it is
 * sent, so a test can see a close still behind and sync waiting for it.
 *
 * SYNCHRONIZATION: lock (a spinlock) guards the queue and the counters;
 * the thread sends with no lock held.
 */
#include "fs/fs_rmt.h"
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/sched.h"
#include "kernel/sync.h"

#define BEHIND_MAX 64

struct behind {
    struct fsproto_fh fh;
    uint32_t flags;             /* the open's access mode, for the server's count */
    uint64_t due_ns;            /* send it then (fsclose_delay=) */
    uint32_t epoch;             /* fs_rmt_recov_epoch when queued */
};

static struct spinlock lock = { .name = "fs_rmt.close", .cpu = -1 };
static struct waitq work, drained;
static struct behind queue[BEHIND_MAX];
static unsigned head, count;
static bool sending;            /* the thread holds one popped close */
static bool started;
static uint64_t n_behind, n_full, n_moot;
static uint64_t delay_ns;       /* fsclose_delay=, tests only */

static void
send_close(struct fsproto_fh fh, uint32_t flags, uint32_t epoch)
{
    struct fs_rmt_call *c = fs_rmt_call_new(FSP_CLOSE, NULL);
    if (!c)
        return;                 /* the server drops it when this node goes down */
    c->req.fh = fh;
    c->req.flags = flags;
    c->epoch = epoch;
    int err = fs_rmt_call_do(c);
    fs_rmt_call_free(c);
    if (err == -ESTALE && epoch && epoch != fs_rmt_recov_epoch()) {
        spin_lock(&lock);
        n_moot++;               /* the server rebooted: dropped unsent */
        spin_unlock(&lock);
    }
}

static void
close_thread(void *arg)
{
    (void)arg;
    spin_lock(&lock);
    for (;;) {
        while (count == 0) {
            sending = false;
            waitq_wake_all(&drained);
            waitq_wait(&work, &lock);
        }
        struct behind b = queue[head];
        head = (head + 1) % BEHIND_MAX;
        count--;
        sending = true;
        spin_unlock(&lock);
        for (uint64_t now; (now = arch_time_ns()) < b.due_ns;)
            if (sched_sleep_ns(MIN(b.due_ns - now, 100000000ull)) != 0)
                continue;       /* a kernel thread has no signals; the loop re-checks */
        send_close(b.fh, b.flags, b.epoch);
        spin_lock(&lock);
    }
}

void
fs_rmt_close_init(const struct cmdline *cl)
{
    uint64_t ms = 0;
    if (cmdline_get_u64(cl, "fsclose_delay", 0, &ms) == 0 && ms > 0 && ms < 600000) {
        delay_ns = ms * 1000000ull;
        kprintf("wisp: fs: shared: test delay of %llu ms before each close is sent\n",
                (unsigned long long)ms);
    }
    waitq_init(&work);
    waitq_init(&drained);
    started = sched_spawn("fs.close", close_thread, NULL) != NULL;
    if (!started)
        kprintf("wisp: fs: shared: no close thread: every close waits for the server\n");
}

void
fs_rmt_close_send(struct fsproto_fh fh, uint32_t flags)
{
    bool queued = false;
    if (started && flags == O_RDONLY && fs_rmt_server() != fs_rmt_self()) {
        spin_lock(&lock);
        if (count < BEHIND_MAX) {
            queue[(head + count) % BEHIND_MAX] =
                (struct behind){ fh, flags, arch_time_ns() + delay_ns, fs_rmt_recov_epoch() };
            count++;
            n_behind++;
            queued = true;
            waitq_wake_one(&work);
        } else {
            n_full++;
        }
        spin_unlock(&lock);
    }
    if (!queued)
        send_close(fh, flags, 0);
}

void
fs_rmt_close_drain(void)
{
    spin_lock(&lock);
    while (count > 0 || sending)
        waitq_wait(&drained, &lock);
    spin_unlock(&lock);
}

void
fs_rmt_close_stats(uint64_t *behind, uint64_t *full, uint64_t *moot)
{
    spin_lock(&lock);
    *behind = n_behind;
    *full = n_full;
    *moot = n_moot;
    spin_unlock(&lock);
}
