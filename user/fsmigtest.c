/*
 * fsmigtest: /shared streams and migration (tests/qemu/fsmig_*.sh).
 *   fsmigtest turns FILE NODE ROUNDS   a parent and its child, moved to NODE,
 *                                      write FILE through one description in
 *                                      turns: "P0 C0 P1 C1 ..." exactly, and
 *                                      the parent's offset is the file's end
 *   fsmigtest hops FILE LINES NODE...  write LINES numbered lines to FILE,
 *                                      migrating through the NODEs on the
 *                                      way; then read FILE back and check it
 *   fsmigtest where                    print "fsmigtest: on node N"
 *   fsmigtest stat                     this node's wisp_fsmigstat, "name value"
 *   fsmigtest dirty FILE MIB ROUNDS    write MIB MiB to FILE (left dirty in the
 *                                      cache), print "ready", run ROUNDS rounds
 *                                      of 20 ms, then check FILE through the
 *                                      same description (the migration bench)
 *   fsmigtest files DIR N ROUNDS       the same with N open files in DIR
 *                                      (at most 61: with the 3 standard
 *                                      streams, the 64 fds of a process)
 * Prints "fsmigtest: PASS" and exits 0 when every check held.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "wisp.h"

static int
node_now(void)
{
    struct wisp_info in;
    memset(&in, 0, sizeof(in));
    return wisp_info(&in, sizeof(in)) < 0 ? -1 : in.node;
}

static int
fail(const char *what)
{
    printf("fsmigtest: FAIL: %s\n", what);
    return 1;
}

static int
move_to(int node)
{
    long r = wisp_migrate(0, node, -1, NULL);
    if (r < 0 || node_now() != node) {
        printf("fsmigtest: migrate to %d: %ld (on node %d)\n", node, r, node_now());
        return -1;
    }
    return 0;
}

static int
put(int fd, char who, int i)
{
    char line[32];
    int n = snprintf(line, sizeof(line), "%c%d\n", who, i);
    return write(fd, line, (size_t)n) == n ? n : -1;
}

/* Read FILE whole into a malloc'd buffer; its length in *len. */
static char *
slurp(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY);
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    long r;
    if (fd < 0 || !buf)
        return NULL;
    while ((r = read(fd, buf + n, cap - n)) > 0) {
        n += (size_t)r;
        if (n == cap && !(buf = realloc(buf, cap *= 2)))
            return NULL;
    }
    close(fd);
    *len = n;
    return buf;
}

static void
child_turns(int fd, int node, int rounds, int *p2c, int *c2p)
{
    char b = 'r';
    close(p2c[1]);
    close(c2p[0]);
    if (move_to(node) < 0)
        _exit(3);
    if (write(c2p[1], &b, 1) != 1)
        _exit(4);
    for (int i = 0; i < rounds; i++) {
        if (read(p2c[0], &b, 1) != 1 || put(fd, 'C', i) < 0 || write(c2p[1], &b, 1) != 1)
            _exit(5);
    }
    _exit(node_now() == node ? 0 : 6);
}

static int
turns(const char *path, int node, int rounds)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int p2c[2], c2p[2], st = 0;
    char b;
    if (fd < 0 || pipe(p2c) < 0 || pipe(c2p) < 0)
        return fail("open or pipe");
    pid_t pid = fork();
    if (pid == 0)
        child_turns(fd, node, rounds, p2c, c2p);
    close(p2c[0]);
    close(c2p[1]);
    if (pid < 0 || read(c2p[0], &b, 1) != 1)
        return fail("the child did not move");
    size_t want = 0;
    for (int i = 0; i < rounds; i++) {
        int n = put(fd, 'P', i);
        if (n < 0 || write(p2c[1], &b, 1) != 1 || read(c2p[0], &b, 1) != 1)
            return fail("a turn");
        want += (size_t)n;
    }
    if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
        printf("fsmigtest: child status %#x\n", st);
        return fail("the child");
    }
    long off = lseek(fd, 0, SEEK_CUR);
    close(fd);
    size_t len;
    char *got = slurp(path, &len), *exp = malloc(want + 64);
    size_t e = 0;
    for (int i = 0; exp && i < rounds; i++)
        e += (size_t)sprintf(exp + e, "P%d\nC%d\n", i, i);
    if (!got || !exp || len != e || memcmp(got, exp, e) != 0)
        return fail("the file does not interleave P and C lines exactly");
    if (off != (long)e) {
        printf("fsmigtest: offset %ld, file %zu\n", off, e);
        return fail("the parent's offset is not the file's end");
    }
    printf("fsmigtest: %d turns, %zu bytes, one offset\n", rounds, e);
    return 0;
}

static int
hops(const char *path, int lines, char **nodes, int nnodes)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return fail("open");
    int next = 0;
    for (int i = 0; i < lines; i++) {
        if (nnodes && i == (next + 1) * lines / (nnodes + 1)) {
            if (move_to(atoi(nodes[next])) < 0)
                return fail("a hop");
            next++;
        }
        char line[64];
        int n = snprintf(line, sizeof(line), "line %06d of a migrating writer\n", i);
        if (write(fd, line, (size_t)n) != n)
            return fail("write");
    }
    if (close(fd) < 0)
        return fail("close");
    size_t len;
    char *got = slurp(path, &len);
    size_t e = 0;
    char *exp = malloc((size_t)lines * 64 + 1);
    for (int i = 0; exp && i < lines; i++)
        e += (size_t)sprintf(exp + e, "line %06d of a migrating writer\n", i);
    if (!got || !exp || len != e || memcmp(got, exp, e) != 0) {
        printf("fsmigtest: read %zu bytes, want %zu\n", got ? len : 0, e);
        return fail("the file is not what was written");
    }
    printf("fsmigtest: %d lines, %d hops, now on node %d\n", lines, next, node_now());
    return 0;
}

static void
rounds(int n)
{
    struct timespec ts = { 0, 20 * 1000000L };
    for (int r = 1; r <= n; r++) {
        nanosleep(&ts, NULL);
        if (r % 25 == 0)
            printf("fsmigtest: node %d round %d\n", node_now(), r);
    }
}

static uint8_t
pattern(uint64_t i)
{
    return (uint8_t)(i * 2654435761u >> 13);
}

static int
dirty(const char *path, int mib, int n)
{
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644);
    static uint8_t buf[65536];
    uint64_t total = (uint64_t)mib << 20;
    if (fd < 0)
        return fail("open");
    for (uint64_t at = 0; at < total; at += sizeof(buf)) {
        for (size_t i = 0; i < sizeof(buf); i++)
            buf[i] = pattern(at + i);
        if (write(fd, buf, sizeof(buf)) != (long)sizeof(buf))
            return fail("write");
    }
    printf("fsmigtest: ready\n");
    fflush(stdout);
    rounds(n);
    if (lseek(fd, 0, SEEK_CUR) != (long)total || lseek(fd, 0, SEEK_SET) != 0)
        return fail("the offset moved");
    for (uint64_t at = 0; at < total; at += sizeof(buf)) {
        if (read(fd, buf, sizeof(buf)) != (long)sizeof(buf))
            return fail("read back");
        for (size_t i = 0; i < sizeof(buf); i++)
            if (buf[i] != pattern(at + i))
                return fail("the file changed");
    }
    close(fd);
    printf("fsmigtest: PASS node %d\n", node_now());
    return 0;
}

static int
files(const char *dir, int n, int nr)
{
    int fds[64];
    char path[256], line[64], got[64];
    if (n < 0 || n > 61)
        return fail("0..61 files");
    mkdir(dir, 0755);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "%s/f%d", dir, i);
        int k = snprintf(line, sizeof(line), "file %d\n", i);
        if ((fds[i] = open(path, O_RDWR | O_CREAT | O_TRUNC, 0644)) < 0 ||
            write(fds[i], line, (size_t)k) != k)
            return fail("open or write");
    }
    printf("fsmigtest: ready\n");
    fflush(stdout);
    rounds(nr);
    for (int i = 0; i < n; i++) {
        int k = snprintf(line, sizeof(line), "file %d\nagain %d\n", i, i);
        int k1 = snprintf(path, sizeof(path), "again %d\n", i);
        if (write(fds[i], path, (size_t)k1) != k1 || lseek(fds[i], 0, SEEK_SET) != 0 ||
            read(fds[i], got, sizeof(got)) != k || memcmp(got, line, (size_t)k) != 0)
            return fail("a file is not what was written");
        close(fds[i]);
    }
    printf("fsmigtest: PASS node %d\n", node_now());
    return 0;
}

static int
stat_print(void)
{
    struct wisp_fsmigstat s;
    memset(&s, 0, sizeof(s));
    if (wisp_fsmigstat(&s, sizeof(s)) < 0)
        return fail("wisp_fsmigstat");
#define F(x) printf("%-20s %llu\n", #x, (unsigned long long)s.x)
    F(shared);
    F(stream_ios);
    F(streams_open);
    F(moved_out);
    F(moved_in);
    F(moved_back);
    F(srv_streams);
    F(flush_out);
    F(flush_in);
    F(flush_pages_written);
    F(flush_pages_faulted);
    F(flush_pages_pulled);
    F(flush_files_removed);
#undef F
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 2 && !strcmp(argv[1], "stat"))
        return stat_print();
    int r;
    if (argc >= 5 && !strcmp(argv[1], "turns"))
        r = turns(argv[2], atoi(argv[3]), atoi(argv[4]));
    else if (argc >= 4 && !strcmp(argv[1], "hops"))
        r = hops(argv[2], atoi(argv[3]), argv + 4, argc - 4);
    else if (argc >= 5 && !strcmp(argv[1], "dirty"))
        return dirty(argv[2], atoi(argv[3]), atoi(argv[4]));
    else if (argc >= 5 && !strcmp(argv[1], "files"))
        return files(argv[2], atoi(argv[3]), atoi(argv[4]));
    else if (argc >= 2 && !strcmp(argv[1], "where"))
        r = printf("fsmigtest: on node %d\n", node_now()) < 0;
    else {
        fprintf(stderr, "usage: fsmigtest turns FILE NODE ROUNDS | hops FILE LINES NODE... | "
                        "where | stat | dirty FILE MIB ROUNDS | files DIR N ROUNDS\n");
        return 2;
    }
    if (r == 0)
        printf("fsmigtest: PASS\n");
    return r;
}
