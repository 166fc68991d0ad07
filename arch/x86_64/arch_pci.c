/*
 * PCI configuration space through configuration mechanism #1: the address
 * goes to port 0xCF8, the data moves through 0xCFC..0xCFF. Enumeration, BARs,
 * capabilities and MSI are portable and live in kernel/pci.c; this file only
 * moves bytes. Accesses are serialised because the address/data pair is
 * one global register.
 */
#include "kernel/arch.h"
#include "kernel/sync.h"
#include "arch/x86_64/arch_int.h"

#define PCI_ADDR 0xCF8
#define PCI_DATA 0xCFC

static struct spinlock cfg_lock;   /* protects the 0xCF8/0xCFC pair */
static bool cfg_lock_ready;

static inline uint32_t
inl(uint16_t port)
{
    uint32_t v;
    __asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline uint16_t
inw(uint16_t port)
{
    uint16_t v;
    __asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}
static inline void
outw(uint16_t port, uint16_t v)
{
    __asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

static void
select_reg(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off)
{
    outl(PCI_ADDR, 0x80000000u | (uint32_t)bus << 16 | (uint32_t)(dev & 31) << 11 |
                       (uint32_t)(fn & 7) << 8 | (off & 0xfc));
}

static void
lock(void)
{
    if (!cfg_lock_ready) {
        spin_init(&cfg_lock, "arch.pcicfg");
        cfg_lock_ready = true;
    }
    spin_lock(&cfg_lock);
}

uint32_t
arch_pci_cfg_read(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width)
{
    uint32_t v;
    if (off >= 256)
        return 0xffffffffu;    /* extended space needs ECAM, which we do not map */
    lock();
    select_reg(bus, dev, fn, off);
    switch (width) {
    case 1:
        v = inb(PCI_DATA + (off & 3));
        break;
    case 2:
        v = inw(PCI_DATA + (off & 2));
        break;
    default:
        v = inl(PCI_DATA);
        break;
    }
    spin_unlock(&cfg_lock);
    return v;
}

void
arch_pci_cfg_write(uint8_t bus, uint8_t dev, uint8_t fn, uint16_t off, int width, uint32_t v)
{
    if (off >= 256)
        return;
    lock();
    select_reg(bus, dev, fn, off);
    switch (width) {
    case 1:
        outb(PCI_DATA + (off & 3), (uint8_t)v);
        break;
    case 2:
        outw(PCI_DATA + (off & 2), (uint16_t)v);
        break;
    default:
        outl(PCI_DATA, v);
        break;
    }
    spin_unlock(&cfg_lock);
}
