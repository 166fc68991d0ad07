/*
 * List processes from /proc: "PID PPID S CMD", sorted by pid. CMD is
 * /proc/PID/cmdline with NULs shown as spaces, or "[comm]" from
 * /proc/PID/stat when the command line is empty (kernel threads, zombies).
 * The stat line is Linux's "pid (comm) S ppid pgrp ...".
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Read a small /proc file into buf (NUL-terminated); length or -1. */
static ssize_t
read_small(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    size_t len = 0;

    if (fd < 0)
        return -1;
    while (len + 1 < size) {
        ssize_t n = read(fd, buf + len, size - 1 - len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        len += n;
    }
    close(fd);
    buf[len] = '\0';
    return len;
}

static int
cmp_long(const void *a, const void *b)
{
    long x = *(const long *)a;
    long y = *(const long *)b;
    return (x > y) - (x < y);
}

static void
show(long pid)
{
    char path[64];
    char stat[1024];
    char cmd[1024];
    char comm[256] = "?";
    char state = '?';
    long ppid = 0;

    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    if (read_small(path, stat, sizeof stat) < 0)
        return; /* it exited between readdir and now */
    char *open_p = strchr(stat, '(');
    char *close_p = strrchr(stat, ')');
    if (open_p && close_p && close_p > open_p) {
        size_t n = close_p - open_p - 1;
        if (n >= sizeof comm)
            n = sizeof comm - 1;
        memcpy(comm, open_p + 1, n);
        comm[n] = '\0';
        sscanf(close_p + 1, " %c %ld", &state, &ppid);
    }
    snprintf(path, sizeof path, "/proc/%ld/cmdline", pid);
    ssize_t n = read_small(path, cmd, sizeof cmd);
    while (n > 0 && cmd[n - 1] == '\0')
        n--;
    if (n <= 0) {
        snprintf(cmd, sizeof cmd, "[%s]", comm);
    } else {
        for (ssize_t i = 0; i < n; i++)
            if (cmd[i] == '\0' || cmd[i] == '\n')
                cmd[i] = ' ';
        cmd[n] = '\0';
    }
    printf("%5ld %5ld %c %s\n", pid, ppid, state, cmd);
}

int
main(int argc, char **argv)
{
    DIR *d = opendir("/proc");
    long *pids = NULL;
    size_t n = 0;
    size_t cap = 0;
    struct dirent *e;

    if (!d) {
        fprintf(stderr, "ps: /proc: %s\n", strerror(errno));
        return 1;
    }
    while ((e = readdir(d)) != NULL) {
        if (!isdigit((unsigned char)e->d_name[0]))
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 128;
            long *np = realloc(pids, cap * sizeof *pids);
            if (!np) {
                fprintf(stderr, "ps: %s\n", strerror(ENOMEM));
                return 1;
            }
            pids = np;
        }
        pids[n++] = strtol(e->d_name, NULL, 10);
    }
    closedir(d);
    qsort(pids, n, sizeof *pids, cmp_long);
    printf("%5s %5s S CMD\n", "PID", "PPID");
    for (size_t i = 0; i < n; i++)
        show(pids[i]);
    free(pids);
    return 0;
}
