/*
 * System-call conformance test: Linux x86_64 behaviour that Wisp must
 * match, checked from user mode. Prints "utest: PASS name" or
 * "utest: FAIL name: detail" per check and "utest: N passed, N failed";
 * exits 0 only if all passed. It runs on Linux too (checks that only make
 * sense on Wisp, like the read-only root, look at uname's sysname). Every
 * child is waited for with a deadline, so a missing signal fails a check
 * instead of hanging the run. "utest NAME..." runs only the named checks,
 * "utest -NAME..." all but those. Over 800 lines in one file on purpose:
 * the checks are short and independent, and the table at the end lists all.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "checkutil.h"

#define KERNEL_ADDR ((void *)0xffffffff80100000ULL)

static int passed;
static int failed;
static bool on_wisp;
static const char *self_path;

/* Wait for pid for up to ms; on timeout kill it and return -1. */
static int
wait_deadline(pid_t pid, int *st, long ms)
{
    long end = now_ms() + ms;

    for (;;) {
        pid_t r = waitpid(pid, st, WNOHANG);
        if (r == pid)
            return 0;
        if (r < 0 && errno != EINTR)
            return -1;
        if (now_ms() > end) {
            kill(pid, SIGKILL);
            waitpid(pid, st, 0);
            return -1;
        }
        sleep_ms(2);
    }
}

/* Run fn in a child; its wait status in *st. -1 if fork failed or the
 * child did not finish within 5 s. */
static int
in_child(int (*fn)(void), int *st)
{
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0)
        _exit(fn());
    return wait_deadline(pid, st, 5000);
}

static const char *
wstr(int st)
{
    static char buf[64];
    if (WIFEXITED(st))
        snprintf(buf, sizeof buf, "exit %d", WEXITSTATUS(st));
    else if (WIFSIGNALED(st))
        snprintf(buf, sizeof buf, "signal %d", WTERMSIG(st));
    else
        snprintf(buf, sizeof buf, "status 0x%x", st);
    return buf;
}

/* ---- processes ---- */

static int
t_fork_ids(void)
{
    int p[2];
    pid_t parent = getpid();
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        pid_t ids[2] = { getpid(), getppid() };
        write(p[1], ids, sizeof ids);
        _exit(0);
    }
    pid_t ids[2] = { 0, 0 };
    ssize_t n = read(p[0], ids, sizeof ids);
    int st;
    waitpid(pid, &st, 0);
    close(p[0]);
    close(p[1]);
    CHECK(n == sizeof ids, "read from child: %zd", n);
    CHECK(ids[0] == pid, "child getpid %d, fork returned %d", ids[0], pid);
    CHECK(ids[1] == parent, "child getppid %d, parent is %d", ids[1], parent);
    CHECK(pid != parent, "child has the parent's pid");
    return 0;
}

static int
t_wait_exit_status(void)
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(42);
    int st = 0;
    pid_t r = wait4(pid, &st, 0, NULL);
    CHECK(r == pid, "wait4 returned %d (%s)", r, strerror(errno));
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42, "got %s, want exit 42", wstr(st));
    r = wait4(pid, &st, 0, NULL);
    CHECK(r == -1 && errno == ECHILD, "second wait4 gave %d errno %d, want ECHILD", r, errno);
    return 0;
}

static int
t_wait_killed(void)
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        for (;;)
            sleep_ms(1000);
    }
    sleep_ms(20);
    CHECK(kill(pid, SIGKILL) == 0, "kill: %s", strerror(errno));
    int st = 0;
    CHECK(wait_deadline(pid, &st, 5000) == 0, "child not reaped within 5 s");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "got %s, want signal 9", wstr(st));
    pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        for (;;)
            sleep_ms(1000);
    }
    CHECK(kill(pid, SIGTERM) == 0, "kill TERM: %s", strerror(errno));
    CHECK(wait_deadline(pid, &st, 5000) == 0, "child not reaped within 5 s");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM, "got %s, want signal 15", wstr(st));
    return 0;
}

static int
c_null_write(void)
{
    *(volatile int *)0 = 1;
    return 0;
}

static int
t_segv_null(void)
{
    int st;
    CHECK(in_child(c_null_write, &st) == 0, "child did not finish");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "got %s, want signal 11", wstr(st));
    return 0;
}

static int
t_wait_nochild(void)
{
    int st;
    CHECK(waitpid(-1, &st, WNOHANG) == -1 && errno == ECHILD, "waitpid(-1) errno %d", errno);
    /* A free slot on our own node (Wisp: node in bits 20..30). */
    pid_t bogus = (getpid() & ~0xfffff) | 0xffff0;
    CHECK(kill(bogus, 0) == -1 && errno == ESRCH, "kill(%d, 0) errno %d", bogus, errno);
    return 0;
}

static int
c_pgrp(void)
{
    if (setpgid(0, 0) != 0)
        return 1;
    if (getpgrp() != getpid() || getpgid(0) != getpid())
        return 2;
    return 0;
}

static int
t_pgrp(void)
{
    int st;
    CHECK(in_child(c_pgrp, &st) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s (1 setpgid, 2 getpgrp)", wstr(st));
    return 0;
}

/* ---- signals ---- */

static volatile sig_atomic_t got_usr1;
static volatile sig_atomic_t got_chld;

static void
on_usr1(int sig)
{
    got_usr1++;
}

static void
on_chld(int sig)
{
    got_chld++;
}

static int
set_handler(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    return sigaction(sig, &sa, NULL);
}

static int
t_signal_self(void)
{
    got_usr1 = 0;
    CHECK(set_handler(SIGUSR1, on_usr1) == 0, "sigaction: %s", strerror(errno));
    CHECK(kill(getpid(), SIGUSR1) == 0, "kill: %s", strerror(errno));
    for (int i = 0; i < 100 && !got_usr1; i++)
        sleep_ms(1);
    CHECK(got_usr1 == 1, "handler ran %d times, want 1", (int)got_usr1);
    signal(SIGUSR1, SIG_DFL);
    return 0;
}

static int
t_signal_child(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        got_usr1 = 0;
        set_handler(SIGUSR1, on_usr1);
        write(p[1], "r", 1);
        for (int i = 0; i < 3000 && !got_usr1; i++)
            sleep_ms(1);
        _exit(got_usr1 ? 7 : 1);
    }
    char c;
    CHECK(read(p[0], &c, 1) == 1, "child never got ready");
    close(p[0]);
    close(p[1]);
    CHECK(kill(pid, SIGUSR1) == 0, "kill: %s", strerror(errno));
    int st;
    CHECK(wait_deadline(pid, &st, 5000) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 7, "child: %s (exit 7 = handler ran)", wstr(st));
    return 0;
}

static int
t_sigprocmask(void)
{
    sigset_t set;
    sigset_t old;
    got_usr1 = 0;
    CHECK(set_handler(SIGUSR1, on_usr1) == 0, "sigaction: %s", strerror(errno));
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK(sigprocmask(SIG_BLOCK, &set, &old) == 0, "block: %s", strerror(errno));
    kill(getpid(), SIGUSR1);
    sleep_ms(10);
    int early = got_usr1;
    CHECK(sigprocmask(SIG_SETMASK, &old, NULL) == 0, "unblock: %s", strerror(errno));
    for (int i = 0; i < 100 && !got_usr1; i++)
        sleep_ms(1);
    signal(SIGUSR1, SIG_DFL);
    CHECK(early == 0, "handler ran while blocked");
    CHECK(got_usr1 == 1, "handler ran %d times after unblocking, want 1", (int)got_usr1);
    sigset_t cur;
    CHECK(sigprocmask(SIG_BLOCK, NULL, &cur) == 0, "query: %s", strerror(errno));
    CHECK(!sigismember(&cur, SIGUSR1), "SIGUSR1 still blocked");
    return 0;
}

static int
t_sigchld(void)
{
    got_chld = 0;
    CHECK(set_handler(SIGCHLD, on_chld) == 0, "sigaction: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        _exit(0);
    for (int i = 0; i < 3000 && !got_chld; i++)
        sleep_ms(1);
    int st;
    waitpid(pid, &st, 0);
    signal(SIGCHLD, SIG_DFL);
    CHECK(got_chld >= 1, "no SIGCHLD within 3 s");
    return 0;
}

/* An ignored signal (SIGCHLD by default) must not interrupt a blocked
 * read: a child exits while the parent waits for a second child's byte. */
static int
t_eintr_ignored(void)
{
    int p[2];
    char c = 0;
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t quick = fork();
    if (quick == 0) {
        sleep_ms(30);
        _exit(0);
    }
    pid_t slow = fork();
    if (slow == 0) {
        sleep_ms(300);
        if (write(p[1], "x", 1) != 1)
            _exit(1);
        _exit(0);
    }
    ssize_t n = read(p[0], &c, 1);
    int e = errno;
    waitpid(quick, NULL, 0);
    waitpid(slow, NULL, 0);
    close(p[0]);
    close(p[1]);
    CHECK(n == 1 && c == 'x', "read = %zd (errno %d): an ignored SIGCHLD interrupted it", n, e);
    return 0;
}

static volatile sig_atomic_t got_usr1_restart;
static void on_usr1_restart(int s) { (void)s; got_usr1_restart++; }

/* read() interrupted by a handler: restarted with SA_RESTART, EINTR without. */
static int
t_sa_restart(void)
{
    for (int restart = 1; restart >= 0; restart--) {
        int p[2];
        char c = 0;
        struct sigaction sa;
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = on_usr1_restart;
        sa.sa_flags = restart ? SA_RESTART : 0;
        CHECK(sigaction(SIGUSR1, &sa, NULL) == 0, "sigaction: %s", strerror(errno));
        CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
        got_usr1_restart = 0;
        pid_t parent = getpid();
        fflush(stdout);
        pid_t kid = fork();
        if (kid == 0) {
            sleep_ms(50);
            kill(parent, SIGUSR1);
            sleep_ms(200);
            if (write(p[1], "y", 1) != 1)
                _exit(1);
            _exit(0);
        }
        errno = 0;
        ssize_t n = read(p[0], &c, 1);
        int e = errno;
        waitpid(kid, NULL, 0);
        close(p[0]);
        close(p[1]);
        signal(SIGUSR1, SIG_DFL);
        CHECK(got_usr1_restart == 1, "handler ran %d times", (int)got_usr1_restart);
        if (restart)
            CHECK(n == 1 && c == 'y', "SA_RESTART: read = %zd errno %d", n, e);
        else
            CHECK(n == -1 && e == EINTR, "no SA_RESTART: read = %zd errno %d", n, e);
    }
    return 0;
}

static int
c_sigpipe(void)
{
    int p[2];
    if (pipe(p) != 0)
        return 2;
    close(p[0]);
    write(p[1], "x", 1);
    return 3; /* SIGPIPE should have killed us */
}

static int
t_sigpipe(void)
{
    int p[2];
    int st;
    CHECK(in_child(c_sigpipe, &st) == 0, "child did not finish");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGPIPE, "got %s, want signal 13", wstr(st));
    signal(SIGPIPE, SIG_IGN);
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    close(p[0]);
    errno = 0;
    ssize_t n = write(p[1], "x", 1);
    int e = errno;
    close(p[1]);
    signal(SIGPIPE, SIG_DFL);
    CHECK(n == -1 && e == EPIPE, "write returned %zd errno %d, want EPIPE", n, e);
    return 0;
}

/* ---- bad arguments ---- */

static int
t_efault(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    errno = 0;
    ssize_t n = write(p[1], (void *)1, 10);
    CHECK(n == -1 && errno == EFAULT, "write((void*)1) = %zd errno %d", n, errno);
    errno = 0;
    n = write(p[1], KERNEL_ADDR, 10);
    CHECK(n == -1 && errno == EFAULT, "write(kernel addr) = %zd errno %d", n, errno);
    write(p[1], "abc", 3);
    /* Non-blocking, so a kernel that loses the data on EFAULT fails the
     * check instead of hanging in the next read. */
    fcntl(p[0], F_SETFL, O_NONBLOCK);
    errno = 0;
    n = read(p[0], (void *)1, 3);
    CHECK(n == -1 && errno == EFAULT, "read((void*)1) = %zd errno %d", n, errno);
    errno = 0;
    n = read(p[0], KERNEL_ADDR, 3);
    CHECK(n == -1 && errno == EFAULT, "read(kernel addr) = %zd errno %d%s", n, errno,
          errno == EAGAIN ? " (the failed read consumed the pipe's data)" : "");
    char good[4] = { 0 };
    n = read(p[0], good, 3);
    CHECK(n == 3 && strcmp(good, "abc") == 0, "data after EFAULT reads: %zd '%s' errno %d%s", n,
          good, errno, errno == EAGAIN ? " (a failed read consumed it)" : "");
    errno = 0;
    long r = syscall(SYS_open, KERNEL_ADDR, O_RDONLY);
    CHECK(r == -1 && errno == EFAULT, "open(kernel addr) = %ld errno %d", r, errno);
    close(p[0]);
    close(p[1]);
    return 0;
}

static int
t_enosys(void)
{
    errno = 0;
    long r = syscall(9999);
    CHECK(r == -1 && errno == ENOSYS, "syscall(9999) = %ld errno %d", r, errno);
    errno = 0;
    r = read(-1, why, 1);
    CHECK(r == -1 && errno == EBADF, "read(-1) errno %d", errno);
    errno = 0;
    r = close(12345);
    CHECK(r == -1 && errno == EBADF, "close(12345) errno %d", errno);
    return 0;
}

/* ---- pipes and descriptors ---- */

static int
t_pipe_fork(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        close(p[0]);
        write(p[1], "hello, parent", 13);
        _exit(0);
    }
    close(p[1]);
    char buf[32] = { 0 };
    size_t got = 0;
    ssize_t n;
    while ((n = read(p[0], buf + got, sizeof buf - 1 - got)) > 0)
        got += n;
    close(p[0]);
    int st;
    waitpid(pid, &st, 0);
    CHECK(got == 13 && memcmp(buf, "hello, parent", 13) == 0, "got %zu bytes '%s'", got, buf);
    return 0;
}

static int
t_pipe_64k(void)
{
    enum {
        SIZE = 64 * 1024
    };
    static unsigned char in[SIZE];
    int p[2];
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        static unsigned char out[SIZE];
        close(p[0]);
        for (int i = 0; i < SIZE; i++)
            out[i] = (unsigned char)(i * 7 + i / 251);
        size_t off = 0;
        while (off < SIZE) {
            ssize_t w = write(p[1], out + off, SIZE - off);
            if (w <= 0)
                _exit(1);
            off += w;
        }
        _exit(0);
    }
    close(p[1]);
    size_t got = 0;
    ssize_t n;
    while (got < SIZE && (n = read(p[0], in + got, SIZE - got)) > 0)
        got += n;
    n = read(p[0], in, 1); /* then EOF */
    close(p[0]);
    int st;
    CHECK(wait_deadline(pid, &st, 5000) == 0, "writer did not finish");
    CHECK(got == SIZE, "read %zu of %d bytes", got, SIZE);
    CHECK(n == 0, "no EOF after the data (read gave %zd)", n);
    for (int i = 0; i < SIZE; i++)
        CHECK(in[i] == (unsigned char)(i * 7 + i / 251), "byte %d differs", i);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "writer: %s", wstr(st));
    return 0;
}

static int
t_dup2_stdout(void)
{
    int p[2];
    fflush(stdout);
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    int saved = dup(1);
    CHECK(saved > 2, "dup(1) = %d", saved);
    CHECK(dup2(p[1], 1) == 1, "dup2: %s", strerror(errno));
    ssize_t w = write(1, "via-stdout", 10);
    CHECK(dup2(saved, 1) == 1, "restore: %s", strerror(errno));
    close(saved);
    char buf[16] = { 0 };
    ssize_t n = read(p[0], buf, sizeof buf - 1);
    close(p[0]);
    close(p[1]);
    CHECK(w == 10 && n == 10 && strcmp(buf, "via-stdout") == 0, "read back %zd '%s'", n, buf);
    int fd = dup(0);
    CHECK(fcntl(fd, F_GETFD) == 0, "new fd has FD_CLOEXEC");
    CHECK(fcntl(fd, F_SETFD, FD_CLOEXEC) == 0, "F_SETFD: %s", strerror(errno));
    CHECK(fcntl(fd, F_GETFD) == FD_CLOEXEC, "F_GETFD after F_SETFD = %d", fcntl(fd, F_GETFD));
    int fd2 = fcntl(fd, F_DUPFD, 20);
    CHECK(fd2 >= 20, "F_DUPFD 20 gave %d", fd2);
    close(fd2);
    close(fd);
    return 0;
}

static int
t_writev(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    struct iovec iov[3] = { { "ab", 2 }, { "", 0 }, { "cde", 3 } };
    ssize_t w = writev(p[1], iov, 3);
    char a[2] = { 0 };
    char b[8] = { 0 };
    struct iovec riov[2] = { { a, 2 }, { b, 7 } };
    ssize_t r = readv(p[0], riov, 2);
    close(p[0]);
    close(p[1]);
    CHECK(w == 5, "writev = %zd", w);
    CHECK(r == 5 && memcmp(a, "ab", 2) == 0 && strcmp(b, "cde") == 0, "readv = %zd", r);
    return 0;
}

/* ---- memory ---- */

static int
c_brk(void)
{
    char *cur = (char *)syscall(SYS_brk, 0);
    char *want = cur + 256 * 1024;
    char *got = (char *)syscall(SYS_brk, want);
    if (got != want)
        return 1;
    memset(cur, 0x5a, want - cur);
    for (char *p = cur; p < want; p += 4096)
        if (*p != 0x5a)
            return 2;
    got = (char *)syscall(SYS_brk, cur);
    if (got != cur)
        return 3;
    return 0;
}

static int
t_brk(void)
{
    int st;
    CHECK(in_child(c_brk, &st) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s (1 grow, 2 contents, 3 shrink)",
          wstr(st));
    return 0;
}

static volatile char *probe;

static int
c_touch_probe(void)
{
    probe[0] = 1;
    return 0;
}

static int
t_mmap_munmap(void)
{
    size_t len = 1 << 20;
    char *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
    for (size_t i = 0; i < len; i += 4096)
        CHECK(m[i] == 0, "fresh page at +%zu not zero", i);
    memset(m, 0xa5, len);
    CHECK(m[len - 1] == (char)0xa5, "last byte lost");
    CHECK(munmap(m, len) == 0, "munmap: %s", strerror(errno));
    probe = m + len / 2;
    int st;
    CHECK(in_child(c_touch_probe, &st) == 0, "child did not finish");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "touching unmapped: %s", wstr(st));
    return 0;
}

static int
t_mprotect(void)
{
    char *m = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(m != MAP_FAILED, "mmap: %s", strerror(errno));
    m[0] = 'w';
    CHECK(mprotect(m, 8192, PROT_READ) == 0, "mprotect: %s", strerror(errno));
    CHECK(m[0] == 'w', "contents changed by mprotect");
    probe = m;
    int st;
    CHECK(in_child(c_touch_probe, &st) == 0, "child did not finish");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV, "writing read-only: %s", wstr(st));
    CHECK(mprotect(m, 8192, PROT_READ | PROT_WRITE) == 0, "mprotect back: %s", strerror(errno));
    m[1] = 'x';
    munmap(m, 8192);
    return 0;
}

static int cow_global = 1234;

static int
c_cow(void)
{
    cow_global = 999;
    return cow_global == 999 ? 0 : 1;
}

static int
t_cow(void)
{
    char *heap = malloc(100000);
    CHECK(heap, "malloc failed");
    memset(heap, 'p', 100000);
    int st;
    CHECK(in_child(c_cow, &st) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child: %s", wstr(st));
    CHECK(cow_global == 1234, "parent's global became %d", cow_global);
    CHECK(heap[0] == 'p' && heap[99999] == 'p', "heap changed");
    free(heap);
    return 0;
}

static __thread int tls_counter = 41;
static __thread char tls_buf[64];

static int
c_tls(void)
{
    return (tls_counter == 42 && strcmp(tls_buf, "tls") == 0) ? 0 : 1;
}

static int
t_tls(void)
{
    CHECK(tls_counter == 41, "initial value %d, want 41", tls_counter);
    tls_counter++;
    strcpy(tls_buf, "tls");
    CHECK(tls_counter == 42, "after ++ %d", tls_counter);
    int st;
    CHECK(in_child(c_tls, &st) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child sees other TLS: %s", wstr(st));
    return 0;
}

/* ---- exec ---- */

static int
t_exec_errors(void)
{
    char *argv[] = { "x", NULL };
    char *envp[] = { NULL };
    errno = 0;
    execve("/no/such/program", argv, envp);
    CHECK(errno == ENOENT, "nonexistent: errno %d, want ENOENT", errno);
    if (access("/etc/motd", F_OK) == 0) {
        errno = 0;
        execve("/etc/motd", argv, envp);
        CHECK(errno == ENOEXEC || errno == EACCES, "/etc/motd: errno %d, want ENOEXEC/EACCES",
              errno);
    }
    return 0;
}

static int
t_exec_env(void)
{
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        char *argv[] = { "utest", "--env-child", "arg two", NULL };
        char *envp[] = { "UTEST_X=hello world", "PATH=/bin", NULL };
        execve(self_path, argv, envp);
        _exit(99);
    }
    int st;
    CHECK(wait_deadline(pid, &st, 5000) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child %s (99: exec of %s failed, 1: env or argv wrong)", wstr(st), self_path);
    return 0;
}

static int
env_child(int argc, char **argv)
{
    const char *x = getenv("UTEST_X");
    if (!x || strcmp(x, "hello world") != 0)
        return 1;
    if (argc != 3 || strcmp(argv[2], "arg two") != 0)
        return 1;
    return tls_counter == 41 ? 0 : 1;
}

/* ---- files ---- */

static int
t_file_ops(void)
{
    char buf[4096];
    int fd = open("/etc/motd", O_RDONLY);
    if (fd < 0 && !on_wisp) {
        fd = open("/etc/hostname", O_RDONLY);
    }
    CHECK(fd >= 0, "open: %s", strerror(errno));
    struct stat st;
    CHECK(fstat(fd, &st) == 0, "fstat: %s", strerror(errno));
    CHECK(S_ISREG(st.st_mode), "not a regular file (mode 0%o)", st.st_mode);
    ssize_t n = read(fd, buf, sizeof buf);
    CHECK(n > 0 && n == st.st_size, "read %zd bytes, fstat says %lld", n, (long long)st.st_size);
    CHECK(read(fd, buf, 1) == 0, "no EOF at the end");
    off_t end = lseek(fd, 0, SEEK_END);
    CHECK(end == st.st_size, "lseek END = %lld", (long long)end);
    CHECK(lseek(fd, 1, SEEK_SET) == 1, "lseek SET: %s", strerror(errno));
    char c;
    CHECK(read(fd, &c, 1) == 1 && c == buf[1], "byte at offset 1 differs");
    CHECK(lseek(fd, -1, SEEK_CUR) == 1, "lseek CUR");
    CHECK(pread(fd, &c, 1, 0) == 1 && c == buf[0], "pread at 0 differs");
    CHECK(lseek(fd, 0, SEEK_CUR) == 1, "pread moved the offset");
    CHECK(lseek(fd, -5, SEEK_SET) == -1 && errno == EINVAL, "negative lseek errno %d", errno);
    close(fd);
    struct stat st2;
    CHECK(stat("/bin", &st2) == 0 && S_ISDIR(st2.st_mode), "stat /bin not a directory");
    CHECK(stat("/no/such", &st2) == -1 && errno == ENOENT, "stat /no/such errno %d", errno);
    CHECK(access("/bin/sh", X_OK) == 0, "access /bin/sh X_OK: %s", strerror(errno));
    return 0;
}

static int
t_getdents(void)
{
    char buf[8192];
    int fd = open("/bin", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0, "open /bin: %s", strerror(errno));
    bool found = false;
    int entries = 0;
    for (;;) {
        long n = syscall(SYS_getdents64, fd, buf, sizeof buf);
        CHECK(n >= 0, "getdents64: %s", strerror(errno));
        if (n == 0)
            break;
        for (long off = 0; off < n;) {
            struct {
                uint64_t ino;
                int64_t off;
                unsigned short reclen;
                unsigned char type;
                char name[];
            } *d = (void *)(buf + off);
            CHECK(d->reclen > 0 && off + d->reclen <= n, "bad d_reclen %u", d->reclen);
            if (strcmp(d->name, "sh") == 0)
                found = true;
            entries++;
            off += d->reclen;
        }
    }
    close(fd);
    CHECK(found, "no 'sh' among %d entries", entries);
    return 0;
}

static int
t_cwd(void)
{
    char old[4096];
    char cwd[4096];
    CHECK(getcwd(old, sizeof old), "getcwd: %s", strerror(errno));
    CHECK(chdir("/bin") == 0, "chdir /bin: %s", strerror(errno));
    CHECK(getcwd(cwd, sizeof cwd), "getcwd: %s", strerror(errno));
    /* Linux hosts may have /bin -> usr/bin. */
    bool ok = strcmp(cwd, "/bin") == 0 ||
              (!on_wisp && strlen(cwd) >= 4 && strcmp(cwd + strlen(cwd) - 4, "/bin") == 0);
    CHECK(ok, "getcwd after chdir /bin = '%s'", cwd);
    CHECK(access("sh", X_OK) == 0, "relative path 'sh' not found in /bin");
    CHECK(chdir("/etc/motd") == -1 && errno == ENOTDIR, "chdir to a file errno %d", errno);
    CHECK(chdir(old) == 0, "chdir back: %s", strerror(errno));
    return 0;
}

static int
t_readonly_root(void)
{
    if (!on_wisp)
        return 0; /* the host's root is writable */
    errno = 0;
    int fd = open("/etc/motd", O_WRONLY);
    CHECK(fd == -1 && errno == EROFS, "open /etc/motd O_WRONLY: fd %d errno %d", fd, errno);
    errno = 0;
    fd = open("/etc/new", O_WRONLY | O_CREAT, 0644);     /* /tmp is a tmpfs */
    CHECK(fd == -1 && errno == EROFS, "create /etc/new: fd %d errno %d", fd, errno);
    fd = open("/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0666);
    CHECK(fd >= 0, "open /dev/null for writing: %s", strerror(errno));
    CHECK(write(fd, "x", 1) == 1, "write /dev/null");
    close(fd);
    return 0;
}

static int
t_proc_stat(void)
{
    char path[64];
    char buf[512] = { 0 };
    char want[64];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)getpid());
    int fd = open(path, O_RDONLY);
    CHECK(fd >= 0, "open %s: %s", path, strerror(errno));
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    snprintf(want, sizeof want, "%d (utest) ", (int)getpid());
    CHECK(n > 0 && strncmp(buf, want, strlen(want)) == 0, "stat line '%.60s'", buf);
    char st;
    int ppid;
    CHECK(sscanf(strrchr(buf, ')') + 1, " %c %d", &st, &ppid) == 2, "no state/ppid");
    CHECK(ppid == getppid(), "ppid %d, getppid %d", ppid, (int)getppid());
    return 0;
}

/* ---- identity and time ---- */

static int
t_uname(void)
{
    struct utsname u;
    CHECK(uname(&u) == 0, "uname: %s", strerror(errno));
    CHECK(strcmp(u.sysname, "Wisp") == 0 || strcmp(u.sysname, "Linux") == 0, "sysname '%s'",
          u.sysname);
    CHECK(strcmp(u.machine, "x86_64") == 0, "machine '%s'", u.machine);
    CHECK(u.nodename[0], "empty nodename");
    CHECK(getuid() == geteuid() && getgid() == getegid(), "ids differ");
    return 0;
}

static int
t_clock(void)
{
    struct timespec a;
    struct timespec b;
    CHECK(clock_gettime(CLOCK_MONOTONIC, &a) == 0, "clock_gettime: %s", strerror(errno));
    struct timespec d = { 0, 20 * 1000000L };
    CHECK(nanosleep(&d, NULL) == 0, "nanosleep: %s", strerror(errno));
    CHECK(clock_gettime(CLOCK_MONOTONIC, &b) == 0, "clock_gettime: %s", strerror(errno));
    long long ns = (b.tv_sec - a.tv_sec) * 1000000000LL + (b.tv_nsec - a.tv_nsec);
    CHECK(ns >= 20000000LL, "slept only %lld ns", ns);
    CHECK(ns < 5000000000LL, "20 ms sleep took %lld ns", ns);
    struct timespec r;
    CHECK(clock_gettime(CLOCK_REALTIME, &r) == 0, "CLOCK_REALTIME: %s", strerror(errno));
    return 0;
}

/* ---- the calls glibc asks for (issue 6), as raw system calls ---- */

struct u_rlimit {
    unsigned long cur, max;
};

static int
t_getrandom(void)
{
    unsigned char a[32], b[32];
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK(syscall(SYS_getrandom, a, sizeof a, 0) == 32, "getrandom: %s", strerror(errno));
    CHECK(syscall(SYS_getrandom, b, sizeof b, 1 /* GRND_NONBLOCK */) == 32, "getrandom nonblock");
    CHECK(memcmp(a, b, sizeof a) != 0, "two getrandom calls gave the same bytes");
    CHECK(syscall(SYS_getrandom, a, sizeof a, 0x80) == -1 && errno == EINVAL, "bad flag: %d",
          errno);
    CHECK(syscall(SYS_getrandom, KERNEL_ADDR, 16, 0) == -1 && errno == EFAULT, "kernel address");
    int fd = open("/dev/urandom", O_RDONLY);
    CHECK(fd >= 0, "open /dev/urandom: %s", strerror(errno));
    ssize_t n = read(fd, a, sizeof a);
    close(fd);
    CHECK(n == 32, "read /dev/urandom: %zd", n);
    return 0;
}

static int
t_rlimit(void)
{
    struct u_rlimit old, r;
    /* RLIMIT_NOFILE is 7; the resource is unsigned int, upper bits ignored. */
    CHECK(syscall(SYS_prlimit64, 0, 7L | (1L << 32), NULL, &old) == 0, "prlimit64: %s",
          strerror(errno));
    CHECK(old.cur > 0 && old.cur <= old.max, "nofile %lu/%lu", old.cur, old.max);
    r = (struct u_rlimit){ 16, old.max };
    CHECK(syscall(SYS_setrlimit, 7, &r) == 0, "setrlimit: %s", strerror(errno));
    pid_t pid = fork();
    if (pid == 0) {
        struct u_rlimit c;
        _exit(syscall(SYS_getrlimit, 7, &c) == 0 && c.cur == 16 ? 0 : 1);
    }
    int st;
    CHECK(pid > 0 && wait_deadline(pid, &st, 5000) == 0, "fork/wait");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child did not inherit the limit");
    r = (struct u_rlimit){ 2, 1 };
    CHECK(syscall(SYS_setrlimit, 7, &r) == -1 && errno == EINVAL, "cur > max: errno %d", errno);
    CHECK(syscall(SYS_getrlimit, 99, &r) == -1 && errno == EINVAL, "resource 99: errno %d", errno);
    CHECK(syscall(SYS_setrlimit, 7, &old) == 0, "restore: %s", strerror(errno));
    return 0;
}

static int
t_sysinfo_rusage(void)
{
    long si[14];                        /* struct sysinfo: 112 bytes */
    CHECK(syscall(SYS_sysinfo, si) == 0, "sysinfo: %s", strerror(errno));
    unsigned long total = (unsigned long)si[4], freeram = (unsigned long)si[5];
    unsigned short procs;
    memcpy(&procs, &si[10], sizeof procs);
    CHECK(total > freeram && freeram > 0, "totalram %lu freeram %lu", total, freeram);
    CHECK(procs >= 1, "procs %u", procs);
    long ru[18];                        /* struct rusage: 144 bytes */
    CHECK(syscall(SYS_getrusage, 0, ru) == 0, "getrusage(SELF): %s", strerror(errno));
    CHECK(ru[4] > 0, "maxrss %ld", ru[4]);
    CHECK(syscall(SYS_getrusage, 5, ru) == -1 && errno == EINVAL, "who 5: errno %d", errno);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec t;
        do
            clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
        while (t.tv_nsec < 20000000L && t.tv_sec == 0);
        _exit(0);
    }
    int st;
    memset(ru, 0, sizeof ru);
    /* pid -1 in the low 32 bits only, as glibc passes it. */
    CHECK(syscall(SYS_wait4, 0xffffffffL, &st, 0, ru) == pid, "wait4(0xffffffff): %s",
          strerror(errno));
    long us = (ru[0] + ru[2]) * 1000000L + ru[1] + ru[3];   /* utime + stime */
    CHECK(us >= 10000, "child cpu time %ld us", us);
    CHECK(syscall(SYS_getrusage, -1, ru) == 0, "RUSAGE_CHILDREN: %s", strerror(errno));
    us = (ru[0] + ru[2]) * 1000000L + ru[1] + ru[3];
    CHECK(us >= 10000, "RUSAGE_CHILDREN cpu time %ld us", us);
    return 0;
}

static int
c_prctl_name(void)
{
    char name[16] = { 0 }, comm[32] = { 0 };
    if (syscall(SYS_prctl, 15 /* PR_SET_NAME */, "renamed-by-prctl-x") != 0)
        return 1;
    if (syscall(SYS_prctl, 16 /* PR_GET_NAME */, name) != 0 || strcmp(name, "renamed-by-prc"
                                                                             "t") != 0)
        return 2;
    int fd = open("/proc/self/comm", O_RDONLY);
    if (fd < 0 || read(fd, comm, sizeof comm - 1) <= 0 || strcmp(comm, "renamed-by-prct\n"))
        return 3;
    if (syscall(SYS_prctl, 12345, 0, 0, 0, 0) != -1 || errno != EINVAL)
        return 4;
    return 0;
}

static int
t_prctl_name(void)
{
    pid_t pid = fork();
    if (pid == 0)
        _exit(c_prctl_name());
    int st;
    CHECK(pid > 0 && wait_deadline(pid, &st, 5000) == 0, "fork/wait");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child step %d failed", WEXITSTATUS(st));
    return 0;
}

static int
t_madvise_dontneed(void)
{
    char *p = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
    memset(p, 'x', 3 * 4096);
    CHECK(madvise(p + 4096, 4096, MADV_DONTNEED) == 0, "madvise: %s", strerror(errno));
    CHECK(p[0] == 'x' && p[4096] == 0 && p[8191] == 0 && p[8192] == 'x', "wrong pages dropped");
    CHECK(madvise(p, 4096, MADV_WILLNEED) == 0, "WILLNEED: %s", strerror(errno));
    CHECK(madvise(p + 1, 4096, MADV_DONTNEED) == -1 && errno == EINVAL, "unaligned: %d", errno);
    munmap(p, 3 * 4096);
    CHECK(madvise(p, 4096, MADV_DONTNEED) == -1 && errno == ENOMEM, "unmapped: %d", errno);
    return 0;
}

static int
t_int_args(void)
{
    /* int arguments are the low 32 bits: fd 0xffffffff is -1, 0x100000001 is 1. */
    CHECK(syscall(SYS_close, 0xffffffffL) == -1 && errno == EBADF, "close(-1): %d", errno);
    CHECK(syscall(SYS_fcntl, 0x100000001L, F_GETFD) >= 0, "fcntl(0x100000001): %s",
          strerror(errno));
    CHECK(syscall(SYS_kill, (long)getpid() | (1L << 32), 0x100000000L) == 0, "kill: %s",
          strerror(errno));
    CHECK(syscall(SYS_umask, 0x100000012L) >= 0 && umask(022) == 022, "umask upper bits");
    long d = syscall(SYS_fcntl, 0, F_DUPFD, (1L << 32) | 30);
    CHECK(d >= 30, "fcntl(F_DUPFD, 0x10000001e) = %ld, errno %d", d, errno);
    close((int)d);
    char buf[8];
    CHECK(syscall(SYS_readlink, "/", buf, 0xffffffffL) == -1 && errno == EINVAL,
          "readlink bufsiz -1: %d", errno);
    if (on_wisp) {
        /* glibc's probes: ENOSYS (quietly). */
        CHECK(syscall(334 /* rseq */, 0, 0, 0, 0) == -1 && errno == ENOSYS, "rseq");
        CHECK(syscall(273 /* set_robust_list */, 0, 0) == -1 && errno == ENOSYS, "robust");
    }
    return 0;
}

/* time(201), gettimeofday and CLOCK_REALTIME tell the same, real date. */
static int
t_wall_clock(void)
{
    struct timeval tv;
    struct timespec r;
    time_t stored = 0;
    long t = syscall(SYS_time, &stored);
    CHECK(gettimeofday(&tv, NULL) == 0, "gettimeofday: %s", strerror(errno));
    CHECK(clock_gettime(CLOCK_REALTIME, &r) == 0, "CLOCK_REALTIME: %s", strerror(errno));
    CHECK(t > 1577836800L, "time() says %ld: before 2020, no RTC?", t);
    CHECK(stored == t, "time(&t) stored %ld, returned %ld", (long)stored, t);
    CHECK(tv.tv_sec - t <= 1 && tv.tv_sec >= t, "gettimeofday %ld vs time %ld", (long)tv.tv_sec, t);
    CHECK(r.tv_sec - t <= 1 && r.tv_sec >= t, "CLOCK_REALTIME %ld vs time %ld", (long)r.tv_sec, t);
    CHECK(syscall(SYS_time, (void *)8) == -1 && errno == EFAULT, "time(bad pointer) errno %d",
          errno);
    return 0;
}

static int
t_poll_select(void)
{
    int p[2];
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    /* struct pollfd: int fd; short events, revents. POLLIN 1, POLLOUT 4. */
    struct { int fd; short events, revents; } fds[2] = { { p[0], 1, 0 }, { p[1], 4, 0 } };
    long n = syscall(SYS_poll, fds, 2, 20);
    CHECK(n == 1 && fds[0].revents == 0 && fds[1].revents == 4, "empty pipe: %ld %#x %#x", n,
          fds[0].revents, fds[1].revents);
    CHECK(write(p[1], "z", 1) == 1, "write");
    n = syscall(SYS_poll, fds, 1, -1);
    CHECK(n == 1 && fds[0].revents == 1, "one byte: %ld %#x", n, fds[0].revents);
    uint64_t set = 1ull << p[0];
    long tv[2] = { 0, 0 };
    n = syscall(SYS_select, p[0] + 1, &set, NULL, NULL, tv);
    CHECK(n == 1 && set == 1ull << p[0], "select: %ld", n);
    close(p[1]);
    n = syscall(SYS_poll, fds, 1, 0);
    CHECK(n == 1 && fds[0].revents == 0x11, "writer gone: %#x", fds[0].revents);
    close(p[0]);
    n = syscall(SYS_poll, fds, 1, 0);
    CHECK(n == 1 && fds[0].revents == 0x20, "closed fd: %#x", fds[0].revents);
    set = 1ull << p[0];
    CHECK(syscall(SYS_select, p[0] + 1, &set, NULL, NULL, tv) == -1 && errno == EBADF,
          "select closed fd: %d", errno);
    return 0;
}

static volatile sig_atomic_t usr1_seen_ss;

static void
on_usr1_ss(int sig)
{
    usr1_seen_ss++;
}

static int
t_sigsuspend(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1_ss;
    sa.sa_flags = SA_RESTART;          /* sigsuspend still returns EINTR */
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, old, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, &old);
    usr1_seen_ss = 0;
    pid_t parent = getpid(), pid = fork();
    if (pid == 0) {
        sleep_ms(20);
        kill(parent, SIGUSR1);
        _exit(0);
    }
    int r = sigsuspend(&empty);
    int e = errno;
    sigprocmask(SIG_SETMASK, NULL, &now);
    bool still_blocked = sigismember(&now, SIGUSR1);
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR1, SIG_DFL);
    int st;
    wait_deadline(pid, &st, 5000);
    CHECK(r == -1 && e == EINTR, "sigsuspend returned %d errno %d", r, e);
    CHECK(usr1_seen_ss == 1, "handler ran %d times", (int)usr1_seen_ss);
    CHECK(still_blocked, "the old mask did not come back");
    return 0;
}

/* bash's needs: /dev/fd/N reopens fd N (here a pipe's write end),
 * getpeername on a file is ENOTSOCK, faccessat2 takes AT_EACCESS, and a
 * lowered soft RLIMIT_NOFILE bounds dup2. */
static int
t_devfd_bash(void)
{
    int p[2];
    char buf[8] = "";
    CHECK(pipe(p) == 0, "pipe: %s", strerror(errno));
    char path[32];
    snprintf(path, sizeof path, "/dev/fd/%d", p[1]);
    int w = open(path, O_WRONLY);
    CHECK(w >= 0, "open %s: %s", path, strerror(errno));
    close(p[1]);
    CHECK(write(w, "fd", 2) == 2, "write through %s", path);
    close(w);
    CHECK(read(p[0], buf, sizeof buf) == 2 && memcmp(buf, "fd", 2) == 0, "read back '%s'", buf);
    CHECK(read(p[0], buf, sizeof buf) == 0, "no end of file after the last writer");
    close(p[0]);
    uint64_t sa[16], len = sizeof sa;
    long r = syscall(SYS_getpeername, 0, sa, &len);
    CHECK(r == -1 && errno == ENOTSOCK, "getpeername(0): %ld errno %d", r, errno);
    r = syscall(SYS_getpeername, 999, sa, &len);
    CHECK(r == -1 && errno == EBADF, "getpeername(999): %ld errno %d", r, errno);
    r = syscall(439, AT_FDCWD, "/", X_OK, 0x200);       /* faccessat2, AT_EACCESS */
    CHECK(r == 0, "faccessat2(/, X_OK, AT_EACCESS): %s", strerror(errno));
    r = syscall(439, AT_FDCWD, "/", X_OK, 0x8000);
    CHECK(r == -1 && errno == EINVAL, "faccessat2 with a bad flag: %ld errno %d", r, errno);
    uint64_t old[2], lim[2];
    CHECK(syscall(SYS_prlimit64, 0, 7, NULL, old) == 0, "getrlimit NOFILE");
    lim[0] = 8, lim[1] = old[1];
    CHECK(syscall(SYS_prlimit64, 0, 7, lim, NULL) == 0, "setrlimit NOFILE 8");
    int d = dup2(0, 9), e = errno;
    int f = fcntl(0, F_DUPFD, 8), e2 = errno;
    syscall(SYS_prlimit64, 0, 7, old, NULL);
    CHECK(d == -1 && e == EBADF, "dup2 past RLIMIT_NOFILE: %d errno %d", d, e);
    CHECK(f == -1 && e2 == EINVAL, "F_DUPFD past RLIMIT_NOFILE: %d errno %d", f, e2);
    return 0;
}

static volatile sig_atomic_t usr1_seen_pp;

static void
on_usr1_pp(int sig)
{
    usr1_seen_pp++;
}

/* ppoll/pselect6 apply their mask for the call only: a blocked pending
 * signal the mask lets through ends the call with EINTR and its handler
 * runs, and the old mask is back afterwards. */
static int
t_ppoll_mask(void)
{
    struct sigaction sa = { 0 };
    sa.sa_handler = on_usr1_pp;
    sa.sa_flags = SA_RESTART;          /* still EINTR, as Linux */
    sigaction(SIGUSR1, &sa, NULL);
    sigset_t block, old, empty, now;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, &old);
    usr1_seen_pp = 0;
    raise(SIGUSR1);
    struct timespec ts = { 2, 0 };
    long t0 = now_ms();
    long r = syscall(SYS_ppoll, NULL, 0, &ts, &empty, 8);
    int e = errno;
    int seen = usr1_seen_pp;
    sigprocmask(SIG_SETMASK, NULL, &now);
    bool still_blocked = sigismember(&now, SIGUSR1);
    raise(SIGUSR1);
    struct { const sigset_t *ss; size_t len; } arg = { &empty, 8 };
    long r2 = syscall(SYS_pselect6, 0, NULL, NULL, NULL, &ts, &arg);
    int e2 = errno;
    int seen2 = usr1_seen_pp;
    ts.tv_sec = 0;
    ts.tv_nsec = 1000000;
    long r3 = syscall(SYS_ppoll, NULL, 0, &ts, &block, 8);   /* still blocked */
    sigprocmask(SIG_SETMASK, &old, NULL);
    signal(SIGUSR1, SIG_DFL);
    CHECK(r == -1 && e == EINTR, "ppoll returned %ld errno %d", r, e);
    CHECK(seen == 1 && now_ms() - t0 < 1500, "handler ran %d times", seen);
    CHECK(still_blocked, "the old mask did not come back");
    CHECK(r2 == -1 && e2 == EINTR && seen2 == 2, "pselect6 %ld errno %d, %d", r2, e2, seen2);
    CHECK(r3 == 0, "ppoll under a blocking mask: %ld", r3);
    return 0;
}

/* sendfile from a file to a pipe: with an offset pointer (file offset
 * untouched) and without (file offset advances). */
/* Page faults of processes preempting each other: each child faults in
 * 16 MiB of fresh pages, writing and reading back a marker per page. A
 * kernel that read CR2 after enabling interrupts resolved some faults at
 * another process's address (an intermittent SIGSEGV at a valid address). */
static int
t_fault_storm(void)
{
    enum { KIDS = 3, PAGES = 4096, ROUNDS = 4 };
    pid_t pid[KIDS];
    for (int k = 0; k < KIDS; k++) {
        pid[k] = fork();
        if (pid[k] == 0) {
            for (int r = 0; r < ROUNDS; r++) {
                /* Each child at its own address, so that a fault resolved
                 * at another child's address maps nothing useful here. */
                void *at = (void *)(0x300000000000L + ((long)k << 32));
                volatile long *m = mmap(at, PAGES * 4096L, PROT_READ | PROT_WRITE,
                                        MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
                if (m == MAP_FAILED)
                    _exit(2);
                for (long i = 0; i < PAGES; i++)
                    m[i * 512] = i * 7 + k;
                for (long i = 0; i < PAGES; i++)
                    if (m[i * 512] != i * 7 + k)
                        _exit(3);
                munmap((void *)m, PAGES * 4096L);
            }
            _exit(0);
        }
        CHECK(pid[k] > 0, "fork: %s", strerror(errno));
    }
    for (int k = 0; k < KIDS; k++) {
        int st;
        CHECK(wait_deadline(pid[k], &st, 60000) == 0, "child %d did not finish", k);
        CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "child %d: status 0x%x", k, st);
    }
    return 0;
}

static int
t_sendfile(void)
{
    char path[64], buf[6000], back[6000];
    snprintf(path, sizeof path, "/tmp/utest_sf.%d", (int)getpid());
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (char)(i * 7);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0 && write(fd, buf, sizeof buf) == (ssize_t)sizeof buf, "tmp file: %d", errno);
    lseek(fd, 0, SEEK_SET);
    int p[2];
    CHECK(pipe(p) == 0, "pipe");
    int64_t off = 1000;
    long n = syscall(SYS_sendfile, p[1], fd, &off, 4000);
    long got = read(p[0], back, sizeof back);
    CHECK(n == 4000 && off == 5000 && got == 4000 && memcmp(back, buf + 1000, 4000) == 0,
          "with offset: %ld off %lld got %ld", n, (long long)off, got);
    CHECK(lseek(fd, 0, SEEK_CUR) == 0, "file offset moved");
    n = syscall(SYS_sendfile, p[1], fd, NULL, 100000);
    got = read(p[0], back, sizeof back);
    CHECK(n == 6000 && got == 6000 && lseek(fd, 0, SEEK_CUR) == 6000, "no offset: %ld", n);
    CHECK(syscall(SYS_sendfile, fd, p[0], &off, 1) == -1 && errno == ESPIPE, "pipe offset");
    CHECK(syscall(SYS_sendfile, p[0], fd, NULL, 1) == -1 && errno == EBADF, "read end out");
    close(p[0]);
    close(p[1]);
    close(fd);
    unlink(path);
    return 0;
}

/* ---- program images ---- */

/* In the program's read-only data: Wisp maps it from the one page image
 * of the file that every exec of it shares (fs_exec_image). */
static const char image_marker[] = "utest image marker";

static int
marker_child(void)
{
    return ((volatile const char *)image_marker)[0] == 'u' ? 0 : 1;
}

/* A read-only page of the program, made writable and written, is this
 * process's own: a new exec of the same file sees the file's bytes. */
static int
t_exec_image_private(void)
{
    uintptr_t page = (uintptr_t)image_marker & ~(uintptr_t)4095;
    CHECK(mprotect((void *)page, 4096, PROT_READ | PROT_WRITE) == 0, "mprotect: %s",
          strerror(errno));
    ((volatile char *)image_marker)[0] = 'X';
    fflush(stdout);
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        char *argv[] = { "utest", "--marker-child", NULL };
        char *envp[] = { NULL };
        execve(self_path, argv, envp);
        _exit(99);
    }
    int st;
    CHECK(wait_deadline(pid, &st, 5000) == 0, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child %s (99: exec failed, 1: it saw this process's write)", wstr(st));
    CHECK(((volatile const char *)image_marker)[0] == 'X', "the write did not stay");
    ((volatile char *)image_marker)[0] = 'u';
    CHECK(mprotect((void *)page, 4096, PROT_READ) == 0, "mprotect back: %s", strerror(errno));
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
    { "fork_ids", t_fork_ids },
    { "wait_exit_status", t_wait_exit_status },
    { "wait_killed", t_wait_killed },
    { "segv_null_write", t_segv_null },
    { "wait_no_child", t_wait_nochild },
    { "process_group", t_pgrp },
    { "signal_self", t_signal_self },
    { "signal_child", t_signal_child },
    { "sigprocmask", t_sigprocmask },
    { "sigchld", t_sigchld },
    { "sigpipe_epipe", t_sigpipe },
    { "eintr_ignored", t_eintr_ignored },
    { "sa_restart", t_sa_restart },
    { "efault", t_efault },
    { "enosys_ebadf", t_enosys },
    { "pipe_fork", t_pipe_fork },
    { "pipe_64k", t_pipe_64k },
    { "dup2_fcntl", t_dup2_stdout },
    { "readv_writev", t_writev },
    { "brk", t_brk },
    { "mmap_munmap", t_mmap_munmap },
    { "mprotect", t_mprotect },
    { "copy_on_write", t_cow },
    { "tls", t_tls },
    { "exec_errors", t_exec_errors },
    { "exec_environ", t_exec_env },
    { "file_ops", t_file_ops },
    { "getdents64", t_getdents },
    { "cwd", t_cwd },
    { "readonly_root", t_readonly_root },
    { "proc_stat", t_proc_stat },
    { "uname", t_uname },
    { "clock_nanosleep", t_clock },
    { "getrandom", t_getrandom },
    { "rlimit", t_rlimit },
    { "sysinfo_rusage", t_sysinfo_rusage },
    { "prctl_name", t_prctl_name },
    { "madvise_dontneed", t_madvise_dontneed },
    { "int_args", t_int_args },
    { "wall_clock", t_wall_clock },
    { "poll_select", t_poll_select },
    { "sigsuspend", t_sigsuspend },
    { "devfd_bash", t_devfd_bash },
    { "ppoll_mask", t_ppoll_mask },
    { "sendfile", t_sendfile },
    { "fault_storm", t_fault_storm },
    { "exec_image_private", t_exec_image_private },
};

/* "utest a b" runs only checks a and b; "utest -a" runs all but a. */
static bool
selected(int argc, char **argv, const char *name)
{
    bool any_include = false;
    for (int i = 1; i < argc; i++) {
        if (argv[i][0] == '-' && strcmp(argv[i] + 1, name) == 0)
            return false;
        if (argv[i][0] != '-') {
            any_include = true;
            if (strcmp(argv[i], name) == 0)
                return true;
        }
    }
    return !any_include;
}

int
main(int argc, char **argv)
{
    struct utsname u;

    if (argc > 1 && strcmp(argv[1], "--env-child") == 0)
        return env_child(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--marker-child") == 0)
        return marker_child();
    setvbuf(stdout, NULL, _IOLBF, 0);
    on_wisp = uname(&u) == 0 && strcmp(u.sysname, "Wisp") == 0;
    if (strchr(argv[0], '/'))
        self_path = argv[0];
    else if (access("/proc/self/exe", X_OK) == 0 && !on_wisp)
        self_path = "/proc/self/exe";
    else
        self_path = "/bin/utest";
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        if (!selected(argc, argv, tests[i].name))
            continue;
        why[0] = '\0';
        if (tests[i].fn() == 0) {
            printf("utest: PASS %s\n", tests[i].name);
            passed++;
        } else {
            printf("utest: FAIL %s: %s\n", tests[i].name, why);
            failed++;
        }
        /* A check that failed half-way may leave children behind. */
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
    }
    printf("utest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
