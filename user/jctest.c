/*
 * Job-control conformance test: process groups and sessions (setpgid,
 * setsid, getsid and their errors), stop and continue (SIGSTOP, SIGTSTP,
 * SIGCONT, SIGKILL of a stopped process, wait4 with WUNTRACED and
 * WCONTINUED, SA_NOCLDSTOP, a stopped call restarted), group kills and
 * waits, and the controlling tty (tcgetpgrp/tcsetpgrp, SIGTTOU and SIGTTIN
 * for a background group), and sigsuspend/sigpending. Prints "jctest: PASS name" or "jctest: FAIL
 * name: detail" per check and "jctest: N passed, N failed"; exits 0 only if
 * all passed. It runs on Linux too; the tty checks need stdin to be the
 * controlling tty (always so on Wisp: the console is init's session's).
 * tests/qemu/user_jobctl.sh runs it; the interactive side (^Z, jobs, bg,
 * fg) is driven through busybox's shell there.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "checkutil.h"

#define NO_PID 999999

static int passed;
static int failed;
static bool on_wisp;
static const char *self_path = "/bin/jctest";

/* waitpid with a 5 s deadline (polling, so a lost wakeup fails the check
 * instead of hanging the run). Returns what waitpid returned, or 0. */
static pid_t
wait_for(pid_t pid, int *st, int options)
{
    long end = now_ms() + 5000;
    for (;;) {
        pid_t r = waitpid(pid, st, options | WNOHANG);
        if (r != 0 || now_ms() > end)
            return r;
        sleep_ms(2);
    }
}

/* Kill and reap a child that a failed check left behind. */
static void
reap(pid_t pid)
{
    kill(pid, SIGKILL);
    kill(pid, SIGCONT);
    wait_for(pid, NULL, 0);
}

/* A child that sits in its own process group until killed; it writes one
 * byte to ready[1] once it is set up, and exits 0 when go[0] gives a byte. */
static pid_t
spawn_waiter(bool own_group, int go_fd)
{
    int ready[2];
    char c = 0;
    if (pipe(ready) != 0)
        return -1;
    pid_t pid = fork();
    if (pid == 0) {
        if (own_group)
            setpgid(0, 0);
        write(ready[1], "r", 1);
        if (go_fd >= 0 && read(go_fd, &c, 1) == 1)
            _exit(0);
        for (;;)
            pause();
    }
    close(ready[1]);
    if (pid > 0)
        read(ready[0], &c, 1);
    close(ready[0]);
    return pid;
}

/* ---- process groups and sessions ---- */

static int
c_setsid(void)
{
    if (setsid() != getpid() || getsid(0) != getpid() || getpgrp() != getpid())
        return 1;
    if (setsid() != -1 || errno != EPERM)          /* now a group leader */
        return 2;
    if (setpgid(0, 0) != -1 || errno != EPERM)     /* a session leader stays */
        return 3;
    if (tcgetpgrp(0) != -1 || errno != ENOTTY)     /* a new session has no tty */
        return 4;
    return 0;
}

static int
t_setsid(void)
{
    int st;
    pid_t pid = fork();
    if (pid == 0)
        _exit(c_setsid());
    CHECK(wait_for(pid, &st, 0) == pid, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child step %d failed (1 setsid, 2 setsid again, 3 setpgid, 4 tcgetpgrp)",
          WEXITSTATUS(st));
    CHECK(getsid(NO_PID) == -1 && errno == ESRCH, "getsid(no such pid): %s", strerror(errno));
    CHECK(getpgid(NO_PID) == -1 && errno == ESRCH, "getpgid(no such pid)");
    CHECK(getsid(0) == getsid(getpid()), "getsid(0) %d", (int)getsid(0));
    return 0;
}

static int
t_setpgid_errors(void)
{
    CHECK(setpgid(0, -1) == -1 && errno == EINVAL, "pgid -1: %s", strerror(errno));
    CHECK(setpgid(NO_PID, 0) == -1 && errno == ESRCH, "no such pid: %s", strerror(errno));
    CHECK(getppid() <= 1 || (setpgid(getppid(), 0) == -1 && errno == ESRCH),
          "the parent is not a child: %s", strerror(errno));
    pid_t pid = spawn_waiter(false, -1);
    CHECK(pid > 0, "fork");
    int err = 0;
    if (setpgid(pid, pid) != 0 || getpgid(pid) != pid)
        err = 1;
    else if (setpgid(pid, getpgrp()) != 0 || getpgid(pid) != getpgrp())
        err = 2;
    else if (setpgid(pid, NO_PID) != -1 || errno != EPERM)
        err = 3;   /* no such group in the session */
    reap(pid);
    CHECK(err == 0, "step %d (1 own group, 2 back, 3 no such group: %s)", err, strerror(errno));
    return 0;
}

/* A child that execs: the parent may no longer move it (EACCES). */
static int
t_setpgid_after_exec(void)
{
    int p[2];
    char c;
    CHECK(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        char fd[16];
        snprintf(fd, sizeof fd, "%d", p[1]);
        close(p[0]);
        execl(self_path, "jctest", "--exec-child", fd, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    bool ok = read(p[0], &c, 1) == 1;
    close(p[0]);
    int r = setpgid(pid, pid), e = errno;
    reap(pid);
    CHECK(ok, "the exec'd child did not start");
    CHECK(r == -1 && e == EACCES, "setpgid after exec: %d (%s)", r, strerror(e));
    return 0;
}

static int
t_setpgid_other_session(void)
{
    int ready[2];
    char c;
    CHECK(pipe(ready) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        setsid();
        write(ready[1], "r", 1);
        for (;;)
            pause();
    }
    close(ready[1]);
    read(ready[0], &c, 1);
    close(ready[0]);
    int r = setpgid(pid, getpgrp()), e = errno;
    reap(pid);
    CHECK(r == -1 && e == EPERM, "child in another session: %d (%s)", r, strerror(e));
    return 0;
}

/* ---- stop and continue ---- */

static char
proc_state(pid_t pid)
{
    char path[64];
    char buf[256];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return '?';
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    buf[n > 0 ? n : 0] = '\0';
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : '?';
}

static int
stop_continue(pid_t pid)
{
    int st = 0;
    CHECK(kill(pid, SIGSTOP) == 0, "kill SIGSTOP: %s", strerror(errno));
    CHECK(wait_for(pid, &st, WUNTRACED) == pid, "no stop report");
    CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == SIGSTOP && st == 0x137f, "status 0x%x", st);
    CHECK(wait_for(pid, &st, WUNTRACED | WNOHANG) == 0, "stop reported twice");
    CHECK(proc_state(pid) == 'T', "/proc state '%c', want T", proc_state(pid));
    CHECK(kill(pid, SIGCONT) == 0, "kill SIGCONT");
    CHECK(wait_for(pid, &st, WCONTINUED) == pid, "no continue report");
    CHECK(WIFCONTINUED(st) && st == 0xffff, "status 0x%x", st);
    CHECK(waitpid(pid, &st, WCONTINUED | WNOHANG) == 0, "continue reported twice");
    CHECK(kill(pid, SIGTSTP) == 0, "kill SIGTSTP");
    CHECK(wait_for(pid, &st, WUNTRACED) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTSTP,
          "SIGTSTP: status 0x%x", st);
    CHECK(kill(pid, SIGKILL) == 0, "kill SIGKILL");
    CHECK(wait_for(pid, &st, 0) == pid, "a stopped child did not die of SIGKILL");
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "status 0x%x", st);
    return 0;
}

static int
t_stop_continue(void)
{
    pid_t pid = spawn_waiter(true, -1);   /* own group: not orphaned, SIGTSTP stops */
    CHECK(pid > 0, "fork");
    int r = stop_continue(pid);
    if (r)
        reap(pid);
    return r;
}

static volatile sig_atomic_t got_chld;
static volatile sig_atomic_t got_usr1;

static void
on_chld(int sig)
{
    got_chld++;
}

static void
on_usr1(int sig)
{
    got_usr1++;
}

static int
t_nocldstop(void)
{
    struct sigaction sa = { .sa_handler = on_chld, .sa_flags = SA_NOCLDSTOP | SA_RESTART };
    struct sigaction old;
    int st = 0;
    sigaction(SIGCHLD, &sa, &old);
    got_chld = 0;
    pid_t pid = spawn_waiter(true, -1);
    kill(pid, SIGSTOP);
    pid_t r = wait_for(pid, &st, WUNTRACED);
    int after_stop = got_chld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    kill(pid, SIGCONT);
    long end = now_ms() + 5000;
    while (!got_chld && now_ms() < end)
        sleep_ms(2);
    int after_cont = got_chld;
    reap(pid);
    sigaction(SIGCHLD, &old, NULL);
    CHECK(r == pid && WIFSTOPPED(st), "no stop report");
    CHECK(after_stop == 0, "SIGCHLD for a stop despite SA_NOCLDSTOP");
    CHECK(after_cont > 0, "no SIGCHLD for a continue");
    return 0;
}

/* SIGCONT discards a pending stop signal. */
static int
t_cont_discards_stop(void)
{
    int go[2];
    int st = 0;
    sigset_t set;
    CHECK(pipe(go) == 0, "pipe");
    sigemptyset(&set);
    sigaddset(&set, SIGTSTP);
    sigprocmask(SIG_BLOCK, &set, NULL);     /* the child inherits the mask */
    pid_t pid = spawn_waiter(true, go[0]);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    kill(pid, SIGTSTP);                     /* pending in the child */
    kill(pid, SIGCONT);                     /* and discarded */
    write(go[1], "g", 1);                   /* the child exits; it must not stop */
    pid_t r = wait_for(pid, &st, WUNTRACED);
    close(go[0]);
    close(go[1]);
    if (r != pid || !WIFEXITED(st))
        reap(pid);
    CHECK(r == pid, "child did not finish");
    CHECK(WIFEXITED(st), "child: status 0x%x (stopped by a discarded SIGTSTP?)", st);
    return 0;
}

static int
c_read_restart(int fd)
{
    char c;
    ssize_t n = read(fd, &c, 1);   /* stopped and continued in here */
    return n == 1 && c == 'x' ? 0 : 1;
}

/* A read stopped and continued goes on: no EINTR without a handler. */
static int
t_stop_restarts_call(void)
{
    int p[2];
    int st = 0;
    CHECK(pipe(p) == 0, "pipe");
    pid_t pid = fork();
    if (pid == 0) {
        setpgid(0, 0);
        _exit(c_read_restart(p[0]));
    }
    sleep_ms(50);
    kill(pid, SIGSTOP);
    pid_t r1 = wait_for(pid, &st, WUNTRACED);
    kill(pid, SIGCONT);
    sleep_ms(50);
    write(p[1], "x", 1);
    pid_t r2 = wait_for(pid, &st, 0);
    close(p[0]);
    close(p[1]);
    if (r2 != pid)
        reap(pid);
    CHECK(r1 == pid, "no stop report");
    CHECK(r2 == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "the read did not go on after SIGCONT (status 0x%x)", st);
    return 0;
}

/* ---- group kills and waits ---- */

/* kill(0, sig) reaches the caller's group: here, itself alone. */
static int
c_kill_own_group(void)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    setpgid(0, 0);
    sigaction(SIGUSR1, &sa, NULL);
    got_usr1 = 0;
    if (kill(0, SIGUSR1) != 0)
        return 1;
    return got_usr1 == 1 ? 0 : 2;
}

static int
t_group_kill_wait(void)
{
    int st = 0;
    pid_t a = spawn_waiter(true, -1);
    pid_t b = fork();
    if (b == 0) {
        setpgid(0, a);
        for (;;)
            pause();
    }
    setpgid(b, a);
    CHECK(getpgid(b) == a, "b is not in a's group");
    CHECK(kill(-1, 0) == 0, "kill(-1, 0) with children alive: %s", strerror(errno));
    CHECK(kill(-NO_PID, 0) == -1 && errno == ESRCH, "kill(-no such group)");
    CHECK(waitpid(-NO_PID, &st, WNOHANG) == -1 && errno == ECHILD, "waitpid(-no such group)");
    CHECK(waitpid(0, &st, WNOHANG) == -1 && errno == ECHILD,
          "waitpid(0) sees a child of another group");
    CHECK(kill(-a, SIGTERM) == 0, "kill(-pgrp): %s", strerror(errno));
    pid_t r1 = wait_for(-a, &st, 0);
    bool sig1 = WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
    pid_t r2 = wait_for(-a, &st, 0);
    bool sig2 = WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM;
    CHECK((r1 == a && r2 == b) || (r1 == b && r2 == a), "waitpid(-pgrp) gave %d, %d", r1, r2);
    CHECK(sig1 && sig2, "not killed by SIGTERM");
    pid_t c = fork();
    if (c == 0)
        _exit(c_kill_own_group());
    CHECK(wait_for(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "kill(0, SIGUSR1) in a group of one: status 0x%x", st);
    return 0;
}

/* ---- the controlling tty ---- */

static bool
have_ctty(void)
{
    return tcgetpgrp(0) > 0;
}

static int
c_tcsetpgrp(pid_t fg)
{
    signal(SIGTTOU, SIG_IGN);   /* as a shell does */
    setpgid(0, 0);
    if (tcsetpgrp(0, getpgrp()) != 0 || tcgetpgrp(0) != getpgrp())
        return 1;
    if (tcsetpgrp(0, NO_PID) != -1 || errno != ESRCH)
        return 2;
    if (tcsetpgrp(0, -1) != -1 || errno != EINVAL)
        return 3;
    if (tcgetsid(0) != getsid(0))
        return 4;
    if (tcsetpgrp(0, fg) != 0)   /* give it back */
        return 5;
    return 0;
}

static int
t_tcsetpgrp(void)
{
    if (!have_ctty()) {
        CHECK(!on_wisp, "tcgetpgrp(0): %s", strerror(errno));
        return 1;   /* skipped */
    }
    pid_t fg = tcgetpgrp(0);
    int st = 0;
    pid_t pid = fork();
    if (pid == 0)
        _exit(c_tcsetpgrp(fg));
    pid_t r = wait_for(pid, &st, 0);
    if (tcgetpgrp(0) != fg)
        tcsetpgrp(0, fg);
    CHECK(r == pid, "child did not finish");
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0,
          "child step %d (1 set/get, 2 no such group, 3 -1, 4 tcgetsid, 5 restore)",
          WEXITSTATUS(st));
    return 0;
}

/* A background group that touches the tty stops with sig. */
static int
background_stop(int sig)
{
    if (!have_ctty()) {
        CHECK(!on_wisp, "tcgetpgrp(0): %s", strerror(errno));
        return 1;
    }
    pid_t fg = tcgetpgrp(0);
    int st = 0;
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        setpgid(0, 0);   /* a new group: in the background */
        if (sig == SIGTTOU)
            tcsetpgrp(0, getpgrp());
        else
            read(0, &c, 1);
        _exit(9);
    }
    pid_t r = wait_for(pid, &st, WUNTRACED);
    reap(pid);
    if (tcgetpgrp(0) != fg)
        tcsetpgrp(0, fg);
    CHECK(r == pid, "no report");
    CHECK(WIFSTOPPED(st) && WSTOPSIG(st) == sig, "status 0x%x, want stopped by %d", st, sig);
    return 0;
}

static int
t_background_tcsetpgrp(void)
{
    return background_stop(SIGTTOU);
}

static int
t_background_read(void)
{
    return background_stop(SIGTTIN);
}

/* ---- waiting for signals, as shells do ---- */

/* sigsuspend: runs the handler of a signal the old mask blocked, returns
 * EINTR, and puts the old mask back; sigpending sees a blocked signal. */
static int
t_sigsuspend(void)
{
    struct sigaction sa = { .sa_handler = on_usr1 };
    struct sigaction old;
    sigset_t block;
    sigset_t empty;
    sigset_t now;
    sigset_t pend;
    sigaction(SIGUSR1, &sa, &old);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigemptyset(&empty);
    sigprocmask(SIG_BLOCK, &block, NULL);
    got_usr1 = 0;
    kill(getpid(), SIGUSR1);
    int pending = sigpending(&pend) == 0 && sigismember(&pend, SIGUSR1);
    int before = got_usr1;
    int r = sigsuspend(&empty);
    int e = errno;
    sigprocmask(SIG_SETMASK, NULL, &now);
    int still_blocked = sigismember(&now, SIGUSR1);
    sigprocmask(SIG_UNBLOCK, &block, NULL);
    sigaction(SIGUSR1, &old, NULL);
    CHECK(pending, "sigpending does not show the blocked SIGUSR1");
    CHECK(before == 0, "a blocked SIGUSR1 was handled");
    CHECK(r == -1 && e == EINTR, "sigsuspend: %d (%s)", r, strerror(e));
    CHECK(got_usr1 == 1, "handler ran %d times", (int)got_usr1);
    CHECK(still_blocked, "the old mask was not restored");
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
    { "setsid", t_setsid },
    { "setpgid_errors", t_setpgid_errors },
    { "setpgid_after_exec", t_setpgid_after_exec },
    { "setpgid_other_session", t_setpgid_other_session },
    { "stop_continue", t_stop_continue },
    { "nocldstop", t_nocldstop },
    { "cont_discards_stop", t_cont_discards_stop },
    { "stop_restarts_call", t_stop_restarts_call },
    { "group_kill_wait", t_group_kill_wait },
    { "tcsetpgrp", t_tcsetpgrp },
    { "background_tcsetpgrp", t_background_tcsetpgrp },
    { "background_read", t_background_read },
    { "sigsuspend", t_sigsuspend },
};

int
main(int argc, char **argv)
{
    struct utsname u;
    if (argc > 2 && strcmp(argv[1], "--exec-child") == 0) {
        write(atoi(argv[2]), "e", 1);
        for (;;)
            pause();
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    on_wisp = uname(&u) == 0 && strcmp(u.sysname, "Wisp") == 0;
    if (strchr(argv[0], '/'))
        self_path = argv[0];
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        why[0] = '\0';
        int r = tests[i].fn();
        if (r == 0) {
            printf("jctest: PASS %s\n", tests[i].name);
            passed++;
        } else if (r > 0) {
            printf("jctest: SKIP %s (stdin is not a controlling tty)\n", tests[i].name);
        } else {
            printf("jctest: FAIL %s: %s\n", tests[i].name, why);
            failed++;
        }
        while (waitpid(-1, NULL, WNOHANG) > 0)
            ;
    }
    printf("jctest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
