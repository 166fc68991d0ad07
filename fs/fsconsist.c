/*
 * Sprite's cache consistency, the file server's side: the decisions of
 * fsconsist.h. The server calls these with the file's lock held and then
 * carries out the actions they return (RPCs to clients) before answering
 * the open. Nothing here blocks or talks to the network.
 *
 * Why caching stays off until the file is closed everywhere, not only until
 * the conflict ends: a client's opens of one file must agree on whether the
 * file is cached (a cached and an uncached stream on one node would see
 * different data), and every client that had the file open when sharing
 * began was told to stop caching. Keeping the whole episode uncached gives
 * every open in it the same answer; the cost is that a long-lived opener
 * keeps the file uncached (Sprite made the same choice).
 */
#include "fs/fsconsist.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"

void
fsconsist_init(struct fsconsist_file *f)
{
    memset(f, 0, sizeof(*f));
    f->version = 1;
    f->last_writer = FSCONSIST_NONE;
}

void
fsconsist_free(struct fsconsist_file *f)
{
    ASSERT(f->nclients == 0, "fsconsist: a file record freed while a client has it open");
    kfree(f->clients);
    f->clients = NULL;
    f->cap = 0;
}

unsigned
fsconsist_nclients(const struct fsconsist_file *f)
{
    return f->nclients;
}

bool
fsconsist_is_open(const struct fsconsist_file *f)
{
    return f->nclients != 0;
}

static struct fsconsist_client *
find(const struct fsconsist_file *f, int node)
{
    for (unsigned i = 0; i < f->nclients; i++)
        if (f->clients[i].node == node)
            return &f->clients[i];
    return NULL;
}

/* The entry of `node`, added if it has none. NULL when the list cannot grow. */
static struct fsconsist_client *
find_or_add(struct fsconsist_file *f, int node)
{
    struct fsconsist_client *c = find(f, node);
    if (c)
        return c;
    if (f->nclients == f->cap) {
        unsigned cap = f->cap ? 2u * f->cap : 4u;
        if (cap > UINT16_MAX)
            return NULL;
        struct fsconsist_client *n = kmalloc(cap * sizeof(*n));
        if (!n)
            return NULL;
        if (f->nclients)
            memcpy(n, f->clients, f->nclients * sizeof(*n));
        kfree(f->clients);
        f->clients = n;
        f->cap = (uint16_t)cap;
    }
    c = &f->clients[f->nclients++];
    c->node = (int16_t)node;
    c->readers = c->writers = 0;
    return c;
}

static void
drop(struct fsconsist_file *f, struct fsconsist_client *c)
{
    *c = f->clients[--f->nclients];
    if (f->nclients == 0)
        f->uncacheable = false;   /* the sharing episode is over */
}

/* Whether an open by `node` with `mode` makes the file write-shared by two
 * or more clients at once. */
static bool
conflicts(const struct fsconsist_file *f, int node, unsigned mode)
{
    for (unsigned i = 0; i < f->nclients; i++) {
        const struct fsconsist_client *c = &f->clients[i];
        if (c->node == node)
            continue;
        if (c->writers || (mode & FSCONSIST_WRITE))
            return true;
    }
    return false;
}

static bool
valid_node(int node)
{
    return node >= 0 && node <= INT16_MAX;
}

/* Caching goes off: every other client that has the file open is told. */
static void
start_sharing(struct fsconsist_file *f, int node, struct fsconsist_actions *act)
{
    f->uncacheable = true;
    for (unsigned i = 0; i < f->nclients; i++) {
        int16_t n = f->clients[i].node;
        if (n == node)
            continue;
        ASSERT(act->ndisable < act->ncap, "fsconsist: the disable list has room for every client");
        act->disable[act->ndisable++] = n;
        f->disables++;
    }
}

static bool
disabled(const struct fsconsist_actions *act, int node)
{
    for (unsigned i = 0; i < act->ndisable; i++)
        if (act->disable[i] == node)
            return true;
    return false;
}

int
fsconsist_open(struct fsconsist_file *f, int node, unsigned mode,
               struct fsconsist_actions *act, struct fsconsist_reply *rep)
{
    act->recall = FSCONSIST_NONE;
    act->ndisable = 0;
    if (!valid_node(node) || mode == 0 || (mode & ~(unsigned)(FSCONSIST_READ | FSCONSIST_WRITE)))
        return -EINVAL;
    struct fsconsist_client *c = find(f, node);
    if (c && (c->readers == UINT16_MAX || c->writers == UINT16_MAX))
        return -EOVERFLOW;
    bool share = !f->uncacheable && conflicts(f, node, mode);
    if (!c && !(c = find_or_add(f, node)))
        return -ENOMEM;
    if (share)
        start_sharing(f, node, act);
    if (f->last_writer != FSCONSIST_NONE && f->last_writer != node &&
        !disabled(act, f->last_writer)) {
        act->recall = f->last_writer;
        f->recalls++;
    }
    rep->prev = f->version;
    if (mode & FSCONSIST_WRITE) {
        f->version++;
        c->writers++;
        if (!f->uncacheable)
            f->last_writer = (int16_t)node;   /* it may hold dirty blocks from now on */
    } else {
        c->readers++;
    }
    rep->version = f->version;
    rep->cacheable = !f->uncacheable;
    return 0;
}

int
fsconsist_close(struct fsconsist_file *f, int node, unsigned mode)
{
    if (!valid_node(node))
        return -EINVAL;
    struct fsconsist_client *c = find(f, node);
    if (!c)
        return -ENOENT;
    uint16_t *count = (mode & FSCONSIST_WRITE) ? &c->writers : &c->readers;
    if (*count == 0)
        return -ENOENT;
    (*count)--;
    if (c->readers == 0 && c->writers == 0)
        drop(f, c);
    return 0;
}

void
fsconsist_written_back(struct fsconsist_file *f, int node)
{
    const struct fsconsist_client *c = find(f, node);
    /* A node that still has the file open for writing, caching, can dirty
     * blocks again at once: it stays the last writer. */
    if (f->last_writer == node && !(c && c->writers && !f->uncacheable))
        f->last_writer = FSCONSIST_NONE;
}

void
fsconsist_node_down(struct fsconsist_file *f, int node)
{
    struct fsconsist_client *c = find(f, node);
    if (c)
        drop(f, c);
    if (f->last_writer == node)
        f->last_writer = FSCONSIST_NONE;
}

bool
fsconsist_cache_valid(const struct fsconsist_reply *rep, unsigned mode, uint64_t cached)
{
    if (!rep->cacheable || cached == 0)
        return false;
    return cached == ((mode & FSCONSIST_WRITE) ? rep->prev : rep->version);
}
