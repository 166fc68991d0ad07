/*
 * The process module's side of migration (kernel/migrate.h): requests and
 * the freeze (a request interrupts an interruptible sleep as a signal
 * would; the process moves itself on its way back to user mode), the
 * SIGNALS and REGS rows of the encapsulation table, nanosleep's carried
 * deadline, and the table entries a migration makes and ends. The
 * protocol itself is kernel/migrate_src.c (source) and migrate_dst.c
 * (target); identity (the PROC row) is home's.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/home.h"
#include "kernel/migrate.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/vm.h"

#define NR_NANOSLEEP 35
#define NR_CLOCK_NANOSLEEP 230
#define MXCSR_OFF 24

/* ---- requests and the freeze ---- */

/* The local, running process with this pid (any slot: a foreign process
 * need not sit in its pid's slot). Caller holds proc_table_lock. */
static struct proc *
find_running(int pid)
{
    sync_assert_held(&proc_table_lock);
    for (int i = 1; i < PROC_MAX; i++) {
        struct proc *p = &proc_table[i];
        if (p->state == PROC_ALIVE && p->thread && p->vm && p->pid == pid)
            return p;
    }
    return NULL;
}

int
proc_mig_request(int pid, struct mig_ctx *m, long euid)
{
    int err = 0;
    spin_lock(&proc_table_lock);
    struct proc *p = find_running(pid);
    if (!p)
        err = -ESRCH;
    else if (proc_is_init(p))
        err = -EPERM;     /* a node's init never leaves it */
    else if (euid > 0 && (uint32_t)euid != p->uid)
        err = -EPERM;     /* only its owner or root moves a process */
    else if (!__atomic_compare_exchange_n(&p->mig, &(struct mig_ctx *){ NULL }, m, false,
                                          __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
        err = -EBUSY;
    if (!err) {
        m->pid = p->pid;
        m->home = p->home;
        sched_wakeup(p->thread, true);   /* out of an interruptible sleep, as a signal */
    }
    spin_unlock(&proc_table_lock);
    return err;
}

long
proc_mig_caller_euid(void)
{
    struct proc *self = proc_current();
    return self ? (long)self->euid : -1;
}

bool
proc_mig_cancel(int pid, struct mig_ctx *m)
{
    bool ok = false;
    spin_lock(&proc_table_lock);
    struct proc *p = find_running(pid);
    if (p)
        ok = __atomic_compare_exchange_n(&p->mig, &m, NULL, false, __ATOMIC_SEQ_CST,
                                         __ATOMIC_SEQ_CST);
    spin_unlock(&proc_table_lock);
    return ok;
}

bool
proc_mig_running(int pid)
{
    spin_lock(&proc_table_lock);
    bool r = find_running(pid) != NULL;
    spin_unlock(&proc_table_lock);
    return r;
}

bool
migrate_requested(const struct proc *p)
{
    return p->mig != NULL;
}

/* A call the request interrupted (it returned -EINTR and no handler frame
 * was built) is restarted, wherever the process resumes, whatever
 * SA_RESTART says; a sleep keeps its time left. */
void
proc_mig_freeze(struct proc *p, struct arch_regs *r)
{
    if (r->vector == ARCH_VECTOR_SYSCALL && (long)r->rax == -EINTR) {
        if ((r->error == NR_NANOSLEEP || r->error == NR_CLOCK_NANOSLEEP) && p->sleep_deadline) {
            uint64_t now = arch_time_ns();
            p->sleep_left = p->sleep_deadline > now ? p->sleep_deadline - now : 0;
            p->sleep_left_valid = true;
        }
        r->rax = r->error;
        r->rip -= ARCH_SYSCALL_INSN_LEN;
    }
    migrate_self(p, r);
}

void
proc_mig_rearm(struct proc *p, struct mig_ctx *m)
{
    __atomic_store_n(&p->mig, m, __ATOMIC_SEQ_CST);
}

bool
proc_mig_rearm_pid(int pid, struct mig_ctx *m)
{
    spin_lock(&proc_table_lock);
    struct proc *p = find_running(pid);
    bool ok = p && __atomic_compare_exchange_n(&p->mig, &(struct mig_ctx *){ NULL }, m, false,
                                               __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
    if (ok)
        sched_wakeup(p->thread, true);
    spin_unlock(&proc_table_lock);
    return ok;
}

struct mig_ctx *
proc_mig_take(struct proc *p)
{
    return __atomic_exchange_n(&p->mig, NULL, __ATOMIC_SEQ_CST);
}

uint64_t
proc_mig_sleep_begin(uint64_t ns)
{
    struct proc *p = proc_current();
    if (!p)
        return ns;
    if (p->sleep_left_valid) {     /* the restart of a sleep a migration interrupted */
        ns = p->sleep_left;
        p->sleep_left_valid = false;
    }
    p->sleep_deadline = arch_time_ns() + ns;
    return ns;
}

void
proc_mig_sleep_end(void)
{
    struct proc *p = proc_current();
    if (p)
        p->sleep_deadline = 0;
}

/* ---- the SIGNALS row ---- */

int
proc_mig_sig_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    for (int s = 1; s < NSIG; s++) {
        mig_put_u64(b, p->sigact[s].handler);
        mig_put_u64(b, p->sigact[s].flags);
        mig_put_u64(b, p->sigact[s].restorer);
        mig_put_u64(b, p->sigact[s].mask);
    }
    mig_put_u64(b, p->sig_blocked);
    m->sig_packed = __atomic_load_n(&p->sig_pending, __ATOMIC_SEQ_CST);
    mig_put_u64(b, m->sig_packed);
    mig_put_u64(b, p->sig_saved);
    mig_put_u32(b, p->sig_saved_valid);
    mig_put_u32(b, p->sleep_left_valid);
    mig_put_u64(b, p->sleep_left);
    return b->err;
}

int
proc_mig_sig_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    for (int s = 1; s < NSIG; s++) {
        p->sigact[s].handler = mig_get_u64(c);
        p->sigact[s].flags = mig_get_u64(c);
        p->sigact[s].restorer = mig_get_u64(c);
        p->sigact[s].mask = mig_get_u64(c);
    }
    p->sig_blocked = mig_get_u64(c) & ~UNBLOCKABLE;
    p->sig_pending = mig_get_u64(c);
    p->sig_saved = mig_get_u64(c) & ~UNBLOCKABLE;
    p->sig_saved_valid = mig_get_u32(c) != 0;
    p->sleep_left_valid = mig_get_u32(c) != 0;
    p->sleep_left = mig_get_u64(c);
    return c->err;
}

void
proc_mig_sig_done(struct proc *p, struct mig_ctx *m, bool committed)
{
    /* Not committed, the process keeps its state here. Committed: a
     * signal posted here after the row was packed (home still said this
     * node) follows the process: to the target from its home (a foreign
     * process's node may not post to another node's process). */
    if (!committed)
        return;
    uint64_t late = __atomic_load_n(&p->sig_pending, __ATOMIC_SEQ_CST) & ~m->sig_packed;
    for (int s = 1; s < NSIG; s++) {
        if (!(late & SIGBIT(s)))
            continue;
        if (proc_is_foreign(p))
            home_post_kill(p->home, p->pid, s);
        else
            proc_home_post_signal_to(m->target, p->pid, s);
    }
}

void
proc_mig_sig_abort(struct proc *p, struct mig_ctx *m)
{
}

/* ---- the REGS row: user registers, FPU/SSE (fxsave area), fs_base ---- */

int
proc_mig_regs_pack(struct proc *p, struct mig_buf *b, struct mig_ctx *m)
{
    const struct arch_regs *r = m->regs;
    const uint64_t g[] = { r->r15, r->r14, r->r13, r->r12, r->r11, r->r10, r->r9, r->r8,
                           r->rbp, r->rdi, r->rsi, r->rdx, r->rcx, r->rbx, r->rax,
                           r->rip, r->rflags, r->rsp };
    struct arch_ctx fpu;
    ASSERT(proc_current() == p, "a process is packed by its own thread, frozen");
    for (size_t i = 0; i < ARRAY_SIZE(g); i++)
        mig_put_u64(b, g[i]);
    mig_put_u64(b, p->thread->ctx.fs_base);
    arch_fpu_copy(&fpu);
    mig_put(b, fpu.fpu, sizeof(fpu.fpu));
    return b->err;
}

int
proc_mig_regs_unpack(struct proc *p, struct mig_cur *c, struct mig_ctx *m)
{
    uint64_t g[18];
    struct arch_regs r;
    for (size_t i = 0; i < ARRAY_SIZE(g); i++)
        g[i] = mig_get_u64(c);
    uint64_t fs_base = mig_get_u64(c);
    uint8_t fpu[512];
    mig_get(c, fpu, sizeof(fpu));
    if (c->err)
        return c->err;
    if (g[15] >= ARCH_USER_TOP || g[17] >= ARCH_USER_TOP || fs_base >= ARCH_USER_TOP)
        return -EBADMSG;
    arch_regs_init_user(&r, g[15], g[17]);
    r.r15 = g[0], r.r14 = g[1], r.r13 = g[2], r.r12 = g[3], r.r11 = g[4], r.r10 = g[5];
    r.r9 = g[6], r.r8 = g[7], r.rbp = g[8], r.rdi = g[9], r.rsi = g[10], r.rdx = g[11];
    r.rcx = g[12], r.rbx = g[13], r.rax = g[14];
    r.rflags = (g[16] & 0x40dd5) | 0x202;   /* user-changeable flags only, IF on */
    r.vector = 0;                           /* leave by IRETQ: every register comes back */
    struct thread *t = sched_new_user(p->name, p, &r);
    if (!t)
        return -ENOMEM;
    memcpy(t->ctx.fpu, fpu, sizeof(fpu));
    *(uint32_t *)&t->ctx.fpu[MXCSR_OFF] &= 0xffbf;   /* MXCSR: no reserved bits (#GP) */
    t->ctx.fs_base = fs_base;
    p->thread = t;
    return 0;
}

void
proc_mig_regs_done(struct proc *p, struct mig_ctx *m, bool committed)
{
}

void
proc_mig_regs_abort(struct proc *p, struct mig_ctx *m)
{
    if (p->thread) {
        sched_free(p->thread);   /* never ran */
        p->thread = NULL;
    }
}

/* ---- entries ---- */

void
proc_mig_start(struct proc *p)
{
    p->thread->pt_root = p->vm->root;
    sched_make_runnable(p->thread);
}

NORETURN void
proc_mig_exit_moved(struct proc *p)
{
    spin_lock(&proc_table_lock);
    struct thread *t = sched_current();
    ASSERT(t->proc == p, "a process leaves on its own thread");
    t->proc = NULL;     /* from here a kernel thread: the scheduler frees its stack */
    spin_unlock(&proc_table_lock);
    home_depart(p);
    sched_exit_current();
}

const char *
proc_mig_exe(const struct proc *p)
{
    return p->exe;
}

int
proc_mig_list_foreign(int *pids, int max)
{
    int n = 0;
    spin_lock(&proc_table_lock);
    for (int i = 1; i < PROC_MAX && n < max; i++) {
        struct proc *p = &proc_table[i];
        if (p->state == PROC_ALIVE && p->thread && p->vm && proc_is_foreign(p))
            pids[n++] = p->pid;
    }
    spin_unlock(&proc_table_lock);
    return n;
}

void
proc_mig_set_vm(struct proc *p, struct vm *vm)
{
    p->vm = vm;
}

void
proc_mig_set_fs(struct proc *p, struct fs_ctx *fs)
{
    spin_lock(&proc_table_lock);   /* prlimit64 reaches p->fs under it */
    p->fs = fs;
    spin_unlock(&proc_table_lock);
}

void
proc_mig_drop_vm(struct proc *p)
{
    ASSERT(proc_current() == p, "a process's address space is dropped by its own thread");
    p->thread->pt_root = arch_pt_kernel_root();
    vm_activate(NULL);
    vm_free(p->vm);
    p->vm = NULL;
}

struct vm *
proc_mig_detach_vm(struct proc *p)
{
    ASSERT(proc_current() == p, "a process's address space is detached by its own thread");
    struct vm *vm = p->vm;
    p->thread->pt_root = arch_pt_kernel_root();
    vm_activate(NULL);
    p->vm = NULL;
    return vm;
}
