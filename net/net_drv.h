/*
 * Shared by the NIC drivers inside net/ only: the split virtqueue helpers
 * (net_vring.c, host-tested), the per-driver probe entry points, the list
 * of probed devices and the receive path with its test tap. The network
 * core sees drivers only through struct net_dev (net/net.h).
 */
#pragma once
#include "kernel/compiler.h"

struct net_dev;
struct pci_dev;

#define NET_DRV_MAX 4

/* ---- net_vring.c: a virtio 1.0 split virtqueue in driver memory ---- */

#define NET_VRING_F_NEXT  1
#define NET_VRING_F_WRITE 2     /* device writes this buffer (receive) */
#define NET_VRING_ALIGN   4096  /* legacy layout: used ring on a page */

struct net_vring_desc {
    uint64_t addr;
    uint32_t len;
    uint16_t flags;
    uint16_t next;
};
struct net_vring_avail {
    uint16_t flags;
    uint16_t idx;
    uint16_t ring[];
};
struct net_vring_used_elem {
    uint32_t id;
    uint32_t len;
};
struct net_vring_used {
    uint16_t flags;
    uint16_t idx;
    struct net_vring_used_elem ring[];
};

struct net_vring {
    uint16_t size;                          /* power of two, <= 32768 */
    volatile struct net_vring_desc *desc;
    volatile struct net_vring_avail *avail;
    volatile struct net_vring_used *used;
    uint16_t avail_idx;     /* next avail->idx we publish (only we write it) */
    uint16_t last_used;     /* next used entry to harvest */
};

/* Bytes the ring of `size` entries needs (descriptors, avail, then the used
 * ring at the next NET_VRING_ALIGN boundary). */
size_t net_vring_bytes(uint16_t size);
/* Lay a zeroed ring of `size` (a power of two) over mem. */
void net_vring_init(struct net_vring *r, void *mem, uint16_t size);
/* Offsets of the avail and used rings from the start of mem. */
size_t net_vring_avail_off(uint16_t size);
size_t net_vring_used_off(uint16_t size);
/* Fill descriptor i. */
void net_vring_set(struct net_vring *r, uint16_t i, uint64_t addr, uint32_t len,
                   uint16_t flags, uint16_t next);
/* Offer the chain starting at descriptor head to the device (a release
 * fence orders the descriptor writes before the index). */
void net_vring_push(struct net_vring *r, uint16_t head);
/* Harvest one used entry: true with *id (chain head) and *len (bytes the
 * device wrote) when the device has returned one. Rejects ids >= size
 * (returns true with *id = 0xffff so the caller counts and skips it). */
bool net_vring_pop(struct net_vring *r, uint16_t *id, uint32_t *len);

/* VIRTIO_F_EVENT_IDX (virtio 1.0 section 2.4.7). Does publishing the
 * entries between avail index old and the current one need a doorbell? The
 * device asked for one once the index passes its avail_event. */
bool net_vring_kick_needed(struct net_vring *r, uint16_t old);
/* Ask for an interrupt when the device's used index passes v (used_event). */
void net_vring_set_used_event(struct net_vring *r, uint16_t v);
/* The event-index rule: crossing from old to new passes event. */
static inline bool
net_vring_need_event(uint16_t event, uint16_t new_idx, uint16_t old)
{
    return (uint16_t)(new_idx - event - 1) < (uint16_t)(new_idx - old);
}

/* ---- net_virtio.c, net_e1000.c: probe one PCI function ---- */

/* Does the driver handle this function? */
bool net_virtio_match(const struct pci_dev *p);
bool net_e1000_match(const struct pci_dev *p);
/* Reset and start the device, fill *out (not yet registered with the core).
 * 0, -ENODEV (not usable), -ENOMEM, -EIO (device refused a step). */
int net_virtio_probe(const struct pci_dev *p, struct net_dev **out);
int net_e1000_probe(const struct pci_dev *p, struct net_dev **out);

/* ---- net_drivers.c ---- */

/* A received frame from a driver's interrupt handler: to the tap when one
 * is set, else to the core (net_rx). Interrupt context. */
void net_drv_rx(struct net_dev *d, const void *frame, size_t len);
/* Divert every received frame to fn (NULL: back to the core). For the
 * driver test (net_drvtest.c). */
void net_drv_set_tap(void (*fn)(struct net_dev *d, const void *frame, size_t len));
/* The devices net_drivers_probe found (registered or not). */
int net_drv_count(void);
struct net_dev *net_drv_get(int i);
