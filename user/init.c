/*
 * Process 1. Without arguments it runs /bin/sh (busybox's ash) on the
 * console forever as a login shell ("-sh", which reads /etc/profile: PATH,
 * and a prompt that shows the node), respawning it when it exits and
 * reaping every orphan meanwhile; it never exits. With arguments (the kernel passes the words of initargs= as
 * argv[1..]) it runs /bin/sh -c "ARGS JOINED BY SPACES" once, reaps
 * everything and exits with the shell's status: in test mode the kernel
 * turns that into QEMU's exit status (tests/qemu/lib_user.sh).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char *const shell_env[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", "HOME=/",
                                   "TERM=vt100", NULL };

/* Fork and exec /bin/sh with argv; returns the child's pid or -1. */
static pid_t
spawn(char *const argv[], int interactive)
{
    pid_t pid = fork();

    if (pid < 0) {
        fprintf(stderr, "init: fork: %s\n", strerror(errno));
        return -1;
    }
    if (pid == 0) {
        signal(SIGINT, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        if (interactive) {
            /* A session of its own with the console as its controlling
             * terminal, so the shell can hand the terminal to its jobs.
             * The console starts as init's session's: take it (arg 1,
             * allowed to root), as a getty would. */
            setsid();
            ioctl(0, TIOCSCTTY, 1);
        }
        execve("/bin/sh", argv, shell_env);
        fprintf(stderr, "init: /bin/sh: %s\n", strerror(errno));
        _exit(127);
    }
    return pid;
}

static int
status_code(int st)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return 1;
}

/* Run the command line once; the shell's status, after every process
 * (including orphans re-parented to us) has been reaped. */
static int
run_once(int argc, char **argv)
{
    size_t len = 1;
    for (int i = 1; i < argc; i++)
        len += strlen(argv[i]) + 1;
    char *cmd = malloc(len);
    if (!cmd) {
        fprintf(stderr, "init: %s\n", strerror(ENOMEM));
        return 1;
    }
    cmd[0] = '\0';
    for (int i = 1; i < argc; i++) {
        if (i > 1)
            strcat(cmd, " ");
        strcat(cmd, argv[i]);
    }
    char *const sh_argv[] = { "sh", "-c", cmd, NULL };
    pid_t sh = spawn(sh_argv, 0);
    if (sh < 0)
        return 1;
    int code = 1;
    for (;;) {
        int st;
        pid_t pid = wait(&st);
        if (pid < 0 && errno == EINTR)
            continue;
        if (pid < 0)
            break; /* ECHILD: nothing left */
        if (pid == sh)
            code = status_code(st);
    }
    return code;
}

static void
run_forever(void)
{
    char *const sh_argv[] = { "-sh", NULL };

    for (;;) {
        struct timespec t0;
        struct timespec t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        pid_t sh = spawn(sh_argv, 1);
        while (sh > 0) {
            int st;
            pid_t pid = wait(&st);
            if (pid < 0 && errno != EINTR)
                break;
            if (pid == sh)
                break;
        }
        /* A shell that dies at once (missing, crashing) must not turn
         * init into a busy loop. */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        if (sh < 0 || t1.tv_sec - t0.tv_sec < 1) {
            struct timespec one = { 1, 0 };
            nanosleep(&one, NULL);
        }
    }
}

int
main(int argc, char **argv)
{
    /* ^C on the console is for the shell's jobs, never for init. */
    signal(SIGINT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    if (argc > 1)
        return run_once(argc, argv);
    run_forever();
    return 0;
}
