/*
 * Host tests of the shared file system's client cache (fs_rmt_cache.c)
 * with a fake server: a file that another thread truncates and evicts
 * while a sync is about to flush it is not used after it is freed (the
 * walk holds a reference), a sync writes back every dirty file of a
 * table past its 1024-file bound, and a sync or fsync is not counted as
 * a recall (only the server's callbacks are).
 *
 * The locks are faked here rather than by tests/host/fake_sync.c: a hook
 * on mutex_lock plays "another thread" at the moment the cache takes a
 * file's io mutex.
 */
// TEST_SRCS: fs/fscache.c fs/fsconsist.c tests/host/fake_kmalloc.c tests/host/fake_mem.c
#include <stdarg.h>
#include <stdlib.h>
#include "fs/fs_rmt.h"
#include "fs/fscache.h"
#include "fs/fsconsist.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "tests/host/test.h"

/* ---- fakes: locks with a hook, frames, the kernel's odds and ends ---- */

/* run once, at the next lock of a file's io mutex */
static void (*lock_hook)(struct mutex *m);

void spin_init(struct spinlock *l, const char *name) { l->locked = 0; l->name = name; }
void spin_lock(struct spinlock *l) { ASSERT(!l->locked, "spinlock taken twice"); l->locked = 1; }
void spin_unlock(struct spinlock *l) { ASSERT(l->locked, "spinlock not held"); l->locked = 0; }
bool spin_is_held(const struct spinlock *l) { return l->locked; }

void
mutex_init(struct mutex *m, const char *name)
{
    m->owner = NULL;
    m->name = name;
}

void
mutex_lock(struct mutex *m)
{
    if (lock_hook && !strcmp(m->name, "fs.rmt.io")) {
        void (*h)(struct mutex *) = lock_hook;
        lock_hook = NULL;       /* once */
        h(m);
    }
    ASSERT(m->owner == NULL, "a mutex is not taken twice (one thread)");
    m->owner = (struct thread *)1;
}

void
mutex_unlock(struct mutex *m)
{
    ASSERT(m->owner != NULL, "only the holder unlocks a mutex");
    m->owner = NULL;
}

uint64_t
mem_frame_alloc(void)
{
    return (uint64_t)(uintptr_t)aligned_alloc(PAGE_SIZE, PAGE_SIZE);
}

void
mem_frame_free(uint64_t pa)
{
    free((void *)(uintptr_t)pa);
}

void
kprintf(const char *fmt, ...)
{
}

static uint64_t now_ns = 1;
uint64_t arch_time_ns(void) { return now_ns; }
int sched_sleep_ns(uint64_t ns) { return 0; }
struct thread *sched_spawn(const char *name, void (*fn)(void *), void *arg) { return (struct thread *)1; }
const char *cmdline_get(const struct cmdline *c, const char *key) { return NULL; }

int
cmdline_get_u64(const struct cmdline *c, const char *key, uint64_t def, uint64_t *out)
{
    *out = def;
    return 0;
}

/* ---- the fake server: WRITEs are logged by inode, READs read zeros ---- */

#define INOS 2100
static uint64_t written[INOS];          /* bytes written back, by inode */

struct fs_rmt_call *
fs_rmt_call_new(unsigned op, struct vnode *v)
{
    struct fs_rmt_call *c = calloc(1, sizeof(*c));
    c->buf = calloc(1, FSPROTO_IO_MAX);
    c->req.op = (uint16_t)op;
    if (v)
        c->req.fh = fs_rmt_node(v)->fh;
    return c;
}

int
fs_rmt_call_do(struct fs_rmt_call *c)
{
    if (c->req.op == FSP_WRITE && c->req.fh.ino < INOS)
        written[c->req.fh.ino] += c->req.datalen;
    if (c->req.op == FSP_READ) {
        c->rep.data = c->buf;
        c->rep.datalen = c->req.len;
    }
    return 0;
}

void
fs_rmt_call_free(struct fs_rmt_call *c)
{
    free(c->buf);
    free(c);
}

/* ---- helpers ---- */

static struct fs_rmt_node nodes[INOS];
static uint64_t vcount = 100;

static struct vnode *
vn(uint32_t ino)
{
    nodes[ino].fh = (struct fsproto_fh){ ino, 1 };
    return &nodes[ino].vn;
}

/* Open ino for writing (cacheable), as the server would answer. */
static void
open_w(uint32_t ino)
{
    struct fsproto_msg rep = { .flags = FSP_CACHEABLE };
    rep.prev = vcount;
    rep.version = ++vcount;
    fs_rmt_cache_opened(vn(ino), FSCONSIST_READ | FSCONSIST_WRITE, &rep);
}

/* Open, write n bytes, close: ino is left dirty. */
static void
dirty(uint32_t ino, size_t n)
{
    static uint8_t data[8192];
    memset(data, (int)ino, sizeof(data));
    open_w(ino);
    EXPECT_EQ(fs_rmt_cache_write(vn(ino), data, n, 0, false), (long)n);
    fs_rmt_cache_closed(vn(ino));
}

static void
setup(void)
{
    static bool done;
    if (!done)
        fs_rmt_cache_init(NULL);
    done = true;
    (void)fs_rmt_cache_sync();
    memset(written, 0, sizeof(written));
}

/* ---- tests ---- */

static uint32_t victim;

/* "Another thread", run as the sync takes the victim's io mutex: it
 * truncates the victim to nothing (so it is idle and clean) and opens one
 * more file, which pushes the idle victim out of a full table. */
static void
evict_victim(struct mutex *m)
{
    fs_rmt_cache_truncated(vn(victim), 0);
    open_w(2050);
    fs_rmt_cache_closed(vn(2050));
}

static void
test_fs_rmt_cache_sync_survives_eviction(void)
{
    setup();
    for (uint32_t ino = 1000; ino < 1000 + 1023; ino++)
        open_w(ino);            /* busy: never evicted */
    victim = 7;
    dirty(victim, 4096);        /* the table is full, the victim first in it */
    lock_hook = evict_victim;   /* ASan catches a use of the freed entry */
    EXPECT_EQ(fs_rmt_cache_sync(), 0);
    EXPECT_TRUE(lock_hook == NULL);
    EXPECT_EQ(written[victim], 0);   /* truncated away before its write-back */
    for (uint32_t ino = 1000; ino < 1000 + 1023; ino++)
        fs_rmt_cache_closed(vn(ino));
}

static void
test_fs_rmt_cache_sync_every_dirty_file(void)
{
    setup();
    for (uint32_t ino = 10; ino < 10 + 1100; ino++)
        dirty(ino, 100 + ino % 7);
    EXPECT_EQ(fs_rmt_cache_sync(), 0);
    unsigned missed = 0;
    for (uint32_t ino = 10; ino < 10 + 1100; ino++)
        missed += written[ino] != 100 + ino % 7;
    EXPECT_EQ(missed, 0);
    struct fs_rmt_stats s;
    fs_rmt_cache_stats(&s);
    EXPECT_EQ(s.dirty_blocks, 0);
}

static void
test_fs_rmt_cache_sync_is_not_a_recall(void)
{
    setup();
    struct fs_rmt_stats a, b;
    fs_rmt_cache_stats(&a);
    dirty(20, 5000);
    EXPECT_EQ(fs_rmt_cache_flush(nodes[20].fh, false), 0);
    dirty(21, 5000);
    EXPECT_EQ(fs_rmt_cache_sync(), 0);
    fs_rmt_cache_write_back_old(now_ns + 3600ull * 1000000000ull);
    fs_rmt_cache_stats(&b);
    EXPECT_EQ(b.recalled, a.recalled);
    EXPECT_EQ(b.disabled, a.disabled);
    EXPECT_EQ(written[20], 5000);
    EXPECT_EQ(written[21], 5000);
    dirty(22, 10);
    EXPECT_EQ(fs_rmt_cache_callback(nodes[22].fh, false), 0);
    EXPECT_EQ(fs_rmt_cache_callback(nodes[22].fh, true), 0);
    fs_rmt_cache_stats(&b);
    EXPECT_EQ(b.recalled, a.recalled + 1);
    EXPECT_EQ(b.disabled, a.disabled + 1);
    EXPECT_EQ(written[22], 10);
}

static void
test_fs_rmt_cache_delayed_write_back(void)
{
    setup();
    now_ns = 1000;
    dirty(30, 4096);
    fs_rmt_cache_write_back_old(now_ns + 1);    /* too young */
    EXPECT_EQ(written[30], 0);
    fs_rmt_cache_write_back_old(now_ns + 31ull * 1000000000ull);
    EXPECT_EQ(written[30], 4096);
}

void
tests_run(void)
{
    RUN(test_fs_rmt_cache_sync_survives_eviction);
    RUN(test_fs_rmt_cache_sync_every_dirty_file);
    RUN(test_fs_rmt_cache_sync_is_not_a_recall);
    RUN(test_fs_rmt_cache_delayed_write_back);
}
