/*
 * The NIC driver test (test=netdrv, tests/qemu/net_drivers.sh): with a
 * virtio-net and an e1000 on one QEMU hub, frames of 60, 1514 and assorted
 * sizes go each way with a sequence number and a position-dependent
 * pattern; every one must arrive once and intact at the other NIC, through
 * its interrupt handler (the drivers never poll receive rings). With one NIC
 * it checks that the device starts and that transmit completions interrupt.
 * Frames are diverted from the network core with net_drv_set_tap.
 */
#include "net/net.h"
#include "net/net_drv.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/sched.h"

int net_drvtest_run(void);

#define ETHERTYPE  0x88b5       /* IEEE local experimental */
#define NFRAMES    400
#define WINDOW     48           /* frames in flight before waiting */
#define MS         1000000ull

static struct {
    struct net_dev *dst;
    uint8_t seen[NFRAMES];
    volatile int good, bad, dup, foreign;
} rx;

static size_t
frame_len(int i)
{
    if (i % 4 == 0)
        return 60;
    if (i % 4 == 1)
        return 1514;
    return 60 + (size_t)(i * 97) % 1455;
}

static uint8_t
pattern(int i, size_t j)
{
    return (uint8_t)(i * 31 + j * 7 + (j >> 8));
}

static void
build(uint8_t *f, int i, const struct net_dev *src, const struct net_dev *dst)
{
    size_t len = frame_len(i);
    memcpy(f, dst->mac, 6);
    memcpy(f + 6, src->mac, 6);
    f[12] = ETHERTYPE >> 8;
    f[13] = ETHERTYPE & 0xff;
    f[14] = (uint8_t)(i >> 8);
    f[15] = (uint8_t)i;
    f[16] = (uint8_t)(len >> 8);
    f[17] = (uint8_t)len;
    for (size_t j = 18; j < len; j++)
        f[j] = pattern(i, j);
}

/* Interrupt context: check one received frame. */
static void
tap(struct net_dev *d, const void *frame, size_t len)
{
    const uint8_t *f = frame;
    if (d != rx.dst || len < 18 || f[12] != (ETHERTYPE >> 8) || f[13] != (ETHERTYPE & 0xff)) {
        rx.foreign++;
        return;
    }
    int i = f[14] << 8 | f[15];
    bool ok = i < NFRAMES && len == frame_len(i) && (size_t)(f[16] << 8 | f[17]) == len &&
              memcmp(f, d->mac, 6) == 0;
    for (size_t j = 18; ok && j < len; j++)
        ok = f[j] == pattern(i, j);
    if (!ok)
        rx.bad++;
    else if (rx.seen[i]++)
        rx.dup++;
    else
        rx.good++;
}

static void
sleep_ms(int ms)
{
    if (sched_sleep_ns((uint64_t)ms * MS) != 0)
        return;     /* a kernel thread gets no signals */
}

static int
send_one(struct net_dev *src, const uint8_t *f, size_t len)
{
    for (int tries = 0; tries < 2000; tries++) {
        int err = src->ops->xmit(src, f, len);
        if (err != -EAGAIN)
            return err;
        sleep_ms(1);
    }
    return -EAGAIN;
}

/* Send NFRAMES from src to dst; 0 when every one arrived intact. */
static int
blast(struct net_dev *src, struct net_dev *dst)
{
    static uint8_t f[1514];
    memset(&rx, 0, sizeof(rx));
    rx.dst = dst;
    uint64_t src_irqs = src->stats.irqs, dst_irqs = dst->stats.irqs;
    int sent = 0, err = 0;
    for (int i = 0; i < NFRAMES && !err; i++) {
        for (int w = 0; w < 1000 && sent - (rx.good + rx.bad + rx.dup) >= WINDOW; w++)
            sleep_ms(1);
        build(f, i, src, dst);
        err = send_one(src, f, frame_len(i));
        sent += !err;
    }
    for (int w = 0; w < 3000 && rx.good + rx.bad + rx.dup < sent; w++)
        sleep_ms(1);
    uint64_t di = dst->stats.irqs - dst_irqs, si = src->stats.irqs - src_irqs;
    kprintf("netdrv: %s -> %s: sent %d, intact %d, corrupt %d, duplicate %d, other %d; "
            "irqs %lu (rx side) %lu (tx side)%s\n", src->name, dst->name, sent, rx.good,
            rx.bad, rx.dup, rx.foreign, (unsigned long)di, (unsigned long)si,
            err ? " (xmit failed)" : "");
    return !err && sent == NFRAMES && rx.good == NFRAMES && !rx.bad && !rx.dup && di > 0 ? 0
                                                                                         : -EIO;
}

/* One NIC alone: frames leave (to nobody) and their completions interrupt. */
static int
solo(struct net_dev *d)
{
    static uint8_t f[1514];
    static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
    uint64_t irqs = d->stats.irqs;
    int err = 0;
    for (int i = 0; i < 300 && !err; i++) {
        build(f, i % NFRAMES, d, d);
        memcpy(f, bcast, 6);
        err = send_one(d, f, frame_len(i));
    }
    sleep_ms(100);
    kprintf("netdrv: %s alone: 300 frames sent%s, irqs %lu\n", d->name, err ? " (failed)" : "",
            (unsigned long)(d->stats.irqs - irqs));
    return !err && d->stats.irqs > irqs ? 0 : -EIO;
}

int
net_drvtest_run(void)
{
    int n = net_drivers_probe(), err = 0;
    struct net_dev *v = NULL, *e = NULL;
    for (int i = 0; i < net_drv_count(); i++) {
        struct net_dev *d = net_drv_get(i);
        kprintf("netdrv: found %s mac %02x:%02x:%02x:%02x:%02x:%02x\n", d->name, d->mac[0],
                d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5]);
        if (!v && strncmp(d->name, "virtio", 6) == 0)
            v = d;
        if (!e && strncmp(d->name, "e1000", 5) == 0)
            e = d;
    }
    if (n == 0) {
        kprintf("netdrv: FAIL: no NIC found\n");
        return -ENODEV;
    }
    net_drv_set_tap(tap);
    if (v && e) {
        err = blast(v, e);
        if (!err)
            err = blast(e, v);
    } else {
        err = solo(v ? v : e);
    }
    net_drv_set_tap(NULL);
    kprintf("netdrv: %s\n", err ? "FAIL" : "PASS");
    return err;
}
