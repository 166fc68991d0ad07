/*
 * The client block cache (fscache.h): a hash index on (file, block), an
 * LRU list, frames for the bytes. Frames and block records are allocated
 * before the cache lock is taken and given back after it is dropped, so
 * the lock order is only fscache.lock -> nothing (see kernel/sync.h).
 */
#include "fs/fscache.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sync.h"

#define NBUCKET 1024u

struct fscache {
    struct spinlock lock;
    struct fscache_block *bucket[NBUCKET];
    struct fscache_block *lru_head, *lru_tail;   /* most / least recently used */
    struct fscache_stats st;
};

static unsigned
hash(uint64_t file, uint64_t bno)
{
    uint64_t h = (file * 0x9e3779b97f4a7c15ull) ^ (bno * 0xc2b2ae3d27d4eb4full);
    return (unsigned)(h >> 40) % NBUCKET;
}

struct fscache *
fscache_new(uint32_t max_blocks)
{
    struct fscache *c = kzalloc(sizeof(*c));
    if (!c)
        return NULL;
    spin_init(&c->lock, "fscache.lock");
    c->st.max_blocks = max_blocks ? max_blocks : 1;
    return c;
}

static void
lru_unlink(struct fscache *c, struct fscache_block *b)
{
    if (b->lprev)
        b->lprev->lnext = b->lnext;
    else
        c->lru_head = b->lnext;
    if (b->lnext)
        b->lnext->lprev = b->lprev;
    else
        c->lru_tail = b->lprev;
    b->lprev = b->lnext = NULL;
}

static void
lru_front(struct fscache *c, struct fscache_block *b)
{
    b->lprev = NULL;
    b->lnext = c->lru_head;
    if (c->lru_head)
        c->lru_head->lprev = b;
    c->lru_head = b;
    if (!c->lru_tail)
        c->lru_tail = b;
}

static struct fscache_block *
lookup(struct fscache *c, uint64_t file, uint64_t bno)
{
    for (struct fscache_block *b = c->bucket[hash(file, bno)]; b; b = b->hnext)
        if (b->file == file && b->bno == bno)
            return b;
    return NULL;
}

/* Takes b out of the index and the LRU list; the caller frees it. */
static void
unhash(struct fscache *c, struct fscache_block *b)
{
    struct fscache_block **pp = &c->bucket[hash(b->file, b->bno)];
    while (*pp != b)
        pp = &(*pp)->hnext;
    *pp = b->hnext;
    lru_unlink(c, b);
    c->st.blocks--;
    if (b->dirty)
        c->st.dirty_blocks--;
}

static void
free_block(struct fscache_block *b)
{
    if (!b)
        return;
    mem_frame_free(b->pa);
    kfree(b);
}

void
fscache_destroy(struct fscache *c)
{
    if (!c)
        return;
    while (c->lru_head) {
        struct fscache_block *b = c->lru_head;
        ASSERT(b->refs == 0 && !b->dirty, "fscache: destroyed with a referenced or dirty block");
        unhash(c, b);
        free_block(b);
    }
    kfree(c);
}

struct fscache_block *
fscache_get(struct fscache *c, uint64_t file, uint64_t bno)
{
    spin_lock(&c->lock);
    struct fscache_block *b = lookup(c, file, bno);
    if (b) {
        b->refs++;
        lru_unlink(c, b);
        lru_front(c, b);
        c->st.hits++;
    } else {
        c->st.misses++;
    }
    spin_unlock(&c->lock);
    return b;
}

/* The least recently used block that can go, taken out; NULL if none. */
static struct fscache_block *
evict_one(struct fscache *c)
{
    for (struct fscache_block *b = c->lru_tail; b; b = b->lprev)
        if (b->refs == 0 && !b->dirty) {
            unhash(c, b);
            c->st.evictions++;
            return b;
        }
    return NULL;
}

static struct fscache_block *
new_record(void)
{
    struct fscache_block *n = kzalloc(sizeof(*n));
    if (!n)
        return NULL;
    n->pa = mem_frame_alloc();
    if (!n->pa) {
        kfree(n);
        return NULL;
    }
    return n;
}

int
fscache_add(struct fscache *c, uint64_t file, uint64_t bno, struct fscache_block **out)
{
    struct fscache_block *n = new_record(), *victim = NULL, *b;
    int err = 0;
    spin_lock(&c->lock);
    if ((b = lookup(c, file, bno))) {
        b->refs++;
        lru_unlink(c, b);
        lru_front(c, b);
    } else if (!n) {
        err = -ENOMEM;
    } else if (c->st.blocks >= c->st.max_blocks && !(victim = evict_one(c))) {
        err = -EAGAIN;
    } else {
        b = n;
        n = NULL;
        b->file = file;
        b->bno = bno;
        b->refs = 1;
        unsigned h = hash(file, bno);
        b->hnext = c->bucket[h];
        c->bucket[h] = b;
        lru_front(c, b);
        c->st.blocks++;
    }
    spin_unlock(&c->lock);
    free_block(n);
    free_block(victim);
    *out = err ? NULL : b;
    return err;
}

void
fscache_put(struct fscache *c, struct fscache_block *b)
{
    spin_lock(&c->lock);
    ASSERT(b->refs > 0, "fscache: a block's references never go below zero");
    b->refs--;
    spin_unlock(&c->lock);
}

void *
fscache_data(const struct fscache_block *b)
{
    return mem_p2v(b->pa);
}

void
fscache_dirty(struct fscache *c, struct fscache_block *b, uint64_t now_ns)
{
    spin_lock(&c->lock);
    ASSERT(b->refs > 0, "fscache: only a referenced block is dirtied");
    if (!b->dirty) {
        b->dirty = true;
        b->dirtied_ns = now_ns;
        c->st.dirty_blocks++;
        c->st.dirtied++;
    }
    b->gen++;
    spin_unlock(&c->lock);
}

static uint64_t
sort_key(const struct fscache_block *b, enum fscache_order by)
{
    return by == FSCACHE_BY_BNO ? b->bno : b->dirtied_ns;
}

/* An insertion sort: n is small (a write-back batch). */
void
fscache_sort(struct fscache_block **blk, uint64_t *gens, unsigned n, enum fscache_order by)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && sort_key(blk[j], by) < sort_key(blk[j - 1], by); j--) {
            struct fscache_block *t = blk[j];
            blk[j] = blk[j - 1];
            blk[j - 1] = t;
            uint64_t g = gens[j];
            gens[j] = gens[j - 1];
            gens[j - 1] = g;
        }
}

unsigned
fscache_take_dirty(struct fscache *c, bool any, uint64_t file, uint64_t before_ns,
                   struct fscache_block **out, uint64_t *gens, unsigned max)
{
    unsigned n = 0;
    spin_lock(&c->lock);
    /* From the LRU tail: the least recently used are the likeliest oldest. */
    for (struct fscache_block *b = c->lru_tail; b && n < max; b = b->lprev) {
        if (!b->dirty || (!any && b->file != file) || b->dirtied_ns > before_ns)
            continue;
        b->refs++;
        gens[n] = b->gen;
        out[n++] = b;
    }
    spin_unlock(&c->lock);
    fscache_sort(out, gens, n, FSCACHE_BY_AGE);
    return n;
}

void
fscache_cleaned(struct fscache *c, struct fscache_block *b, uint64_t gen)
{
    spin_lock(&c->lock);
    ASSERT(b->refs > 0, "fscache: a block written back was referenced by take_dirty");
    if (b->dirty && b->gen == gen) {
        b->dirty = false;
        c->st.dirty_blocks--;
        c->st.cleaned++;
    }
    b->refs--;
    spin_unlock(&c->lock);
}

unsigned
fscache_drop(struct fscache *c, uint64_t file, uint64_t from)
{
    struct fscache_block *freed = NULL;
    unsigned busy = 0;
    spin_lock(&c->lock);
    for (unsigned h = 0; h < NBUCKET; h++) {
        struct fscache_block *b = c->bucket[h], *next;
        for (; b; b = next) {
            next = b->hnext;
            if (b->file != file || b->bno < from)
                continue;
            if (b->refs) {
                busy++;
                continue;
            }
            unhash(c, b);
            c->st.dropped++;
            b->hnext = freed;      /* freed after the lock is dropped */
            freed = b;
        }
    }
    spin_unlock(&c->lock);
    while (freed) {
        struct fscache_block *next = freed->hnext;
        free_block(freed);
        freed = next;
    }
    return busy;
}

bool
fscache_has_dirty(struct fscache *c, uint64_t file)
{
    bool found = false;
    spin_lock(&c->lock);
    for (struct fscache_block *b = c->lru_head; b && !found; b = b->lnext)
        found = b->dirty && b->file == file;
    spin_unlock(&c->lock);
    return found;
}

void
fscache_get_stats(struct fscache *c, struct fscache_stats *out)
{
    spin_lock(&c->lock);
    *out = c->st;
    spin_unlock(&c->lock);
}
