/*
 * maptest DIR: mmap of files in DIR (a tmpfs, /shared), checked from user
 * mode the way Linux behaves: private mappings read the file and copy on
 * write, shared ones write through (msync, munmap, fsync), two mappings
 * and a forked child share stores at once, write() shows in a mapping at
 * once, SIGBUS past the end of the file, PROT_EXEC of file bytes, mremap
 * and mprotect of file mappings, and the errors (EACCES, EINVAL, ENODEV,
 * EBADF, EFAULT). Prints "maptest: PASS name" or "maptest: FAIL name:
 * why" per check and "maptest: N passed, N failed"; exits 0 only if all
 * passed. Runs on Linux too (tests/qemu/fs_mmap.sh; docs/memory.md).
 * "maptest -put FILE TEXT" writes TEXT into FILE through a shared mapping;
 * "maptest -mig NODE FILE" checks migration with file mappings (Wisp only).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#if __has_include("wisp.h")
#include "wisp.h"
#define HAVE_WISP 1
#endif

#define PG 4096

static const char *dir;
static int passed, failed;
static char path[512];

#define CHECK(name, cond, ...)                                                                     \
    do {                                                                                           \
        if (cond) {                                                                                \
            printf("maptest: PASS %s\n", name);                                                   \
            passed++;                                                                              \
        } else {                                                                                   \
            printf("maptest: FAIL %s: ", name);                                                   \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failed++;                                                                              \
        }                                                                                          \
    } while (0)

/* A new file DIR/maptest.NAME of n bytes, byte i = 'a' + i % 26; its fd
 * open with flags. */
static int
make_file(const char *name, size_t n, int flags)
{
    snprintf(path, sizeof(path), "%s/maptest.%s", dir, name);
    unlink(path);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0755);
    if (fd < 0)
        return -1;
    char *b = malloc(n ? n : 1);
    for (size_t i = 0; i < n; i++)
        b[i] = (char)('a' + i % 26);
    ssize_t w = write(fd, b, n);
    free(b);
    close(fd);
    if (w != (ssize_t)n)
        return -1;
    return open(path, flags);
}

static int
wait_child(pid_t pid)
{
    int st = 0;
    if (waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

static void
t_private_read(void)
{
    int fd = make_file("pr", 3 * PG, O_RDONLY);
    char *m = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK("private_read", m != MAP_FAILED && m[0] == 'a' && m[PG] == 'a' + PG % 26 &&
          m[3 * PG - 1] == 'a' + (3 * PG - 1) % 26, "mmap %s", m == MAP_FAILED ? strerror(errno) : "bytes differ");
    char *o = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, PG);
    CHECK("offset", o != MAP_FAILED && o[0] == 'a' + PG % 26, "offset mapping");
    munmap(m, 3 * PG);
    munmap(o, PG);
    close(fd);
}

static void
t_private_cow(void)
{
    int fd = make_file("cow", 2 * PG, O_RDONLY);
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        CHECK("private_write", 0, "mmap: %s", strerror(errno));
        return;
    }
    m[1] = 'Z';
    char c = 0;
    pread(fd, &c, 1, 1);
    CHECK("private_write", m[1] == 'Z' && c == 'b', "m[1]=%c file=%c", m[1], c);
    pid_t pid = fork();
    if (pid == 0) {
        m[1] = 'Y';
        m[PG] = 'Q';
        _exit(m[1] == 'Y' ? 0 : 1);
    }
    int st = wait_child(pid);
    CHECK("fork_cow", st == 0 && m[1] == 'Z' && m[PG] == 'a' + PG % 26, "parent sees %c %c",
          m[1], m[PG]);
    munmap(m, 2 * PG);
    close(fd);
}

static void
t_shared_write(void)
{
    int fd = make_file("sh", 2 * PG, O_RDWR);
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        CHECK("shared_msync", 0, "mmap: %s", strerror(errno));
        return;
    }
    memcpy(m + 10, "HELLO", 5);
    int r = msync(m, 2 * PG, MS_SYNC);
    char b[6] = { 0 };
    pread(fd, b, 5, 10);
    CHECK("shared_msync", r == 0 && strcmp(b, "HELLO") == 0, "msync %d, read '%s'", r, b);
    /* a second mapping of the same file sees stores at once */
    char *m2 = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    m[20] = '!';
    CHECK("two_mappings", m2 != MAP_FAILED && m2[20] == '!', "second mapping");
    /* a forked child's stores reach the parent's mapping */
    pid_t pid = fork();
    if (pid == 0) {
        m[30] = '#';
        _exit(0);
    }
    int st = wait_child(pid);
    CHECK("fork_shared", st == 0 && m[30] == '#' && m2[30] == '#', "parent sees %c", m[30]);
    /* write() shows in the mapping at once */
    pwrite(fd, "WW", 2, 40);
    CHECK("write_coherent", m[40] == 'W' && m[41] == 'W', "mapping sees %c%c", m[40], m[41]);
    munmap(m2, PG);
    /* munmap writes back: a fresh open reads it */
    m[PG + 5] = '*';
    munmap(m, 2 * PG);
    close(fd);
    fd = open(path, O_RDONLY);
    char c = 0;
    pread(fd, &c, 1, PG + 5);
    CHECK("munmap_writeback", c == '*', "file has %c", c);
    close(fd);
}

static void
t_fsync(void)
{
    int fd = make_file("fs", PG, O_RDWR);
    char *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        CHECK("fsync", 0, "mmap: %s", strerror(errno));
        return;
    }
    m[100] = '%';
    int r = fsync(fd);
    int fd2 = open(path, O_RDONLY);
    char c = 0;
    pread(fd2, &c, 1, 100);
    CHECK("fsync", r == 0 && c == '%', "fsync %d, file %c", r, c);
    close(fd2);
    munmap(m, PG);
    close(fd);
}

static void
t_sigbus(void)
{
    int fd = make_file("bus", 100, O_RDONLY);
    char *m = mmap(NULL, 3 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    if (m == MAP_FAILED) {
        CHECK("past_eof_zero", 0, "mmap: %s", strerror(errno));
        return;
    }
    CHECK("past_eof_zero", m[99] == 'a' + 99 % 26 && m[100] == 0 && m[PG - 1] == 0,
          "last page tail");
    pid_t pid = fork();
    if (pid == 0) {
        volatile char c = m[PG];
        (void)c;
        _exit(0);
    }
    int st = wait_child(pid);
    CHECK("sigbus", WIFSIGNALED(st) && WTERMSIG(st) == SIGBUS, "status 0x%x", st);
    /* the kernel touching it fails with EFAULT, never crashes */
    int p[2];
    pipe(p);
    errno = 0;
    ssize_t w = write(p[1], m + PG, 10);
    CHECK("efault", w == -1 && errno == EFAULT, "write gave %zd (%s)", w, strerror(errno));
    close(p[0]);
    close(p[1]);
    munmap(m, 3 * PG);
    close(fd);
}

static void
t_errors(void)
{
    int fd = make_file("err", 2 * PG, O_RDONLY);
    void *m = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK("eacces_shared_rdonly", m == MAP_FAILED && errno == EACCES, "got %s",
          m == MAP_FAILED ? strerror(errno) : "a mapping");
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 100);
    CHECK("einval_offset", m == MAP_FAILED && errno == EINVAL, "got %s",
          m == MAP_FAILED ? strerror(errno) : "a mapping");
    m = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    int r = m == MAP_FAILED ? 0 : mprotect(m, PG, PROT_READ | PROT_WRITE);
    CHECK("eacces_mprotect", m != MAP_FAILED && r == -1 && errno == EACCES, "mprotect %d (%s)",
          r, strerror(errno));
    /* a private mapping of the same read-only fd may be made writable */
    void *pm = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    r = pm == MAP_FAILED ? -1 : mprotect(pm, PG, PROT_READ | PROT_WRITE);
    CHECK("mprotect_private", r == 0 && (((char *)pm)[0] = 'x') == 'x', "mprotect %d", r);
    munmap(pm, PG);
    if (m != MAP_FAILED)
        munmap(m, PG);
    close(fd);
    fd = open(path, O_WRONLY);
    m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK("eacces_wronly", m == MAP_FAILED && errno == EACCES, "got %s",
          m == MAP_FAILED ? strerror(errno) : "a mapping");
    close(fd);
    m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, 77, 0);
    CHECK("ebadf", m == MAP_FAILED && errno == EBADF, "got %s",
          m == MAP_FAILED ? strerror(errno) : "a mapping");
    int p[2];
    pipe(p);
    m = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, p[0], 0);
    CHECK("enodev_pipe", m == MAP_FAILED && errno == ENODEV, "got %s",
          m == MAP_FAILED ? strerror(errno) : "a mapping");
    close(p[0]);
    close(p[1]);
}

static void
t_exec_bytes(void)
{
    /* mov $42, %eax; ret */
    static const unsigned char code[] = { 0xb8, 0x2a, 0, 0, 0, 0xc3 };
    snprintf(path, sizeof(path), "%s/maptest.code", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0755);
    write(fd, code, sizeof(code));
    void *m = mmap(NULL, PG, PROT_READ | PROT_EXEC, MAP_PRIVATE, fd, 0);
    int v = m == MAP_FAILED ? -1 : ((int (*)(void))m)();
    CHECK("prot_exec", v == 42, "got %d", v);
    if (m != MAP_FAILED)
        munmap(m, PG);
    close(fd);
}

static void
t_remap_split(void)
{
    int fd = make_file("rm", 4 * PG, O_RDWR);
    char *m = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED) {
        CHECK("mremap_grow", 0, "mmap: %s", strerror(errno));
        return;
    }
    m[0] = '1';
    char *n = mremap(m, 2 * PG, 4 * PG, MREMAP_MAYMOVE);
    CHECK("mremap_grow", n != MAP_FAILED && n[0] == '1' && n[3 * PG] == 'a' + (3 * PG) % 26,
          "mremap %s", n == MAP_FAILED ? strerror(errno) : "bytes differ");
    if (n == MAP_FAILED)
        n = m;
    /* unmap the middle: the ends stay mapped to the right file pages */
    munmap(n + PG, 2 * PG);
    n[3 * PG] = '3';
    msync(n + 3 * PG, PG, MS_SYNC);
    char c = 0;
    pread(fd, &c, 1, 3 * PG);
    CHECK("split", n[0] == '1' && c == '3', "file page 3 has %c", c);
    munmap(n, PG);
    munmap(n + 3 * PG, PG);
    close(fd);
}

static const struct {
    const char *name;
    void (*fn)(void);
} tests[] = {
    { "private", t_private_read }, { "cow", t_private_cow },   { "shared", t_shared_write },
    { "fsync", t_fsync },          { "sigbus", t_sigbus },     { "errors", t_errors },
    { "exec", t_exec_bytes },      { "remap", t_remap_split },
};

/* maptest -put FILE TEXT: FILE becomes TEXT, stored through a shared
 * mapping and msync'd (another node then reads it). */
static int
put(const char *file, const char *text)
{
    size_t n = strlen(text);
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || ftruncate(fd, (off_t)n) != 0)
        return 1;
    char *m = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (m == MAP_FAILED)
        return 1;
    memcpy(m, text, n);
    int r = msync(m, n, MS_SYNC);
    munmap(m, n);
    close(fd);
    return r ? 1 : 0;
}

#ifdef HAVE_WISP
/* maptest -mig NODE FILE: with a writable shared mapping of FILE a
 * migration to NODE is refused (EOPNOTSUPP); with only a private one it
 * goes, and the private pages are still there at NODE. */
static int
mig(long node, const char *file)
{
    int fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, "migrating", 9) != 9)
        return 1;
    char *s = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 0);
    if (s == MAP_FAILED || p == MAP_FAILED)
        return 1;
    s[0] = 'M';
    long rc = wisp_migrate(0, node, WISP_MIG_DIRECT, NULL);
    CHECK("mig_shared_refused", rc < 0 && errno == EOPNOTSUPP, "migrate gave %ld (%s)", rc,
          strerror(errno));
    munmap(s, PG);
    close(fd);
    rc = wisp_migrate(0, node, WISP_MIG_DIRECT, NULL);
    CHECK("mig_private", rc == 0 && memcmp(p, "Migrating", 9) == 0, "migrate gave %ld (%s)",
          rc, strerror(errno));
    printf("maptest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
#endif

int
main(int argc, char **argv)
{
#ifdef HAVE_WISP
    if (argc == 4 && strcmp(argv[1], "-mig") == 0)
        return mig(atol(argv[2]), argv[3]);
#endif
    if (argc == 4 && strcmp(argv[1], "-put") == 0)
        return put(argv[2], argv[3]);
    dir = argc > 1 ? argv[1] : "/tmp";
    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
        tests[i].fn();
    static const char *names[] = { "pr", "cow", "sh", "fs", "bus", "err", "code", "rm" };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        snprintf(path, sizeof(path), "%s/maptest.%s", dir, names[i]);
        unlink(path);
    }
    printf("maptest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
