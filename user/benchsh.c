/*
 * benchsh: the shell workload. Runs `/bin/sh SCRIPT ROUNDS` (default
 * /usr/lib/wisp/benchsh.sh, 300 rounds of pipelines of text tools, about
 * 9 processes a round; user/share/benchsh.sh) once, busybox's sh on Wisp
 * and on the Linux guest alike, and prints the wall time as
 *     BENCH shell_ms <v> ms
 * A script that fails or does not print "shbench ok" is an error, not a
 * figure. Usage: benchsh [script [rounds]]   (or BENCH_SH_ROUNDS)
 */
#include <string.h>
#include <sys/wait.h>
#include "benchutil.h"

#define SCRIPT "/usr/lib/wisp/benchsh.sh"

/* Runs the script with its stdout on a pipe; 0 when it said "shbench ok". */
static int
run(const char *script, const char *rounds)
{
    int fds[2];
    if (pipe(fds) != 0) {
        bench_printf("BENCH error benchsh pipe\n");
        return -1;
    }
    pid_t pid = fork();
    if (pid < 0) {
        bench_printf("BENCH error benchsh fork\n");
        return -1;
    }
    if (pid == 0) {
        char *argv[] = { "sh", (char *)script, (char *)rounds, NULL };
        char *envp[] = { "PATH=/bin:/sbin:/usr/bin:/usr/sbin", NULL };
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execve("/bin/sh", argv, envp);
        _exit(127);
    }
    close(fds[1]);
    char out[256];
    size_t len = 0;
    ssize_t r;
    while ((r = read(fds[0], out + len, sizeof(out) - 1 - len)) > 0 && len < sizeof(out) - 1)
        len += (size_t)r;
    out[len] = '\0';
    close(fds[0]);
    int status;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 ||
        strncmp(out, "shbench ok", 10) != 0) {
        bench_printf("BENCH error benchsh %s: status %#x, output '%.60s'\n", script, status, out);
        return -1;
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *script = argc > 1 ? argv[1] : SCRIPT;
    long rounds = bench_arg(argc, argv, 2, "BENCH_SH_ROUNDS", 300);
    char rs[24];
    snprintf(rs, sizeof(rs), "%ld", rounds);
    uint64_t t0 = bench_now_ns();
    if (run(script, rs) != 0)
        return 1;
    bench_emit("shell_ms", (double)(bench_now_ns() - t0) / 1e6, "ms");
    return 0;
}
