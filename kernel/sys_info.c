/*
 * System-wide facts a program asks about: sysinfo (uptime, memory from the
 * frame allocator, process count; load averages are 0), the CPU set
 * (sched_getaffinity/sched_setaffinity, getcpu: Wisp runs processes on CPU
 * 0 only) and clock_getres (every clock reads the nanosecond TSC clock).
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

/* Linux x86_64 struct sysinfo. */
struct linux_sysinfo {
    int64_t uptime;                 /* seconds since boot */
    uint64_t loads[3];
    uint64_t totalram, freeram, sharedram, bufferram, totalswap, freeswap;
    uint16_t procs;
    uint16_t pad;
    uint64_t totalhigh, freehigh;
    uint32_t mem_unit;              /* bytes per unit of the ram fields */
    char reserved[4];
};
static_assert(sizeof(struct linux_sysinfo) == 112, "Linux's struct sysinfo");

long
sys_sysinfo(uint64_t uinfo)
{
    struct linux_sysinfo si;
    struct mem_stats ms;
    memset(&si, 0, sizeof(si));
    mem_get_stats(&ms);
    si.uptime = (int64_t)(arch_time_ns() / 1000000000u);
    si.totalram = ms.total_frames * PAGE_SIZE;
    si.freeram = ms.free_frames * PAGE_SIZE;
    si.procs = (uint16_t)proc_count(0, 0);
    si.mem_unit = 1;
    return copyout(uinfo, &si, sizeof(si)) ? -EFAULT : 0;
}

/* The pid must name a live process (0: the caller). */
static long
check_pid(int pid)
{
    struct proc_info pi;
    if (pid < 0)
        return -ESRCH;
    return pid == 0 ? 0 : proc_info_get(pid, &pi);
}

long
sys_sched_getaffinity(int pid, unsigned int len, uint64_t umask)
{
    long err = check_pid(pid);
    if (err)
        return err;
    if (len < sizeof(uint64_t) || (len & (sizeof(uint64_t) - 1)))
        return -EINVAL;
    uint64_t mask = 1;                  /* CPU 0 */
    if (copyout(umask, &mask, sizeof(mask)))
        return -EFAULT;
    return sizeof(mask);                /* bytes of the kernel's CPU mask */
}

long
sys_sched_setaffinity(int pid, unsigned int len, uint64_t umask)
{
    long err = check_pid(pid);
    if (err)
        return err;
    uint8_t first = 0;
    if (len == 0 || copyin(&first, umask, 1))
        return len == 0 ? -EINVAL : -EFAULT;
    return (first & 1) ? 0 : -EINVAL;   /* a set without CPU 0 has no CPU to run on */
}

long
sys_getcpu(uint64_t ucpu, uint64_t unode, uint64_t ucache)
{
    unsigned zero = 0;
    if (ucpu && copyout(ucpu, &zero, sizeof(zero)))
        return -EFAULT;
    if (unode && copyout(unode, &zero, sizeof(zero)))
        return -EFAULT;
    return 0;
}

long
sys_clock_getres(int clk, uint64_t ures)
{
    if (clk < 0 || clk > 7)             /* CLOCK_REALTIME .. CLOCK_BOOTTIME */
        return -EINVAL;
    const int64_t res[2] = { 0, 1 };    /* one nanosecond */
    return ures && copyout(ures, res, sizeof(res)) ? -EFAULT : 0;
}
