/*
 * The node's commit: how many pages of user memory the node has promised
 * (Linux's Committed_AS under strict accounting) and the limit it will not
 * promise past. Address spaces charge and uncharge through vm_charge
 * (vm.c); tmpfs charges its file pages here directly. The limit is taken
 * once, at the first charge (init's exec: the initrd, drivers and RPC
 * layer have made their boot allocations by then), from the free frames
 * minus a reserve that kmalloc, page tables and network buffers draw on
 * later. docs/memory.md has the rule and what happens when it is not
 * enough.
 *
 * Locking: vm.commit (a spinlock) guards the three figures below; no other
 * lock is taken under it, so it sits outside the global order.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sync.h"
#include "kernel/vm_int.h"

#define MIB_PAGES(n) ((uint64_t)(n) * (1024 * 1024 / PAGE_SIZE))

static struct spinlock commit_lock = { .name = "vm.commit", .cpu = -1 };
static bool limit_set;         /* limit_pages has been taken */
static uint64_t limit_pages;
static uint64_t committed_pages;

uint64_t
vm_commit_reserve(uint64_t free_pages)
{
    uint64_t r = free_pages / 8;
    r = MAX(r, MIB_PAGES(4));
    r = MIN(r, MIB_PAGES(64));
    return MIN(r, free_pages / 2);
}

/* Caller holds commit_lock. */
static void
set_limit(uint64_t free_pages)
{
    sync_assert_held(&commit_lock);
    limit_pages = free_pages - vm_commit_reserve(free_pages);
    __atomic_store_n(&limit_set, true, __ATOMIC_RELEASE);
}

void
vm_commit_init(uint64_t free_pages)
{
    spin_lock(&commit_lock);
    set_limit(free_pages);
    spin_unlock(&commit_lock);
}

/* Take the limit from the free frames if nobody has yet. The frame
 * allocator's lock is never taken under vm.commit. */
static void
take_limit_once(void)
{
    struct mem_stats ms;
    if (__atomic_load_n(&limit_set, __ATOMIC_ACQUIRE))
        return;
    mem_get_stats(&ms);
    spin_lock(&commit_lock);
    if (!limit_set)
        set_limit(ms.free_frames);
    spin_unlock(&commit_lock);
}

static uint64_t (*reclaim)(void);

void
vm_commit_set_reclaim(uint64_t (*fn)(void))
{
    __atomic_store_n(&reclaim, fn, __ATOMIC_RELEASE);
}

int
vm_commit_charge(uint64_t n)
{
    take_limit_once();
    for (int tries = 0;; tries++) {
        int err = 0;
        spin_lock(&commit_lock);
        if (n > limit_pages || committed_pages > limit_pages - n)
            err = -ENOMEM;
        else
            committed_pages += n;
        spin_unlock(&commit_lock);
        uint64_t (*fn)(void) = __atomic_load_n(&reclaim, __ATOMIC_ACQUIRE);
        if (!err || tries > 0 || !fn || fn() == 0)
            return err;
    }
}

void
vm_commit_uncharge(uint64_t n)
{
    spin_lock(&commit_lock);
    ASSERT(n <= committed_pages, "only committed pages are returned");
    committed_pages -= n;
    spin_unlock(&commit_lock);
}

void
vm_commit_stats(uint64_t *limit, uint64_t *committed)
{
    take_limit_once();
    spin_lock(&commit_lock);
    if (limit)
        *limit = limit_pages * PAGE_SIZE;
    if (committed)
        *committed = committed_pages * PAGE_SIZE;
    spin_unlock(&commit_lock);
}
