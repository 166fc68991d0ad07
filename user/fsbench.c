/*
 * fsbench: the file-system experiments' timed steps (scripts/bench_fs.py,
 * docs/experiments.md), one static musl binary run unchanged on Wisp and
 * on the Linux guest. Each mode prints "BENCH name value unit" lines.
 *
 *   fsbench write PATH MIB     write MIB MiB in 64 KiB calls, fsync, close
 *   fsbench read PATH [N]      read PATH sequentially N times (default 1),
 *                              one BENCH line per pass
 *   fsbench opcl PATH N        N open+close pairs of PATH (mean per pair)
 *   fsbench drop               sync; ask Linux to drop its clean caches
 *                              (/proc/sys/vm/drop_caches; a no-op elsewhere)
 *   fsbench time CMD [ARG...]  run CMD, wait, print its wall time and status
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHUNK (64 * 1024)

static char buf[CHUNK];

static unsigned long long
now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000;
}

static int
fail(const char *what, const char *path)
{
    fprintf(stderr, "fsbench: %s %s: %s\n", what, path, strerror(errno));
    return 1;
}

/* Bytes a pass moved, and in how long, as the two BENCH lines of a pass. */
static void
report(const char *name, unsigned long long bytes, unsigned long long us)
{
    if (us == 0)
        us = 1;
    printf("BENCH %s_us %llu us\n", name, us);
    printf("BENCH %s_rate %.2f MB/s\n", name, (double)bytes / (double)us);
}

static int
do_write(const char *path, long mib)
{
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)('a' + i % 26);
    unsigned long long t0 = now_us();
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fail("open", path);
    long n = mib * (1024 * 1024 / CHUNK);
    for (long i = 0; i < n; i++) {
        if (write(fd, buf, CHUNK) != CHUNK)
            return fail("write", path);
    }
    if (fsync(fd) < 0)
        return fail("fsync", path);
    close(fd);
    report("write", (unsigned long long)mib << 20, now_us() - t0);
    return 0;
}

static int
do_read(const char *path, int passes)
{
    for (int p = 0; p < passes; p++) {
        unsigned long long t0 = now_us(), total = 0;
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return fail("open", path);
        ssize_t r;
        while ((r = read(fd, buf, sizeof(buf))) > 0)
            total += (unsigned long long)r;
        if (r < 0)
            return fail("read", path);
        close(fd);
        char name[32];
        snprintf(name, sizeof(name), "read%d", p);
        report(name, total, now_us() - t0);
        printf("BENCH read%d_bytes %llu B\n", p, total);
    }
    return 0;
}

static int
do_opcl(const char *path, long n)
{
    unsigned long long t0 = now_us();
    for (long i = 0; i < n; i++) {
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            return fail("open", path);
        close(fd);
    }
    unsigned long long us = now_us() - t0;
    printf("BENCH opcl_us %.2f us\n", (double)us / (double)(n > 0 ? n : 1));
    return 0;
}

static int
do_drop(void)
{
    sync();
    int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);
    if (fd < 0) {
        printf("fsbench: no drop_caches here\n");
        return 0;
    }
    if (write(fd, "3\n", 2) != 2)
        return fail("write", "/proc/sys/vm/drop_caches");
    close(fd);
    printf("fsbench: caches dropped\n");
    return 0;
}

static int
do_time(char **argv)
{
    unsigned long long t0 = now_us();
    pid_t pid = fork();
    if (pid < 0)
        return fail("fork", argv[0]);
    if (pid == 0) {
        execvp(argv[0], argv);
        fail("exec", argv[0]);
        _exit(127);
    }
    int st = 0;
    if (waitpid(pid, &st, 0) < 0)
        return fail("wait", argv[0]);
    printf("BENCH time_us %llu us\n", now_us() - t0);
    printf("fsbench: status %d\n", WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st));
    return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
}

static int
usage(void)
{
    fprintf(stderr, "usage: fsbench write PATH MIB | read PATH [N] | opcl PATH N | drop | "
                    "time CMD [ARG...]\n");
    return 2;
}

int
main(int argc, char **argv)
{
    if (argc == 4 && strcmp(argv[1], "write") == 0)
        return do_write(argv[2], atol(argv[3]));
    if ((argc == 3 || argc == 4) && strcmp(argv[1], "read") == 0)
        return do_read(argv[2], argc == 4 ? atoi(argv[3]) : 1);
    if (argc == 4 && strcmp(argv[1], "opcl") == 0)
        return do_opcl(argv[2], atol(argv[3]));
    if (argc == 2 && strcmp(argv[1], "drop") == 0)
        return do_drop();
    if (argc >= 3 && strcmp(argv[1], "time") == 0)
        return do_time(argv + 2);
    return usage();
}
