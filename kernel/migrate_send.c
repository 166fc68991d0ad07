/*
 * Sending a migration's pages (docs/migration.md, "Pages"): PIECE calls,
 * each up to MIG_PIECE_PAGES pages with their addresses (so a piece needs
 * no list and may be handled in any order), MIG_SENDERS of them in
 * flight. The caller and MIG_SENDERS - 1 helper threads take the next
 * batch in turn, copy its pages straight from their frames into the call's
 * buffer (the one copy at the source) and make the call: a thread packs
 * its next batch while the others' are on the wire, and the window stays
 * full to the end (no drain every few pieces). The caller's flags
 * (PREPARE) go last, in a PIECE of no pages, once every other one is in:
 * the last pages travel with the rest instead of alone (a 15-page PIECE
 * alone took about 1.5 ms of a 1 MiB move's 26; the empty one costs a
 * null RPC's round trip).
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/migrate_int.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define PIECE_BYTES (MIG_PIECE_HDR + MIG_PIECE_PAGES * (MIG_PAGE_REC + PAGE_SIZE))

struct send_job {
    struct spinlock lock;
    struct waitq wq;
    struct mig_ctx *m;
    const uint64_t *va, *pa;
    size_t next, end;          /* batches are taken from next up to end */
    int err;                   /* the first error: no batch starts after it */
    int helpers;               /* helper threads still working */
};

/* The range [*off, *off + *len) of page pg outside which it is zero. */
static void
trim(const uint8_t *pg, uint32_t *off, uint32_t *len)
{
    const uint64_t *w = (const uint64_t *)pg;
    size_t a = 0, b = PAGE_SIZE / 8;
    while (a < b && !w[a])
        a++;
    while (b > a && !w[b - 1])
        b--;
    *off = (uint32_t)(a * 8);
    *len = (uint32_t)((b - a) * 8);
}

size_t
migrate_put_pages(uint8_t *dst, size_t cap, const uint64_t *va, const uint64_t *pa, size_t n,
                  size_t *len)
{
    size_t used = 0, i;
    for (i = 0; i < n; i++) {
        const uint8_t *pg = mem_p2v(pa[i]);
        uint32_t off, k;
        trim(pg, &off, &k);
        if (used + MIG_PAGE_REC + k > cap)
            break;
        migrate_put_be64(dst + used, va[i]);
        migrate_put_be64(dst + used + 8, (uint64_t)off << 32 | k);
        memcpy(dst + used + MIG_PAGE_REC, pg + off, k);
        used += MIG_PAGE_REC + k;
    }
    *len = used;
    return i;
}

/* One PIECE of pages va[0..n): 0 or -errno; *sent: its bytes. */
static int
piece(struct mig_ctx *m, uint8_t *buf, const uint64_t *va, const uint64_t *pa, size_t n,
      uint32_t flags, size_t *sent)
{
    size_t rl, len;
    migrate_put_be64(buf, m->id);
    migrate_put_be64(buf + 8, (uint64_t)flags << 32 | n);
    (void)migrate_put_pages(buf + MIG_PIECE_HDR, PIECE_BYTES - MIG_PIECE_HDR, va, pa, n, &len);
    *sent = MIG_PIECE_HDR + len;
    return rpc_call(m->target, RPC_OP_MIG_PIECE, buf, MIG_PIECE_HDR + len, NULL, 0, &rl);
}

/* Take batches of j and send them until none is left or one failed. */
static void
work(struct send_job *j, uint8_t *buf)
{
    for (;;) {
        spin_lock(&j->lock);
        size_t i = j->next, k = MIN((size_t)MIG_PIECE_PAGES, j->end - i);
        bool stop = j->err || i >= j->end;
        j->next += stop ? 0 : k;
        spin_unlock(&j->lock);
        if (stop)
            return;
        size_t sent;
        int err = piece(j->m, buf, j->va + i, j->pa + i, k, 0, &sent);
        spin_lock(&j->lock);
        if (err && !j->err)
            j->err = err;
        if (!err) {
            j->m->pages_sent += k;
            j->m->bytes_sent += sent;
        }
        spin_unlock(&j->lock);
    }
}

static void
helper(void *arg)
{
    struct send_job *j = arg;
    uint8_t *buf = kmalloc(PIECE_BYTES);
    if (buf)
        work(j, buf);
    kfree(buf);
    spin_lock(&j->lock);
    j->helpers--;
    waitq_wake_all(&j->wq);
    spin_unlock(&j->lock);   /* j may be gone once this is released */
}

int
migrate_send_pages(struct mig_ctx *m, const uint64_t *va, const uint64_t *pa, size_t n,
                   uint32_t flags)
{
    struct send_job j;
    uint8_t *buf = kmalloc(PIECE_BYTES);
    if (!buf)
        return -ENOMEM;
    memset(&j, 0, sizeof(j));
    spin_init(&j.lock, "migrate.send");
    waitq_init(&j.wq);
    j.m = m;
    j.va = va;
    j.pa = pa;
    j.end = n;
    size_t batches = (j.end + MIG_PIECE_PAGES - 1) / MIG_PIECE_PAGES;
    for (size_t h = 1; h < MIG_SENDERS && h < batches; h++) {
        spin_lock(&j.lock);
        j.helpers++;
        spin_unlock(&j.lock);
        if (!sched_spawn("migsend", helper, &j)) {
            spin_lock(&j.lock);
            j.helpers--;
            spin_unlock(&j.lock);
            break;
        }
    }
    work(&j, buf);
    spin_lock(&j.lock);
    while (j.helpers > 0)
        waitq_wait(&j.wq, &j.lock);
    spin_unlock(&j.lock);
    int err = j.err;
    if (!err && flags) {
        size_t sent;
        err = piece(m, buf, va + n, pa + n, 0, flags, &sent);
        if (!err)
            m->bytes_sent += sent;
    }
    kfree(buf);
    return err;
}
