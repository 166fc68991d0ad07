/*
 * A small POSIX-ish shell: main loop, input, builtins (cd, pwd, exit,
 * wait, export, unset) and the background job table. Parsing is in
 * sh_parse.c, running commands in sh_exec.c. Usage:
 *   sh                 read commands from stdin (prompt "wisp:N$ " on a tty)
 *   sh -c 'CMDS' [ARG0 ARGS...]   run one command string
 *   sh FILE [ARGS...]  run a script
 *   sh -i              interactive even if stdin is not a tty
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>
#include "sh.h"

int sh_status;
pid_t sh_last_bg;
bool sh_interactive;
bool sh_jobctl;
pid_t sh_pgid;
int sh_argc;
char **sh_argv;

void
sh_err(const char *what, const char *detail)
{
    fprintf(stderr, "sh: %s: %s\n", what, detail);
}

/* ---- background jobs ---- */

#define JOBS_MAX 64

static struct job {
    pid_t pid;
    bool done;
    int st; /* shell status code once done */
} jobs[JOBS_MAX];

static struct job *
job_find(pid_t pid)
{
    for (int i = 0; i < JOBS_MAX; i++)
        if (jobs[i].pid == pid)
            return &jobs[i];
    return NULL;
}

void
sh_job_add(pid_t pid)
{
    struct job *j = job_find(0);

    for (int i = 0; !j && i < JOBS_MAX; i++)
        if (jobs[i].done)
            j = &jobs[i]; /* forget the oldest finished one */
    if (!j)
        j = &jobs[0];
    j->pid = pid;
    j->done = false;
    j->st = 0;
}

void
sh_job_done(pid_t pid, int st)
{
    struct job *j = job_find(pid);

    if (!j)
        return; /* an orphan we inherited, or already forgotten */
    j->done = true;
    j->st = sh_status_of(st, false);
    if (sh_interactive) {
        if (WIFSIGNALED(st))
            fprintf(stderr, "[%d] %s\n", (int)pid, strsignal(WTERMSIG(st)));
        else if (j->st)
            fprintf(stderr, "[%d] Exit %d\n", (int)pid, j->st);
        else
            fprintf(stderr, "[%d] Done\n", (int)pid);
    }
}

void
sh_jobs_poll(void)
{
    int st;
    pid_t pid;

    while ((pid = waitpid(-1, &st, WNOHANG)) > 0)
        sh_job_done(pid, st);
}

static const char *
signal_message(int sig)
{
    switch (sig) {
    case SIGSEGV:
        return "Segmentation fault";
    case SIGKILL:
        return "Killed";
    case SIGTERM:
        return "Terminated";
    case SIGHUP:
        return "Hangup";
    case SIGABRT:
        return "Aborted";
    case SIGBUS:
        return "Bus error";
    case SIGFPE:
        return "Floating point exception";
    case SIGILL:
        return "Illegal instruction";
    case SIGQUIT:
        return "Quit";
    case SIGUSR1:
        return "User defined signal 1";
    case SIGUSR2:
        return "User defined signal 2";
    default:
        return NULL;
    }
}

int
sh_status_of(int st, bool report)
{
    if (WIFEXITED(st))
        return WEXITSTATUS(st);
    if (!WIFSIGNALED(st))
        return 1;
    int sig = WTERMSIG(st);
    if (report && sig == SIGINT) {
        fputc('\n', stderr);
    } else if (report && sig != SIGPIPE) {
        const char *m = signal_message(sig);
        if (m)
            fprintf(stderr, "%s\n", m);
        else
            fprintf(stderr, "Killed by signal %d\n", sig);
    }
    return 128 + sig;
}

/* ---- builtins ---- */

static int
bi_cd(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : getenv("HOME");
    char cwd[4096];

    if (!dir || !*dir)
        dir = "/";
    if (chdir(dir) != 0) {
        fprintf(stderr, "sh: cd: %s: %s\n", dir, strerror(errno));
        return 1;
    }
    if (getcwd(cwd, sizeof cwd))
        setenv("PWD", cwd, 1);
    return 0;
}

static int
bi_pwd(int argc, char **argv)
{
    char cwd[4096];

    if (!getcwd(cwd, sizeof cwd)) {
        fprintf(stderr, "sh: pwd: %s\n", strerror(errno));
        return 1;
    }
    printf("%s\n", cwd);
    return 0;
}

static int
bi_exit(int argc, char **argv)
{
    int code = argc > 1 ? atoi(argv[1]) : sh_status;

    fflush(NULL);
    exit(code & 0xff);
}

static int
wait_one(pid_t pid)
{
    struct job *j = job_find(pid);
    int st;
    pid_t r;

    if (j && j->done) {
        int code = j->st;
        j->pid = 0;
        return code;
    }
    do
        r = waitpid(pid, &st, 0);
    while (r < 0 && errno == EINTR);
    if (r < 0) {
        fprintf(stderr, "sh: wait: pid %d is not a child of this shell\n", (int)pid);
        return 127;
    }
    if (j)
        j->pid = 0;
    return sh_status_of(st, false);
}

static int
bi_wait(int argc, char **argv)
{
    int code = 0;

    if (argc == 1) {
        int st;
        pid_t r;
        for (;;) {
            r = waitpid(-1, &st, 0);
            if (r < 0 && errno == EINTR)
                continue;
            if (r < 0)
                break;
        }
        memset(jobs, 0, sizeof jobs);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (!argv[i][0] || *end || pid <= 0) {
            fprintf(stderr, "sh: wait: %s: not a pid\n", argv[i]);
            code = 2;
            continue;
        }
        code = wait_one((pid_t)pid);
    }
    return code;
}

static int
bi_export(int argc, char **argv)
{
    extern char **environ;

    if (argc == 1) {
        for (char **e = environ; *e; e++)
            printf("export %s\n", *e);
        return 0;
    }
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq)
            continue; /* everything is exported already */
        *eq = '\0';
        if (!argv[i][0] || setenv(argv[i], eq + 1, 1) != 0) {
            fprintf(stderr, "sh: export: %s: bad variable name\n", argv[i]);
            *eq = '=';
            return 1;
        }
        *eq = '=';
    }
    return 0;
}

static int
bi_unset(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        unsetenv(argv[i]);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(int, char **);
} builtins[] = {
    { "cd", bi_cd },     { "pwd", bi_pwd },       { "exit", bi_exit },
    { "wait", bi_wait }, { "export", bi_export }, { "unset", bi_unset },
};

bool
sh_is_builtin(const char *name)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(name, builtins[i].name) == 0)
            return true;
    return false;
}

int
sh_builtin(int argc, char **argv)
{
    for (size_t i = 0; i < sizeof builtins / sizeof builtins[0]; i++)
        if (strcmp(argv[0], builtins[i].name) == 0)
            return builtins[i].fn(argc, argv);
    return 127;
}

/* ---- input ---- */

static volatile sig_atomic_t got_sigint;

static void
on_sigint(int sig)
{
    got_sigint = 1;
}

void
sh_interactive_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_sigint; /* no SA_RESTART: ^C interrupts read() */
    sigaction(SIGINT, &sa, NULL);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGTERM, SIG_IGN);
    signal(SIGTTOU, SIG_IGN);
    signal(SIGTTIN, SIG_IGN);
    signal(SIGTSTP, SIG_IGN);
}

/* Append one line from fd 0 (newline included) to *buf, a byte at a time
 * so that commands reading the same stdin see the rest. 1 on a line, 0 at
 * EOF, -1 when interrupted by ^C. */
static int
read_line(char **buf, size_t *len, size_t *cap)
{
    size_t start = *len;

    for (;;) {
        char c;
        ssize_t n = read(0, &c, 1);
        if (n < 0 && errno == EINTR) {
            if (got_sigint) {
                got_sigint = 0;
                return -1;
            }
            continue;
        }
        if (n <= 0)
            return *len > start ? 1 : 0;
        if (*len + 2 > *cap) {
            *cap = *cap ? *cap * 2 : 256;
            *buf = realloc(*buf, *cap);
            if (!*buf) {
                sh_err("read", strerror(ENOMEM));
                exit(2);
            }
        }
        (*buf)[(*len)++] = c;
        (*buf)[*len] = '\0';
        if (c == '\n')
            return 1;
    }
}

static const char *
prompt_node(void)
{
    static char node[65];
    struct utsname u;

    if (uname(&u) != 0)
        return "?";
    const char *n = u.nodename;
    if (strncmp(n, "node", 4) == 0 && n[4] && strspn(n + 4, "0123456789") == strlen(n + 4))
        n += 4;
    snprintf(node, sizeof node, "%s", n);
    return node;
}

static int
run_string(const char *src)
{
    struct andor *list;
    int r = sh_parse(src, &list);

    if (r == P_MORE) {
        fprintf(stderr, "sh: syntax error: unexpected end of input\n");
        r = P_ERROR;
    }
    if (r == P_OK)
        sh_run(list);
    else
        sh_status = 2;
    sh_arena_reset();
    return sh_status;
}

static void
run_stdin(void)
{
    const char *node = sh_interactive ? prompt_node() : "";
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;

    for (;;) {
        if (sh_interactive) {
            sh_jobs_poll();
            if (len == 0)
                fprintf(stderr, "wisp:%s$ ", node);
            else
                fputs("> ", stderr);
            fflush(stderr);
        }
        int r = read_line(&buf, &len, &cap);
        if (r < 0) {
            fputc('\n', stderr);
            len = 0;
            continue;
        }
        if (r == 0) {
            if (len > 0)
                fprintf(stderr, "sh: syntax error: unexpected end of input\n");
            break;
        }
        struct andor *list;
        int pr = sh_parse(buf, &list);
        if (pr == P_MORE) {
            sh_arena_reset();
            continue;
        }
        if (pr == P_OK)
            sh_run(list);
        else
            sh_status = 2;
        sh_arena_reset();
        len = 0;
    }
    free(buf);
}

/* Read a whole script file; NULL after printing why. */
static char *
slurp(const char *path)
{
    int fd = open(path, O_RDONLY);
    char *buf = NULL;
    size_t len = 0;
    size_t cap = 0;

    if (fd < 0) {
        sh_err(path, strerror(errno));
        return NULL;
    }
    for (;;) {
        if (len + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 8192;
            char *nb = realloc(buf, cap);
            if (!nb) {
                sh_err(path, strerror(ENOMEM));
                free(buf);
                close(fd);
                return NULL;
            }
            buf = nb;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            sh_err(path, strerror(errno));
            free(buf);
            close(fd);
            return NULL;
        }
        if (n == 0)
            break;
        len += n;
    }
    close(fd);
    buf[len] = '\0';
    return buf;
}

/* Job control only when stdin is our controlling terminal: then the shell
 * leads its own process group and owns the terminal between jobs. */
static void
setup_job_control(void)
{
    if (tcgetpgrp(0) < 0)
        return;
    if (getpgrp() != getpid())
        setpgid(0, 0);
    sh_pgid = getpgrp();
    if (tcsetpgrp(0, sh_pgid) == 0)
        sh_jobctl = true;
}

int
main(int argc, char **argv)
{
    sh_pgid = getpgrp();
    sh_argc = argc;
    sh_argv = argv;
    if (!getenv("PATH"))
        setenv("PATH", "/bin", 1);

    if (argc > 1 && strcmp(argv[1], "-c") == 0) {
        if (argc < 3) {
            fprintf(stderr, "sh: -c: option requires an argument\n");
            return 2;
        }
        /* POSIX: the word after the string is $0, then $1... */
        sh_argc = argc - 3;
        sh_argv = argv + 3;
        if (sh_argc == 0) {
            sh_argc = 1;
            sh_argv = argv;
        }
        sh_exec_ok = true;
        return run_string(argv[2]);
    }
    if (argc > 1 && strcmp(argv[1], "-i") == 0) {
        sh_interactive = true;
    } else if (argc > 1) {
        char *script = slurp(argv[1]);
        if (!script)
            return 127;
        sh_argc = argc - 1;
        sh_argv = argv + 1;
        int st = run_string(script);
        free(script);
        return st;
    } else {
        sh_interactive = isatty(0);
    }
    if (sh_interactive) {
        sh_interactive_signals();
        setup_job_control();
    }
    run_stdin();
    if (sh_interactive)
        fputs("exit\n", stderr);
    return sh_status;
}
