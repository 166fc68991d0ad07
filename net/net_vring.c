/*
 * The split virtqueue as the driver sees it (virtio 1.0 section 2.6):
 * descriptor table, available ring (ours to write) and used ring (the
 * device's), laid out contiguously with the used ring page-aligned so the
 * same memory also suits the legacy interface. Pure memory manipulation
 * with fences; no device registers, so it is host-tested
 * (net/net_vring_test.c). The driver using it is net/net_virtio.c.
 */
#include "net/net_drv.h"
#include "kernel/lib.h"

size_t
net_vring_avail_off(uint16_t size)
{
    return (size_t)size * sizeof(struct net_vring_desc);
}

size_t
net_vring_used_off(uint16_t size)
{
    /* avail: flags, idx, ring[size], used_event */
    size_t end = net_vring_avail_off(size) + 2 * (3 + (size_t)size);
    return ALIGN_UP(end, (size_t)NET_VRING_ALIGN);
}

size_t
net_vring_bytes(uint16_t size)
{
    /* used: flags, idx, ring[size], avail_event */
    size_t used = 2 * 3 + sizeof(struct net_vring_used_elem) * (size_t)size;
    return net_vring_used_off(size) + ALIGN_UP(used, (size_t)NET_VRING_ALIGN);
}

void
net_vring_init(struct net_vring *r, void *mem, uint16_t size)
{
    ASSERT(size && !(size & (size - 1)), "a split virtqueue's size is a power of two");
    memset(mem, 0, net_vring_bytes(size));
    r->size = size;
    r->desc = mem;
    r->avail = (void *)((char *)mem + net_vring_avail_off(size));
    r->used = (void *)((char *)mem + net_vring_used_off(size));
    r->avail_idx = 0;
    r->last_used = 0;
}

void
net_vring_set(struct net_vring *r, uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
              uint16_t next)
{
    ASSERT(i < r->size, "descriptor index within the ring");
    r->desc[i].addr = addr;
    r->desc[i].len = len;
    r->desc[i].flags = flags;
    r->desc[i].next = next;
}

void
net_vring_push(struct net_vring *r, uint16_t head)
{
    r->avail->ring[r->avail_idx & (r->size - 1)] = head;
    /* The device may read the entry as soon as it sees the new index. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    r->avail_idx++;
    r->avail->idx = r->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool
net_vring_kick_needed(struct net_vring *r, uint16_t old)
{
    /* avail_event follows the used ring's entries; read it after the new
     * index is visible (net_vring_push's fence). */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    uint16_t event = *(volatile uint16_t *)&r->used->ring[r->size];
    return net_vring_need_event(event, r->avail_idx, old);
}

void
net_vring_set_used_event(struct net_vring *r, uint16_t v)
{
    *(volatile uint16_t *)&r->avail->ring[r->size] = v;   /* used_event */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}

bool
net_vring_pop(struct net_vring *r, uint16_t *id, uint32_t *len)
{
    if (r->used->idx == r->last_used)
        return false;
    /* Read the entry only after seeing the index that covers it. */
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    volatile struct net_vring_used_elem *e = &r->used->ring[r->last_used & (r->size - 1)];
    uint32_t i = e->id;
    *len = e->len;
    *id = i < r->size ? (uint16_t)i : 0xffff;
    r->last_used++;
    return true;
}
