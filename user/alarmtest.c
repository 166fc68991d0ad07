/*
 * alarm(2), setitimer(2) and getitimer(2) for ITIMER_REAL (kernel/proc_timer.c):
 * alarm's return of the old remaining seconds, a handler run by SIGALRM
 * that ends pause(), an interval timer that fires repeatedly and is
 * disarmed, getitimer's remaining time, EINVAL for ITIMER_VIRTUAL/PROF and
 * bad times, no timer in a forked child, a timer kept across exec, and
 * SIGALRM's default action ending a process. Prints "alarmtest ok" and
 * exits 0, or names the first failure and exits 1. No timing is asserted.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t alarms;

static void
on_alrm(int sig)
{
    alarms++;
}

#define CHECK(c)                                                             \
    do {                                                                     \
        if (!(c)) {                                                          \
            printf("alarmtest: FAIL line %d: %s (%s)\n", __LINE__, #c, strerror(errno)); \
            exit(1);                                                         \
        }                                                                    \
    } while (0)

static void
test_alarm_return(void)
{
    CHECK(alarm(0) == 0);
    CHECK(alarm(50) == 0);
    unsigned left = alarm(20);
    CHECK(left >= 49 && left <= 50);
    left = alarm(0);
    CHECK(left >= 19 && left <= 20);
    CHECK(alarm(0) == 0);
}

static void
test_alarm_pause(void)
{
    struct sigaction sa = { .sa_handler = on_alrm };
    CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
    alarms = 0;
    alarm(1);
    CHECK(pause() == -1 && errno == EINTR);
    CHECK(alarms == 1);
}

static void
test_interval(void)
{
    struct itimerval v = { { 0, 20000 }, { 0, 20000 } }, g;
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    sigprocmask(SIG_BLOCK, &block, &old);
    alarms = 0;
    CHECK(setitimer(ITIMER_REAL, &v, NULL) == 0);
    while (alarms < 5)
        sigsuspend(&old);
    CHECK(getitimer(ITIMER_REAL, &g) == 0);
    CHECK(g.it_interval.tv_sec == 0 && g.it_interval.tv_usec == 20000);
    struct itimerval off = { { 0, 0 }, { 0, 0 } }, was;
    CHECK(setitimer(ITIMER_REAL, &off, &was) == 0);
    CHECK(was.it_interval.tv_usec == 20000);
    sigprocmask(SIG_SETMASK, &old, NULL);
    CHECK(getitimer(ITIMER_REAL, &g) == 0);
    CHECK(g.it_value.tv_sec == 0 && g.it_value.tv_usec == 0);
    printf("alarmtest: %d alarms from a 20 ms interval timer\n", (int)alarms);
}

static void
test_getitimer_and_errors(void)
{
    struct itimerval v = { { 0, 0 }, { 10, 0 } }, g;
    CHECK(setitimer(ITIMER_REAL, &v, NULL) == 0);
    CHECK(getitimer(ITIMER_REAL, &g) == 0);
    CHECK(g.it_value.tv_sec <= 10 && (g.it_value.tv_sec > 0 || g.it_value.tv_usec > 0));
    CHECK(setitimer(ITIMER_VIRTUAL, &v, NULL) == -1 && errno == EINVAL);
    CHECK(setitimer(ITIMER_PROF, &v, NULL) == -1 && errno == EINVAL);
    struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
    CHECK(setitimer(ITIMER_REAL, &bad, NULL) == -1 && errno == EINVAL);
    pid_t c = fork();
    if (c == 0) {
        struct itimerval k;
        _exit(getitimer(ITIMER_REAL, &k) == 0 && k.it_value.tv_sec == 0 &&
                      k.it_value.tv_usec == 0 ? 0 : 1);
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
    CHECK(alarm(0) > 0);
}

static void
test_default_and_exec(const char *self)
{
    pid_t c = fork();
    if (c == 0) {
        signal(SIGALRM, SIG_DFL);
        alarm(1);
        for (;;)
            pause();
    }
    int st;
    CHECK(waitpid(c, &st, 0) == c && WIFSIGNALED(st) && WTERMSIG(st) == SIGALRM);
    c = fork();
    if (c == 0) {
        alarm(100);
        execl(self, self, "keep", (char *)NULL);
        _exit(3);
    }
    CHECK(waitpid(c, &st, 0) == c && WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "keep") == 0) {
        unsigned left = alarm(0);
        return left > 90 && left <= 100 ? 0 : 1;
    }
    test_alarm_return();
    test_alarm_pause();
    test_interval();
    test_getitimer_and_errors();
    test_default_and_exec("/bin/alarmtest");
    printf("alarmtest ok\n");
    return 0;
}
