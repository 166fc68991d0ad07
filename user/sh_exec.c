/*
 * The shell's back half: runs the tree sh_parse.c built. Pipelines fork
 * one child per command (in their own process group with the terminal
 * when job control works), redirections are applied in the child, or in
 * the shell around a builtin and restored after. The foreground job is
 * waited for with SIGINT ignored in the shell; background jobs are
 * recorded for "wait" (sh.c).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

extern char **environ;

bool sh_exec_ok; /* -c mode: the last simple command may replace the shell */

struct expanded {
    char **assign; /* NAME=VALUE prefixes, expanded */
    int nassign;
    char **argv;
    int argc;
};

static bool
is_assignment(const char *w)
{
    if (!isalpha((unsigned char)*w) && *w != '_')
        return false;
    while (isalnum((unsigned char)*w) || *w == '_')
        w++;
    return *w == '=';
}

static void
expand_cmd(struct cmd *c, struct expanded *x)
{
    int cap = 0;
    int i = 0;

    memset(x, 0, sizeof *x);
    x->assign = sh_alloc((c->nwords + 1) * sizeof *x->assign);
    for (; i < c->nwords && is_assignment(c->words[i]); i++)
        x->assign[x->nassign++] = sh_expand_one(c->words[i]);
    for (; i < c->nwords; i++)
        sh_expand(c->words[i], &x->argv, &x->argc, &cap);
}

static void
set_assignments(struct expanded *x)
{
    for (int i = 0; i < x->nassign; i++) {
        char *eq = strchr(x->assign[i], '=');
        *eq = '\0';
        setenv(x->assign[i], eq + 1, 1);
        *eq = '=';
    }
}

/* Apply redirections in this process. 0, or -1 after printing why. When
 * saved is not NULL, the previous descriptors are kept there (see
 * restore_redirs); saved[fd] is -2 for "untouched", -1 for "was closed". */
static int
apply_redirs(struct redir *r, int *saved)
{
    for (; r; r = r->next) {
        char *target = sh_expand_one(r->target);
        int fd;
        if (r->fd > 9) {
            sh_err(target, "descriptor out of range");
            return -1;
        }
        if (saved && saved[r->fd] == -2) {
            int s = fcntl(r->fd, F_DUPFD, 10);
            if (s >= 0)
                fcntl(s, F_SETFD, FD_CLOEXEC);
            saved[r->fd] = s;
        }
        if (r->op == R_DUP) {
            if (strcmp(target, "-") == 0) {
                close(r->fd);
                continue;
            }
            char *end;
            long n = strtol(target, &end, 10);
            if (!*target || *end || n < 0 || fcntl((int)n, F_GETFD) < 0) {
                sh_err(target, strerror(EBADF));
                return -1;
            }
            if (n != r->fd && dup2((int)n, r->fd) < 0) {
                sh_err(target, strerror(errno));
                return -1;
            }
            continue;
        }
        if (r->op == R_IN)
            fd = open(target, O_RDONLY);
        else if (r->op == R_OUT)
            fd = open(target, O_WRONLY | O_CREAT | O_TRUNC, 0666);
        else
            fd = open(target, O_WRONLY | O_CREAT | O_APPEND, 0666);
        if (fd < 0) {
            sh_err(target, strerror(errno));
            return -1;
        }
        if (fd != r->fd) {
            if (dup2(fd, r->fd) < 0) {
                sh_err(target, strerror(errno));
                close(fd);
                return -1;
            }
            close(fd);
        }
    }
    return 0;
}

static void
restore_redirs(int *saved)
{
    for (int fd = 0; fd < 10; fd++) {
        if (saved[fd] == -2)
            continue;
        if (saved[fd] >= 0) {
            dup2(saved[fd], fd);
            close(saved[fd]);
        } else {
            close(fd);
        }
    }
}

/* In a child: find argv[0] in PATH and exec it. Never returns. */
static void
exec_cmd(char **argv)
{
    int err = ENOENT;

    if (strchr(argv[0], '/')) {
        execve(argv[0], argv, environ);
        err = errno;
    } else {
        const char *path = getenv("PATH");
        if (!path || !*path)
            path = "/bin";
        while (*path) {
            const char *colon = strchr(path, ':');
            size_t dlen = colon ? (size_t)(colon - path) : strlen(path);
            char full[4096];
            snprintf(full, sizeof full, "%.*s%s%s", (int)dlen, path, dlen ? "/" : "", argv[0]);
            execve(full, argv, environ);
            if (errno != ENOENT && errno != ENOTDIR)
                err = errno; /* remember "found but cannot run" */
            path += dlen + (colon != NULL);
        }
    }
    if (err == ENOENT && !strchr(argv[0], '/')) {
        fprintf(stderr, "sh: %s: not found\n", argv[0]);
        _exit(127);
    }
    sh_err(argv[0], strerror(err));
    _exit(err == ENOENT ? 127 : 126);
}

static void
reset_child_signals(bool background)
{
    signal(SIGINT, (background && !sh_jobctl) ? SIG_IGN : SIG_DFL);
    signal(SIGQUIT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    signal(SIGTTOU, SIG_DFL);
    signal(SIGTTIN, SIG_DFL);
    signal(SIGTSTP, SIG_DFL);
}

/* A single builtin or assignment-only command, run inside the shell. */
static int
run_in_shell(struct cmd *c, struct expanded *x)
{
    int saved[10];
    int st;

    for (int i = 0; i < 10; i++)
        saved[i] = -2;
    if (apply_redirs(c->redirs, saved) < 0) {
        restore_redirs(saved);
        return 1;
    }
    if (x->argc == 0) {
        set_assignments(x);
        st = 0;
    } else {
        st = sh_builtin(x->argc, x->argv);
    }
    fflush(stdout);
    fflush(stderr);
    restore_redirs(saved);
    return st;
}

/* Give the terminal to pgid; errors mean no job control and are ignored. */
static void
give_terminal(pid_t pgid)
{
    if (sh_jobctl)
        tcsetpgrp(0, pgid);
}

static int
wait_job(pid_t *pids, int n)
{
    int status = 0;

    if (sh_interactive)
        signal(SIGINT, SIG_IGN);
    for (int i = 0; i < n; i++) {
        int st;
        pid_t r;
        if (pids[i] <= 0)
            continue;
        do
            r = waitpid(pids[i], &st, 0);
        while (r < 0 && errno == EINTR);
        if (r < 0) {
            if (i == n - 1)
                status = 127;
            continue;
        }
        if (i == n - 1)
            status = sh_status_of(st, true);
        else if (WIFSIGNALED(st) && WTERMSIG(st) != SIGPIPE)
            sh_status_of(st, true);
    }
    give_terminal(sh_pgid);
    if (sh_interactive)
        sh_interactive_signals();
    return status;
}

static int
run_pipeline(struct cmd *c, bool bg, bool can_exec)
{
    pid_t pids[64];
    int n = 0;
    pid_t pgid = 0;
    int prev_read = -1;
    struct expanded x;

    if (!c->next && !bg) {
        expand_cmd(c, &x);
        if (x.argc == 0 || sh_is_builtin(x.argv[0]))
            return run_in_shell(c, &x);
        if (can_exec) {
            /* The last thing "sh -c" does: become the command. */
            fflush(NULL);
            if (apply_redirs(c->redirs, NULL) < 0)
                return 1;
            set_assignments(&x);
            signal(SIGINT, SIG_DFL);
            signal(SIGQUIT, SIG_DFL);
            exec_cmd(x.argv);
        }
    }
    fflush(NULL);
    for (; c; c = c->next) {
        int p[2] = { -1, -1 };
        if (n == 64) {
            sh_err("pipeline", "too many commands");
            break;
        }
        expand_cmd(c, &x);
        if (c->next && pipe(p) < 0) {
            sh_err("pipe", strerror(errno));
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            sh_err("fork", strerror(errno));
            close(p[0]);
            close(p[1]);
            break;
        }
        if (pid == 0) {
            if (sh_jobctl) {
                setpgid(0, pgid);
                if (!bg)
                    tcsetpgrp(0, pgid ? pgid : getpid());
            }
            reset_child_signals(bg);
            if (bg && !sh_jobctl && prev_read < 0) {
                int nul = open("/dev/null", O_RDONLY);
                if (nul >= 0 && nul != 0) {
                    dup2(nul, 0);
                    close(nul);
                }
            }
            if (prev_read >= 0) {
                dup2(prev_read, 0);
                close(prev_read);
            }
            if (c->next) {
                close(p[0]);
                dup2(p[1], 1);
                close(p[1]);
            }
            if (apply_redirs(c->redirs, NULL) < 0)
                _exit(1);
            set_assignments(&x);
            if (x.argc == 0)
                _exit(0);
            if (sh_is_builtin(x.argv[0])) {
                int st = sh_builtin(x.argc, x.argv);
                fflush(NULL);
                _exit(st);
            }
            exec_cmd(x.argv);
        }
        if (sh_jobctl)
            setpgid(pid, pgid ? pgid : pid);
        if (!pgid)
            pgid = pid;
        if (prev_read >= 0)
            close(prev_read);
        prev_read = -1;
        if (c->next) {
            close(p[1]);
            prev_read = p[0];
        }
        pids[n++] = pid;
    }
    if (prev_read >= 0)
        close(prev_read);
    if (n == 0)
        return 1;
    if (bg) {
        for (int i = 0; i < n; i++)
            sh_job_add(pids[i]);
        sh_last_bg = pids[n - 1];
        if (sh_interactive)
            fprintf(stderr, "[%d]\n", (int)pids[n - 1]);
        return 0;
    }
    give_terminal(pgid);
    return wait_job(pids, n);
}

static int
run_andor(struct andor *a, bool can_exec)
{
    int st = run_pipeline(a->pipes[0], false, can_exec && a->n == 1);

    for (int i = 1; i < a->n; i++) {
        sh_status = st;
        if ((a->ops[i] == 1 && st == 0) || (a->ops[i] == 2 && st != 0))
            st = run_pipeline(a->pipes[i], false, can_exec && i == a->n - 1);
    }
    return st;
}

/* A background and-or list of several pipelines runs in a subshell. */
static int
run_background(struct andor *a)
{
    if (a->n == 1)
        return run_pipeline(a->pipes[0], true, false);
    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0) {
        sh_err("fork", strerror(errno));
        return 1;
    }
    if (pid == 0) {
        if (sh_jobctl)
            setpgid(0, 0);
        reset_child_signals(true);
        sh_jobctl = false;
        sh_interactive = false;
        _exit(run_andor(a, false));
    }
    if (sh_jobctl)
        setpgid(pid, pid);
    sh_job_add(pid);
    sh_last_bg = pid;
    if (sh_interactive)
        fprintf(stderr, "[%d]\n", (int)pid);
    return 0;
}

int
sh_run(struct andor *list)
{
    for (struct andor *a = list; a; a = a->next) {
        if (a->background)
            sh_status = run_background(a);
        else
            sh_status = run_andor(a, sh_exec_ok && !a->next);
    }
    return sh_status;
}
