/*
 * The export table: open file descriptions this node serves to other
 * nodes (Sprite's I/O server side of a stream that stays behind). A row is
 * (id, node, count): node holds count references on the description
 * exported as id. Every row holds one reference on the struct file, so the
 * description (with its offset, pipe end counts and tty state) lives while
 * any node holds it. An id is this boot's id (high 32 bits) and a count
 * from 1, never reused, so a request naming a dropped export, or one of an
 * earlier incarnation of this node, is refused, never misdirected.
 * When recov reports a node down (or rebooted), its rows go.
 *
 * Locking: export_lock (a spinlock) protects the table and the counters;
 * files are unreferenced only after it is dropped (a close may take a pipe
 * or tty lock). It comes after fs.ctx.
 */
#include "fs/fs_remote.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc.h"

struct export_row {
    uint64_t id;                /* 0: free */
    struct file *f;             /* referenced */
    int node;
    uint32_t count;
};

static struct spinlock export_lock = { .name = "fs.export", .cpu = -1 };
static struct export_row rows[FS_EXPORT_MAX];
static uint64_t next_id;        /* 0: not started (boot id not known yet) */
static bool recov_done;
static struct wisp_streamstat stats;

static void
node_event(void *arg, int node, int event, uint32_t boot_id)
{
    if (event == RECOV_EVENT_DOWN)
        (void)fs_export_node_down(node);
}

/* Register for recov's events once, at the first export. */
static void
recov_once(void)
{
    spin_lock(&export_lock);
    bool todo = !recov_done;
    recov_done = true;
    spin_unlock(&export_lock);
    if (todo && recov_register(node_event, NULL) != 0)
        kprintf("wisp: fs: no recov slot: exports of dead nodes stay\n");
}

static struct export_row *
find(uint64_t id, int node)
{
    for (int i = 0; i < FS_EXPORT_MAX; i++)
        if (rows[i].id == id && rows[i].node == node)
            return &rows[i];
    return NULL;
}

int
fs_export_ref(struct file *f, int node, uint64_t *id)
{
    recov_once();
    spin_lock(&export_lock);
    uint64_t have = 0;
    struct export_row *free_row = NULL;
    for (int i = 0; i < FS_EXPORT_MAX; i++) {
        if (rows[i].id && rows[i].f == f)
            have = rows[i].id;
        else if (!rows[i].id && !free_row)
            free_row = &rows[i];
    }
    struct export_row *r = have ? find(have, node) : NULL;
    if (!r) {
        if (!free_row) {
            spin_unlock(&export_lock);
            return -ENOSPC;
        }
        r = free_row;
        if (!next_id)
            next_id = (uint64_t)rpc_boot_id() << 32 | 1;
        r->id = have ? have : next_id++;
        r->f = f;
        r->node = node;
        r->count = 0;
        fs_file_ref(f);
        if (!have)
            stats.exports++;
    }
    r->count++;
    stats.refs++;
    *id = r->id;
    spin_unlock(&export_lock);
    return 0;
}

int
fs_export_adjust(uint64_t id, int node, int delta)
{
    struct file *drop = NULL;
    spin_lock(&export_lock);
    struct export_row *r = id ? find(id, node) : NULL;
    if (!r && delta > 0) {
        /* Another node's reference is taken for node: the export must exist. */
        for (int i = 0; i < FS_EXPORT_MAX && !r; i++)
            if (rows[i].id == id)
                r = &rows[i];
        if (r) {
            struct file *f = r->f;
            r = NULL;
            for (int i = 0; i < FS_EXPORT_MAX && !r; i++)
                if (!rows[i].id)
                    r = &rows[i];
            if (!r) {
                spin_unlock(&export_lock);
                return -ENOSPC;
            }
            *r = (struct export_row){ .id = id, .f = f, .node = node };
            fs_file_ref(f);
        }
    }
    if (!r || (delta < 0 && r->count < (uint32_t)-delta)) {
        stats.bad++;
        spin_unlock(&export_lock);
        return -EBADF;
    }
    r->count = (uint32_t)((int)r->count + delta);
    stats.refs = (uint64_t)((int64_t)stats.refs + delta);
    if (r->count == 0) {
        drop = r->f;
        r->id = 0;
        r->f = NULL;
    }
    spin_unlock(&export_lock);
    if (drop)
        fs_file_unref(drop);
    return 0;
}

struct file *
fs_export_get(uint64_t id, int node)
{
    spin_lock(&export_lock);
    struct export_row *r = id ? find(id, node) : NULL;
    struct file *f = r ? r->f : NULL;
    if (f)
        fs_file_ref(f);
    else
        stats.bad++;
    spin_unlock(&export_lock);
    return f;
}

int
fs_export_node_down(int node)
{
    int n = 0;
    for (;;) {
        struct file *drop = NULL;
        spin_lock(&export_lock);
        for (int i = 0; i < FS_EXPORT_MAX && !drop; i++) {
            if (rows[i].id && (rows[i].node == node || rows[i].node == FS_HOLDER_TRANSIT(node))) {
                stats.refs -= rows[i].count;
                stats.dropped += rows[i].count;
                drop = rows[i].f;
                rows[i].id = 0;
                rows[i].f = NULL;
            }
        }
        spin_unlock(&export_lock);
        if (!drop)
            return n;
        fs_file_unref(drop);
        n++;
    }
}

void
fs_export_stats(struct wisp_streamstat *s)
{
    spin_lock(&export_lock);
    *s = stats;
    s->rows = 0;
    for (int i = 0; i < FS_EXPORT_MAX; i++)
        s->rows += rows[i].id != 0;
    spin_unlock(&export_lock);
}

void
fs_export_drop_refs(int node, const uint64_t *ids, int n)
{
    for (int i = 0; i < n; i++)
        (void)fs_export_adjust(ids[i], node, -1);   /* a bad one is counted there */
}

void
fs_export_count_bad(void)
{
    spin_lock(&export_lock);
    stats.bad++;
    spin_unlock(&export_lock);
}

void
fs_export_count_served(void)
{
    spin_lock(&export_lock);
    stats.served++;
    spin_unlock(&export_lock);
}

void
fs_export_count_import(int delta)
{
    spin_lock(&export_lock);
    stats.imports = (uint64_t)((int64_t)stats.imports + delta);
    spin_unlock(&export_lock);
}
