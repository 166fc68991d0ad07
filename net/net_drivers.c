/*
 * NIC discovery: scan PCI once, hand each function to the first driver that
 * claims it (net_virtio.c, net_e1000.c) and register what starts with the
 * network core (net_core.c). Received frames pass through net_drv_rx, which
 * the driver test (net_drvtest.c) can divert to itself.
 */
#include "net/net.h"
#include "net/net_drv.h"
#include "kernel/lib.h"
#include "kernel/pci.h"

struct driver {
    const char *name;
    bool (*match)(const struct pci_dev *p);
    int (*probe)(const struct pci_dev *p, struct net_dev **out);
};

static const struct driver drivers[] = {
    { .name = "virtio-net", .match = net_virtio_match, .probe = net_virtio_probe },
    { .name = "e1000", .match = net_e1000_match, .probe = net_e1000_probe },
};

static struct net_dev *devs[NET_DRV_MAX];
static int ndevs = -1;      /* -1: not probed yet */
static void (*tap)(struct net_dev *d, const void *frame, size_t len);

void
net_drv_rx(struct net_dev *d, const void *frame, size_t len)
{
    void (*fn)(struct net_dev *, const void *, size_t) = __atomic_load_n(&tap, __ATOMIC_ACQUIRE);
    if (fn)
        fn(d, frame, len);
    else
        net_rx(d, frame, len);
}

void
net_drv_set_tap(void (*fn)(struct net_dev *d, const void *frame, size_t len))
{
    __atomic_store_n(&tap, fn, __ATOMIC_RELEASE);
}

int
net_drv_count(void)
{
    return ndevs < 0 ? 0 : ndevs;
}

struct net_dev *
net_drv_get(int i)
{
    return i >= 0 && i < net_drv_count() ? devs[i] : NULL;
}

static void
probe_one(const struct pci_dev *p)
{
    for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
        if (!drivers[i].match(p))
            continue;
        struct net_dev *d;
        if (ndevs >= NET_DRV_MAX) {
            kprintf("wisp: %s at %02x:%02x.%x ignored: more than %d NICs\n", drivers[i].name,
                    p->bus, p->dev, p->fn, NET_DRV_MAX);
            return;
        }
        if (drivers[i].probe(p, &d) != 0)
            return;
        devs[ndevs++] = d;
        int err = net_register(d);
        if (err)
            kprintf("wisp: %s: the network core refused it (error %d)\n", d->name, -err);
        return;
    }
}

int
net_drivers_probe(void)
{
    if (ndevs >= 0)
        return ndevs;
    ndevs = 0;
    struct pci_dev *p;
    int n = pci_scan(&p);
    for (int i = 0; i < n; i++)
        probe_one(&p[i]);
    return ndevs;
}
