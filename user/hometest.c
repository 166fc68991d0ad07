/*
 * hometest: print, one per line, what a process learns from the calls
 * forwarded home (docs/home.md), so a test can run it here and through
 * rexec on another node and compare: the output must be the same apart
 * from node numbers. Pids are printed relative to the process's own pid
 * ("self", "self+N") where they are its own or its children's, and the
 * parent as "parent=<pid>" (the caller prints its pid first).
 *   hometest [-o FILE] [fork]
 * -o FILE: write to FILE (on the node it runs on) instead of stdout; fork:
 * also a child (forked where it runs; its pid's node bits are home's)
 * exits 7 and is waited for, and SIGCHLD is counted. The first line,
 * ppid=N, is the one raw pid.
 *   hometest remote NODE
 * starts `sleep 50` on NODE (wisp_rexec: it is our child, running away)
 * and stops, continues and kills it, printing what wait4 reports.
 *   hometest stops
 * the same with a forked child (run under rexec: parent and child both
 * away from home, on one node).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include "wisp.h"

extern char **environ;

static long ppid;

/* A pid as the same run elsewhere would print it: self, parent, other. */
static void
rel(const char *what, long v, long self)
{
    if (v < 0)
        printf("%s=err:%s\n", what, strerror(errno));
    else
        printf("%s=%s\n", what, v == self ? "self" : v == ppid ? "parent" : "other");
}

static volatile sig_atomic_t sigchlds;

static void
on_sigchld(int sig)
{
    (void)sig;
    sigchlds++;
}

static void
do_fork(long self)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigchld;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGCHLD, &sa, NULL);
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        printf("child-home-bits=%s\n", (getpid() >> 20) == (self >> 20) ? "same" : "differ");
        printf("child-ppid=%s\n", getppid() == self ? "self" : "other");
        fflush(stdout);
        _exit(7);
    }
    int st = 0;
    pid_t w = waitpid(c, &st, 0);
    printf("fork-home-bits=%s\n", (c >> 20) == (self >> 20) ? "same" : "differ");
    printf("wait=%s status=%d\n", w == c ? "child" : "other", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
    printf("wait-again=%s\n", waitpid(-1, &st, WNOHANG) < 0 && errno == ECHILD ? "ECHILD" : "?");
    /* SIGCHLD comes with the news that woke the wait (one message, or the
     * child's exit report's reply where both run away from home); a second
     * to let a late one show. */
    for (int i = 0; i < 100 && sigchlds == 0; i++)
        usleep(10000);
    printf("sigchld=%d\n", (int)sigchlds);
}

static const char *
what(int st)
{
    static char b[32];
    if (WIFSTOPPED(st))
        snprintf(b, sizeof b, "stopped:%d", WSTOPSIG(st));
    else if (WIFCONTINUED(st))
        snprintf(b, sizeof b, "continued");
    else if (WIFSIGNALED(st))
        snprintf(b, sizeof b, "killed:%d", WTERMSIG(st));
    else
        snprintf(b, sizeof b, "exited:%d", WEXITSTATUS(st));
    return b;
}

/* Job-control reports of a child running on another node. */
/* Stop, continue and kill child c, printing what wait4 reports each time. */
static int
stop_cont_kill(long c)
{
    int st = 0;
    printf("child-home-bits=%s\n", (c >> 20) == (getpid() >> 20) ? "same" : "differ");
    kill(c, SIGSTOP);
    printf("wait-stop=%s\n", waitpid(c, &st, WUNTRACED) == c ? what(st) : strerror(errno));
    kill(c, SIGCONT);
    printf("wait-cont=%s\n", waitpid(c, &st, WCONTINUED) == c ? what(st) : strerror(errno));
    kill(c, SIGKILL);
    printf("wait-kill=%s\n", waitpid(c, &st, 0) == c ? what(st) : strerror(errno));
    return 0;
}

static int
remote(long node)
{
    char *argv[] = { "sleep", "50", NULL };
    long c = wisp_rexec(node, "/bin/sleep", argv, environ);
    if (c < 0) {
        printf("rexec: %s\n", strerror(errno));
        return 1;
    }
    return stop_cont_kill(c);
}

/* The same with a forked child: where this runs away from home, both run
 * on this node and home tells the parent of each change (one message, or
 * the exit report's reply for the kill). */
static int
forked(void)
{
    fflush(stdout);
    pid_t c = fork();
    if (c == 0) {
        for (;;)
            pause();
    }
    if (c < 0) {
        printf("fork: %s\n", strerror(errno));
        return 1;
    }
    return stop_cont_kill(c);
}

int
main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "remote") == 0)
        return remote(strtol(argv[2], NULL, 10));
    if (argc == 2 && strcmp(argv[1], "stops") == 0)
        return forked();
    long self = getpid();
    if (argc > 2 && strcmp(argv[1], "-o") == 0) {
        if (!freopen(argv[2], "w", stdout)) {
            perror(argv[2]);
            return 1;
        }
        argc -= 2;
        argv += 2;
    }
    ppid = getppid();
    printf("ppid=%ld\n", ppid);
    rel("pgid", getpgid(0), self);
    rel("sid", getsid(0), self);
    printf("uid=%d euid=%d gid=%d\n", (int)getuid(), (int)geteuid(), (int)getgid());
    printf("setpgid-self=%d\n", setpgid(0, 0));
    rel("pgid-after", getpgid(0), self);
    rel("pgrp", getpgrp(), self);
    long s = setsid();
    printf("setsid=%s\n", s < 0 ? strerror(errno) : "ok");
    if (s < 0) {
        /* We lead our group now: setsid is refused; a child may. */
        fflush(stdout);
        pid_t c = fork();
        if (c == 0) {
            long cs = setsid();
            printf("child-setsid=%s sid-is-self=%d\n", cs < 0 ? strerror(errno) : "ok",
                   getsid(0) == getpid());
            fflush(stdout);
            _exit(0);
        }
        int st;
        waitpid(c, &st, 0);
    }
    printf("getpgid-init=%ld\n", (long)getpgid(1) >= 0 ? 1L : 0L);
    struct rusage ru;
    printf("getrusage-children=%d\n", getrusage(RUSAGE_CHILDREN, &ru));
    printf("kill-self-0=%d\n", kill((pid_t)self, 0));
    int r = setuid(1000);
    printf("setuid-1000=%d uid=%d euid=%d\n", r, (int)getuid(), (int)geteuid());
    r = setuid(0);
    printf("setuid-0=%d errno=%s\n", r, strerror(errno));
    if (argc > 1 && strcmp(argv[1], "fork") == 0)
        do_fork(self);
    return 3;
}
