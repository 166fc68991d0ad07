/*
 * A seeded system-call fuzzer: fuzz [-s SEED] [-n CALLS] [-v]. Worker
 * children make batches of syscall(nr, a0..a5) with nr in 0..460 and
 * hostile arguments (0, -1, small ints, random 64-bit values, kernel and
 * unmapped addresses, pointers into and just before the end of a buffer
 * followed by a guard page, huge lengths). The parent is a watchdog that
 * SIGKILLs a worker stuck for over 2 s, and at the end checks the kernel
 * still works (getpid, a pipe round trip, fork + wait). Calls that end
 * the worker, fork, or could damage a Linux host when run as root are
 * skipped or have their arguments made safe (skip table and sanitize()).
 * -v prints each call before it is made, to find the one that broke it.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "checkutil.h"

#define NR_MAX   460
#define BATCH    500
#define BUF_SIZE 16384
#define PAGE     4096
#define HANG_MS  2000

/* Never called by workers (Linux x86_64 numbers), with the reason:
 *  E  ends, replaces or stops the worker, or forks (fork bombs, hangs);
 *  H  could damage or disturb the host when the fuzzer runs as root on
 *     Linux: files, mounts, time, identity, modules, other processes,
 *     System V IPC objects, the network;
 *  B  blocks for long on Linux (the watchdog would kill every worker).
 * A skipped call is not counted as made. */
/* clang-format off */
static const unsigned char skip[NR_MAX + 1] = {
    [15] = 'E',  /* rt_sigreturn */
    [34] = 'B',  /* pause */
    [56] = 'E', [57] = 'E', [58] = 'E', [435] = 'E',  /* clone, fork, vfork, clone3 */
    [59] = 'E', [322] = 'E',  /* execve, execveat */
    [60] = 'E', [231] = 'E',  /* exit, exit_group */
    [7] = 'B', [23] = 'B', [270] = 'B', [271] = 'B',   /* poll, select, pselect6, ppoll */
    [232] = 'B', [281] = 'B', [441] = 'B',              /* epoll_wait, epoll_pwait(2) */
    [202] = 'B', [449] = 'B', [455] = 'B', [456] = 'B', /* futex, futex_waitv/wait/requeue */
    [128] = 'B', [130] = 'B',  /* rt_sigtimedwait, rt_sigsuspend */
    [43] = 'B', [288] = 'B', [45] = 'B', [47] = 'B', [299] = 'B', /* accept, recv* */
    [208] = 'B', [333] = 'B',  /* io_getevents, io_pgetevents */
    [323] = 'B',               /* userfaultfd */
    [41] = 'H',                /* socket: no packets on the host's network */
    [42] = 'H', [49] = 'H',    /* connect, bind (bind makes socket files) */
    [438] = 'H',               /* pidfd_getfd: steals other processes' fds */
    [76] = 'H', [77] = 'H',    /* truncate, ftruncate */
    [82] = 'H', [264] = 'H', [316] = 'H',  /* rename, renameat, renameat2 */
    [83] = 'H', [258] = 'H', [84] = 'H',   /* mkdir, mkdirat, rmdir */
    [85] = 'H', [86] = 'H', [265] = 'H', [87] = 'H', [263] = 'H', /* creat, link*, unlink* */
    [88] = 'H', [266] = 'H',   /* symlink, symlinkat */
    [90] = 'H', [91] = 'H', [268] = 'H', [452] = 'H',  /* chmod family */
    [92] = 'H', [93] = 'H', [94] = 'H', [260] = 'H',   /* chown family */
    [133] = 'H', [259] = 'H',  /* mknod, mknodat */
    [132] = 'H', [235] = 'H', [261] = 'H', [280] = 'H', /* utime family */
    [188] = 'H', [189] = 'H', [190] = 'H', [197] = 'H', [198] = 'H', [199] = 'H', /* xattr */
    [285] = 'H',               /* fallocate */
    [101] = 'H',               /* ptrace */
    [103] = 'H',               /* syslog: could clear the kernel log */
    [105] = 'H', [106] = 'H', [113] = 'H', [114] = 'H', [116] = 'H', /* set*id */
    [117] = 'H', [119] = 'H', [122] = 'H', [123] = 'H', [126] = 'H', /* ... capset */
    [134] = 'H',               /* uselib */
    [141] = 'H', [251] = 'H',  /* setpriority, ioprio_set: PRIO_USER hits every process */
    [142] = 'H', [144] = 'H', [314] = 'H', /* sched_setparam/scheduler/attr: realtime */
    [151] = 'H',               /* mlockall */
    [153] = 'H',               /* vhangup: hangs up the terminal */
    [155] = 'H', [161] = 'H',  /* pivot_root, chroot */
    [156] = 'H',               /* _sysctl */
    [157] = 'H', [317] = 'H', [321] = 'H', [298] = 'H', /* prctl, seccomp, bpf, perf */
    [159] = 'H', [164] = 'H', [227] = 'H', [305] = 'H', /* adjtimex, settimeofday, clock_set */
    [163] = 'H',               /* acct */
    [165] = 'H', [166] = 'H',  /* mount, umount2 */
    [167] = 'H', [168] = 'H',  /* swapon, swapoff */
    [169] = 'H',               /* reboot */
    [170] = 'H', [171] = 'H',  /* sethostname, setdomainname */
    [172] = 'H', [173] = 'H',  /* iopl, ioperm */
    [175] = 'H', [176] = 'H', [313] = 'H', /* init/delete/finit_module */
    [179] = 'H', [443] = 'H',  /* quotactl(_fd) */
    [246] = 'H', [320] = 'H',  /* kexec_load, kexec_file_load */
    [29] = 'H', [30] = 'H', [31] = 'H', [64] = 'H', [65] = 'H', [66] = 'H', /* SysV IPC */
    [68] = 'H', [69] = 'H', [70] = 'H', [71] = 'H', [220] = 'H',
    [240] = 'H', [241] = 'H',  /* mq_open, mq_unlink */
    [248] = 'H', [249] = 'H', [250] = 'H', /* add_key, request_key, keyctl */
    [256] = 'H', [279] = 'H',  /* migrate_pages, move_pages (other processes) */
    [129] = 'H', [297] = 'H', [424] = 'H', /* rt_(tg)sigqueueinfo, pidfd_send_signal */
    [300] = 'H', [301] = 'H',  /* fanotify: permission events can block the host */
    [303] = 'H', [304] = 'H',  /* name_to_handle_at, open_by_handle_at */
    [308] = 'H', [272] = 'H',  /* setns, unshare */
    [310] = 'H', [311] = 'H',  /* process_vm_readv/writev */
    [209] = 'H',               /* io_submit: asynchronous writes */
    [425] = 'H', [426] = 'H', [427] = 'H', /* io_uring */
    [428] = 'H', [429] = 'H', [430] = 'H', [431] = 'H', [432] = 'H', [433] = 'H',
    [442] = 'H',               /* new mount API, mount_setattr */
    [437] = 'H',               /* openat2: flags in a struct we would have to clean */
    [440] = 'H', [448] = 'H',  /* process_madvise, process_mrelease */
    [444] = 'H', [445] = 'H', [446] = 'H', /* landlock */
    [460] = 'H',               /* lsm_set_self_attr */
};
/* clang-format on */

/* 335..423 are unassigned in Linux x86_64, but some host kernels put
 * private calls there (one raises SIGILL here): on Linux they are skipped;
 * on Wisp they are fuzzed, as Wisp's own calls may live there. */
#define HOLE_LO 335
#define HOLE_HI 423
static bool on_wisp;

static uint64_t rng;

/* A raw system call: no errno, so a call that clobbers the TLS base
 * (arch_prctl) does not crash the worker on its way back. */
static long
raw_syscall(long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3, uint64_t a4, uint64_t a5)
{
    long ret;
    register uint64_t r10 __asm__("r10") = a3;
    register uint64_t r8 __asm__("r8") = a4;
    register uint64_t r9 __asm__("r9") = a5;

    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "a"(nr), "D"(a0), "S"(a1), "d"(a2), "r"(r10), "r"(r8), "r"(r9)
                     : "rcx", "r11", "memory");
    return ret;
}

static uint64_t
rnd(void)
{
    /* xorshift64*: deterministic for a seed, good enough for fuzzing. */
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return rng * 0x2545F4914F6CDD1DULL;
}

static unsigned char *buf; /* BUF_SIZE bytes followed by a PROT_NONE page */

static uint64_t
hostile(void)
{
    static const uint64_t kaddr[] = {
        0xffff800000000000ULL,
        0xffffffff80100000ULL,
        0xffffffffffffffffULL,
    };
    static const uint64_t huge[] = {
        0x7fffffffULL,         0xffffffffULL,  0x80000000ULL, 0x7fffffffffffffffULL,
        0x8000000000000000ULL, 0x100000000ULL, 1ULL << 40,
    };

    switch (rnd() % 13) {
    case 0:
        return 0;
    case 1:
        return 1;
    case 2:
        return (uint64_t)-1;
    case 3:
        return rnd() % 16;
    case 4:
        return rnd() % 4096;
    case 5:
        return -(int64_t)(rnd() % 16);
    case 6:
        return rnd();
    case 7:
        return kaddr[rnd() % 3];
    case 8:
        return 0x1000 + (rnd() % 16) * PAGE; /* unmapped, low */
    case 9:
        return 0x7fffffffe000ULL + (rnd() % 0x2000) - 0x1000; /* near the top */
    case 10:
        return (uint64_t)(uintptr_t)(buf + rnd() % BUF_SIZE);
    case 11:
        return (uint64_t)(uintptr_t)(buf + BUF_SIZE - 1 - rnd() % 64);
    default:
        return huge[rnd() % 7];
    }
}

static bool
in_buf(uint64_t p)
{
    return p >= (uintptr_t)buf && p + 16 <= (uintptr_t)buf + BUF_SIZE;
}

/* Make one call safe to run as root on Linux without losing its point on
 * Wisp. Returns false to drop the call. fd values are compared as the
 * kernel sees them: the low 32 bits, signed. */
static bool
sanitize(long nr, uint64_t a[6])
{
    int fd0 = (int)a[0];
    pid_t self =
        (pid_t)raw_syscall(SYS_getpid, 0, 0, 0, 0, 0, 0); /* not cached: memory may be scribbled */

    switch (nr) {
    case SYS_write:
    case SYS_pwrite64:
    case SYS_writev:
    case SYS_pwritev:
    case SYS_pwritev2:
    case SYS_vmsplice:
    case SYS_sendfile:
        /* Never write to real files; the console gets no garbage: fds 0-2
         * become fd 0, which is /dev/null. */
        if (fd0 > 2)
            return false;
        if (fd0 >= 0)
            a[0] = 0;
        return true;
    case SYS_splice:
    case SYS_copy_file_range:
        if ((int)a[2] > 2)
            return false;
        if ((int)a[2] >= 0)
            a[2] = 0;
        break;
    case SYS_tee:
        if ((int)a[1] > 2)
            return false;
        break;
    case SYS_sendto:
    case SYS_sendmsg:
    case SYS_sendmmsg:
        break; /* only socketpair() sockets can exist */
    case SYS_close:
        return fd0 < 0 || fd0 > 2; /* keep stdout/stderr for reports */
    case SYS_close_range:
        if ((unsigned)a[0] <= 2)
            a[0] = 3;
        return true;
    case SYS_dup2:
    case SYS_dup3:
        return (int)a[1] < 0 || (int)a[1] > 2;
    case SYS_open:
        a[1] &= ~(uint64_t)(O_CREAT | O_TRUNC | O_TMPFILE);
        return true;
    case SYS_openat:
        a[2] &= ~(uint64_t)(O_CREAT | O_TRUNC | O_TMPFILE);
        return true;
    case SYS_ioctl:
        /* Read-only tty queries may reach the console; anything else
         * (TCSETS, TIOCSTI, TIOCSPGRP ...) goes to /dev/null. */
        if ((fd0 == 1 || fd0 == 2) && a[1] != 0x5401 && a[1] != 0x5413 && a[1] != 0x540f)
            a[0] = 0;
        return true;
    case SYS_kill:
        a[0] = self;
        break;
    case SYS_tkill:
        a[0] = self;
        break;
    case SYS_tgkill:
        a[0] = self;
        a[1] = self;
        break;
    case SYS_prlimit64:
    case SYS_sched_setaffinity:
        a[0] = 0;
        return true;
    case SYS_madvise:
        if (a[2] >= 100)
            a[2] = 0; /* MADV_HWPOISON, MADV_SOFT_OFFLINE: real memory */
        return true;
    case SYS_nanosleep:
        if (in_buf(a[0]))
            memset((void *)(uintptr_t)a[0], 0, 16);
        return true;
    case SYS_clock_nanosleep:
        if (in_buf(a[2]))
            memset((void *)(uintptr_t)a[2], 0, 16);
        a[1] = 0;
        return true;
    default:
        /* Anything else that takes fd 1 or 2 (fcntl O_NONBLOCK, flock,
         * fsync ...) shares the console with the parent: use fd 0. */
        if (fd0 == 1 || fd0 == 2)
            a[0] = 0;
        return true;
    }
    /* Signals: never stop the worker (the watchdog would wait 2 s). */
    int sigarg = nr == SYS_tgkill ? 2 : 1;
    int sig = (int)a[sigarg];
    if (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU)
        a[sigarg] = SIGUSR1;
    return true;
}

/* Each call made is reported as one byte on this pipe, so a worker killed
 * half-way leaves the rest of its batch to the next one. */
static int progress_fd = -1;

static void
worker(uint64_t seed, int calls, bool verbose)
{
    int nul = open("/dev/null", O_RDWR);
    if (nul >= 0 && nul != 0) {
        dup2(nul, 0);
        close(nul);
    }
    rng = seed ? seed : 1;
    for (int i = 0; i < 8; i++)
        rnd();
    void *m =
        mmap(NULL, BUF_SIZE + PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m == MAP_FAILED) {
        fprintf(stderr, "fuzz: worker mmap: %s\n", strerror(errno));
        syscall(SYS_exit_group, 2);
    }
    buf = m;
    mprotect(buf + BUF_SIZE, PAGE, PROT_NONE);
    for (int i = 0; i < BUF_SIZE; i += 8) {
        uint64_t r = rnd();
        memcpy(buf + i, &r, 8);
    }
    for (int done = 0; done < calls;) {
        long nr = (long)(rnd() % (NR_MAX + 1));
        uint64_t a[6];
        if (skip[nr] || (!on_wisp && nr >= HOLE_LO && nr <= HOLE_HI))
            continue;
        for (int k = 0; k < 6; k++)
            a[k] = hostile();
        /* Fresh garbage in a corner of the buffer now and then. */
        uint64_t r = rnd();
        memcpy(buf + (r % (BUF_SIZE / 8)) * 8, &r, 8);
        done++;
        raw_syscall(SYS_write, progress_fd, (uintptr_t) "+", 1, 0, 0, 0);
        if (!sanitize(nr, a))
            continue;
        if (verbose) {
            char line[200];
            int n =
                snprintf(line, sizeof line, "fuzz: call %d: %ld %#lx %#lx %#lx %#lx %#lx %#lx\n",
                         done, nr, (unsigned long)a[0], (unsigned long)a[1], (unsigned long)a[2],
                         (unsigned long)a[3], (unsigned long)a[4], (unsigned long)a[5]);
            raw_syscall(SYS_write, 2, (uintptr_t)line, n, 0, 0, 0);
        }
        raw_syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
    }
    raw_syscall(SYS_exit_group, 0, 0, 0, 0, 0, 0);
}

/* Wait for a worker, killing it if it takes over HANG_MS. Sets *hung. */
static int
watch(pid_t pid, bool *hung)
{
    long deadline = now_ms() + HANG_MS;
    int st = 0;

    *hung = false;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            return st;
        if (r < 0 && errno != EINTR) {
            fprintf(stderr, "fuzz: waitpid: %s\n", strerror(errno));
            return 0;
        }
        if (!*hung && now_ms() > deadline) {
            *hung = true;
            kill(pid, SIGKILL);
            deadline = now_ms() + 10 * HANG_MS;
        } else if (*hung && now_ms() > deadline) {
            fprintf(stderr, "fuzz: worker %d survives SIGKILL\n", (int)pid);
            exit(1);
        }
        struct timespec ts = { 0, 5 * 1000000L };
        nanosleep(&ts, NULL);
    }
}

/* The kernel still answers correctly after the storm. */
static int
sanity(pid_t me)
{
    if (getpid() != me || syscall(SYS_getpid) != me) {
        fprintf(stderr, "fuzz: getpid changed from %d to %d\n", (int)me, (int)getpid());
        return -1;
    }
    int p[2];
    char in[32] = { 0 };
    if (pipe(p) != 0) {
        fprintf(stderr, "fuzz: pipe: %s\n", strerror(errno));
        return -1;
    }
    if (write(p[1], "still alive", 11) != 11 || read(p[0], in, sizeof in) != 11 ||
        strcmp(in, "still alive") != 0) {
        fprintf(stderr, "fuzz: pipe round trip failed: '%s'\n", in);
        return -1;
    }
    close(p[0]);
    close(p[1]);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "fuzz: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0)
        _exit(getppid() == me ? 7 : 8);
    bool hung;
    int st = watch(pid, &hung);
    if (hung || !WIFEXITED(st) || WEXITSTATUS(st) != 7) {
        fprintf(stderr, "fuzz: fork+wait: status 0x%x%s\n", st, hung ? " (hung)" : "");
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    uint64_t seed = 1;
    long calls = 20000;
    bool verbose = false;
    int opt;

    while ((opt = getopt(argc, argv, "s:n:v")) != -1) {
        if (opt == 's')
            seed = strtoull(optarg, NULL, 0);
        else if (opt == 'n')
            calls = strtol(optarg, NULL, 0);
        else if (opt == 'v')
            verbose = true;
        else {
            fprintf(stderr, "usage: fuzz [-s SEED] [-n CALLS] [-v]\n");
            return 2;
        }
    }
    if (calls < 0) {
        fprintf(stderr, "fuzz: -n: must not be negative\n");
        return 2;
    }
    struct utsname u;
    on_wisp = uname(&u) == 0 && strcmp(u.sysname, "Wisp") == 0;
    pid_t me = getpid();
    int workers = 0;
    int killed = 0;
    int hung_count = 0;
    long made = 0;
    /* Bounded, in case every worker dies at once. */
    long max_workers = 4 * (calls / BATCH) + 16;
    while (made < calls && workers < max_workers) {
        int batch = calls - made < BATCH ? (int)(calls - made) : BATCH;
        int p[2];
        if (pipe(p) != 0) {
            fprintf(stderr, "fuzz: pipe: %s\n", strerror(errno));
            return 1;
        }
        fflush(NULL);
        pid_t pid = fork();
        if (pid < 0) {
            fprintf(stderr, "fuzz: fork: %s\n", strerror(errno));
            return 1;
        }
        if (pid == 0) {
            close(p[0]);
            /* Out of reach of the small fds the fuzzed calls close. */
            progress_fd = fcntl(p[1], F_DUPFD, 64);
            if (progress_fd < 0)
                progress_fd = p[1];
            else
                close(p[1]);
            worker(seed * 1000003ULL + (uint64_t)workers, batch, verbose);
        }
        close(p[1]);
        bool hung;
        int st = watch(pid, &hung);
        char tally[BATCH];
        ssize_t n;
        long done = 0;
        while ((n = read(p[0], tally, sizeof tally)) > 0 || (n < 0 && errno == EINTR))
            done += n > 0 ? n : 0;
        close(p[0]);
        made += done < batch ? done : batch;
        workers++;
        if (WIFSIGNALED(st))
            killed++;
        if (hung)
            hung_count++;
    }
    /* Workers may have left children of their own; none should exist. */
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;
    if (sanity(me) != 0) {
        printf("fuzz: %ld calls, %d workers: kernel check FAILED\n", made, workers);
        return 1;
    }
    if (hung_count)
        printf("fuzz: the watchdog killed %d stuck workers\n", hung_count);
    printf("fuzz: %ld calls, %d workers, %d killed by signal, kernel alive\n", made, workers,
           killed);
    return 0;
}
