/*
 * The shared file system client's directory read-ahead (docs/fs.md,
 * "Caching"). The VFS asks for a directory one entry at a time
 * (getdent(dir, cookie)); one READDIR reply holds dozens. The last replies
 * are kept here, a few directories' worth, so that a listing goes on from
 * the reply that holds its next cookie instead of asking the server again
 * for every entry.
 *
 * Consistency: only a listing's continuation is answered from here. A
 * listing that starts (cookie 0) always asks the server and drops the
 * directory's older replies, so a listing goes on only from replies newer
 * than its start; a reply is used for at most DIRBUF_TTL_NS, and any change of a name made through this
 * node (create, link, unlink, rename) drops every reply. What another node
 * changes while a listing is under way may or may not show in it, which is
 * what POSIX allows readdir anyway; the next listing sees it.
 */
#include "fs/fs_rmt.h"
#include "kernel/arch.h"
#include "kernel/lib.h"
#include "kernel/sync.h"

#define DIRBUF_SLOTS  8
#define DIRBUF_TTL_NS (2ull * 1000000000ull)

struct dirbuf {
    struct fsproto_fh fh;       /* ino 0: empty */
    uint64_t cookie;            /* the request's cookie: its first entry's */
    uint64_t at;                /* when the reply came */
    uint64_t use;               /* for the victim: least recently used */
    size_t len;
    bool eof;                   /* the reply ended the directory */
    uint8_t data[FS_RMT_DIRBUF_BYTES];
};

static struct spinlock lock = { .name = "fs.rmt.dirbuf", .cpu = -1 };
static struct dirbuf slots[DIRBUF_SLOTS];
static uint64_t clock_hand, hits, misses;

/* Walk b from its first entry to the one at cookie idx and past dot
 * entries: 0 with *de filled, 1 at the directory's end, -1 when b does not
 * reach that far (the caller asks the server). */
static int
walk(const struct dirbuf *b, uint64_t idx, struct fs_dirent *de)
{
    uint64_t cur = b->cookie, next;
    size_t off = 0;
    bool on = false;
    for (;;) {
        uint32_t ino;
        unsigned type;
        long k = fsproto_dirent_get(b->data + off, b->len - off, &next, &ino, &type, de->name);
        if (k <= 0)             /* the reply's end: the directory's too? */
            return k == 0 && (on || cur == idx) && b->eof ? 1 : -1;
        off += (size_t)k;
        if (cur == idx)
            on = true;
        cur = next;
        if (!on)
            continue;
        if (strcmp(de->name, ".") && strcmp(de->name, "..")) {
            de->ino = ino;
            de->type = (uint8_t)type;
            de->next = next;
            return 0;
        }
        idx = next;             /* a dot entry: the one after it */
    }
}

int
fs_rmt_dirbuf_get(struct fsproto_fh fh, uint64_t idx, struct fs_dirent *de)
{
    int r = -1;
    if (idx == 0)
        return -1;              /* a new listing asks the server */
    uint64_t now = arch_time_ns();
    spin_lock(&lock);
    for (int i = 0; i < DIRBUF_SLOTS && r < 0; i++) {
        struct dirbuf *b = &slots[i];
        if (b->fh.ino != fh.ino || b->fh.gen != fh.gen || now - b->at > DIRBUF_TTL_NS)
            continue;
        r = walk(b, idx, de);
        if (r >= 0)
            b->use = ++clock_hand;
    }
    if (r >= 0)
        hits++;
    else
        misses++;
    spin_unlock(&lock);
    return r;
}

void
fs_rmt_dirbuf_put(struct fsproto_fh fh, uint64_t cookie, const uint8_t *data, size_t len,
                  bool eof)
{
    if (len > FS_RMT_DIRBUF_BYTES)
        return;
    spin_lock(&lock);
    /* A listing's start drops the older replies of its directory: a listing
     * goes on only from replies newer than its start, or a name another
     * node removed since then would show in it. A reply at a cookie already
     * kept takes that slot. */
    struct dirbuf *v = NULL;
    for (int i = 0; i < DIRBUF_SLOTS; i++) {
        struct dirbuf *b = &slots[i];
        if (b->fh.ino != fh.ino || b->fh.gen != fh.gen)
            continue;
        if (cookie == 0 || b->cookie == cookie) {
            b->fh.ino = 0;
            b->use = 0;
            if (!v)
                v = b;
        }
    }
    for (int i = 0; !v && i < DIRBUF_SLOTS; i++)
        if (slots[i].fh.ino == 0)
            v = &slots[i];
    if (!v) {
        v = &slots[0];
        for (int i = 1; i < DIRBUF_SLOTS; i++)
            if (slots[i].use < v->use)
                v = &slots[i];
    }
    v->fh = fh;
    v->cookie = cookie;
    v->at = arch_time_ns();
    v->use = ++clock_hand;
    v->len = len;
    v->eof = eof;
    memcpy(v->data, data, len);
    spin_unlock(&lock);
}

void
fs_rmt_dirbuf_changed(void)
{
    spin_lock(&lock);
    for (int i = 0; i < DIRBUF_SLOTS; i++)
        slots[i].fh.ino = 0;
    spin_unlock(&lock);
}

void
fs_rmt_dirbuf_stats(uint64_t *hit, uint64_t *miss)
{
    spin_lock(&lock);
    *hit = hits;
    *miss = misses;
    spin_unlock(&lock);
}
