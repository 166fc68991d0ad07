/*
 * Cluster time sync: every node keeps the time of day locally (never
 * forwarded home) and follows one time source node, node 0 unless
 * timesrc= says otherwise, Cristian-style: request at t0, the source's
 * time ts, reply at t1; offset = ts + (t1 - t0) / 2 - (our time at t1),
 * error bound (t1 - t0) / 2. The best (shortest) of a few samples counts.
 * The first sync steps the clock; later ones slew (time_adjust) unless
 * the error is over TIME_STEP_NS. The source answers the TIME op
 * (net/rpc/rpc_ops.h) here too; the protocol is in docs/time.md.
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/sys.h"
#include "kernel/time.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define SAMPLES       5
#define TIME_STEP_NS  100000000ll   /* over 100 ms off: step, as ntpd does past 128 ms */
#define REPLY_LEN     20            /* u64 time, u64 error bound, u32 flags; big-endian */
#define REPLY_PRECISE 1             /* the sender's clock is set (RTC edge or synced) */

static struct spinlock ts_lock = { .name = "time.sync", .cpu = -1 };  /* protects st */
static struct wisp_timesync st;
static uint64_t last_sync_ns;       /* monotonic; 0 if never */
static int self_node = -1;

static void
put_be(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * (n - 1 - i)));
}

static uint64_t
get_be(const uint8_t *p, int n)
{
    uint64_t v = 0;
    for (int i = 0; i < n; i++)
        v = v << 8 | p[i];
    return v;
}

/* TIME: empty -> u64 realtime ns, u64 its error bound ns, u32 flags. */
int
time_rpc_time(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    if (*replen < REPLY_LEN)
        return -EMSGSIZE;
    uint64_t err, now = time_realtime_ns();
    bool precise;
    spin_lock(&ts_lock);
    err = st.state == WISP_TS_SOURCE ? 0 : st.error_ns;
    precise = st.state == WISP_TS_SOURCE ? time_is_precise() : st.state == WISP_TS_SYNCED;
    spin_unlock(&ts_lock);
    put_be(rep, now, 8);
    put_be((uint8_t *)rep + 8, err, 8);
    put_be((uint8_t *)rep + 16, precise ? REPLY_PRECISE : 0, 4);
    *replen = REPLY_LEN;
    return 0;
}

/* One sample: 0 with *off and *bound, -EAGAIN when the source's own clock
 * is not set yet, or rpc_call's error. Sleeps. */
static int
sample(int src, int64_t *off, uint64_t *bound)
{
    uint8_t rep[REPLY_LEN];
    size_t len = 0;
    uint64_t t0 = arch_time_ns();
    int err = rpc_call(src, RPC_OP_TIME, NULL, 0, rep, sizeof(rep), &len);
    uint64_t t1 = arch_time_ns();
    uint64_t local = time_realtime_ns();
    if (err)
        return err;
    if (len != REPLY_LEN)
        return -EPROTO;
    if (!(get_be(rep + 16, 4) & REPLY_PRECISE))
        return -EAGAIN;
    uint64_t half = (t1 - t0) / 2;
    *off = (int64_t)(get_be(rep, 8) + half - local);
    *bound = half + get_be(rep + 8, 8);
    return 0;
}

/* The best of SAMPLES samples (smallest bound). Sleeps. */
static int
measure(int src, int64_t *off, uint64_t *bound)
{
    int err = -ETIMEDOUT;
    *bound = ~0ull;
    for (int i = 0; i < SAMPLES; i++) {
        int64_t o;
        uint64_t b;
        int e = sample(src, &o, &b);
        if (e) {
            err = e;
            if (e != -EAGAIN && e != -ETIMEDOUT)
                break;
            continue;
        }
        if (b < *bound) {
            *bound = b;
            *off = o;
        }
    }
    return *bound == ~0ull ? err : 0;
}

/* One sync with the source: measure, then step or slew. Sleeps. */
static int
sync_once(int src)
{
    int64_t off;
    uint64_t bound;
    int err = measure(src, &off, &bound);
    if (err)
        return err;
    spin_lock(&ts_lock);
    bool step = st.syncs == 0 || off > TIME_STEP_NS || off < -TIME_STEP_NS;
    spin_unlock(&ts_lock);
    time_adjust(off, step);
    spin_lock(&ts_lock);
    st.state = WISP_TS_SYNCED;
    st.offset_ns = off;
    st.error_ns = bound;
    st.syncs++;
    st.steps += step;
    last_sync_ns = arch_time_ns();
    spin_unlock(&ts_lock);
    return 0;
}

static void
sync_thread(void *arg)
{
    int src = (int)(long)arg;
    for (;;) {
        /* A failure is not printed (it would land in the middle of a
         * program's output); `timesync` shows the state as "trying". */
        int err = sync_once(src);
        uint64_t wait = !err ? TIME_SYNC_PERIOD_S : err == -EAGAIN ? 1 : 5;
        if (sched_sleep_ns(wait * 1000000000ull) != 0)
            continue;
    }
}

void
time_sync_start(int self)
{
    uint64_t src = 0;
    if (cmdline_get_u64(main_cmdline(), "timesrc", 0, &src) != 0 || src > 2047) {
        kprintf("wisp: timesrc= must be a node number; using node 0\n");
        src = 0;
    }
    spin_lock(&ts_lock);
    self_node = self;
    st.source = (int32_t)src;
    st.state = (int)src == self ? WISP_TS_SOURCE : WISP_TS_TRYING;
    spin_unlock(&ts_lock);
    if ((int)src != self && !sched_spawn("timesync", sync_thread, (void *)(long)src))
        kprintf("wisp: no time sync thread: this node keeps its RTC time\n");
}

long
sys_wisp_timesync(uint64_t ubuf, long size, long flags)
{
    struct wisp_timesync t;
    struct arch_clock_info ci;
    if (size < 0 || (flags & ~(long)WISP_TIMESYNC_PROBE))
        return -EINVAL;
    spin_lock(&ts_lock);
    t = st;
    uint64_t last = last_sync_ns;
    spin_unlock(&ts_lock);
    if (self_node < 0)
        t.source = -1;
    t.monotonic_ns = arch_time_ns();
    t.realtime_ns = time_realtime_ns();
    t.age_ns = last ? t.monotonic_ns - last : 0;
    arch_clock_info(&ci);
    t.tsc_hz = ci.tsc_hz;
    t.boot_tsc_hz = ci.boot_hz;
    t.lapic_hz = ci.lapic_hz;
    t.baseline_ns = ci.baseline_ns;
    t.windows = ci.windows;
    t.tried = ci.tried;
    memcpy(t.ref, ci.ref, sizeof(t.ref));
    if (flags & WISP_TIMESYNC_PROBE) {
        t.probe_err = t.state == WISP_TS_SOURCE || self_node < 0
                          ? -EINVAL
                          : measure(t.source, &t.probe_offset_ns, &t.probe_error_ns);
    }
    size_t n = MIN((size_t)size, sizeof(t));
    int err = copyout(ubuf, &t, n);
    return err ? err : (long)n;
}
