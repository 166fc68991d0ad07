/*
 * Resource usage: getrusage(RUSAGE_SELF/THREAD/CHILDREN) and the rusage
 * wait4 returns. CPU time is the scheduler's per-thread cpu_ns; Wisp does
 * not split it between user and kernel mode, so all of it is reported as
 * user time and system time is 0. maxrss is the largest resident size seen
 * (sampled at getrusage and at exit). A child's usage is added to its
 * parent's children's totals when the parent reaps it in wait4, as Linux
 * does. Limits are proc_rlimit.c.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"

#define RUSAGE_SELF     0
#define RUSAGE_CHILDREN (-1)
#define RUSAGE_THREAD   1

/* Linux x86_64 struct rusage. */
struct linux_rusage {
    int64_t utime_sec, utime_usec;
    int64_t stime_sec, stime_usec;
    int64_t maxrss;                 /* KiB */
    int64_t rest[13];               /* ixrss .. nivcsw: not counted */
};
static_assert(sizeof(struct linux_rusage) == PROC_RUSAGE_SIZE, "Linux's struct rusage");

static void
fill(struct linux_rusage *ru, uint64_t cpu_ns, uint64_t maxrss_kb)
{
    memset(ru, 0, sizeof(*ru));
    ru->utime_sec = (int64_t)(cpu_ns / 1000000000u);
    ru->utime_usec = (int64_t)(cpu_ns % 1000000000u / 1000u);
    ru->maxrss = (int64_t)maxrss_kb;
}

/* Resident pages of vm, in KiB: walks the mapped pages only. */
static uint64_t
resident_kb(struct vm *vm)
{
    uint64_t n = 0;
    for (struct vm_region *r = vm ? vm->regions : NULL; r; r = r->next) {
        uint64_t va = r->start, pa;
        unsigned f;
        for (; arch_pt_next(vm->root, &va, r->end, &pa, &f); va += PAGE_SIZE)
            n++;
    }
    return n * (PAGE_SIZE / 1024);
}

/* CPU time of the running thread, including its current slice. */
static uint64_t
self_cpu_ns(void)
{
    struct thread *t = sched_current();
    uint64_t now = arch_time_ns();
    return t->cpu_ns + (now > t->run_start ? now - t->run_start : 0);
}

void
proc_rusage_exit(struct proc *p)
{
    uint64_t rss = resident_kb(p->vm), cpu = self_cpu_ns();
    spin_lock(&proc_table_lock);
    p->maxrss_kb = MAX(p->maxrss_kb, rss);
    p->exit_cpu_ns = cpu;
    spin_unlock(&proc_table_lock);
}

void
proc_rusage_reap(struct proc *parent, struct proc *zombie, void *ru)
{
    sync_assert_held(&proc_table_lock);
    uint64_t cpu = zombie->exit_cpu_ns + zombie->child_cpu_ns;
    uint64_t rss = MAX(zombie->maxrss_kb, zombie->child_maxrss_kb);
    parent->child_cpu_ns += cpu;
    parent->child_maxrss_kb = MAX(parent->child_maxrss_kb, rss);
    fill(ru, cpu, rss);
}

void
proc_rusage_children(struct proc *self, void *ru)
{
    spin_lock(&proc_table_lock);
    fill(ru, self->child_cpu_ns, self->child_maxrss_kb);
    spin_unlock(&proc_table_lock);
}

long
sys_getrusage(int who, uint64_t uru)
{
    struct proc *p = proc_current();
    struct linux_rusage ru;
    if (who == RUSAGE_SELF || who == RUSAGE_THREAD) {
        uint64_t rss = resident_kb(p->vm), cpu = self_cpu_ns();
        spin_lock(&proc_table_lock);
        p->maxrss_kb = MAX(p->maxrss_kb, rss);
        fill(&ru, cpu, p->maxrss_kb);
        spin_unlock(&proc_table_lock);
    } else if (who == RUSAGE_CHILDREN) {
        proc_rusage_children(p, &ru);
    } else {
        return -EINVAL;
    }
    return copyout(uru, &ru, sizeof(ru)) ? -EFAULT : 0;
}
