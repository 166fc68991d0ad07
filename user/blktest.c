/*
 * blktest: exercise the block layer (fs/blk.h) from user space through
 * wisp_blkstat and wisp_blkio (kernel/wisp_abi.h). Root only for I/O.
 *
 *   blktest stat [DEV]     print the device's counters, "name value" lines
 *                          ("blktest: no block device" and status 3 if none)
 *   blktest check [DEV]    the test of tests/qemu/blk_virtio.sh: the errors
 *                          (past the end, bad length, bad pointer, not root),
 *                          then NPROC processes writing patterned extents of
 *                          512 B .. 1 MiB at once, each reading its own back,
 *                          the last sector, a flush. Prints one
 *                          "extent SECTOR BYTES SEED" line per extent written,
 *                          which the host checks in the image afterwards.
 *   blktest ro [DEV]       on a read-only disk: reads work, writes get EROFS
 *   blktest bench [MIB [KIB [PATH]]]  sequential KiB-sized (64) writes over
 *                          MIB (16) MiB, a flush, then reads: MB/s (bench
 *                          write64k ...). With PATH (a Linux guest's
 *                          /dev/vda, the baseline): O_DIRECT pwrite/pread.
 *
 * The pattern (also in tests/qemu/blk_virtio.sh): the 8-byte little-endian
 * word at byte offset o of the disk is ((o / 8) + 1) * K + seed (mod 2^64).
 */
#define _GNU_SOURCE     /* O_DIRECT */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include "../kernel/wisp_abi.h"

#define SECTOR 512ull
#define K 0x9E3779B97F4A7C15ull
#define NPROC 4

static int dev;
static int failures;

static long
blkio(long op, uint64_t sector, void *buf, long len)
{
    return syscall(WISP_SYS_BLKIO, (long)dev, op, sector, buf, len);
}

static int
blkstat(struct wisp_blkstat *s)
{
    memset(s, 0, sizeof(*s));
    return syscall(WISP_SYS_BLKSTAT, (long)dev, s, (long)sizeof(*s)) < 0 ? -1 : 0;
}

static void
fill(uint64_t *w, uint64_t sector, size_t bytes, uint64_t seed)
{
    uint64_t first = sector * SECTOR / 8;
    for (size_t i = 0; i < bytes / 8; i++)
        w[i] = (first + i + 1) * K + seed;
}

static void
expect(const char *what, int ok)
{
    if (!ok) {
        printf("blktest: FAIL %s\n", what);
        failures++;
    }
}

/* errno of a call expected to fail with want. */
static void
expect_err(const char *what, long rc, int want)
{
    char msg[128];
    snprintf(msg, sizeof(msg), "%s: got %ld (%s), want %s", what, rc,
             rc < 0 ? strerror(errno) : "success", strerror(want));
    expect(msg, rc < 0 && errno == want);
}

static void
check_errors(uint64_t sectors)
{
    static uint64_t buf[1024];
    expect_err("read at the end", blkio(WISP_BLKIO_READ, sectors, buf, 512), EINVAL);
    expect_err("read across the end", blkio(WISP_BLKIO_READ, sectors - 1, buf, 1024), EINVAL);
    expect_err("write across the end", blkio(WISP_BLKIO_WRITE, sectors - 1, buf, 1024), EINVAL);
    expect_err("huge sector", blkio(WISP_BLKIO_READ, ~0ull, buf, 512), EINVAL);
    expect_err("length not in sectors", blkio(WISP_BLKIO_READ, 0, buf, 100), EINVAL);
    expect_err("zero length", blkio(WISP_BLKIO_READ, 0, buf, 0), EINVAL);
    expect_err("bad op", blkio(7, 0, buf, 512), EINVAL);
    expect_err("read to a bad pointer", blkio(WISP_BLKIO_READ, 0, (void *)16, 512), EFAULT);
    expect_err("write from a bad pointer", blkio(WISP_BLKIO_WRITE, 0, (void *)16, 512), EFAULT);
    expect_err("no such device",
               syscall(WISP_SYS_BLKIO, 3L, (long)WISP_BLKIO_READ, 0L, buf, 512L), ENODEV);
    pid_t pid = fork();
    if (pid == 0) {
        if (setuid(1000) != 0)
            _exit(2);
        _exit(blkio(WISP_BLKIO_READ, 0, buf, 512) < 0 && errno == EPERM ? 0 : 1);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    expect("a user who is not root gets EPERM", WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

/* Write buf-sized extent, read it back, compare; 0 if all is well. */
static int
write_verify(uint64_t sector, size_t bytes, uint64_t seed, uint64_t *w, uint64_t *r)
{
    fill(w, sector, bytes, seed);
    if (blkio(WISP_BLKIO_WRITE, sector, w, (long)bytes) != 0) {
        printf("blktest: FAIL write %llu+%zu: %s\n", (unsigned long long)sector, bytes,
               strerror(errno));
        return 1;
    }
    memset(r, 0xee, bytes);
    if (blkio(WISP_BLKIO_READ, sector, r, (long)bytes) != 0 || memcmp(w, r, bytes) != 0) {
        printf("blktest: FAIL read back %llu+%zu\n", (unsigned long long)sector, bytes);
        return 1;
    }
    return 0;
}

static const size_t sizes[] = {
    512, 1024, 4096, 8192, 65536, 65536 + 512, 131072, 262144 + 4096, 1 << 20,
};
#define NSIZES (sizeof(sizes) / sizeof(sizes[0]))

/* Child c: its extents in its own fifth of the disk, all writes first
 * (so the processes overlap), then every read back. The extent lines go
 * to /tmp/blktest.C, which the parent prints (console writes of several
 * processes would interleave). */
static int
child(int c, uint64_t sectors)
{
    uint64_t region = sectors / (NPROC + 1), base = region * (uint64_t)c, step = region / NSIZES;
    uint64_t *w = malloc(1 << 20), *r = malloc(1 << 20);
    static char out[4096];
    size_t len = 0;
    int bad = 0;
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < NSIZES && !bad; i++) {
            uint64_t sector = base + i * step + (uint64_t)((c * 7 + i * 3) % 64);
            uint64_t seed = (uint64_t)(c + 1) * 1000 + i;
            if (sector + sizes[i] / SECTOR > base + region)
                continue;
            if (pass == 0) {
                fill(w, sector, sizes[i], seed);
                bad |= blkio(WISP_BLKIO_WRITE, sector, w, (long)sizes[i]) != 0;
                len += (size_t)snprintf(out + len, sizeof(out) - len, "extent %llu %zu %llu\n",
                                        (unsigned long long)sector, sizes[i],
                                        (unsigned long long)seed);
            } else {
                fill(w, sector, sizes[i], seed);
                bad |= blkio(WISP_BLKIO_READ, sector, r, (long)sizes[i]) != 0 ||
                       memcmp(w, r, sizes[i]) != 0;
            }
        }
    }
    char path[64];
    snprintf(path, sizeof(path), "/tmp/blktest.%d", c);
    FILE *f = fopen(path, "w");
    if (!f || fwrite(out, 1, len, f) != len || fclose(f) != 0)
        bad = 1;
    if (bad)
        printf("blktest: FAIL child %d: write or read back\n", c);
    return bad;
}

static void
check_concurrent(uint64_t sectors)
{
    pid_t pids[NPROC];
    for (int c = 0; c < NPROC; c++) {
        pids[c] = fork();
        if (pids[c] == 0) {
            fflush(stdout);
            _exit(child(c, sectors));
        }
    }
    for (int c = 0; c < NPROC; c++) {
        int st = 0;
        waitpid(pids[c], &st, 0);
        expect("a writer process succeeded", WIFEXITED(st) && WEXITSTATUS(st) == 0);
    }
    for (int c = 0; c < NPROC; c++) {
        char path[64], line[128];
        snprintf(path, sizeof(path), "/tmp/blktest.%d", c);
        FILE *f = fopen(path, "r");
        while (f && fgets(line, sizeof(line), f))
            fputs(line, stdout);
        if (f)
            fclose(f);
        unlink(path);
    }
}

static int
cmd_check(void)
{
    struct wisp_blkstat s0, s1;
    if (blkstat(&s0) != 0) {
        printf("blktest: FAIL no block device\n");
        return 1;
    }
    uint64_t sectors = s0.sectors;
    expect("the disk holds at least 16 MiB", sectors >= 32768);
    check_errors(sectors);
    setvbuf(stdout, NULL, _IOLBF, 0);
    fflush(stdout);
    check_concurrent(sectors);
    uint64_t *w = malloc(65536), *r = malloc(65536);
    /* 64 KiB ending just before the last sector, then the last sector. */
    if (write_verify(sectors - 129, 65536, 7, w, r) == 0)
        printf("extent %llu 65536 7\n", (unsigned long long)(sectors - 129));
    else
        failures++;
    if (write_verify(sectors - 1, 512, 8, w, r) == 0)
        printf("extent %llu 512 8\n", (unsigned long long)(sectors - 1));
    else
        failures++;
    expect("flush", blkio(WISP_BLKIO_FLUSH, 0, NULL, 0) == 0);
    blkstat(&s1);
    expect("the flush was counted", !s1.has_flush || s1.flushes > s0.flushes);
    expect("several requests were in flight at once", s1.inflight_max >= 2);
    expect("no device errors", s1.errors == s0.errors);
    expect("nothing left in flight", s1.inflight == 0);
    printf("blktest: inflight_max %llu queued %llu\n", (unsigned long long)s1.inflight_max,
           (unsigned long long)s1.queued);
    printf("blktest: %s (%d failures)\n", failures ? "FAIL" : "PASS", failures);
    return failures ? 1 : 0;
}

static int
cmd_ro(void)
{
    struct wisp_blkstat s;
    static uint64_t buf[512];
    if (blkstat(&s) != 0) {
        printf("blktest: FAIL no block device\n");
        return 1;
    }
    expect("the device says read-only", s.read_only);
    expect("a read works", blkio(WISP_BLKIO_READ, 0, buf, 4096) == 0);
    expect_err("a write", blkio(WISP_BLKIO_WRITE, 0, buf, 4096), EROFS);
    printf("blktest: ro %s\n", failures ? "FAIL" : "PASS");
    return failures ? 1 : 0;
}

#define F(x) printf("%-14s %llu\n", #x, (unsigned long long)s.x)

static int
cmd_stat(void)
{
    struct wisp_blkstat s;
    if (blkstat(&s) != 0) {
        if (errno == ENODEV) {
            printf("blktest: no block device\n");
            return 3;
        }
        perror("blktest: wisp_blkstat");
        return 1;
    }
    F(sectors); F(queue_size); F(max_bytes); F(read_only); F(has_flush); F(features);
    F(reads); F(writes); F(flushes); F(bytes_read); F(bytes_written); F(errors);
    F(rejected); F(queued); F(inflight); F(inflight_max);
    return 0;
}

static double
now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The bench's I/O: Wisp's wisp_blkio, or with a device path (a Linux guest,
 * the peer baseline) pread/pwrite on it opened O_DIRECT and fsync. */
static int bench_fd = -1;

static int
bench_io(int write_op, uint64_t off, void *buf, size_t len)
{
    if (bench_fd < 0)
        return blkio(write_op ? WISP_BLKIO_WRITE : WISP_BLKIO_READ, off / SECTOR, buf,
                     (long)len) == 0 ? 0 : -1;
    ssize_t n = write_op ? pwrite(bench_fd, buf, len, (off_t)off)
                         : pread(bench_fd, buf, len, (off_t)off);
    return n == (ssize_t)len ? 0 : -1;
}

static int
bench_flush(void)
{
    if (bench_fd < 0)
        return blkio(WISP_BLKIO_FLUSH, 0, NULL, 0) == 0 ? 0 : -1;
    return fsync(bench_fd);
}

/* Sequential calls of kib KiB over mib MiB from the start: write, flush,
 * read. On Wisp each call is one request up to the driver's largest;
 * bigger calls are split into several requests in flight. */
static int
cmd_bench(int mib, int kib, const char *path)
{
    size_t chunk = (size_t)kib << 10, total = (size_t)mib << 20;
    if (kib <= 0 || chunk > WISP_BLKIO_MAX || mib <= 0) {
        fprintf(stderr, "blktest: bench MIB [KIB [PATH]]: KIB in 1..%d\n", WISP_BLKIO_MAX >> 10);
        return 2;
    }
    if (path && (bench_fd = open(path, O_RDWR | O_DIRECT)) < 0) {
        perror(path);
        return 1;
    }
    void *buf = NULL;
    if (posix_memalign(&buf, 4096, chunk) != 0)
        return 1;
    memset(buf, 0x5a, chunk);
    const char *name[2] = { "write", "read" };
    for (int op = 0; op < 2; op++) {
        double t0 = now();
        for (size_t off = 0; off < total; off += chunk) {
            if (bench_io(op == 0, off, buf, chunk) != 0) {
                perror("blktest: bench");
                return 1;
            }
        }
        if (op == 0 && bench_flush() != 0)
            perror("blktest: flush");
        double dt = now() - t0;
        printf("bench %s%dk %d MiB %.3f s %.1f MB/s\n", name[op], kib, mib, dt, total / dt / 1e6);
    }
    return 0;
}

int
main(int argc, char **argv)
{
    const char *cmd = argc > 1 ? argv[1] : "stat";
    if (argc > 2 && strcmp(cmd, "bench") != 0)
        dev = atoi(argv[2]);
    if (strcmp(cmd, "stat") == 0)
        return cmd_stat();
    if (strcmp(cmd, "check") == 0)
        return cmd_check();
    if (strcmp(cmd, "ro") == 0)
        return cmd_ro();
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc > 2 ? atoi(argv[2]) : 16, argc > 3 ? atoi(argv[3]) : 64,
                         argc > 4 ? argv[4] : NULL);
    fprintf(stderr, "usage: blktest stat|check|ro [DEV] | bench [MIB [KIB [PATH]]]\n");
    return 2;
}
