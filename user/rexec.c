/*
 * rexec NODE PROG [ARGS...]: run PROG on node NODE (Sprite's remote exec,
 * docs/home.md). Its home is this node and its parent this command, which
 * waits for it and exits with its status, as if it had run here: 128+N
 * when it was killed by signal N. PROG without a slash is looked for in
 * /bin, then /usr/bin. NODE may be this node: then it is a plain fork+exec.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include "wisp.h"

extern char **environ;

static const char *
find(const char *prog, char *buf, size_t n)
{
    static const char *dirs[] = { "/bin", "/usr/bin", "/sbin", "/usr/sbin" };
    if (strchr(prog, '/'))
        return prog;
    for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++) {
        snprintf(buf, n, "%s/%s", dirs[i], prog);
        if (access(buf, X_OK) == 0)
            return buf;
    }
    return prog;
}

static long
self_node(void)
{
    struct wisp_info info;
    if (syscall(WISP_SYS_INFO, &info, (long)sizeof info) < 0)
        return -1;
    return info.node;
}

int
main(int argc, char **argv)
{
    char path[256];
    if (argc < 3) {
        fprintf(stderr, "usage: rexec NODE PROG [ARGS...]\n");
        return 2;
    }
    char *end;
    long node = strtol(argv[1], &end, 10);
    if (*end || node < 0) {
        fprintf(stderr, "rexec: bad node '%s'\n", argv[1]);
        return 2;
    }
    const char *prog = find(argv[2], path, sizeof path);
    long pid;
    if (node == self_node()) {
        pid = fork();
        if (pid == 0) {
            execve(prog, argv + 2, environ);
            fprintf(stderr, "rexec: %s: %s\n", prog, strerror(errno));
            _exit(127);
        }
    } else {
        pid = wisp_rexec(node, prog, argv + 2, environ);
    }
    if (pid < 0) {
        fprintf(stderr, "rexec: %s on node %ld: %s\n", prog, node, strerror(errno));
        return 127;
    }
    /* The child's status is ours; ^C and friends go to it, not to us. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int st;
    while (waitpid((pid_t)pid, &st, 0) < 0)
        if (errno != EINTR) {
            fprintf(stderr, "rexec: wait: %s\n", strerror(errno));
            return 127;
        }
    if (WIFSIGNALED(st))
        return 128 + WTERMSIG(st);
    return WEXITSTATUS(st);
}
