/*
 * Send a signal (default TERM) to processes: kill [-SIG | -s SIG] PID...
 * SIG is a number or one of HUP INT KILL USR1 USR2 TERM (with or without
 * the SIG prefix, any case). "kill -l" lists the names. A negative PID after
 * "--" names a process group, as kill(2) does.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const struct {
    const char *name;
    int sig;
} sigs[] = {
    { "HUP", SIGHUP },   { "INT", SIGINT },   { "QUIT", SIGQUIT }, { "KILL", SIGKILL },
    { "USR1", SIGUSR1 }, { "SEGV", SIGSEGV }, { "USR2", SIGUSR2 }, { "PIPE", SIGPIPE },
    { "TERM", SIGTERM }, { "CHLD", SIGCHLD },
};

/* Signal number for a name or number, or -1. */
static int
parse_sig(const char *s)
{
    char *end;
    long v = strtol(s, &end, 10);

    if (*s && *end == '\0')
        return (v >= 0 && v < 65) ? (int)v : -1;
    if (strncasecmp(s, "SIG", 3) == 0)
        s += 3;
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
        if (strcasecmp(s, sigs[i].name) == 0)
            return sigs[i].sig;
    return -1;
}

static int
usage(void)
{
    fprintf(stderr, "usage: kill [-SIG | -s SIG] PID...\n       kill -l\n");
    return 2;
}

int
main(int argc, char **argv)
{
    int sig = SIGTERM;
    int i = 1;
    int rc = 0;

    if (i < argc && strcmp(argv[i], "-l") == 0) {
        for (size_t k = 0; k < sizeof sigs / sizeof sigs[0]; k++)
            printf("%2d %s\n", sigs[k].sig, sigs[k].name);
        return 0;
    }
    if (i < argc && strcmp(argv[i], "-s") == 0) {
        if (i + 1 >= argc)
            return usage();
        sig = parse_sig(argv[i + 1]);
        if (sig < 0) {
            fprintf(stderr, "kill: %s: invalid signal\n", argv[i + 1]);
            return 2;
        }
        i += 2;
    } else if (i < argc && argv[i][0] == '-' && argv[i][1] && strcmp(argv[i], "--") != 0) {
        sig = parse_sig(argv[i] + 1);
        if (sig < 0) {
            fprintf(stderr, "kill: %s: invalid signal\n", argv[i] + 1);
            return 2;
        }
        i++;
    }
    if (i < argc && strcmp(argv[i], "--") == 0)
        i++;
    if (i >= argc)
        return usage();
    for (; i < argc; i++) {
        char *end;
        long pid = strtol(argv[i], &end, 10);
        if (!argv[i][0] || *end) {
            fprintf(stderr, "kill: %s: not a process id\n", argv[i]);
            rc = 1;
            continue;
        }
        if (kill((pid_t)pid, sig) != 0) {
            fprintf(stderr, "kill: %ld: %s\n", pid, strerror(errno));
            rc = 1;
        }
    }
    return rc;
}
