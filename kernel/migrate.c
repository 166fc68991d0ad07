/*
 * Migration's system calls and knobs: wisp_migrate (ask a process to move
 * and wait until it has, or has failed), evict (send every foreign process
 * home), wisp_migstat (the counters), the default strategy and policy from
 * the command line (migrate_strategy=, migrate=off), and the background
 * thread that drops stalled incoming migrations. The protocol is in
 * kernel/migrate_src.c and kernel/migrate_dst.c.
 */
#include "kernel/arch.h"
#include "kernel/cmdline.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/migrate_int.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/sync.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "net/rpc/recov.h"

struct wisp_migstat migrate_stats;
static int default_strategy = MIG_DIRECT;
static uint64_t evict_idle_ns;            /* evict_idle=SECONDS; 0: off */
static volatile uint64_t last_input_ns;   /* console activity (any context) */
static volatile bool evict_wanted;
static bool policy_off;
static bool tracing;                      /* migrate_trace=1 */
static char delay_phase[16];              /* migrate_delay=PHASE:MS, tests only */
static uint64_t delay_ns;
static uint32_t next_id;

/* Requesters sleep here until their migration is done (done_lock). */
static struct spinlock done_lock = { .name = "migrate.done", .cpu = -1 };
static struct waitq done_wait;

static const char *const strategy_names[MIG_NSTRATEGY] = { "direct", "precopy", "lazy",
                                                            "flush" };

static void
node_event(void *arg, int node, int event, uint32_t boot_id)
{
    if (event == WISP_NODE_DOWN) {
        migrate_dst_node_down(node);
        migrate_lazy_node_down(node);
    }
}

static long evict_all(long euid);

/* Once a second: drop stalled incoming migrations, and evict when the
 * console was used after evict_idle seconds of quiet. */
static void
gc_thread(void *arg)
{
    for (;;) {
        if (sched_sleep_ns(1000000000ull) != 0)
            continue;
        migrate_dst_gc();
        if (evict_wanted) {
            evict_wanted = false;
            long n = evict_all(-1);
            kprintf("wisp: the console is in use again: %ld foreign process%s sent home\n", n,
                    n == 1 ? "" : "es");
        }
    }
}

void
migrate_init(void)
{
    const char *s = cmdline_get(main_cmdline(), "migrate_strategy");
    for (int i = 0; s && i < MIG_NSTRATEGY; i++)
        if (strcmp(s, strategy_names[i]) == 0)
            default_strategy = i;
    s = cmdline_get(main_cmdline(), "migrate");
    policy_off = s && strcmp(s, "off") == 0;
    s = cmdline_get(main_cmdline(), "migrate_trace");
    tracing = s && strcmp(s, "1") == 0;
    uint64_t idle = 0;
    if (cmdline_get_u64(main_cmdline(), "evict_idle", 0, &idle) == 0 && idle < 1000000)
        evict_idle_ns = idle * 1000000000ull;
    s = cmdline_get(main_cmdline(), "migrate_delay");
    const char *colon = s ? strchr(s, ':') : NULL;
    if (colon && colon - s < (long)sizeof(delay_phase)) {
        memcpy(delay_phase, s, (size_t)(colon - s));
        delay_ns = 0;
        for (const char *d = colon + 1; *d >= '0' && *d <= '9' && delay_ns < 1000000; d++)
            delay_ns = delay_ns * 10 + (uint64_t)(*d - '0');
        delay_ns *= 1000000ull;
        kprintf("wisp: migrate: test delay of %llu ms at %s\n",
                (unsigned long long)(delay_ns / 1000000), delay_phase);
    }
    last_input_ns = arch_time_ns();
    waitq_init(&done_wait);
    if (recov_register(node_event, NULL))
        kprintf("wisp: migrate: no recov slot: a dead source's offers expire by time only\n");
    if (!sched_spawn("migrate", gc_thread, NULL))
        kprintf("wisp: migrate: no background thread\n");
}

void
migrate_test_delay(const char *phase, int pid)
{
    if (!delay_ns || strcmp(phase, delay_phase) != 0)
        return;
    kprintf("wisp: migrate pid %d: test delay at %s\n", pid, phase);
    uint64_t end = arch_time_ns() + delay_ns;
    while (arch_time_ns() < end) {  /* a signal must not cut it short */
        if (sched_sleep_ns(MIN(end - arch_time_ns(), 100000000ull)) != 0)
            continue;
    }
}

bool
migrate_test_delay_at(const char *phase)
{
    return delay_ns && strcmp(phase, delay_phase) == 0;
}

int
migrate_default_strategy(void)
{
    return default_strategy;
}

bool
migrate_policy_off(void)
{
    return policy_off;
}

bool
migrate_tracing(void)
{
    return tracing;
}

static void
put_ref(struct mig_ctx *m)
{
    if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_SEQ_CST) == 0) {
        vm_mig_unhold(m);
        kfree(m->page_va);
        kfree(m->page_pa);
        kfree(m);
    }
}

void
migrate_complete(struct mig_ctx *m, int result)
{
    if (m->self && result)    /* a self-migration that failed returns its error */
        m->regs->rax = (uint64_t)(long)result;
    spin_lock(&done_lock);
    m->result = result;
    m->done = true;
    waitq_wake_all(&done_wait);
    spin_unlock(&done_lock);
    put_ref(m);
}

static struct mig_ctx *
new_ctx(int node, long strategy)
{
    struct mig_ctx *m = kzalloc(sizeof(*m));
    if (!m)
        return NULL;
    m->id = (uint64_t)main_node_id() << 32 | __atomic_add_fetch(&next_id, 1, __ATOMIC_SEQ_CST);
    m->target = node;
    m->strategy = strategy < 0 ? default_strategy : (int)strategy;
    m->ns[MIG_PH_FREEZE] = arch_time_ns();   /* the request time, until the process takes it */
    return m;
}

static void
fill_stats(const struct mig_ctx *m, struct wisp_migrate *s)
{
    memset(s, 0, sizeof(*s));
    for (int i = 0; i < MIG_NPHASE; i++)
        s->ns[i] = m->ns[i];
    s->pages = m->pages_sent;
    s->bytes = m->bytes_sent;
    s->pages_resent = m->pages_resent;
    s->pid = m->pid;
    s->source = m->source;
    s->target = m->target;
    s->strategy = m->strategy;
    s->downtime_ns = m->downtime_ns;
}

/* Wait for another process's migration; -EINTR if a signal comes before
 * it took the request, -ESRCH if it died first. */
static int
wait_done(struct mig_ctx *m, int pid)
{
    spin_lock(&done_lock);
    while (!m->done) {
        int err = waitq_wait_timeout(&done_wait, &done_lock, 500000000ull);
        if (m->done)
            break;
        spin_unlock(&done_lock);
        /* Taken (regs set): the process completes it, whatever happens. */
        bool taken = __atomic_load_n(&m->regs, __ATOMIC_SEQ_CST) != NULL;
        if (!taken && err == -EINTR && proc_signal_pending() && proc_mig_cancel(pid, m)) {
            put_ref(m);         /* the process's reference: it never took the request */
            return -EINTR;
        }
        if (!taken && !proc_mig_running(pid) && !m->done)
            return -ESRCH;      /* it ended first; its reference goes with the entry */
        spin_lock(&done_lock);
    }
    spin_unlock(&done_lock);
    return m->result;
}

static int
check_args(long node, long strategy)
{
    if (node < 0 || node >= (1 << 11) || strategy < -1 || strategy >= MIG_NSTRATEGY)
        return -EINVAL;
    if (node == main_node_id())
        return -EINVAL;       /* already here */
    return 0;
}

/* Ask process pid (not the caller) to move for a requester with effective
 * uid euid (-1: the kernel, eviction) and wait until it has, or has failed. */
static int
move_other(int pid, int node, long strategy, struct wisp_migrate *s, long euid)
{
    struct mig_ctx *m = new_ctx(node, strategy);
    if (!m)
        return -ENOMEM;
    m->refs = 2;
    int err = proc_mig_request(pid, m, euid);
    if (err) {
        kfree(m);
        return err;
    }
    err = wait_done(m, pid);
    if (!err)
        fill_stats(m, s);
    put_ref(m);
    return err;
}

long
sys_wisp_migrate(long pid, long node, long strategy, uint64_t ustats)
{
    struct proc *self = proc_current();
    int err = check_args(node, strategy);
    if (err)
        return err;
    if (pid == 0 || pid == proc_pid(self)) {
        /* Self: the move happens on this call's way back to user mode; the
         * call returns 0 at the target, which writes the statistics. */
        struct mig_ctx *m = new_ctx((int)node, strategy);
        if (!m)
            return -ENOMEM;
        m->refs = 1;
        m->self = true;
        m->stats_uptr = ustats;
        err = proc_mig_request(proc_pid(self), m, -1);   /* its own move */
        if (err)
            kfree(m);
        return err;
    }
    struct wisp_migrate s;
    err = move_other((int)pid, (int)node, strategy, &s, proc_mig_caller_euid());
    if (!err && ustats)
        err = copyout(ustats, &s, sizeof(s));
    return err;
}

/* Send every foreign process home for a requester with effective uid euid
 * (-1: the kernel): the count sent, or -EPERM when the requester may move
 * none of those it found. */
static long
evict_all(long euid)
{
    int pids[64];
    long sent = 0, denied = 0;
    struct wisp_migrate s;
    int n = proc_mig_list_foreign(pids, (int)ARRAY_SIZE(pids));
    for (int i = 0; i < n; i++) {
        int err = move_other(pids[i], pids[i] >> PROC_NODE_SHIFT, MIG_DIRECT, &s, euid);
        if (err == 0) {
            sent++;
            MIG_COUNT(evicted, 1);
        } else if (err == -EPERM) {
            denied++;
        } else {
            kprintf("wisp: evict: pid %d stays (%d)\n", pids[i], err);
        }
    }
    return sent == 0 && denied > 0 ? -EPERM : sent;
}

long
sys_wisp_evict(void)
{
    return evict_all(proc_mig_caller_euid());
}

long
sys_wisp_migstat(uint64_t ubuf, long size)
{
    struct wisp_migstat s;
    if (size < 0)
        return -EINVAL;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    memcpy(&s, &migrate_stats, sizeof(s));
    size_t n = MIN((size_t)size, sizeof(s));
    int err = copyout(ubuf, &s, n);
    return err ? err : (long)n;
}

void
migrate_console_activity(void)
{
    uint64_t now = arch_time_ns();
    if (evict_idle_ns && last_input_ns && now - last_input_ns >= evict_idle_ns)
        evict_wanted = true;    /* the background thread evicts: this may be an interrupt */
    last_input_ns = now;
}
