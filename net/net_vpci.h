/*
 * The virtio 1.0 ("modern") PCI transport that the virtio drivers share
 * (net/net_virtio.c, fs/blk_virtio.c; net_vpci.c): the common, notify, ISR
 * and device-configuration regions found through vendor capabilities in
 * memory BARs, feature negotiation, and a split virtqueue (net_vring.c)
 * announced to the device. What a device is made of -- its features,
 * queues, configuration and requests -- stays in its driver.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "kernel/pci.h"
#include "net/net_drv.h"

#define NET_VPCI_VENDOR 0x1af4

struct net_vpci {
    volatile uint8_t *common;
    volatile uint8_t *isr;
    volatile uint8_t *devcfg;
    volatile uint8_t *notify_base;
    uint32_t notify_mul;
    bool msix;                  /* queue interrupts by MSI-X entry 0, else INTx */
};

/* Maps p's regions into t and resets the device; then negotiates
 * VERSION_1 and, of the features in word 0, those of need (all must be
 * offered, or -ENODEV) and want (where offered). *got: word 0 as agreed.
 * 0, -ENODEV, or -EIO when the device refuses the features. */
int net_vpci_open(struct net_vpci *t, const struct pci_dev *p, uint32_t need, uint32_t want,
                  uint32_t *got);

/* Queue interrupts by MSI-X (entry 0) or INTx; never on configuration
 * changes. */
void net_vpci_irq_mode(struct net_vpci *t, bool msix);

/* Sets up queue qi: at most qmax entries (halved until the device takes
 * them; -ENODEV when it offers fewer than min), its ring in new frames,
 * announced and enabled; *notify is its doorbell. */
int net_vpci_queue(struct net_vpci *t, uint16_t qi, uint16_t qmax, uint16_t min,
                   struct net_vring *ring, volatile uint16_t **notify);

/* The driver is ready: the device may start using the queues. */
void net_vpci_ready(struct net_vpci *t);

/* The probe failed: tell the device (when its regions were mapped). */
void net_vpci_fail(struct net_vpci *t);

/* Reads (and so clears) the ISR status: bit 0 a queue, bit 1 the
 * configuration. */
uint8_t net_vpci_isr(struct net_vpci *t);

/* Device configuration, byte and 32-bit word at off. */
static inline uint8_t
net_vpci_cfg8(const struct net_vpci *t, int off)
{
    return *(volatile uint8_t *)(t->devcfg + off);
}

static inline uint32_t
net_vpci_cfg32(const struct net_vpci *t, int off)
{
    return *(volatile uint32_t *)(t->devcfg + off);
}
