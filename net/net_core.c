/*
 * The network core (docs/net.md): device registration, the RX queue that
 * drivers fill from interrupt context, and the single "net" kernel thread
 * that owns lwIP (NO_SYS=1). Every lwIP call happens in that thread: other
 * threads hand it a struct net_req (net_call waits, net_post does not), and
 * it runs lwIP's timers (sys_check_timeouts) between frames. The netif glue
 * and fault injector are in net_netif.c; UDP and ICMP in net_udp.c and
 * net_icmp.c; the system calls in net_sys.c.
 *
 * A driver with ops->poll (virtio-net) is polled NAPI-style instead: its
 * interrupt only asks for a poll (net_rx_schedule) and stays off while the
 * thread empties the device's own ring, and queued transmissions get one
 * doorbell per pass (ops->kick).
 *
 * Locking: net.lock (a leaf, taken from interrupt context by net_rx)
 * protects the RX ring, the poll requests, the request queue and the thread's state; lwIP's
 * own state needs no lock because only the net thread touches it.
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "net/net.h"
#include "net/net_int.h"

#include "lwip/err.h"
#include "lwip/init.h"
#include "lwip/netif.h"
#include "lwip/timeouts.h"

#define NET_RX_SLOTS   256      /* frames queued between the IRQ and the thread */
#define NET_REQ_MAX    4096     /* async requests queued before net_post refuses */
#define NET_RX_BUDGET  64       /* frames per pass before requests and timers get a turn */
#define NET_MAX_SLEEP_MS 10     /* held (reordered) frames wait at most about this */
#define NET_WATCH_MS   50       /* polled devices: look for a lost interrupt this often */

struct rx_slot {
    struct net_dev *dev;
    uint16_t len;
    uint8_t data[NET_MAX_FRAME];
};

static struct {
    struct spinlock lock;       /* protects the fields up to the blank line */
    struct waitq wake;          /* the net thread sleeps here */
    struct waitq done;          /* net_call callers sleep here */
    struct rx_slot *rx[NET_RX_SLOTS];
    unsigned rx_head, rx_count;
    struct net_req *req_head, *req_tail;
    unsigned nreq;
    unsigned poll_pending;      /* bit i: devs[i] asked to be polled */
    bool up;                    /* the thread runs and lwIP is initialised */
    uint64_t core_tx_dropped;
    uint64_t cyc_rx, cyc_tx, cyc_other;   /* the net thread's profile (its own) */
    uint64_t cyc_send;                    /* net_udp_send's callers (atomic) */

    /* Set before the thread starts, read-only after: no lock. */
    struct net_dev *devs[NET_MAX_DEVS];
    int ndevs;
    struct thread *thread;
    struct net_fault_cfg fault;
} net = { .lock = { .cpu = -1, .name = "net.lock" } };

/* kernel/main.c will export its parsed command line; until then, none. */
__attribute__((weak)) const struct cmdline *main_cmdline(void);

const struct cmdline *
net_cmdline(void)
{
    return main_cmdline ? main_cmdline() : NULL;
}

int
net_register(struct net_dev *d)
{
    int err = 0;
    spin_lock(&net.lock);
    if (net.up || net.ndevs == NET_MAX_DEVS)
        err = net.up ? -EBUSY : -ENOSPC;
    else
        net.devs[net.ndevs++] = d;
    spin_unlock(&net.lock);
    if (!err)
        kprintf("net: %s %02x:%02x:%02x:%02x:%02x:%02x mtu %u\n", d->name, d->mac[0],
                d->mac[1], d->mac[2], d->mac[3], d->mac[4], d->mac[5], d->mtu);
    return err;
}

void
net_rx(struct net_dev *d, const void *frame, size_t len)
{
    spin_lock(&net.lock);
    if (!net.up || net.rx_count == NET_RX_SLOTS || len > NET_MAX_FRAME || len < 14) {
        d->stats.rx_dropped++;
        spin_unlock(&net.lock);
        return;
    }
    struct rx_slot *s = net.rx[(net.rx_head + net.rx_count) % NET_RX_SLOTS];
    s->dev = d;
    s->len = (uint16_t)len;
    memcpy(s->data, frame, len);
    net.rx_count++;
    d->stats.rx_frames++;
    d->stats.rx_bytes += len;
    waitq_wake_one(&net.wake);
    spin_unlock(&net.lock);
}

bool
net_rx_polled(struct net_dev *d)
{
    return __atomic_load_n(&net.up, __ATOMIC_ACQUIRE) && d->ops->poll;
}

void
net_rx_schedule(struct net_dev *d)
{
    spin_lock(&net.lock);
    for (int i = 0; i < net.ndevs; i++)
        if (net.devs[i] == d)
            net.poll_pending |= 1u << i;
    waitq_wake_one(&net.wake);
    spin_unlock(&net.lock);
}

bool
net_is_up(void)
{
    return net.up;
}

bool
net_in_thread(void)
{
    return net.thread && sched_current() == net.thread;
}

int
net_post(struct net_req *r)
{
    int err = 0;
    r->next = NULL;
    r->done = false;
    spin_lock(&net.lock);
    if (!net.up)
        err = -ENETDOWN;
    else if (r->async && net.nreq >= NET_REQ_MAX)
        err = -ENOMEM;
    if (!err) {
        bool was_empty = !net.req_head;
        if (net.req_tail)
            net.req_tail->next = r;
        else
            net.req_head = r;
        net.req_tail = r;
        net.nreq++;
        if (was_empty)   /* else the thread has yet to take the queue: it is awake */
            waitq_wake_one(&net.wake);
    }
    spin_unlock(&net.lock);
    return err;
}

int
net_call(struct net_req *r)
{
    r->async = false;
    r->err = 0;
    if (net_in_thread()) {
        r->fn(r);
        return r->err;
    }
    sync_assert_may_sleep();
    int err = net_post(r);
    if (err)
        return err;
    spin_lock(&net.lock);
    while (!r->done)
        waitq_wait(&net.done, &net.lock);
    spin_unlock(&net.lock);
    return r->err;
}

int
net_err(int e)
{
    switch (e) {
    case ERR_OK:
        return 0;
    case ERR_MEM:
    case ERR_BUF:
        return -ENOMEM;
    case ERR_TIMEOUT:
        return -ETIMEDOUT;
    case ERR_RTE:
        return -EHOSTUNREACH;
    case ERR_INPROGRESS:
    case ERR_WOULDBLOCK:
        return -EAGAIN;
    case ERR_VAL:
    case ERR_ARG:
        return -EINVAL;
    case ERR_USE:
        return -EADDRINUSE;
    case ERR_IF:
    case ERR_CONN:
    case ERR_CLSD:
        return -ENETDOWN;
    default:
        return -EIO;
    }
}

void
net_count_send_cycles(uint64_t c)
{
    __atomic_add_fetch(&net.cyc_send, c, __ATOMIC_RELAXED);
}

void
net_count_tx_drop(void)
{
    net.core_tx_dropped++;   /* net thread only */
}

void
net_get_stats(struct net_stats *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < net.ndevs; i++) {
        const struct net_stats *d = &net.devs[i]->stats;
        s->rx_frames += d->rx_frames;
        s->rx_bytes += d->rx_bytes;
        s->tx_frames += d->tx_frames;
        s->tx_bytes += d->tx_bytes;
        s->rx_dropped += d->rx_dropped;
        s->tx_dropped += d->tx_dropped;
        s->injected_drop += d->injected_drop;
        s->injected_dup += d->injected_dup;
        s->injected_reorder += d->injected_reorder;
        s->irqs += d->irqs;
        s->polls += d->polls;
        s->notifies += d->notifies;
        s->notifies_saved += d->notifies_saved;
        s->rx_rescues += d->rx_rescues;
    }
    s->tx_dropped += net.core_tx_dropped;
    s->cyc_rx = net.cyc_rx;
    s->cyc_tx = net.cyc_tx;
    s->cyc_other = net.cyc_other;
    s->cyc_send = __atomic_load_n(&net.cyc_send, __ATOMIC_RELAXED);
}

/* The first registered device, for netstat (NULL when there is none). */
const struct net_dev *
net_first_dev(void)
{
    return net.ndevs ? net.devs[0] : NULL;
}

/* lwIP's clock: milliseconds, wrapping at 2^32 (lwIP handles the wrap). */
uint32_t sys_now(void);
uint32_t
sys_now(void)
{
    return (uint32_t)(arch_time_ns() / 1000000);
}

void *
net_lwip_calloc(size_t n, size_t size)
{
    if (size && n > SIZE_MAX / size)
        return NULL;
    return kzalloc(n * size);
}

uint32_t
net_lwip_rand(void)
{
    static uint64_t state;
    if (!state)
        state = arch_cycles() | 1;
    return (uint32_t)(net_fault_next(&state) >> 32);
}

/* Frames from the RX ring into lwIP. The IRQ side writes only slots past
 * rx_head + rx_count, so the head slot is ours while we read it unlocked. */
static bool
drain_rx(void)
{
    for (int n = 0; n < NET_RX_BUDGET; n++) {
        spin_lock(&net.lock);
        if (net.rx_count == 0) {
            spin_unlock(&net.lock);
            return false;
        }
        struct rx_slot *s = net.rx[net.rx_head];
        spin_unlock(&net.lock);

        net_netif_input(s->dev, s->data, s->len);

        spin_lock(&net.lock);
        net.rx_head = (net.rx_head + 1) % NET_RX_SLOTS;
        net.rx_count--;
        spin_unlock(&net.lock);
    }
    return true;   /* more may be waiting */
}

/* A frame from a polling driver's ring, in the net thread: no copy into
 * the RX slots; a UDP datagram for a bound port goes to its upcall from
 * the ring buffer (net_fast.c), anything else into lwIP (which copies it
 * into a pbuf). */
static void
poll_rx(struct net_dev *d, const void *frame, size_t len)
{
    if (len > NET_MAX_FRAME || len < 14) {
        d->stats.rx_dropped++;
        return;
    }
    d->stats.rx_frames++;
    d->stats.rx_bytes += len;
    if (!net_fast_input(d, frame, len))
        net_netif_input(d, frame, len);
}

/* Poll the devices whose interrupt asked for it; true if any has more. */
static bool
poll_devs(void)
{
    spin_lock(&net.lock);
    unsigned pending = net.poll_pending;
    net.poll_pending = 0;
    spin_unlock(&net.lock);
    bool more = false;
    for (int i = 0; i < net.ndevs; i++) {
        struct net_dev *d = net.devs[i];
        if (!(pending & (1u << i)))
            continue;
        d->stats.polls++;
        if (d->ops->poll(d, NET_RX_BUDGET, poll_rx) >= NET_RX_BUDGET) {
            spin_lock(&net.lock);
            net.poll_pending |= 1u << i;    /* budget spent: come back */
            spin_unlock(&net.lock);
            more = true;
        }
    }
    return more;
}

/* The watchdog of polled devices: a frame that waits in a ring no
 * interrupt told us about (a lost or suppressed interrupt, a doorbell the
 * device missed) would otherwise wait forever, and with it every frame
 * after it: the node would hear nothing more. Rescued polls are counted. */
static bool
watch_devs(void)
{
    static uint64_t next;
    uint64_t now = arch_time_ns();
    bool more = false;
    if (now < next)
        return false;
    next = now + NET_WATCH_MS * 1000000ull;
    for (int i = 0; i < net.ndevs; i++) {
        struct net_dev *d = net.devs[i];
        if (!d->ops->rx_stalled || !d->ops->rx_stalled(d))
            continue;
        spin_lock(&net.lock);
        bool pending = net.poll_pending & (1u << i);
        net.poll_pending |= 1u << i;
        spin_unlock(&net.lock);
        if (!pending)
            d->stats.rx_rescues++;
        more = true;
    }
    return more;
}

/* Ring the doorbells of the frames queued in this pass. */
static void
kick_devs(void)
{
    for (int i = 0; i < net.ndevs; i++)
        if (net.devs[i]->ops->kick)
            net.devs[i]->ops->kick(net.devs[i]);
    net_fast_kicked();
}

static void
run_requests(void)
{
    spin_lock(&net.lock);
    struct net_req *r = net.req_head;
    net.req_head = net.req_tail = NULL;
    net.nreq = 0;
    spin_unlock(&net.lock);

    while (r) {
        struct net_req *next = r->next;
        if (r->async) {
            r->fn(r);   /* frees r */
        } else {
            r->fn(r);
            spin_lock(&net.lock);
            r->done = true;
            waitq_wake_all(&net.done);
            spin_unlock(&net.lock);
        }
        r = next;
    }
}

/* Sleep until a frame or a request arrives or lwIP's next timer is due. */
static void
wait_for_work(void)
{
    uint32_t ms = sys_timeouts_sleeptime();
    if (ms > NET_MAX_SLEEP_MS)
        ms = NET_MAX_SLEEP_MS;
    spin_lock(&net.lock);
    if (net.rx_count == 0 && !net.req_head && !net.poll_pending && ms > 0) {
        int e = waitq_wait_timeout(&net.wake, &net.lock, (uint64_t)ms * 1000000);
        (void)e;   /* woken or timed out: either way, look for work */
    }
    spin_unlock(&net.lock);
}

static struct {
    struct spinlock lock;
    struct waitq q;
    int err;
    bool done;
} start = { .lock = { .cpu = -1, .name = "net.start" } };

static void
net_thread(void *arg)
{
    int err = 0;
    lwip_init();
    net_icmp_start();
    for (int i = 0; i < net.ndevs && !err; i++) {
        uint32_t ip = i == 0 ? net_self_ip() : 0;   /* one address per node */
        err = net_netif_add(net.devs[i], ip, net_addr_self_prefix(), &net.fault);
    }
    spin_lock(&net.lock);
    net.up = !err;
    spin_unlock(&net.lock);
    spin_lock(&start.lock);
    start.err = err;
    start.done = true;
    waitq_wake_all(&start.q);
    spin_unlock(&start.lock);
    if (err)
        sched_exit_current();

    for (;;) {
        uint64_t t0 = arch_cycles();
        bool more = drain_rx();
        more |= poll_devs();
        more |= watch_devs();
        uint64_t t1 = arch_cycles();
        run_requests();
        uint64_t t2 = arch_cycles();
        sys_check_timeouts();
        netif_poll_all();   /* frames to our own address (LWIP_NETIF_LOOPBACK); */
        netif_poll_all();   /* twice, so a looped-back request's reply arrives too */
        net_netif_poll(arch_time_ns());
        kick_devs();
        uint64_t t3 = arch_cycles();
        net.cyc_rx += t1 - t0;
        net.cyc_tx += t2 - t1;
        net.cyc_other += t3 - t2;
        if (!more)
            wait_for_work();
    }
}

/* ip=, netdrop= netdup= netreorder= netseed= from the command line. */
static void
read_config(void)
{
    const struct cmdline *c = net_cmdline();
    uint32_t ip = net_node_ip(main_node_id());
    int prefix = NET_ADDR_DEFAULT_PREFIX;
    const char *s = c ? cmdline_get(c, "ip") : NULL;

    if (s && net_addr_parse(s, &ip, &prefix) != 0) {
        kprintf("net: ip=%s is not A.B.C.D/NN; using the node's default\n", s);
        ip = net_node_ip(main_node_id());
        prefix = NET_ADDR_DEFAULT_PREFIX;
    }
    net_addr_set_self(ip, prefix);

    static const struct { const char *key; unsigned *val; } knobs[] = {
        { "netdrop", &net.fault.drop },
        { "netdup", &net.fault.dup },
        { "netreorder", &net.fault.reorder },
    };
    for (size_t i = 0; i < ARRAY_SIZE(knobs); i++) {
        *knobs[i].val = 0;
        s = c ? cmdline_get(c, knobs[i].key) : NULL;
        if (s && net_fault_parse_percent(s, knobs[i].val) != 0) {
            kprintf("net: %s=%s is not a percentage 0..100; using 0\n", knobs[i].key, s);
            *knobs[i].val = 0;
        }
    }
    net.fault.seed = (uint64_t)main_node_id() + 1;
    if (c && cmdline_get_u64(c, "netseed", net.fault.seed, &net.fault.seed) != 0)
        kprintf("net: netseed= is not a number; using %lu\n",
                (unsigned long)(net.fault.seed = (uint64_t)main_node_id() + 1));
}

static int
alloc_rx_ring(void)
{
    for (int i = 0; i < NET_RX_SLOTS; i++) {
        net.rx[i] = kmalloc(sizeof(struct rx_slot));
        if (!net.rx[i])
            return -ENOMEM;
    }
    return 0;
}

int
net_init(void)
{
    char ipbuf[16];

    spin_init(&net.lock, "net.lock");
    spin_init(&start.lock, "net.start");
    waitq_init(&net.wake);
    waitq_init(&net.done);
    waitq_init(&start.q);
    read_config();
    net_fast_init(&net.fault);
    (void)net_drivers_probe();
    if (net.ndevs == 0) {
        kprintf("net: no network interface; networking is off\n");
        return -ENODEV;
    }
    if (alloc_rx_ring() != 0)
        return -ENOMEM;
    net.thread = sched_spawn("net", net_thread, NULL);
    if (!net.thread)
        return -ENOMEM;
    spin_lock(&start.lock);
    while (!start.done)
        waitq_wait(&start.q, &start.lock);
    spin_unlock(&start.lock);
    if (start.err) {
        kprintf("net: cannot start lwIP: error %d\n", -start.err);
        return start.err;
    }
    kprintf("net: lwIP %s up, %s/%d on %s", LWIP_VERSION_STRING,
            net_addr_format(net_self_ip(), ipbuf, sizeof ipbuf), net_addr_self_prefix(),
            net.devs[0]->name);
    if (net.fault.drop || net.fault.dup || net.fault.reorder)
        kprintf(", injecting drop %u%% dup %u%% reorder %u%% (seed %lu)", net.fault.drop,
                net.fault.dup, net.fault.reorder, (unsigned long)net.fault.seed);
    kprintf("\n");
    return 0;
}

static void
flush_fn(struct net_req *r)
{
    r->err = 0;   /* nothing to do: reaching here means the queue before it ran */
}

int
net_flush(void)
{
    struct net_req r = { .fn = flush_fn };
    return net_call(&r);
}
