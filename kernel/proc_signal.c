/*
 * Signals: posting (from any context), the default actions, user handlers
 * with a Linux-compatible rt_sigframe (so musl's sa_restorer and
 * rt_sigreturn work unmodified), masks, and turning user faults into
 * signals. An ignored signal is discarded when posted, so it never
 * interrupts a sleep; a call interrupted by a handler returns -EINTR, or is
 * restarted when the handler has SA_RESTART; a call interrupted by a
 * signal that ran no handler (a stop and continue) is restarted. Stopping
 * and continuing themselves are in proc_jobctl.c. A migration request
 * interrupts sleeps like a signal and is acted on at the same safe point,
 * after the signals (kernel/proc_migrate.c).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/migrate.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/trap.h"
#include "kernel/uaccess.h"

/* Signals whose default action is to do nothing (SIGCONT's continuing
 * happens when it is posted, whatever its action). */
#define DEFAULT_IGNORE (SIGBIT(SIGCHLD) | SIGBIT(SIGCONT) | SIGBIT(23) | SIGBIT(SIGWINCH))
/* Signals whose default action is to stop the process. */
#define DEFAULT_STOP (SIGBIT(SIGSTOP) | SIGBIT(SIGTSTP) | SIGBIT(SIGTTIN) | SIGBIT(SIGTTOU))

struct sigcontext {
    uint64_t r8, r9, r10, r11, r12, r13, r14, r15;
    uint64_t rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
    uint64_t csgsfs, err, trapno, oldmask, cr2, fpstate;
    uint64_t reserved[8];
};
static_assert(sizeof(struct sigcontext) == 256, "Linux x86-64 sigcontext is 256 bytes");

struct ucontext {
    uint64_t uc_flags;
    uint64_t uc_link;
    uint64_t ss_sp;
    uint32_t ss_flags, pad;
    uint64_t ss_size;
    struct sigcontext mc;
    uint64_t sigmask;
};

struct siginfo {
    int32_t si_signo, si_errno, si_code, pad;
    uint64_t si_addr;            /* or pid/uid for kill */
    uint8_t rest[128 - 24];
};

struct rt_sigframe {
    uint64_t pretcode;
    struct ucontext uc;
    struct siginfo info;
};

void
proc_signal(struct proc *p, int sig)
{
    if (sig <= 0 || sig >= NSIG || p->state != PROC_ALIVE)
        return;
    if (proc_is_away(p)) {
        proc_home_post_signal(p, sig);   /* it runs elsewhere (docs/home.md) */
        return;
    }
    /* SIGCONT continues and stop signals cancel a pending SIGCONT when they
     * are posted, whether caught, blocked or ignored (POSIX). */
    if (sig == SIGCONT)
        proc_jobctl_continue(p);
    else if (SIGBIT(sig) & DEFAULT_STOP)
        __atomic_and_fetch(&p->sig_pending, ~SIGBIT(SIGCONT), __ATOMIC_SEQ_CST);
    /* An ignored signal is discarded when it is posted (unless blocked, when
     * it waits in case the disposition changes), as on Linux: it must not
     * interrupt a sleep with EINTR. */
    uint64_t h = p->sigact[sig].handler;
    bool ignored = h == SIG_IGN || (h == SIG_DFL && (SIGBIT(sig) & DEFAULT_IGNORE));
    if (sig != SIGKILL && ignored && !(p->sig_blocked & SIGBIT(sig)))
        return;
    /* As on Linux, init gets only the signals it has handlers for. */
    if (proc_is_init(p) && p->sigact[sig].handler == SIG_DFL)
        return;
    __atomic_or_fetch(&p->sig_pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
    if (p->thread && ((SIGBIT(sig) & ~p->sig_blocked) || sig == SIGKILL))
        sched_wakeup(p->thread, true);
}

/* Signals p ignores: SIG_IGN, or SIG_DFL whose default is to ignore. */
static uint64_t
ignored_mask(const struct proc *p)
{
    uint64_t m = 0;
    for (int s = 1; s < NSIG; s++) {
        uint64_t h = p->sigact[s].handler;
        if (h == SIG_IGN || (h == SIG_DFL && (SIGBIT(s) & DEFAULT_IGNORE)))
            m |= SIGBIT(s);
    }
    return m & ~SIGBIT(SIGKILL);
}

bool
proc_signal_pending(void)
{
    struct proc *p = proc_current();
    if (!p)
        return false;
    uint64_t pend = p->sig_pending;
    if (pend & SIGBIT(SIGKILL))
        return true;
    if (migrate_requested(p))
        return true;    /* a migration interrupts a sleep as a signal would */
    pend &= ~p->sig_blocked;
    return pend && (pend & ~ignored_mask(p));
}

static void
build_frame(struct proc *p, struct arch_regs *r, int sig, struct k_sigaction *act)
{
    struct rt_sigframe f;
    struct arch_ctx fpu;   /* only its fxsave area is used */
    uint64_t fp = ALIGN_DOWN(r->rsp - 128 - sizeof(fpu.fpu), 64);
    uint64_t sp = ALIGN_DOWN(fp - sizeof(f), 16) - 8;

    memset(&f, 0, sizeof(f));
    f.pretcode = act->restorer;
    struct sigcontext *mc = &f.uc.mc;
    mc->r8 = r->r8, mc->r9 = r->r9, mc->r10 = r->r10, mc->r11 = r->r11;
    mc->r12 = r->r12, mc->r13 = r->r13, mc->r14 = r->r14, mc->r15 = r->r15;
    mc->rdi = r->rdi, mc->rsi = r->rsi, mc->rbp = r->rbp, mc->rbx = r->rbx;
    mc->rdx = r->rdx, mc->rax = r->rax, mc->rcx = r->rcx, mc->rsp = r->rsp;
    mc->rip = r->rip, mc->eflags = r->rflags, mc->csgsfs = r->cs;
    mc->trapno = r->vector == ARCH_VECTOR_SYSCALL ? 0 : r->vector;
    mc->err = r->error;
    /* The mask the handler's return restores: sigsuspend's caller's. */
    uint64_t old = p->sig_saved_valid ? p->sig_saved : p->sig_blocked;
    p->sig_saved_valid = false;
    mc->oldmask = old;
    mc->fpstate = fp;
    f.uc.sigmask = old;
    f.info.si_signo = sig;

    arch_fpu_copy(&fpu);
    if (!(act->flags & SA_RESTORER) || copyout(fp, fpu.fpu, sizeof(fpu.fpu)) ||
        copyout(sp, &f, sizeof(f))) {
        /* No way back from the handler, or no stack to put the frame on:
         * the process dies as Linux kills it, with SIGSEGV. */
        kprintf("wisp: pid %d (%s): cannot deliver signal %d, killed by SIGSEGV\n", p->pid,
                p->name, sig);
        proc_exit(SIGSEGV);
    }
    r->rip = act->handler;
    r->rsp = sp;
    r->rdi = (uint64_t)sig;
    r->rsi = sp + offsetof(struct rt_sigframe, info);
    r->rdx = sp + offsetof(struct rt_sigframe, uc);
    r->rax = 0;
    r->rflags &= ~(1ull << 10);  /* DF clear on handler entry (ABI) */
    p->sig_blocked |= act->mask & ~UNBLOCKABLE;
    if (!(act->flags & SA_NODEFER))
        p->sig_blocked |= SIGBIT(sig) & ~UNBLOCKABLE;
    if (act->flags & SA_RESETHAND)
        act->handler = SIG_DFL;
}

/* A system call interrupted by a signal (it returned -EINTR) runs again
 * after the handler when the handler was installed with SA_RESTART: the
 * frame saved on the user stack points back at the SYSCALL instruction with
 * the call number in rax. Sleeps with a timeout (nanosleep) are restarted
 * from the start, which Linux would not do; musl retries them anyway. */
static void
restart_syscall(struct arch_regs *r, const struct k_sigaction *act)
{
    if (r->vector != ARCH_VECTOR_SYSCALL || (long)r->rax != -EINTR || !(act->flags & SA_RESTART))
        return;
    if (proc_nr_never_restarts(r->error))
        return;                 /* never restarted: it returns EINTR once a handler ran */
    r->rax = r->error;
    r->rip -= ARCH_SYSCALL_INSN_LEN;
}

/* The default action of sig, which is neither caught nor ignored. Returns
 * when the process goes on (it stopped and was continued). */
static void
default_action(int sig, uint32_t cont_seq)
{
    if (sig != SIGKILL && (SIGBIT(sig) & DEFAULT_STOP)) {
        proc_jobctl_stop(sig, cont_seq);
        return;
    }
    proc_exit(sig);  /* wait status: terminated by sig */
}

void
proc_signal_deliver(struct arch_regs *r)
{
    struct proc *p = proc_current();
    bool taken = false;
    for (;;) {
        uint32_t cont_seq = p->cont_seq;   /* before the dequeue: see proc_jobctl_stop */
        uint64_t ready = p->sig_pending & (~p->sig_blocked | SIGBIT(SIGKILL));
        if (!ready)
            break;
        int sig = __builtin_ctzll(ready) + 1;
        if (ready & SIGBIT(SIGKILL))
            sig = SIGKILL;
        __atomic_and_fetch(&p->sig_pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
        taken = true;
        struct k_sigaction *act = &p->sigact[sig];
        if (sig != SIGKILL && act->handler == SIG_IGN)
            continue;
        if (sig == SIGKILL || act->handler == SIG_DFL) {
            if (!(SIGBIT(sig) & DEFAULT_IGNORE))
                default_action(sig, cont_seq);
            continue;
        }
        restart_syscall(r, act);
        build_frame(p, r, sig, act);
        return;
    }
    if (p->sig_saved_valid) {   /* sigsuspend with no handler run */
        p->sig_blocked = p->sig_saved;
        p->sig_saved_valid = false;
    }
    /* No handler ran: an interrupted call goes on as if nothing happened
     * (Linux's ERESTARTSYS without a handler), e.g. a read stopped by ^Z. */
    if (taken && r->vector == ARCH_VECTOR_SYSCALL && (long)r->rax == -EINTR) {
        r->rax = r->error;
        r->rip -= ARCH_SYSCALL_INSN_LEN;
    }
}

long
sys_rt_sigreturn(void)
{
    struct proc *p = proc_current();
    struct arch_regs *r = arch_user_regs();
    struct rt_sigframe f;
    struct arch_ctx fpu;

    if (copyin(&f, r->rsp - 8, sizeof(f))) {
        kprintf("wisp: pid %d (%s): bad signal frame, killed by SIGSEGV\n", p->pid, p->name);
        proc_exit(SIGSEGV);
    }
    struct sigcontext *mc = &f.uc.mc;
    if (mc->rip >= ARCH_USER_TOP || mc->rsp >= ARCH_USER_TOP) {
        kprintf("wisp: pid %d (%s): signal frame with kernel addresses, killed by SIGSEGV\n",
                p->pid, p->name);
        proc_exit(SIGSEGV);
    }
    if (mc->fpstate) {
        if (copyin(fpu.fpu, mc->fpstate, sizeof(fpu.fpu)) == 0) {
            *(uint32_t *)&fpu.fpu[24] &= 0xffbf;   /* MXCSR: no reserved bits (#GP) */
            arch_fpu_restore(&fpu);
        }
    }
    r->r8 = mc->r8, r->r9 = mc->r9, r->r10 = mc->r10, r->r11 = mc->r11;
    r->r12 = mc->r12, r->r13 = mc->r13, r->r14 = mc->r14, r->r15 = mc->r15;
    r->rdi = mc->rdi, r->rsi = mc->rsi, r->rbp = mc->rbp, r->rbx = mc->rbx;
    r->rdx = mc->rdx, r->rcx = mc->rcx, r->rsp = mc->rsp, r->rip = mc->rip;
    r->rflags = (mc->eflags & 0x40dd5) | 0x202;   /* user-changeable flags only, IF on */
    r->vector = 0;   /* leave by IRETQ: every register must come back */
    p->sig_blocked = f.uc.sigmask & ~UNBLOCKABLE;
    return (long)mc->rax;
}

long
sys_rt_sigaction(int sig, uint64_t uact, uint64_t uold, uint64_t sigsetsize)
{
    struct proc *p = proc_current();
    struct k_sigaction act;
    if (sig <= 0 || sig >= NSIG || sigsetsize != 8)
        return -EINVAL;
    if (uact && copyin(&act, uact, sizeof(act)))
        return -EFAULT;
    if (uact && (sig == SIGKILL || sig == SIGSTOP))
        return -EINVAL;
    if (uold && copyout(uold, &p->sigact[sig], sizeof(act)))
        return -EFAULT;
    if (uact) {
        p->sigact[sig] = act;
        if (act.handler == SIG_IGN ||
            (act.handler == SIG_DFL && (SIGBIT(sig) & DEFAULT_IGNORE)))
            __atomic_and_fetch(&p->sig_pending, ~SIGBIT(sig), __ATOMIC_SEQ_CST);
    }
    return 0;
}

long
sys_rt_sigprocmask(int how, uint64_t uset, uint64_t uold, uint64_t sigsetsize)
{
    struct proc *p = proc_current();
    uint64_t set, old = p->sig_blocked;
    if (sigsetsize != 8)
        return -EINVAL;
    if (uset) {
        if (copyin(&set, uset, sizeof(set)))
            return -EFAULT;
        switch (how) {
        case 0: p->sig_blocked |= set; break;   /* SIG_BLOCK */
        case 1: p->sig_blocked &= ~set; break;  /* SIG_UNBLOCK */
        case 2: p->sig_blocked = set; break;    /* SIG_SETMASK */
        default: return -EINVAL;
        }
        p->sig_blocked &= ~UNBLOCKABLE;
    }
    if (uold && copyout(uold, &old, sizeof(old)))
        return -EFAULT;
    return 0;
}

void
trap_user_fault(struct arch_regs *r, int vector, const char *name, uint64_t addr)
{
    struct proc *p = proc_current();
    int sig = vector == 0 || vector == 16 || vector == 19 ? SIGFPE
              : vector == 6                              ? SIGILL
              : vector == 3 || vector == 1               ? SIGTRAP
              : vector == 17                             ? SIGBUS
                                                         : SIGSEGV;
    struct k_sigaction *act = &p->sigact[sig];
    bool blocked = p->sig_blocked & SIGBIT(sig);
    if (act->handler == SIG_IGN || act->handler == SIG_DFL || blocked) {
        /* As Linux's force_sig: a synchronous fault cannot be ignored. */
        kprintf("wisp: pid %d (%s): %s at 0x%lx (rip 0x%lx), killed by signal %d\n", p->pid,
                p->name, name, addr, r->rip, sig);
        proc_exit(sig);
    }
    __atomic_or_fetch(&p->sig_pending, SIGBIT(sig), __ATOMIC_SEQ_CST);
}

void
trap_user_return(struct arch_regs *r)
{
    struct proc *p = proc_current();
    if (p && (p->sig_pending || p->sig_saved_valid))
        proc_signal_deliver(r);
    if (p && migrate_requested(p)) {
        /* A safe point: the process moves itself (it may sleep; the
         * interrupt path comes here with interrupts off). */
        uint64_t f = arch_irq_save();
        arch_irq_enable();
        proc_mig_freeze(p, r);
        arch_irq_restore(f);
    }
}

/* Sleep until a signal that is not blocked is pending; always -EINTR. */
static long
wait_for_signal(void)
{
    struct spinlock lk;
    struct waitq q;
    spin_init(&lk, "proc.sigwait");
    waitq_init(&q);
    spin_lock(&lk);
    while (!proc_signal_pending())
        if (waitq_wait_intr(&q, &lk) != 0)
            break;
    spin_unlock(&lk);
    return -EINTR;
}

long
sys_pause(void)
{
    return wait_for_signal();
}

/* Wait for a signal with mask as the blocked set; the handler's return
 * (or, with no handler, the return to user mode) restores the old mask. */
long
sys_rt_sigsuspend(uint64_t umask, uint64_t sigsetsize)
{
    if (!umask)
        return -EFAULT;
    int err = proc_sigmask_enter(umask, sigsetsize);   /* the swap ppoll uses too */
    return err ? err : wait_for_signal();
}

long
sys_rt_sigpending(uint64_t uset, uint64_t sigsetsize)
{
    struct proc *p = proc_current();
    uint64_t set = p->sig_pending & p->sig_blocked;
    if (sigsetsize != 8)
        return -EINVAL;
    return copyout(uset, &set, sizeof(set)) ? -EFAULT : 0;
}
