/*
 * File mappings' pages on this node: one struct fs_map per mapped file
 * (hung off vnode->map), shared by every mapping of that file here, so
 * processes that map it MAP_SHARED use one frame per page and see each
 * other's stores at once. Pages are read on demand through the vnode's
 * read op (for /shared files: through the client block cache) and written
 * back through its write op (msync, munmap, exit, fsync: the dirty pages
 * go into the client cache and from there to the server by Sprite's
 * rules). write() on this node copies into the map's present pages
 * (fs_map_written), so mappings see it at once. The map holds the file
 * open (for /shared: a stream the consistency protocol knows about) and is
 * freed, dirty pages written back, when its last mapping goes. Page frames
 * are charged to the node's commit as they are read in.
 *
 * Dirty bits are sticky: a page's first store through a MAP_SHARED
 * mapping marks it (kernel/vm_file.c maps such pages read-only until
 * written) and it stays dirty until the map is freed, since a frame mapped
 * writable in several address spaces cannot be write-protected again from
 * here (no reverse map). Each write-back writes every such page again.
 *
 * Locking: map_lock (a leaf spinlock) guards vnode->map and refs; each
 * map's mutex guards its page table and its file pointer, and is held
 * across page-in and write-back I/O (which sleep). No fs lock is held when
 * the mutex is taken.
 */
#include "fs/fs_int.h"
#include "fs/fs_pagemap.h"
#include "fs/fs_sticky.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/vm.h"

struct fs_map {
    uint32_t refs;              /* under map_lock */
    struct vnode *vn;           /* referenced; NULL while kept */
    struct file *file;          /* referenced; open for writing when any map could write */
    struct mutex mu;            /* the fields below, and file */
    struct fs_pagemap pages;
    bool sticky;                /* kept at its last put while its file is still id */
    struct fs_map_ident id;
    struct fs_map *next_kept;   /* under map_lock */
};

/* Sticky maps kept with no mapping, newest first (fs_sticky.h): at most
 * KEPT_MAX, the oldest freed first. */
#define KEPT_MAX 8
static struct fs_map *kept;
static unsigned nkept;
static uint64_t nadopted;

static struct spinlock map_lock = { .name = "fs.map", .cpu = -1 };

static bool
file_writable(const struct file *f)
{
    return (f->flags & O_ACCMODE) != O_RDONLY;
}

/* A new map of f's vnode, or the vnode's existing one, referenced. When
 * f can write and the map's file cannot, the map takes f. */
int
fs_map_of_file(struct file *f, struct fs_map **out)
{
    struct vnode *v = f->vn;
    struct fs_map *n = kzalloc(sizeof(*n)), *m;
    if (!n)
        return -ENOMEM;
    mutex_init(&n->mu, "fs.map");
    spin_lock(&map_lock);
    m = v->map;
    if (m)
        m->refs++;
    else {
        m = v->map = n;
        n->refs = 1;
        n->vn = v;
        n->file = f;
        fs_vn_ref(v);
        fs_file_ref(f);
    }
    spin_unlock(&map_lock);
    if (m != n)
        kfree(n);
    struct file *old = NULL;
    mutex_lock(&m->mu);
    if (m->file != f && file_writable(f) && !file_writable(m->file)) {
        old = m->file;
        fs_file_ref(f);
        m->file = f;
    }
    mutex_unlock(&m->mu);
    if (old)
        fs_file_unref(old);
    *out = m;
    return 0;
}

int
fs_map_fd(int fd, unsigned flags, struct fs_map **out, bool *maywrite)
{
    struct file *f = fs_fd_get(fs_cur(), fd);
    if (!f)
        return -EBADF;
    struct vnode *v = f->vn;
    int err = 0;
    bool fsok = v->dev == FS_DEV_INITRD || v->dev == FS_DEV_SHARED || v->dev >= FS_DEV_TMP;
    if (!FS_ISREG(v->mode) || v->ops->remote || !v->ops->read || !fsok || (f->flags & O_PATH))
        err = -ENODEV;
    else if ((f->flags & O_ACCMODE) == O_WRONLY)
        err = -EACCES;
    else if ((flags & FS_MAP_WRITE) && (!file_writable(f) || (f->flags & O_APPEND)))
        err = -EACCES;
    *maywrite = file_writable(f) && !(f->flags & O_APPEND) && v->ops->write;
    if (!err)
        err = fs_map_of_file(f, out);
    fs_file_unref(f);
    return err;
}

void
fs_map_ref(struct fs_map *m)
{
    spin_lock(&map_lock);
    m->refs++;
    spin_unlock(&map_lock);
}

static void
drop_frame(uint64_t pa)
{
    mem_frame_unref(pa);
}

static void
map_free(struct fs_map *m)
{
    vm_commit_uncharge(fs_pagemap_clear(&m->pages, drop_frame));
    if (m->file)
        fs_file_unref(m->file);
    if (m->vn)
        fs_vn_unref(m->vn);
    kfree(m);
}

/* Free every kept map (the commit limit is reached: vm_commit_charge asks);
 * the pages they held. Never sleeps: a kept map has no file or vnode. */
static uint64_t
drop_kept(void)
{
    spin_lock(&map_lock);
    struct fs_map *all = kept;
    kept = NULL;
    nkept = 0;
    spin_unlock(&map_lock);
    uint64_t pages = 0;
    while (all) {
        struct fs_map *n = all->next_kept;
        pages += all->pages.npages;
        map_free(all);
        all = n;
    }
    return pages;
}

/* Keep m, unhooked and unreferenced, if it is sticky, clean, read-only
 * and its file unchanged since it was made: true when kept. */
static bool
keep(struct fs_map *m)
{
    struct fs_map_ident now;
    uint64_t i = 0;
    if (!m->sticky || file_writable(m->file) || !fs_exec_ident(m->vn, &now) ||
        memcmp(&now, &m->id, sizeof(now)) || fs_pagemap_next_dirty(&m->pages, &i, FS_PGMAP_MAX))
        return false;
    fs_file_unref(m->file);     /* the server's open ends: the pages stay here */
    fs_vn_unref(m->vn);
    m->file = NULL;
    m->vn = NULL;
    struct fs_map *old = NULL;
    vm_commit_set_reclaim(drop_kept);
    spin_lock(&map_lock);
    /* one map per file: an older one (another exec's, or stale) goes */
    for (struct fs_map **pp = &kept; *pp;) {
        struct fs_map *k = *pp;
        if (k->id.ino == m->id.ino && k->id.gen == m->id.gen) {
            *pp = k->next_kept;
            k->next_kept = old;
            old = k;
            nkept--;
        } else {
            pp = &k->next_kept;
        }
    }
    m->next_kept = kept;
    kept = m;
    if (++nkept > KEPT_MAX) {
        struct fs_map **pp = &kept;
        while ((*pp)->next_kept)
            pp = &(*pp)->next_kept;
        (*pp)->next_kept = old;
        old = *pp;
        *pp = NULL;
        nkept--;
    }
    spin_unlock(&map_lock);
    while (old) {
        struct fs_map *n = old->next_kept;
        map_free(old);
        old = n;
    }
    return true;
}

void
fs_map_put(struct fs_map *m)
{
    spin_lock(&map_lock);
    bool last = m->refs == 1;
    spin_unlock(&map_lock);
    if (last)   /* before it is unhooked, so a new map reads the data back */
        (void)fs_map_sync(m, 0, FS_PGMAP_MAX, false);
    spin_lock(&map_lock);
    last = --m->refs == 0;
    if (last)
        m->vn->map = NULL;
    spin_unlock(&map_lock);
    if (last && !keep(m))
        map_free(m);
}

struct fs_map *
fs_map_adopt(struct file *f, const struct fs_map_ident *id)
{
    struct fs_map *m = NULL, *stale = NULL;
    fs_vn_ref(f->vn);
    fs_file_ref(f);
    spin_lock(&map_lock);
    for (struct fs_map **pp = &kept; *pp && !f->vn->map;) {
        struct fs_map *k = *pp;
        if (k->id.ino != id->ino || k->id.gen != id->gen) {
            pp = &k->next_kept;
            continue;
        }
        *pp = k->next_kept;     /* this file's: taken, or stale for good */
        nkept--;
        if (!m && !memcmp(&k->id, id, sizeof(*id))) {
            m = k;
        } else {
            k->next_kept = stale;
            stale = k;
        }
    }
    if (m) {
        m->vn = f->vn;
        m->file = f;
        m->refs = 1;
        f->vn->map = m;
        nadopted++;
    }
    spin_unlock(&map_lock);
    if (!m) {
        fs_file_unref(f);
        fs_vn_unref(f->vn);
    }
    while (stale) {
        struct fs_map *n = stale->next_kept;
        map_free(stale);
        stale = n;
    }
    return m;
}

void
fs_map_set_sticky(struct fs_map *m, const struct fs_map_ident *id)
{
    mutex_lock(&m->mu);
    m->sticky = true;
    m->id = *id;
    mutex_unlock(&m->mu);
}

void
fs_map_kept(uint64_t *now, uint64_t *adopted)
{
    spin_lock(&map_lock);
    *now = nkept;
    *adopted = nadopted;
    spin_unlock(&map_lock);
}

/* Read page idx into frame pa: up to EOF, the rest left zero. */
static int
page_in(struct fs_map *m, uint64_t idx, uint64_t pa)
{
    uint64_t off = idx * PAGE_SIZE, size = m->vn->size;
    size_t want = (size_t)MIN((uint64_t)PAGE_SIZE, size - off), got = 0;
    while (got < want) {
        long r = fs_file_read(m->file, (uint8_t *)mem_p2v(pa) + got, want - got, off + got, 0);
        if (r < 0)
            return (int)r;
        if (r == 0)
            break;              /* shrunk under us: the rest reads as zeros */
        got += (size_t)r;
    }
    return 0;
}

int
fs_map_page(struct fs_map *m, uint64_t idx, uint64_t *pap)
{
    int err = 0;
    mutex_lock(&m->mu);
    uint64_t pa = fs_pagemap_get(&m->pages, idx);
    if (!pa && idx >= ALIGN_UP(m->vn->size, PAGE_SIZE) / PAGE_SIZE)
        err = -ENXIO;           /* past the end of the file: SIGBUS */
    else if (!pa && vm_commit_charge(1))
        err = -ENOMEM;
    else if (!pa && !(pa = mem_frame_alloc_zero())) {
        vm_commit_uncharge(1);
        err = -ENOMEM;
    } else if (!fs_pagemap_get(&m->pages, idx)) {
        err = page_in(m, idx, pa);
        if (!err)
            err = fs_pagemap_set(&m->pages, idx, pa);
        if (err) {
            mem_frame_free(pa);
            vm_commit_uncharge(1);
            err = err == -EFBIG ? -ENXIO : err == -ENOMEM ? -ENOMEM : -ENXIO;
        }
    }
    if (!err) {
        mem_frame_ref(pa);
        *pap = pa;
    }
    mutex_unlock(&m->mu);
    return err;
}

void
fs_map_dirty(struct fs_map *m, uint64_t idx)
{
    mutex_lock(&m->mu);
    fs_pagemap_dirty(&m->pages, idx);
    mutex_unlock(&m->mu);
}

int
fs_map_sync(struct fs_map *m, uint64_t lo, uint64_t hi, bool durable)
{
    int err = 0;
    mutex_lock(&m->mu);
    struct vnode *v = m->vn;
    for (uint64_t i = lo; fs_pagemap_next_dirty(&m->pages, &i, hi); i++) {
        uint64_t off = i * PAGE_SIZE, size = v->size;
        if (off >= size || !v->ops->write || !file_writable(m->file))
            continue;           /* past EOF (truncated): dropped, as Linux */
        size_t n = (size_t)MIN((uint64_t)PAGE_SIZE, size - off);
        long r = v->ops->write(m->file, mem_p2v(fs_pagemap_get(&m->pages, i)), n, off,
                               m->file->flags & ~O_APPEND);
        if (r < 0 && !err)
            err = (int)r;
    }
    if (durable && !err && v->ops->fsync)
        err = v->ops->fsync(v);
    mutex_unlock(&m->mu);
    return err;
}

long
fs_map_read(struct fs_map *m, void *buf, size_t n, uint64_t off)
{
    return fs_file_read(m->file, buf, n, off, 0);
}

uint64_t
fs_map_size(struct fs_map *m)
{
    return m->vn->size;
}

/* The map of v, referenced, or NULL. */
static struct fs_map *
map_of(struct vnode *v)
{
    spin_lock(&map_lock);
    struct fs_map *m = v->map;
    if (m)
        m->refs++;
    spin_unlock(&map_lock);
    return m;
}

void
fs_map_written(struct file *f, const void *buf, size_t n, uint64_t off)
{
    struct fs_map *m = __atomic_load_n(&f->vn->map, __ATOMIC_ACQUIRE) ? map_of(f->vn) : NULL;
    if (!m)
        return;
    mutex_lock(&m->mu);
    for (uint64_t at = off; at < off + n;) {
        uint64_t idx = at / PAGE_SIZE, in = at % PAGE_SIZE;
        size_t c = (size_t)MIN((uint64_t)PAGE_SIZE - in, off + n - at);
        uint64_t pa = fs_pagemap_get(&m->pages, idx);
        if (pa)
            memcpy((uint8_t *)mem_p2v(pa) + in, (const uint8_t *)buf + (at - off), c);
        at += c;
    }
    mutex_unlock(&m->mu);
    fs_map_put(m);
}

int
fs_map_fsync(struct vnode *v)
{
    struct fs_map *m = __atomic_load_n(&v->map, __ATOMIC_ACQUIRE) ? map_of(v) : NULL;
    if (!m)
        return 0;
    int err = fs_map_sync(m, 0, FS_PGMAP_MAX, false);
    fs_map_put(m);
    return err;
}
