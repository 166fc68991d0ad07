/*
 * The process table: pids, fork, exit, wait4, kill and the identity
 * calls. exec is in proc_exec.c, signal delivery in proc_signal.c, process
 * groups, sessions and stop/continue in proc_jobctl.c. Every call here depends on where a process lives, so once
 * processes migrate these are the calls forwarded home (docs/syscalls.md).
 *
 * Locking: proc_table_lock (spinlock) protects every entry's state, pid,
 * parentage, pgid/sid and exit status, and the child_wait queues.
 * It comes before the fs and scheduler locks in the global order.
 */
#include "fs/fs.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"

struct spinlock proc_table_lock = { .name = "proc.table", .cpu = -1 };
struct proc proc_table[PROC_MAX];

#define WNOHANG    1
#define WUNTRACED  2
#define WCONTINUED 8
#define WNOWAIT    0x01000000
#define WAIT_STATUS_CONTINUED 0xffff

struct proc *
proc_current(void)
{
    return sched_current()->proc;
}

int
proc_pid(const struct proc *p)
{
    return p->pid;
}

int
proc_pgid(const struct proc *p)
{
    return p->pgid;
}

const char *
proc_name(const struct proc *p)
{
    return p->name;
}

struct vm *
proc_vm(const struct proc *p)
{
    return p->vm;
}

struct fs_ctx *
proc_fs(const struct proc *p)
{
    return p->fs;
}

struct fs_ctx *
proc_fs_swap(struct proc *p, struct fs_ctx *c)
{
    spin_lock(&proc_table_lock);
    struct fs_ctx *old = p->fs;
    p->fs = c;
    spin_unlock(&proc_table_lock);
    return old;
}

int
proc_node_self(void)
{
    return main_node_id();
}

/* A new entry. Slot 0 is never used so that the first pid is 1. */
struct proc *
proc_alloc(void)
{
    spin_lock(&proc_table_lock);
    for (int i = 1; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state != PROC_FREE)
            continue;
        int gen = p->gen;
        memset(p, 0, sizeof(*p));
        p->gen = gen + 1;
        p->slot = i;
        int local = ((p->gen - 1) * PROC_MAX + i) & ((1 << PROC_NODE_SHIFT) - 1);
        if (local == 0)
            local = i;
        p->home = p->node = main_node_id();
        p->pid = (p->home << PROC_NODE_SHIFT) | local;
        p->pgid = p->sid = p->pid;
        p->state = PROC_ALIVE;
        p->start_ns = arch_time_ns();
        waitq_init(&p->child_wait);
        spin_unlock(&proc_table_lock);
        return p;
    }
    spin_unlock(&proc_table_lock);
    return NULL;
}

/* A foreign entry takes any free slot: its pid's slot bits are its home's. */
struct proc *
proc_alloc_foreign(int pid)
{
    struct proc *p = NULL;
    spin_lock(&proc_table_lock);
    if (proc_by_pid(pid)) {
        spin_unlock(&proc_table_lock);
        return NULL;
    }
    for (int i = 1; i < PROC_MAX && !p; i++)
        if (proc_table[i].state == PROC_FREE)
            p = &proc_table[i];
    if (p) {
        int gen = p->gen;
        memset(p, 0, sizeof(*p));
        p->gen = gen;
        p->slot = (int)(p - proc_table);
        p->pid = p->pgid = p->sid = pid;
        p->home = pid >> PROC_NODE_SHIFT;
        p->node = main_node_id();
        p->state = PROC_ALIVE;
        p->start_ns = arch_time_ns();
        waitq_init(&p->child_wait);
    }
    spin_unlock(&proc_table_lock);
    return p;
}

struct proc *
proc_alloc_away(struct proc *parent, int node)
{
    struct proc *c = proc_alloc();
    if (!c)
        return NULL;
    spin_lock(&proc_table_lock);
    c->node = node;
    c->parent = parent;
    c->pgid = parent->pgid;
    c->sid = parent->sid;
    c->ctty_dropped = parent->ctty_dropped;
    proc_cred_copy(c, parent);
    proc_rlimit_fork(c, parent);
    memcpy(c->name, parent->name, sizeof(c->name));
    memcpy(c->cmdline, parent->cmdline, sizeof(c->cmdline));
    c->cmdline_len = parent->cmdline_len;
    spin_unlock(&proc_table_lock);
    return c;
}

bool
proc_is_foreign(const struct proc *p)
{
    return p->home != main_node_id();
}

bool
proc_is_away(const struct proc *p)
{
    return p->home == main_node_id() && p->node != main_node_id();
}

struct proc *
proc_by_pid(int pid)
{
    sync_assert_held(&proc_table_lock);
    if (pid <= 0)
        return NULL;
    if ((pid >> PROC_NODE_SHIFT) != main_node_id()) {
        for (int i = 1; i < PROC_MAX; i++)
            if (proc_table[i].state != PROC_FREE && proc_table[i].pid == pid)
                return &proc_table[i];
        return NULL;
    }
    int slot = (pid & ((1 << PROC_NODE_SHIFT) - 1)) % PROC_MAX;
    struct proc *p = &proc_table[slot];
    return p->state != PROC_FREE && p->pid == pid ? p : NULL;
}

void
proc_free_entry(struct proc *p)
{
    sync_assert_held(&proc_table_lock);
    if (p->thread)
        sched_free(p->thread);
    p->thread = NULL;
    p->state = PROC_FREE;
}

long
sys_fork(void)
{
    struct proc *parent = proc_current(), *c;
    struct arch_regs regs = *arch_user_regs();

    uint32_t seq = 0;
    if (proc_is_foreign(parent)) {
        /* The child's pid and away entry come from home (DESIGN.md 4). */
        spin_lock(&proc_table_lock);
        seq = parent->child_seq;    /* news of the child from here on counts */
        spin_unlock(&proc_table_lock);
        int cpid = proc_fwd_fork_pid(parent);
        if (cpid < 0)
            return cpid;
        c = proc_alloc_foreign(cpid);
        if (!c) {
            proc_fwd_exit_pid(cpid, SIGKILL, 0, 0, NULL, 0);
            return -EAGAIN;
        }
    } else {
        c = proc_alloc();
    }
    if (!c)
        return -EAGAIN;
    c->vm = vm_fork(parent->vm);
    c->fs = c->vm ? fs_ctx_fork(parent->fs) : NULL;
    regs.rax = 0;
    c->thread = c->fs ? sched_new_user(parent->name, c, &regs) : NULL;
    if (!c->thread) {
        if (c->fs)
            fs_ctx_free(c->fs);
        if (c->vm)
            vm_free(c->vm);
        int cpid = c->pid;
        bool foreign = proc_is_foreign(c);
        spin_lock(&proc_table_lock);
        proc_free_entry(c);
        spin_unlock(&proc_table_lock);
        if (foreign)
            proc_fwd_exit_pid(cpid, SIGKILL, 0, 0, NULL, 0);
        return -ENOMEM;
    }
    c->thread->pt_root = c->vm->root;
    arch_fpu_copy(&c->thread->ctx);
    c->thread->ctx.fs_base = parent->thread->ctx.fs_base;
    memcpy(c->name, parent->name, sizeof(c->name));
    memcpy(c->cmdline, parent->cmdline, sizeof(c->cmdline));
    memcpy(c->exe, parent->exe, sizeof(c->exe));
    c->cmdline_len = parent->cmdline_len;
    memcpy(c->sigact, parent->sigact, sizeof(c->sigact));
    c->sig_blocked = parent->sig_blocked;
    spin_lock(&proc_table_lock);
    proc_rlimit_fork(c, parent);
    proc_cred_copy(c, parent);
    c->parent = proc_is_foreign(parent) ? NULL : parent;
    c->pgid = parent->pgid;
    c->sid = parent->sid;
    c->ctty_dropped = parent->ctty_dropped;
    int pid = c->pid;
    if (proc_is_foreign(parent)) {
        parent->fork_pid = pid;
        parent->fork_seq = seq;
    }
    spin_unlock(&proc_table_lock);
    sched_make_runnable(c->thread);
    return pid;
}

long
sys_vfork(void)
{
    return sys_fork();  /* copy-on-write makes fork cheap enough; same semantics for exec/_exit */
}

#define CLONE_VM     0x00000100
#define CLONE_FS     0x00000200
#define CLONE_FILES  0x00000400
#define CLONE_SIGHAND 0x00000800
#define CLONE_VFORK  0x00004000
#define CLONE_THREAD 0x00010000

long
sys_clone(uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid, uint64_t tls)
{
    /* Only the fork-like forms: one thread per process for now. */
    if (flags & (CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD))
        return -ENOSYS;
    struct arch_regs *r = arch_user_regs();
    uint64_t saved = r->rsp;
    if (stack)
        r->rsp = stack;
    long pid = sys_fork();
    r->rsp = saved;
    return pid;
}

void
proc_session_end(struct proc *p)
{
    /* The session ends: its controlling tty is let go, and the group in
     * front of it gets SIGHUP and SIGCONT, as on Linux. */
    int fg = fs_console_release(p->sid);
    if (fg > 0) {
        (void)proc_signal_pgrp(fg, SIGHUP);
        (void)proc_signal_pgrp(fg, SIGCONT);
    }
}

void
proc_zombify(struct proc *p, int wait_status)
{
    (void)proc_zombify_near(p, wait_status, -1);
}

int
proc_zombify_near(struct proc *p, int wait_status, int node)
{
    sync_assert_held(&proc_table_lock);
    struct proc *init = proc_by_pid(1 | (main_node_id() << PROC_NODE_SHIFT));
    bool orphan_zombie = false;
    proc_jobctl_exit(p);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *c = &proc_table[i];
        if (c->state != PROC_FREE && c->parent == p) {
            c->parent = init;
            orphan_zombie |= c->state == PROC_ZOMBIE;
        }
    }
    if (init && orphan_zombie)
        waitq_wake_all(&init->child_wait);
    p->exit_status = wait_status;
    p->state = PROC_ZOMBIE;
    if (p == init)
        main_init_exited(wait_status);
    struct proc *par = p->parent;
    if (!par) {
        p->state = PROC_FREE;  /* no one will reap it; the stack is leaked on purpose */
        return 0;
    }
    if (!proc_is_away(par)) {
        proc_signal(par, SIGCHLD);
        waitq_wake_all(&par->child_wait);
        return 0;
    }
    /* Its wait4 sleeps at its node: SIGCHLD and the event go there in one
     * message, or in the reply to the exit report of a child on that node. */
    waitq_wake_all(&par->child_wait);
    if (par->node == node)
        return par->pid;
    proc_home_post_child(par, SIGCHLD);
    return 0;
}

void
proc_exit(int wait_status)
{
    struct proc *p = proc_current();
    ASSERT(p, "only a process exits through proc_exit");
    /* A fault's or an interrupt's way back to user mode comes here with
     * interrupts off; closing remote streams and telling home (RPC) sleep. */
    if (!arch_irq_enabled())
        arch_irq_enable();

    proc_rusage_exit(p);
    /* Unlinked under the table lock: prlimit64 on this pid reaches p->fs
     * under it (proc_rlimit.c), and must not find a freed context. */
    spin_lock(&proc_table_lock);
    struct fs_ctx *fs = p->fs;
    p->fs = NULL;
    spin_unlock(&proc_table_lock);
    bool foreign = proc_is_foreign(p);
    /* Streams home exports go back with the exit report: one round trip
     * for the exit, not one more per stream (docs/home.md). */
    uint64_t drops[PROC_EXIT_DROPS];
    int ndrops = foreign ? fs_ctx_exit_drops(fs, p->home, drops, PROC_EXIT_DROPS) : 0;
    fs_ctx_free(fs);
    p->thread->pt_root = arch_pt_kernel_root();
    vm_activate(NULL);
    vm_free(p->vm);
    p->vm = NULL;
    if (foreign)   /* home drops those references, makes its entry the zombie */
        proc_fwd_exit(p, wait_status, drops, ndrops);
    else if (proc_is_session_leader(p))
        proc_session_end(p);

    /* Interrupts stay off from here to the final switch: the parent may
     * free this thread's stack as soon as it sees the zombie. */
    (void)arch_irq_save();
    spin_lock(&proc_table_lock);
    if (foreign) {
        p->state = PROC_ZOMBIE;    /* its parent is at home: the posting thread */
        proc_home_post_reap(p);    /* frees the entry once this thread is off the CPU */
    } else
        proc_zombify(p, wait_status);
    spin_unlock(&proc_table_lock);
    sched_exit_current();
}

long
sys_exit(int status)
{
    proc_exit((int)((status & 0xff) << 8));
}

long
sys_exit_group(int status)
{
    proc_exit((int)((status & 0xff) << 8));
}

static bool
wait_matches(struct proc *self, struct proc *c, int pid)
{
    if (c->parent != self || c->state == PROC_FREE)
        return false;
    if (pid > 0)
        return c->pid == pid;
    if (pid == 0)
        return c->pgid == self->pgid;
    if (pid < -1)
        return c->pgid == -pid;
    return true;
}

/* What wait4 may report about c now: an exit, a stop (WUNTRACED) or a
 * continue (WCONTINUED), each once unless WNOWAIT. 0 when nothing. Caller
 * holds proc_table_lock; a reaped zombie is freed here. */
static bool
wait_take(struct proc *self, struct proc *c, int options, int *status, uint8_t *ru)
{
    bool keep = options & WNOWAIT;
    if (c->state == PROC_ZOMBIE) {
        *status = c->exit_status;
        if (!keep) {
            proc_rusage_reap(self, c, ru);   /* the child's usage becomes ours */
            proc_free_entry(c);
        }
        return true;
    }
    if ((options & WUNTRACED) && c->stopped && c->stop_report) {
        *status = c->stop_report;
        if (!keep)
            c->stop_report = 0;
        return true;
    }
    if ((options & WCONTINUED) && c->cont_report) {
        *status = WAIT_STATUS_CONTINUED;
        if (!keep)
            __atomic_store_n(&c->cont_report, 0, __ATOMIC_SEQ_CST);
        return true;
    }
    return false;
}

static long
wait_copyout(int cpid, int status, uint64_t ustatus, uint64_t urusage, const uint8_t *ru)
{
    if (ustatus && copyout(ustatus, &status, sizeof(status)))
        return -EFAULT;
    if (urusage && copyout(urusage, ru, PROC_RUSAGE_SIZE))
        return -EFAULT;
    return cpid;
}

#define WAIT_OPTIONS (WNOHANG | WUNTRACED | WCONTINUED | WNOWAIT | 0x40000000 | 0x80000000)

/* One pass over the table: what wait4 would return now without sleeping.
 * Caller holds proc_table_lock. */
static long
wait_scan(struct proc *self, int pid, int options, int *status, uint8_t *ru)
{
    bool found = false;
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *c = &proc_table[i];
        if (!wait_matches(self, c, pid))
            continue;
        found = true;
        int cpid = c->pid;
        if (wait_take(self, c, options, status, ru))
            return cpid;
    }
    return found ? 0 : -ECHILD;
}

long
proc_wait_core(struct proc *self, int pid, int options, int *status, uint8_t *ru)
{
    if (options & ~WAIT_OPTIONS)
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    spin_lock(&proc_table_lock);
    long r = wait_scan(self, pid, options, status, ru);
    spin_unlock(&proc_table_lock);
    return r;
}

long
sys_wait4(int lpid, uint64_t ustatus, int options, uint64_t urusage)
{
    struct proc *self = proc_current();
    int pid = lpid, status = 0;
    uint8_t ru[PROC_RUSAGE_SIZE] = { 0 };
    if (options & ~WAIT_OPTIONS)
        return -EINVAL;
    if (pid == INT32_MIN)
        return -ESRCH;
    spin_lock(&proc_table_lock);
    for (;;) {
        long r = wait_scan(self, pid, options, &status, ru);
        if (r > 0) {
            spin_unlock(&proc_table_lock);
            return wait_copyout((int)r, status, ustatus, urusage, ru);
        }
        if (r < 0 || (options & WNOHANG)) {
            spin_unlock(&proc_table_lock);
            return r;
        }
        if (waitq_wait_intr(&self->child_wait, &proc_table_lock)) {
            spin_unlock(&proc_table_lock);
            return -EINTR;
        }
    }
}

long
sys_getpid(void)
{
    return proc_current()->pid;
}

long
sys_gettid(void)
{
    return proc_current()->pid;
}

long
sys_getppid(void)
{
    struct proc *p = proc_current();
    spin_lock(&proc_table_lock);
    int ppid = p->parent ? p->parent->pid : 0;
    spin_unlock(&proc_table_lock);
    return ppid;
}

static void
fill_info(struct proc *p, struct proc_info *out)
{
    memset(out, 0, sizeof(*out));
    out->pid = p->pid;
    out->ppid = p->parent ? p->parent->pid : 0;
    out->pgid = p->pgid;
    out->sid = p->sid;
    out->home = p->home;
    out->node = p->node;
    out->uid = p->uid;
    out->away = proc_is_away(p);
    out->state = p->state == PROC_ZOMBIE                               ? 'Z'
                 : p->stopped                                       ? 'T'
                 : p->thread && p->thread->state == THREAD_SLEEPING ? 'S'
                                                                      : 'R';
    memcpy(out->name, p->name, sizeof(out->name));
    memcpy(out->cmdline, p->cmdline, sizeof(out->cmdline));
    out->cmdline_len = p->cmdline_len;
    out->start_ns = p->start_ns;
    out->cpu_ns = p->thread ? p->thread->cpu_ns : 0;
    out->vm_bytes = p->vm ? p->vm->mapped : 0;
}

int
proc_list(struct proc_info *out, int max)
{
    int n = 0;
    spin_lock(&proc_table_lock);
    for (int i = 0; i < PROC_MAX && n < max; i++)
        if (proc_table[i].state != PROC_FREE)
            fill_info(&proc_table[i], &out[n++]);
    spin_unlock(&proc_table_lock);
    /* Sort by pid (insertion sort: the table is small). */
    for (int i = 1; i < n; i++) {
        struct proc_info t = out[i];
        int j = i;
        for (; j > 0 && out[j - 1].pid > t.pid; j--)
            out[j] = out[j - 1];
        out[j] = t;
    }
    return n;
}

bool
proc_is_init(const struct proc *p)
{
    return proc_pid(p) == (proc_node_self() << PROC_NODE_SHIFT | 1);
}

int
proc_count(int pid, int pgid)
{
    int n = 0;
    spin_lock(&proc_table_lock);
    for (int i = 0; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state != PROC_FREE && (pid <= 0 || p->pid == pid) && (pgid <= 0 || p->pgid == pgid))
            n++;
    }
    spin_unlock(&proc_table_lock);
    return n;
}

int
proc_info_get(int pid, struct proc_info *out)
{
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(pid);
    if (p)
        fill_info(p, out);
    spin_unlock(&proc_table_lock);
    return p ? 0 : -ESRCH;
}

int
proc_cur_fscred(uint32_t *uid, uint32_t *gid, uint32_t *groups, int max)
{
    struct proc *p = proc_current();
    int n = 0;
    *uid = *gid = 0;                   /* kernel threads act as root */
    if (!p)
        return 0;
    spin_lock(&proc_table_lock);
    *uid = p->euid;
    *gid = p->egid;
    for (; n < p->ngroups && n < max; n++)
        groups[n] = p->groups[n];
    spin_unlock(&proc_table_lock);
    return n;
}

/* Credentials are read from the local copy (proc_cred.c). */
long
sys_getuid(void)
{
    return proc_current()->uid;
}

long
sys_geteuid(void)
{
    return proc_current()->euid;
}

long
sys_getgid(void)
{
    return proc_current()->gid;
}

long
sys_getegid(void)
{
    return proc_current()->egid;
}

long
sys_set_tid_address(uint64_t uptr)
{
    proc_current()->clear_child_tid = uptr;
    return proc_current()->pid;
}

long
sys_sched_yield(void)
{
    sched_yield();
    return 0;
}
