/*
 * Out-of-memory checks, run on a node with little memory
 * (tests/qemu/mem_oom.sh boots one with 96 MiB): malloc, brk and mremap
 * get ENOMEM at the node's commit limit and everything works again once
 * the memory is freed; a MAP_NORESERVE hog that touches more than the
 * node has, itself or through read(2), is killed with SIGKILL (the kernel
 * prints "out of memory: killed process ..."); a big process cannot fork a child whose charge
 * does not fit; mremap grows in place, moves and shrinks, keeping data.
 * Prints "memhog: PASS name" / "memhog: FAIL name: why" per check and
 * "memhog: N passed, N failed"; exits 0 only when all passed. The
 * figures come from /proc/meminfo. "memhog NAME..." runs only those;
 * "memhog init_waits", run as init, checks that init is never OOM-killed.
 */
#define _GNU_SOURCE   /* mremap */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include "checkutil.h"

#define MIB       (1024L * 1024L)
#define PAGE      4096L
#define MAX_CHUNK 8192

static void *chunks[MAX_CHUNK];

/* A /proc/meminfo figure in bytes; -1 when missing. */
static long
meminfo(const char *name)
{
    char line[128];
    long kb = -1;
    size_t n = strlen(name);
    FILE *f = fopen("/proc/meminfo", "r");
    if (!f)
        return -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, name, n) == 0 && line[n] == ':')
            kb = strtol(line + n + 1, NULL, 10);
    fclose(f);
    return kb < 0 ? -1 : kb * 1024;
}

/* Bytes the node can still commit. */
static long
commit_room(void)
{
    return meminfo("CommitLimit") - meminfo("Committed_AS");
}

/* Touch a stack deep enough for everything below, so no stack page has to
 * be charged while the node's commit is full. */
static void __attribute__((noinline))
pretouch_stack(void)
{
    volatile char buf[256 * 1024];
    for (size_t i = 0; i < sizeof buf; i += PAGE)
        buf[i] = 1;
}

/* malloc 1 MiB steps, touching every page, until malloc fails; returns
 * how many it got. */
static int
hog_malloc(void)
{
    int n = 0;
    for (; n < MAX_CHUNK; n++) {
        chunks[n] = malloc(MIB);
        if (!chunks[n])
            break;
        memset(chunks[n], n & 0xff, MIB);
    }
    return n;
}

static void
free_chunks(int n)
{
    for (int i = 0; i < n; i++)
        free(chunks[i]);
}

/* Fork, run /bin/echo WORD in the child, return its wait status. */
static int
run_echo(const char *word)
{
    pid_t pid = fork();
    if (pid == 0) {
        execl("/bin/echo", "echo", word, (char *)NULL);
        _exit(127);
    }
    int st = -1;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return st;
}

static int
t_malloc(void)
{
    long total = meminfo("MemTotal");
    CHECK(total > 0 && meminfo("CommitLimit") > 0, "no MemTotal/CommitLimit in /proc/meminfo");
    errno = 0;
    int n = hog_malloc();
    int err = errno;
    free_chunks(n);   /* first: printing needs memory too */
    printf("memhog: malloc got %d MiB of MemTotal %ld MiB (CommitLimit %ld MiB)\n", n,
           total / MIB, meminfo("CommitLimit") / MIB);
    CHECK(n < MAX_CHUNK, "malloc never failed");
    CHECK(err == ENOMEM, "malloc failed with %s, not ENOMEM", strerror(err));
    CHECK(n * MIB >= total / 2, "only %d MiB of %ld MiB before ENOMEM", n, total / MIB);
    int again = hog_malloc();
    free_chunks(again);
    CHECK(again >= n - 2, "after freeing, only %d MiB again (was %d)", again, n);
    CHECK(run_echo("memhog-node-alive") == 0, "a program did not run after the hog");
    return 0;
}

static int
t_brk(void)
{
    long start = syscall(SYS_brk, 0), cur = start;
    for (int i = 0; i < MAX_CHUNK; i++) {
        long want = cur + MIB;
        if (syscall(SYS_brk, want) != want)
            break;
        cur = want;
    }
    long got = cur - start;
    CHECK(syscall(SYS_brk, start) == start, "could not give the heap back");
    printf("memhog: brk grew %ld MiB\n", got / MIB);
    CHECK(got < MAX_CHUNK * MIB, "brk never failed");
    CHECK(got >= meminfo("MemTotal") / 2, "brk stopped at %ld MiB", got / MIB);
    CHECK(commit_room() >= got - 2 * MIB, "the heap's charge was not returned");
    return 0;
}

static int
t_mremap_enomem(void)
{
    long len = MIB;
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
    p[0] = 42;
    for (int i = 0; i < MAX_CHUNK; i++) {
        char *q = mremap(p, len, len + 4 * MIB, MREMAP_MAYMOVE);
        if (q == MAP_FAILED) {
            CHECK(errno == ENOMEM, "mremap failed with %s", strerror(errno));
            break;
        }
        p = q;
        len += 4 * MIB;
    }
    int kept = p[0] == 42;
    munmap(p, len);
    printf("memhog: mremap grew to %ld MiB\n", len / MIB);
    CHECK(kept, "mremap lost the data");
    CHECK(len >= meminfo("MemTotal") / 2, "mremap stopped at %ld MiB", len / MIB);
    errno = 0;
    p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
    void *q = mremap(p, PAGE, 2 * meminfo("MemTotal"), MREMAP_MAYMOVE);
    CHECK(q == MAP_FAILED && errno == ENOMEM, "mremap past RAM: %p %s", q, strerror(errno));
    munmap(p, PAGE);
    return 0;
}

/* The child: touch twice the node's memory with MAP_NORESERVE. */
static void
noreserve_child(void)
{
    long len = 2 * meminfo("MemTotal");
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (p == MAP_FAILED)
        _exit(2);
    for (long i = 0; i < len; i += PAGE)
        p[i] = 1;
    _exit(3);   /* should never get here */
}

/* The child: as noreserve_child, but every page is first touched by the
 * kernel, copying /dev/zero into the buffer: the fault that finds no
 * memory is in a kernel copy, not in user mode. */
static void
noreserve_read_child(void)
{
    long len = 2 * meminfo("MemTotal");
    int fd = open("/dev/zero", O_RDONLY);
    char *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                   -1, 0);
    if (fd < 0 || p == MAP_FAILED)
        _exit(2);
    for (long done = 0; done < len;) {
        long n = read(fd, p + done, len - done);
        if (n <= 0)
            _exit(4);   /* the kill comes before the failed call returns */
        done += n;
    }
    _exit(3);
}

/* Fork child(), which must die of SIGKILL; then a program must still run. */
static int
expect_oom_kill(void (*child)(void))
{
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0)
        child();
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid, "waitpid: %s", strerror(errno));
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == 9, "the hog ended with status 0x%x, not SIGKILL", st);
    CHECK(run_echo("memhog-alive-after-oom") == 0, "a program did not run after the OOM kill");
    return 0;
}

static int
t_noreserve_killed(void)
{
    return expect_oom_kill(noreserve_child);
}

static int
t_noreserve_kernel_copy(void)
{
    return expect_oom_kill(noreserve_read_child);
}

static int
t_fork_enomem(void)
{
    long big = commit_room() * 6 / 10;
    char *p = mmap(NULL, big, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap %ld MiB: %s", big / MIB, strerror(errno));
    p[0] = 1;
    pid_t pid = fork();
    int err = errno;
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        waitpid(pid, NULL, 0);
    munmap(p, big);
    CHECK(pid < 0, "fork of a %ld MiB process succeeded", big / MIB);
    CHECK(err == ENOMEM, "fork failed with %s, not ENOMEM", strerror(err));
    CHECK(run_echo("memhog-fork-ok") == 0, "fork failed after the memory was freed");
    return 0;
}

static int
t_mremap(void)
{
    char *p = mmap(NULL, 8 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED, "mmap: %s", strerror(errno));
    CHECK(munmap(p + 4 * PAGE, 4 * PAGE) == 0, "munmap: %s", strerror(errno));
    for (int i = 0; i < 4 * PAGE; i++)
        p[i] = (char)(i * 7);
    CHECK(mremap(p, 4 * PAGE, 8 * PAGE, 0) == p, "grow in place: %s", strerror(errno));
    CHECK(p[4 * PAGE] == 0 && p[8 * PAGE - 1] == 0, "grown pages are not zero");
    /* Block the way: the next grow must move, or fail without MAYMOVE. */
    char *b = mmap(p + 8 * PAGE, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    CHECK(b == p + 8 * PAGE, "mmap fixed: %s", strerror(errno));
    CHECK(mremap(p, 8 * PAGE, 16 * PAGE, 0) == MAP_FAILED && errno == ENOMEM,
          "grow without MAYMOVE into a mapping: %s", strerror(errno));
    char *q = mremap(p, 8 * PAGE, 16 * PAGE, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED && q != p, "move: %p %s", q, strerror(errno));
    for (int i = 0; i < 4 * PAGE; i++)
        CHECK(q[i] == (char)(i * 7), "data lost at %d after the move", i);
    CHECK(mprotect(p, PAGE, PROT_READ) == -1 && errno == ENOMEM, "old range still mapped");
    q[16 * PAGE - 1] = 5;
    CHECK(mremap(q, 16 * PAGE, 2 * PAGE, 0) == q, "shrink: %s", strerror(errno));
    CHECK(q[PAGE + 1] == (char)((PAGE + 1) * 7), "data lost by the shrink");
    CHECK(mprotect(q + 2 * PAGE, PAGE, PROT_READ) == -1, "shrunk pages still mapped");
    char *f = mremap(q, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED, p);
    CHECK(f == p && p[PAGE + 1] == (char)((PAGE + 1) * 7), "MREMAP_FIXED: %s", strerror(errno));
    CHECK(mremap(p + 1, PAGE, 2 * PAGE, 0) == MAP_FAILED && errno == EINVAL, "unaligned: EINVAL");
    CHECK(mremap(p, PAGE, 0, 0) == MAP_FAILED && errno == EINVAL, "new size 0: EINVAL");
    CHECK(mremap(p, PAGE, PAGE, 0x100) == MAP_FAILED && errno == EINVAL, "bad flags: EINVAL");
    CHECK(mremap(p, PAGE, 2 * PAGE, MREMAP_FIXED, q) == MAP_FAILED && errno == EINVAL,
          "FIXED without MAYMOVE: EINVAL");
    CHECK(mremap(q, PAGE, 2 * PAGE, MREMAP_MAYMOVE) == MAP_FAILED && errno == EFAULT,
          "unmapped old range: EFAULT (%s)", strerror(errno));
    munmap(p, 2 * PAGE);
    munmap(b, PAGE);
    return 0;
}

/* Map (charged, untouched) until not one more page fits the commit. */
static void
fill_commit(void)
{
    for (long len = 64 * MIB; len >= PAGE; len /= 2)
        while (mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) !=
               MAP_FAILED)
            ;
}

/* Touch stack pages never touched before: each must be charged. */
static int __attribute__((noinline))
deep_stack(void)
{
    volatile char buf[512 * 1024];
    for (size_t i = 0; i < sizeof buf; i += PAGE)
        buf[i] = (char)i;
    return buf[PAGE];
}

/* Run as init (pid 1): a child fills the commit and exits a second later;
 * meanwhile init's stack grows, which cannot be charged. init must not be
 * killed (the node would stop): it waits until the child's exit frees
 * the memory, then goes on. */
static int
t_init_waits(void)
{
    int fds[2];
    char c = 0;
    CHECK(getpid() == 1, "must run as init, not pid %d", getpid());
    CHECK(pipe(fds) == 0, "pipe: %s", strerror(errno));
    pid_t pid = fork();
    CHECK(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        fill_commit();
        if (write(fds[1], "x", 1) != 1)
            _exit(1);
        sleep(1);
        _exit(0);
    }
    CHECK(read(fds[0], &c, 1) == 1, "the child did not fill the commit");
    deep_stack();
    int st = 0;
    CHECK(waitpid(pid, &st, 0) == pid && WIFEXITED(st), "child status 0x%x", st);
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(void);
    int only_by_name;   /* not run by default */
} checks[] = {
    { "mremap", t_mremap, 0 },
    { "malloc_enomem", t_malloc, 0 },
    { "brk_enomem", t_brk, 0 },
    { "mremap_enomem", t_mremap_enomem, 0 },
    { "fork_enomem", t_fork_enomem, 0 },
    { "noreserve_killed", t_noreserve_killed, 0 },
    { "noreserve_kernel_copy", t_noreserve_kernel_copy, 0 },
    { "init_waits", t_init_waits, 1 },
};

static int
wanted(size_t c, int argc, char **argv)
{
    if (argc < 2)
        return !checks[c].only_by_name;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], checks[c].name) == 0)
            return 1;
    return 0;
}

int
main(int argc, char **argv)
{
    int passed = 0, failed = 0;
    setvbuf(stdout, NULL, _IONBF, 0);
    pretouch_stack();
    for (size_t i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        if (!wanted(i, argc, argv))
            continue;
        why[0] = 0;
        if (checks[i].fn() == 0) {
            printf("memhog: PASS %s\n", checks[i].name);
            passed++;
        } else {
            printf("memhog: FAIL %s: %s\n", checks[i].name, why);
            failed++;
        }
    }
    printf("memhog: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
