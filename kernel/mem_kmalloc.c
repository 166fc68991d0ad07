/*
 * The kernel heap of mem.h. Requests up to 2032 bytes come from slabs: one
 * frame per slab, a 32-byte header at the page start, then equal objects
 * of one size class. The classes are sized so a page wastes little (1008
 * and 2032 rather than 1024 and 2048, which would fit 3 and 1 per page).
 * Bigger requests get whole contiguous frames with a 16-byte header; freed
 * blocks of up to CACHE_PAGES pages are kept on per-size lists (at most
 * CACHE_MAX_PAGES in all) because finding a contiguous run in mem_frame.c
 * scans with interrupts off: an RPC's 16 KiB reply buffers made every call
 * wait milliseconds for it under TCG. mem_kmalloc_reclaim gives the cache
 * back when frames run out. kfree
 * tells the two apart by the magic at the start of the pointer's page.
 * Frames come from mem_frame.c through the direct map (mem_p2v).
 *
 * Locking: mem.kmalloc protects the class lists, slab headers and free
 * objects. It comes after mem.frame in the lock order, so frames are taken
 * and given back with mem.kmalloc dropped.
 */
#include "kernel/mem.h"
#include "kernel/mem_int.h"
#include "kernel/lib.h"
#include "kernel/sync.h"

#define SLAB_MAGIC  0x51ab0c01u
#define BIG_MAGIC   0xb160c001u
#define FREE_POISON 0xf4eef4eef4eef4eeull   /* in the second word of a free object */
#define SLAB_HDR    32
#define BIG_HDR     16
#define NCLASS      8

static const uint16_t class_size[NCLASS] = {16, 32, 64, 128, 256, 512, 1008, 2032};

struct free_obj {
    struct free_obj *next;
    uint64_t poison;
};

/* The first bytes of a slab page. */
struct slab {
    uint32_t magic;
    uint16_t cls;
    uint16_t nfree;
    struct free_obj *free;
    struct slab *next;   /* on partial[cls] while nfree > 0 */
    struct slab *prev;
};
static_assert(sizeof(struct slab) == SLAB_HDR, "slab header size");

/* The first bytes of a large allocation. */
struct big {
    uint32_t magic;
    uint32_t npages;
    uint64_t size;       /* usable bytes after the header */
};
static_assert(sizeof(struct big) == BIG_HDR, "large allocation header size");

#define CACHE_PAGES     17     /* 64 KiB + header */
#define CACHE_MAX_PAGES 1024   /* 4 MiB of freed large blocks at most */

struct big_free {
    struct big hdr;            /* magic 0: not a live allocation */
    struct big_free *next;
};

static struct spinlock heap_lock = {.name = "mem.kmalloc", .cpu = -1};  /* protects: */
static struct slab *partial[NCLASS];   /* slabs with a free object */
static uint64_t heap_bytes;            /* usable bytes handed out */
static struct big_free *cache[CACHE_PAGES + 1];  /* freed large blocks by page count */
static uint64_t cache_pages;

static unsigned
capacity(unsigned cls)
{
    return (unsigned)((PAGE_SIZE - SLAB_HDR) / class_size[cls]);
}

static void
list_add(struct slab *s)
{
    s->prev = NULL;
    s->next = partial[s->cls];
    if (s->next)
        s->next->prev = s;
    partial[s->cls] = s;
}

static void
list_del(struct slab *s)
{
    if (s->prev)
        s->prev->next = s->next;
    else
        partial[s->cls] = s->next;
    if (s->next)
        s->next->prev = s->prev;
}

/* A fresh slab of class cls, not yet on any list; NULL without memory. */
static struct slab *
slab_new(unsigned cls)
{
    uint64_t pa = mem_frame_alloc();
    if (!pa)
        return NULL;
    struct slab *s = mem_p2v(pa);
    s->magic = SLAB_MAGIC;
    s->cls = (uint16_t)cls;
    s->nfree = (uint16_t)capacity(cls);
    s->free = NULL;
    for (unsigned i = capacity(cls); i-- > 0;) {
        struct free_obj *o = (struct free_obj *)((char *)s + SLAB_HDR + i * class_size[cls]);
        o->next = s->free;
        o->poison = FREE_POISON;
        s->free = o;
    }
    return s;
}

static void *
alloc_small(unsigned cls)
{
    spin_lock(&heap_lock);
    while (!partial[cls]) {
        spin_unlock(&heap_lock);   /* mem.frame may not be taken under mem.kmalloc */
        struct slab *s = slab_new(cls);
        if (!s)
            return NULL;
        spin_lock(&heap_lock);
        list_add(s);
    }
    struct slab *s = partial[cls];
    struct free_obj *o = s->free;
    s->free = o->next;
    if (--s->nfree == 0)
        list_del(s);
    o->poison = 0;
    heap_bytes += class_size[cls];
    spin_unlock(&heap_lock);
    return o;
}

static void *
alloc_big(size_t n)
{
    if (n > (1ull << 40))
        return NULL;   /* no such memory; also keeps the arithmetic from wrapping */
    uint64_t npages = ALIGN_UP(n + BIG_HDR, PAGE_SIZE) / PAGE_SIZE;
    struct big *b = NULL;
    if (npages <= CACHE_PAGES) {
        spin_lock(&heap_lock);
        struct big_free *f = cache[npages];
        if (f) {
            cache[npages] = f->next;
            cache_pages -= npages;
            b = &f->hdr;
        }
        spin_unlock(&heap_lock);
    }
    if (!b) {
        uint64_t pa = mem_frame_alloc_contig(npages);
        if (!pa) {
            mem_kmalloc_reclaim();
            pa = mem_frame_alloc_contig(npages);
        }
        if (!pa)
            return NULL;
        b = mem_p2v(pa);
    }
    b->magic = BIG_MAGIC;
    b->npages = (uint32_t)npages;
    b->size = npages * PAGE_SIZE - BIG_HDR;
    spin_lock(&heap_lock);
    heap_bytes += b->size;
    spin_unlock(&heap_lock);
    return (char *)b + BIG_HDR;
}

void *
kmalloc(size_t n)
{
    for (unsigned cls = 0; cls < NCLASS; cls++) {
        if (n <= class_size[cls])
            return alloc_small(cls);
    }
    return alloc_big(n);
}

void *
kzalloc(size_t n)
{
    void *p = kmalloc(n);

    if (p)
        memset(p, 0, n);
    return p;
}

/* Caller holds heap_lock. Whether o is on s's free list. */
static bool
on_free_list(const struct slab *s, const struct free_obj *o)
{
    for (const struct free_obj *f = s->free; f; f = f->next) {
        if (f == o)
            return true;
    }
    return false;
}

static void
free_small(struct slab *s, void *p)
{
    ASSERT(s->cls < NCLASS, "a slab header names a size class");
    uint64_t off = (uint64_t)((char *)p - (char *)s) - SLAB_HDR;
    unsigned size = class_size[s->cls];
    ASSERT(off % size == 0 && off / size < capacity(s->cls),
           "kfree is given the start of a kmalloc object");
    struct free_obj *o = p;
    spin_lock(&heap_lock);
    /* the poison is only a hint (the owner may have written it): confirm */
    ASSERT(o->poison != FREE_POISON || !on_free_list(s, o), "a kmalloc object is freed once");
    o->next = s->free;
    o->poison = FREE_POISON;
    s->free = o;
    heap_bytes -= size;
    if (s->nfree++ == 0)
        list_add(s);
    /* keep one empty slab per class so a lone alloc/free pair does not
     * churn frames; give the others back */
    bool give_back = s->nfree == capacity(s->cls) && (s->prev || s->next);
    if (give_back) {
        list_del(s);
        s->magic = 0;
    }
    spin_unlock(&heap_lock);
    if (give_back)
        mem_frame_free(mem_v2p(s));
}

static void
free_big(struct big *b, void *p)
{
    ASSERT((char *)p == (char *)b + BIG_HDR, "kfree is given the start of a kmalloc object");
    uint64_t pa = mem_v2p(b);
    uint32_t npages = b->npages;
    b->magic = 0;   /* a second kfree finds no magic */
    spin_lock(&heap_lock);
    heap_bytes -= b->size;
    if (npages <= CACHE_PAGES && cache_pages + npages <= CACHE_MAX_PAGES) {
        struct big_free *f = (struct big_free *)b;
        f->next = cache[npages];
        cache[npages] = f;
        cache_pages += npages;
        spin_unlock(&heap_lock);
        return;
    }
    spin_unlock(&heap_lock);
    for (uint32_t i = 0; i < npages; i++)
        mem_frame_free(pa + (uint64_t)i * PAGE_SIZE);
}

/* Give every cached large block back to the frame allocator. Takes
 * mem.kmalloc and then mem.frame, one after the other, never nested. */
void
mem_kmalloc_reclaim(void)
{
    for (unsigned np = 1; np <= CACHE_PAGES; np++) {
        for (;;) {
            spin_lock(&heap_lock);
            struct big_free *f = cache[np];
            if (f) {
                cache[np] = f->next;
                cache_pages -= np;
            }
            spin_unlock(&heap_lock);
            if (!f)
                break;
            uint64_t pa = mem_v2p(f);
            for (unsigned i = 0; i < np; i++)
                mem_frame_free(pa + (uint64_t)i * PAGE_SIZE);
        }
    }
}

void
kfree(void *p)
{
    if (p == NULL)
        return;
    ASSERT(((uintptr_t)p & 15) == 0 && ((uintptr_t)p & (PAGE_SIZE - 1)) != 0,
           "kfree is given a pointer kmalloc returned");
    void *page = (void *)ALIGN_DOWN((uintptr_t)p, PAGE_SIZE);
    uint32_t magic = *(uint32_t *)page;
    if (magic == SLAB_MAGIC)
        free_small(page, p);
    else if (magic == BIG_MAGIC)
        free_big(page, p);
    else
        ASSERT(false, "kfree is given a live kmalloc pointer (bad magic: double free?)");
}

/* Runs inside mem_frame_init, before anything else uses the heap, so it
 * takes no lock (at boot, before the CPU is fully set up). */
void
mem_kmalloc_reset(void)
{
    for (unsigned np = 0; np <= CACHE_PAGES; np++)
        cache[np] = NULL;
    cache_pages = 0;
    for (unsigned cls = 0; cls < NCLASS; cls++)
        partial[cls] = NULL;
    heap_bytes = 0;
}

uint64_t
mem_kmalloc_bytes(void)
{
    spin_lock(&heap_lock);
    uint64_t b = heap_bytes;
    spin_unlock(&heap_lock);
    return b;
}
