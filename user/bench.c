/*
 * bench: runs the benchmark programs one after another and ends with
 * "BENCH done". Each program is started with fork + execve from the
 * directory bench itself was started from (argv[0]'s directory, else /bin;
 * BENCH_DIR overrides), and benchfork is given that directory's "true"
 * (BENCH_TRUE overrides). The same static binary runs on Wisp, on the Linux
 * guest and on the host; scripts/bench.sh reads the BENCH lines.
 * Usage: bench [dir]
 */
#include <sys/wait.h>
#include "benchutil.h"

static const char *const progs[] = { "benchnull", "benchctx", "benchfork" };

static void
pick_dir(int argc, char **argv, char *dir, size_t len)
{
    const char *env = getenv("BENCH_DIR");
    const char *slash;

    if (argc > 1)
        snprintf(dir, len, "%s", argv[1]);
    else if (env != NULL && *env != '\0')
        snprintf(dir, len, "%s", env);
    else if ((slash = strrchr(argv[0], '/')) != NULL)
        snprintf(dir, len, "%.*s", (int)(slash - argv[0]), argv[0]);
    else
        snprintf(dir, len, "/bin");
    if (dir[0] == '\0')
        snprintf(dir, len, "/");
}

/* Runs dir/name with the extra argument (or none); returns its status. */
static int
run(const char *dir, const char *name, char *arg1, char *arg2, char **envp)
{
    char path[512];
    char *argv[4] = { path, arg1, arg2, NULL };
    int status;
    pid_t pid;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        execve(path, argv, envp);
        bench_printf("BENCH error bench cannot exec %s\n", path);
        _exit(127);
    }
    if (waitpid(pid, &status, 0) != pid)
        return -1;
    return status;
}

int
main(int argc, char **argv, char **envp)
{
    char dir[256], truepath[300], runs[16];
    const char *t = getenv("BENCH_TRUE");
    const char *r = getenv("BENCH_RUNS");
    int errors = 0;

    pick_dir(argc, argv, dir, sizeof(dir));
    if (t != NULL && *t != '\0')
        snprintf(truepath, sizeof(truepath), "%s", t);
    else
        snprintf(truepath, sizeof(truepath), "%s/true", dir);
    snprintf(runs, sizeof(runs), "%s", (r != NULL && *r != '\0') ? r : "0");

    bench_printf("BENCH start %s\n", dir);
    for (size_t i = 0; i < sizeof(progs) / sizeof(progs[0]); i++) {
        int is_fork = strcmp(progs[i], "benchfork") == 0;
        int st = run(dir, progs[i], runs, is_fork ? truepath : NULL, envp);

        if (st != 0) {
            bench_printf("BENCH error %s status 0x%x\n", progs[i], st);
            errors++;
        }
    }
    bench_printf("BENCH done\n");
    return errors ? 1 : 0;
}
