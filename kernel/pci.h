/*
 * PCI: enumeration of every bus/device/function, BARs, the capability list,
 * bus mastering, and interrupt setup (MSI-X, MSI, else INTx through the
 * IOAPIC). Configuration space is reached through kernel/arch.h
 * (arch_pci_cfg_*), so all of this is portable and host-tested with a fake
 * configuration space (kernel/pci_test.c). Drivers live in net/.
 */
#pragma once
#include "kernel/compiler.h"

#define PCI_MAX_DEVS 64

/* Standard configuration registers and capability ids. */
#define PCI_VENDOR     0x00
#define PCI_DEVICE     0x02
#define PCI_COMMAND    0x04
#define PCI_STATUS     0x06
#define PCI_CLASS_REV  0x08
#define PCI_HEADER     0x0e
#define PCI_BAR0       0x10
#define PCI_CAP_PTR    0x34
#define PCI_INT_LINE   0x3c
#define PCI_INT_PIN    0x3d

#define PCI_CMD_IO     (1u << 0)
#define PCI_CMD_MEM    (1u << 1)
#define PCI_CMD_MASTER (1u << 2)
#define PCI_CMD_INTX_OFF (1u << 10)
#define PCI_STATUS_CAPS (1u << 4)

#define PCI_CAP_MSI    0x05
#define PCI_CAP_VENDOR 0x09
#define PCI_CAP_MSIX   0x11

struct pci_bar {
    uint64_t base;   /* physical address, or I/O port for io BARs; 0 if absent */
    uint64_t size;
    bool io;
    bool is64;
    bool prefetch;
};

struct pci_dev {
    uint8_t bus, dev, fn;
    uint16_t vendor, device;
    uint8_t class_code, subclass, prog_if, revision;
    uint8_t int_line, int_pin;   /* int_pin 0: no INTx */
    struct pci_bar bar[6];
};

/* How a device's interrupt was set up by pci_irq_setup. */
enum pci_irq_kind { PCI_IRQ_NONE, PCI_IRQ_INTX, PCI_IRQ_MSI, PCI_IRQ_MSIX };

/* Scan every bus once (later calls return the same table); fills *devs with
 * a pointer to the table and returns how many functions were found (at
 * most PCI_MAX_DEVS). Boot time, from one thread: the scan takes no lock. */
int pci_scan(struct pci_dev **devs);

uint32_t pci_read(const struct pci_dev *d, uint16_t off, int width);
void pci_write(const struct pci_dev *d, uint16_t off, int width, uint32_t v);

/* Offset of the first capability with id at or after the capability at
 * offset from (0: start of the list); 0 when there is none. Stops on loops
 * and pointers into the header, so a broken list cannot hang the scan. */
uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id, uint8_t from);

/* Turn on memory and I/O decoding and bus mastering (DMA). */
void pci_enable(const struct pci_dev *d);

/* Which kinds pci_irq_setup may choose (bits of 1 << enum pci_irq_kind). */
#define PCI_ALLOW_INTX (1u << PCI_IRQ_INTX)
#define PCI_ALLOW_MSI  (1u << PCI_IRQ_MSI)
#define PCI_ALLOW_MSIX (1u << PCI_IRQ_MSIX)
#define PCI_ALLOW_ANY  (PCI_ALLOW_INTX | PCI_ALLOW_MSI | PCI_ALLOW_MSIX)

/* Allocate a vector for handler(arg) and make the device raise it, trying
 * in order (among the allowed kinds) MSI-X entry 0 (other entries masked),
 * MSI, then INTx routed through arch_irq_route_gsi (level, active low,
 * possibly shared: the handler must check its own device). *vector and
 * *kind report the choice. Returns 0, -ENOSPC (no vector), -ENODEV (no
 * usable interrupt), -ENOMEM (MSI-X table not mappable). Not from
 * interrupt context. */
MUST_CHECK int pci_irq_setup(const struct pci_dev *d, unsigned allow,
                             void (*handler)(void *arg), void *arg, int *vector,
                             enum pci_irq_kind *kind);

/* Point MSI-X table entry `entry` of d at vector and unmask it (for devices
 * with per-queue vectors). 0, -ENODEV, -EINVAL, -ENOMEM. */
MUST_CHECK int pci_msix_set(const struct pci_dev *d, int entry, int vector);

/* Short name of an interrupt kind, for logs. */
const char *pci_irq_kind_name(enum pci_irq_kind k);
