/*
 * Tests of the server's consistency decisions (fsconsist.c): each rule on
 * its own, bad input, and a model of several clients with block caches
 * (delayed write-back, recall, caching turned off) and a server, driven by
 * random opens, closes, reads, writes and write-backs, checking that every
 * read returns the last value written to that block anywhere, the way a
 * single copy would (Sprite's guarantee), and that a crashed client loses
 * only what it had not written back.
 */
// TEST_SRCS: tests/host/fake_kmalloc.c
#include "fs/fsconsist.h"
#include "kernel/errno.h"
#include "tests/host/fake_kmalloc.h"
#include "tests/host/test.h"

#define W FSCONSIST_WRITE
#define R FSCONSIST_READ

static int16_t dis_room[512];

static struct fsconsist_actions
actions(void)
{
    struct fsconsist_actions a = { .disable = dis_room, .ncap = 512 };
    return a;
}

static void
test_fsconsist_sequential_sharing(void)
{
    struct fsconsist_file f;
    struct fsconsist_actions a = actions();
    struct fsconsist_reply rep;
    fsconsist_init(&f);
    EXPECT_EQ(fsconsist_open(&f, 1, R | W, &a, &rep), 0);
    EXPECT_TRUE(rep.cacheable);
    EXPECT_EQ(rep.prev, 1);
    EXPECT_EQ(rep.version, 2);
    EXPECT_EQ(a.recall, FSCONSIST_NONE);
    EXPECT_TRUE(fsconsist_cache_valid(&rep, R | W, 1));    /* its cache of v1 stays */
    EXPECT_EQ(fsconsist_close(&f, 1, R | W), 0);
    EXPECT_TRUE(!fsconsist_is_open(&f));
    /* node 2 reads: node 1's dirty blocks are recalled first */
    EXPECT_EQ(fsconsist_open(&f, 2, R, &a, &rep), 0);
    EXPECT_EQ(a.recall, 1);
    EXPECT_EQ(a.ndisable, 0);
    EXPECT_TRUE(rep.cacheable);
    EXPECT_EQ(rep.version, 2);
    EXPECT_TRUE(!fsconsist_cache_valid(&rep, R, 1));       /* cached before node 1 wrote */
    EXPECT_TRUE(fsconsist_cache_valid(&rep, R, 2));
    fsconsist_written_back(&f, 1);
    EXPECT_EQ(fsconsist_close(&f, 2, R), 0);
    /* node 1 reopens: nothing to recall, its cache of v2 is current */
    EXPECT_EQ(fsconsist_open(&f, 1, R, &a, &rep), 0);
    EXPECT_EQ(a.recall, FSCONSIST_NONE);
    EXPECT_TRUE(fsconsist_cache_valid(&rep, R, 2));
    EXPECT_EQ(fsconsist_close(&f, 1, R), 0);
    EXPECT_EQ(f.recalls, 1);
    fsconsist_free(&f);
}

static void
test_fsconsist_concurrent_sharing(void)
{
    struct fsconsist_file f;
    struct fsconsist_actions a = actions();
    struct fsconsist_reply rep;
    fsconsist_init(&f);
    EXPECT_EQ(fsconsist_open(&f, 1, R, &a, &rep), 0);
    EXPECT_EQ(fsconsist_open(&f, 2, R, &a, &rep), 0);      /* readers share freely */
    EXPECT_TRUE(rep.cacheable);
    EXPECT_EQ(a.ndisable, 0);
    EXPECT_EQ(fsconsist_open(&f, 3, W, &a, &rep), 0);      /* a writer: caching off */
    EXPECT_TRUE(!rep.cacheable);
    EXPECT_EQ(a.ndisable, 2);
    EXPECT_TRUE((a.disable[0] == 1 && a.disable[1] == 2) || (a.disable[0] == 2 && a.disable[1] == 1));
    EXPECT_TRUE(!fsconsist_cache_valid(&rep, W, 1));
    /* later opens in the episode are uncached too, with nobody new to tell */
    EXPECT_EQ(fsconsist_open(&f, 4, R, &a, &rep), 0);
    EXPECT_TRUE(!rep.cacheable);
    EXPECT_EQ(a.ndisable, 0);
    EXPECT_EQ(fsconsist_close(&f, 1, R), 0);
    EXPECT_EQ(fsconsist_close(&f, 2, R), 0);
    EXPECT_EQ(fsconsist_close(&f, 4, R), 0);
    /* node 3 is alone now but its open began uncached: a new open agrees */
    EXPECT_EQ(fsconsist_open(&f, 3, R, &a, &rep), 0);
    EXPECT_TRUE(!rep.cacheable);
    EXPECT_EQ(fsconsist_close(&f, 3, R), 0);
    EXPECT_EQ(fsconsist_close(&f, 3, W), 0);
    EXPECT_EQ(f.last_writer, FSCONSIST_NONE);               /* it wrote through */
    /* closed everywhere: cacheable again */
    EXPECT_EQ(fsconsist_open(&f, 1, R, &a, &rep), 0);
    EXPECT_TRUE(rep.cacheable);
    EXPECT_EQ(fsconsist_close(&f, 1, R), 0);
    EXPECT_EQ(f.disables, 2);
    fsconsist_free(&f);
}

static void
test_fsconsist_writer_then_reader_disables_writer(void)
{
    struct fsconsist_file f;
    struct fsconsist_actions a = actions();
    struct fsconsist_reply rep;
    fsconsist_init(&f);
    EXPECT_EQ(fsconsist_open(&f, 5, W, &a, &rep), 0);
    EXPECT_EQ(f.last_writer, 5);
    EXPECT_EQ(fsconsist_open(&f, 6, R, &a, &rep), 0);
    EXPECT_EQ(a.ndisable, 1);
    EXPECT_EQ(a.disable[0], 5);
    EXPECT_EQ(a.recall, FSCONSIST_NONE);   /* disabling writes back already */
    fsconsist_written_back(&f, 5);
    EXPECT_EQ(f.last_writer, FSCONSIST_NONE);
    EXPECT_EQ(fsconsist_close(&f, 5, W), 0);
    EXPECT_EQ(fsconsist_close(&f, 6, R), 0);
    fsconsist_free(&f);
}

static void
test_fsconsist_bad_input(void)
{
    struct fsconsist_file f;
    struct fsconsist_actions a = actions();
    struct fsconsist_reply rep;
    fsconsist_init(&f);
    EXPECT_EQ(fsconsist_open(&f, -1, R, &a, &rep), -EINVAL);
    EXPECT_EQ(fsconsist_open(&f, 1, 0, &a, &rep), -EINVAL);
    EXPECT_EQ(fsconsist_open(&f, 1, 8, &a, &rep), -EINVAL);
    EXPECT_EQ(fsconsist_close(&f, 1, R), -ENOENT);          /* never opened */
    EXPECT_EQ(fsconsist_open(&f, 1, R, &a, &rep), 0);
    EXPECT_EQ(fsconsist_close(&f, 1, W), -ENOENT);          /* not for writing */
    EXPECT_EQ(fsconsist_close(&f, 1, R), 0);
    EXPECT_EQ(fsconsist_close(&f, 1, R), -ENOENT);          /* twice */
    EXPECT_EQ(f.version, 1);
    fsconsist_free(&f);
    fsconsist_init(&f);                                     /* no client list yet */
    fake_kmalloc_fail_after = 0;
    EXPECT_EQ(fsconsist_open(&f, 2, W, &a, &rep), -ENOMEM);
    fake_kmalloc_fail_after = -1;
    EXPECT_EQ(f.version, 1);                                /* nothing changed */
    EXPECT_TRUE(!fsconsist_is_open(&f));
    fsconsist_free(&f);
}

static void
test_fsconsist_many_clients_and_crash(void)
{
    struct fsconsist_file f;
    struct fsconsist_actions a = actions();
    struct fsconsist_reply rep;
    fsconsist_init(&f);
    for (int n = 0; n < 256; n++)
        EXPECT_EQ(fsconsist_open(&f, n, R, &a, &rep), 0);
    EXPECT_EQ(fsconsist_nclients(&f), 256);
    EXPECT_TRUE(rep.cacheable);
    EXPECT_EQ(fsconsist_open(&f, 300, W, &a, &rep), 0);
    EXPECT_EQ(a.ndisable, 256);
    for (int n = 0; n < 256; n++)
        fsconsist_node_down(&f, n);
    fsconsist_node_down(&f, 300);
    EXPECT_TRUE(!fsconsist_is_open(&f));
    EXPECT_TRUE(!f.uncacheable);
    EXPECT_EQ(f.last_writer, FSCONSIST_NONE);
    fsconsist_free(&f);
}

/* ---- the model ---- */

enum { NC = 4, NB = 3, MAXS = 6 };

struct mclient {
    bool up;
    bool cached_mode;             /* its opens of the file cache */
    uint64_t tag;                 /* version its cached blocks are valid for */
    bool have[NB], dirty[NB];
    int val[NB];
    int nstreams;
    unsigned modes[MAXS];
};

struct model {
    struct fsconsist_file f;
    struct mclient c[NC];
    int server[NB];
    int truth[NB];                /* the last value written anywhere */
    uint64_t rng;
    long reads, hits, uncached_ops;
};

static unsigned
rnd(struct model *m, unsigned n)
{
    m->rng ^= m->rng << 13;
    m->rng ^= m->rng >> 7;
    m->rng ^= m->rng << 17;
    return (unsigned)(m->rng % n);
}

static void
write_back(struct model *m, int k)
{
    for (int b = 0; b < NB; b++)
        if (m->c[k].dirty[b]) {
            m->server[b] = m->c[k].val[b];
            m->c[k].dirty[b] = false;
        }
    fsconsist_written_back(&m->f, k);
}

static void
drop_cache(struct model *m, int k)
{
    for (int b = 0; b < NB; b++) {
        EXPECT_TRUE(!m->c[k].dirty[b]);   /* never drop what was not written back */
        m->c[k].have[b] = false;
    }
    m->c[k].tag = 0;
}

static void
m_open(struct model *m, int k, unsigned mode)
{
    struct mclient *c = &m->c[k];
    struct fsconsist_actions a = actions();
    struct fsconsist_reply rep;
    if (c->nstreams == MAXS)
        return;
    EXPECT_EQ(fsconsist_open(&m->f, k, mode, &a, &rep), 0);
    if (a.recall != FSCONSIST_NONE)
        write_back(m, a.recall);
    for (unsigned i = 0; i < a.ndisable; i++) {
        write_back(m, a.disable[i]);
        drop_cache(m, a.disable[i]);
        m->c[a.disable[i]].cached_mode = false;
    }
    /* A client's opens agree: an uncached client is never told to cache
     * while it has the file open. Told not to cache, it stops for all its
     * opens (writing back first, as a disabled client does). */
    EXPECT_TRUE(!(c->nstreams && !c->cached_mode && rep.cacheable));
    if (!rep.cacheable)
        write_back(m, k);
    if (!fsconsist_cache_valid(&rep, mode, c->tag))
        drop_cache(m, k);
    c->cached_mode = rep.cacheable;
    c->tag = rep.cacheable ? rep.version : 0;
    c->modes[c->nstreams++] = mode;
}

static void
m_close(struct model *m, int k)
{
    struct mclient *c = &m->c[k];
    if (!c->nstreams)
        return;
    int s = (int)rnd(m, (unsigned)c->nstreams);
    EXPECT_EQ(fsconsist_close(&m->f, k, c->modes[s]), 0);
    c->modes[s] = c->modes[--c->nstreams];
}

static void
m_io(struct model *m, int k, bool write)
{
    struct mclient *c = &m->c[k];
    int b = (int)rnd(m, NB), s;
    for (s = 0; s < c->nstreams; s++)
        if (!write || (c->modes[s] & W))
            break;
    if (s == c->nstreams)
        return;
    if (write) {
        int v = (int)(m->rng & 0xffff) + 1;
        m->truth[b] = v;
        if (!c->cached_mode) {
            m->server[b] = v;
            m->uncached_ops++;
            return;
        }
        c->have[b] = c->dirty[b] = true;
        c->val[b] = v;
        return;
    }
    int got;
    if (!c->cached_mode) {
        got = m->server[b];
        m->uncached_ops++;
    } else if (c->have[b]) {
        got = c->val[b];
        m->hits++;
    } else {
        got = c->val[b] = m->server[b];
        c->have[b] = true;
    }
    m->reads++;
    if (got != m->truth[b])
        TEST_FAIL_("client %d read block %d = %d, last written %d", k, b, got, m->truth[b]);
}

/* A client crashes: its opens and dirty blocks are gone; it comes back empty. */
static void
m_crash(struct model *m, int k)
{
    struct mclient *c = &m->c[k];
    for (int b = 0; b < NB; b++)
        if (c->dirty[b])
            m->truth[b] = m->server[b];  /* its write is lost: the server's is the last */
    fsconsist_node_down(&m->f, k);
    memset(c, 0, sizeof(*c));
    c->up = true;
}

static long model_hits, model_uncached;

static void
run_model(uint64_t seed, int steps, bool crashes)
{
    static struct model m;
    memset(&m, 0, sizeof(m));
    m.rng = seed;
    fsconsist_init(&m.f);
    for (int i = 0; i < steps && !test_cur_failed; i++) {
        int k = (int)rnd(&m, NC);
        unsigned op = rnd(&m, 100);
        if (op < 5)
            m_open(&m, k, rnd(&m, 5) < 3 ? R : rnd(&m, 2) ? W : R | W);
        else if (op < 30)
            m_close(&m, k);
        else if (op < 56)
            m_io(&m, k, false);
        else if (op < 86)
            m_io(&m, k, true);
        else if (op < 99 || !crashes)
            write_back(&m, k);
        else
            m_crash(&m, k);
    }
    for (int k = 0; k < NC; k++)
        while (m.c[k].nstreams)
            m_close(&m, k);
    EXPECT_TRUE(!fsconsist_is_open(&m.f));
    model_hits += m.hits;
    model_uncached += m.uncached_ops;
    fsconsist_free(&m.f);
}

static void
test_fsconsist_model_single_copy(void)
{
    model_hits = model_uncached = 0;
    for (uint64_t seed = 1; seed <= 200 && !test_cur_failed; seed++)
        run_model(seed * 0x9e3779b97f4a7c15ull, 3000, false);
    /* both regimes were exercised: cache hits and uncached I/O */
    EXPECT_TRUE(model_hits > 2000 && model_uncached > 10000);
}

static void
test_fsconsist_model_with_crashes(void)
{
    model_hits = model_uncached = 0;
    for (uint64_t seed = 1; seed <= 100 && !test_cur_failed; seed++)
        run_model(seed * 0xbf58476d1ce4e5b9ull, 3000, true);
    EXPECT_TRUE(model_hits > 1000 && model_uncached > 5000);
}

void
tests_run(void)
{
    RUN(test_fsconsist_sequential_sharing);
    RUN(test_fsconsist_concurrent_sharing);
    RUN(test_fsconsist_writer_then_reader_disables_writer);
    RUN(test_fsconsist_bad_input);
    RUN(test_fsconsist_many_clients_and_crash);
    RUN(test_fsconsist_model_single_copy);
    RUN(test_fsconsist_model_with_crashes);
}
