/*
 * The Linux ABI as glibc uses it: built with the host's gcc -static (so it
 * carries glibc's own start-up code and system-call wrappers), run on Wisp
 * and on the host by tests/qemu/glibc_abi.sh, whose outputs must agree
 * line by line. Lines print facts that are the same on any Linux-ABI
 * system, or predicates over facts that differ by nature ("getrandom
 * returned 16 bytes", never the bytes). glibc passes int arguments in the
 * low 32 bits of a register: wait4(-1) arrives as 0xffffffff.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *
yes(int c)
{
    return c ? "yes" : "no";
}

static const char *
err(long r)
{
    return r >= 0 ? "ok" : errno == EINVAL ? "EINVAL" : errno == EBADF ? "EBADF"
         : errno == ECHILD ? "ECHILD" : errno == ENOENT ? "ENOENT"
         : errno == EFAULT ? "EFAULT" : errno == ESRCH ? "ESRCH" : "other";
}

/* Burn about ms of CPU time. */
static void
burn(int ms)
{
    struct timespec t;
    volatile unsigned long x = 0;
    do {
        for (int i = 0; i < 100000; i++)
            x += (unsigned long)i;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    } while (t.tv_sec == 0 && t.tv_nsec < ms * 1000000L);
}

static void
check_wait(void)
{
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        burn(30);
        _exit(7);
    }
    int st = 0;
    struct rusage ru;
    memset(&ru, 0, sizeof(ru));
    pid_t w = wait4(-1, &st, 0, &ru);
    printf("wait4(-1) reaped the child: %s\n", yes(w == c));
    printf("child exited with status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("wait4 rusage has the child's maxrss: %s\n", yes(ru.ru_maxrss > 0));
    printf("wait4(-1) with no children: %s\n", err(wait4(-1, &st, WNOHANG, NULL)));
    struct rusage ch;
    getrusage(RUSAGE_CHILDREN, &ch);
    long us = ch.ru_utime.tv_sec * 1000000L + ch.ru_utime.tv_usec +
              ch.ru_stime.tv_sec * 1000000L + ch.ru_stime.tv_usec;
    printf("getrusage(CHILDREN) counts the child's cpu time: %s\n", yes(us >= 10000));
    /* A raw 0xffffffff pid, as glibc's int register carries -1. */
    fflush(stdout);
    c = fork();
    if (c == 0)
        _exit(3);
    w = (pid_t)syscall(SYS_wait4, 0xffffffffL, &st, 0x100000000L, NULL);
    printf("raw wait4(0xffffffff, options 0x100000000) reaped the child: %s, status %d\n",
           yes(w == c), WEXITSTATUS(st));
}

static void
check_random(void)
{
    unsigned char a[16], b[16];
    ssize_t n = getrandom(a, sizeof(a), 0);
    printf("getrandom returned %zd bytes\n", n);
    getrandom(b, sizeof(b), GRND_NONBLOCK);
    printf("two getrandom results differ: %s\n", yes(memcmp(a, b, sizeof(a)) != 0));
    printf("getrandom with a bad flag: %s\n", err(getrandom(a, sizeof(a), 0x80)));
    int fd = open("/dev/urandom", O_RDONLY);
    printf("/dev/urandom read %zd bytes\n", fd >= 0 ? read(fd, a, sizeof(a)) : (ssize_t)-1);
    if (fd >= 0)
        close(fd);
}

static void
check_limits(void)
{
    struct rlimit r, old;
    prlimit(0, RLIMIT_NOFILE, NULL, &old);
    printf("RLIMIT_NOFILE: 0 < cur <= max: %s\n", yes(old.rlim_cur > 0 && old.rlim_cur <= old.rlim_max));
    r.rlim_cur = 32;
    r.rlim_max = old.rlim_max;
    printf("setrlimit(NOFILE, 32): %s\n", err(setrlimit(RLIMIT_NOFILE, &r)));
    getrlimit(RLIMIT_NOFILE, &r);
    printf("getrlimit(NOFILE) cur: %lu\n", (unsigned long)r.rlim_cur);
    r.rlim_cur = r.rlim_max + (r.rlim_max != RLIM_INFINITY);
    printf("setrlimit cur > max: %s\n", err(r.rlim_max == RLIM_INFINITY ? (errno = EINVAL, -1)
                                                                       : setrlimit(RLIMIT_NOFILE, &r)));
    fflush(stdout);
    if (fork() == 0) {
        getrlimit(RLIMIT_NOFILE, &r);
        printf("a forked child inherits cur: %lu\n", (unsigned long)r.rlim_cur);
        exit(0);
    }
    wait(NULL);
    getrlimit(RLIMIT_STACK, &r);
    printf("RLIMIT_STACK cur >= 1 MiB: %s\n", yes(r.rlim_cur >= (1 << 20)));
    getrlimit(RLIMIT_AS, &r);
    printf("RLIMIT_AS unlimited: %s\n", yes(r.rlim_cur == RLIM_INFINITY));
    printf("getrlimit(99): %s\n", err(getrlimit((__rlimit_resource_t)99, &r)));
}

static void
check_sysinfo(void)
{
    struct sysinfo si;
    printf("sysinfo: %s\n", err(sysinfo(&si)));
    printf("sysinfo: totalram > freeram > 0: %s\n",
           yes((unsigned long long)si.totalram > si.freeram && si.freeram > 0));
    printf("sysinfo: procs >= 1, uptime >= 0: %s\n", yes(si.procs >= 1 && si.uptime >= 0));
    printf("sysinfo: mem_unit %u\n", si.mem_unit);
}

static void
check_rusage_prctl(void)
{
    struct rusage ru;
    burn(20);
    printf("getrusage(SELF): %s\n", err(getrusage(RUSAGE_SELF, &ru)));
    printf("getrusage(SELF) cpu time > 0: %s\n",
           yes(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec + ru.ru_utime.tv_sec > 0));
    printf("getrusage(SELF) maxrss > 0: %s\n", yes(ru.ru_maxrss > 0));
    printf("getrusage(5): %s\n", err(getrusage((__rusage_who_t)5, &ru)));
    char name[16] = { 0 }, comm[64] = { 0 };
    printf("prctl(PR_SET_NAME): %s\n", err(prctl(PR_SET_NAME, "abi-renamed-long-name")));
    prctl(PR_GET_NAME, name);
    printf("prctl(PR_GET_NAME): %s\n", name);
    FILE *f = fopen("/proc/self/comm", "r");
    if (f && fgets(comm, sizeof(comm), f))
        printf("/proc/self/comm: %s", comm);
    if (f)
        fclose(f);
    printf("prctl(12345): %s\n", err(prctl(12345, 0, 0, 0, 0)));
}

static void
check_misc(void)
{
    struct utsname u;
    uname(&u);
    printf("uname: sysname set, machine %s\n", u.sysname[0] ? u.machine : "?");
    umask(027);
    printf("umask(027) then umask(022) returns 0%o\n", umask(022));
    char *p = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    memset(p, 'x', 8192);
    printf("madvise(DONTNEED): %s\n", err(madvise(p, 8192, MADV_DONTNEED)));
    printf("the pages read back zero: %s\n", yes(p[0] == 0 && p[8191] == 0));
    printf("madvise(WILLNEED): %s\n", err(madvise(p, 8192, MADV_WILLNEED)));
    char buf[64];
    printf("readlink of a directory: %s\n", err(readlink("/", buf, sizeof(buf))));
    printf("readlink of a missing path: %s\n", err(readlink("/no/such", buf, sizeof(buf))));
    struct timespec res = { 0, 0 };
    long r = clock_getres(CLOCK_MONOTONIC, &res);
    printf("clock_getres(MONOTONIC): %s, 0 < res < 1 s: %s\n", err(r),
           yes(res.tv_sec == 0 && res.tv_nsec > 0));
    cpu_set_t set;
    CPU_ZERO(&set);
    r = sched_getaffinity(0, sizeof(set), &set);
    printf("sched_getaffinity: %s, cpus >= 1: %s\n", err(r), yes(CPU_COUNT(&set) >= 1));
    printf("sched_getcpu >= 0: %s\n", yes(sched_getcpu() >= 0));
    /* int arguments keep only their low 32 bits. */
    printf("raw close(0x1000003e7): %s\n", err(syscall(SYS_close, 0x1000003e7L)));
    printf("raw fcntl(0x100000001, F_GETFD): %s\n", err(syscall(SYS_fcntl, 0x100000001L, F_GETFD)));
    printf("raw dup(0xffffffff): %s\n", err(syscall(SYS_dup, 0xffffffffL)));
    printf("raw kill(0, 0x100000000): %s\n", err(syscall(SYS_kill, 0L, 0x100000000L)));
}

int
main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("glibc_abi: begin\n");
    check_wait();
    check_random();
    check_limits();
    check_sysinfo();
    check_rusage_prctl();
    check_misc();
    printf("glibc_abi: end\n");
    return 0;
}
