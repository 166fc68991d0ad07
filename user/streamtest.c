/*
 * Tests of streams across nodes (docs/fs.md "Streams across nodes"); the
 * programs run on other nodes are started with rexec (user/rexec.c), which
 * passes the caller's streams.
 *
 *   streamtest stat                     this node's export counters
 *   streamtest share NODE N             a /tmp file's one description
 *       written in turn by this process and by `streamtest pong` on NODE
 *       (turns passed through two pipes across the nodes), N lines each;
 *       checks the file reads A0 B0 A1 B1 ... (one shared offset)
 *   streamtest pong N                   the other side of share (fds 3: the
 *       file, 4: turns in, 5: turns out)
 *   streamtest readerr FILE             read stdin until an error or EOF;
 *       write "eof", or "error ERRNO" into FILE (a file of its own node)
 *   streamtest ioctl                    stdin's tty ioctls: TCGETS,
 *       TIOCGWINSZ, TCSETS round trip, FIONREAD; prints "ioctl ok"
 *   streamtest seek                     lseek/fstat on stdin (a file)
 *   streamtest poll                     poll and select on stdin (a pipe that
 *       gets a line after a while): nothing ready at first, then POLLIN;
 *       prints "poll ok: LINE"
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/select.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>
#include "lib/wisp.h"

/* Start PROG on node with this process's streams (rexec's call) and wait
 * for it: 0 when it exited 0. */
static int
run(long node, char **argv)
{
    extern char **environ;
    long pid = wisp_rexec(node, argv[0], argv, environ);
    if (pid < 0) {
        fprintf(stderr, "streamtest: rexec %s on %ld: %s\n", argv[0], node, strerror(errno));
        return 1;
    }
    int st;
    while (waitpid((pid_t)pid, &st, 0) < 0)
        if (errno != EINTR)
            return 1;
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : 1;
}

static int
stat_cmd(void)
{
    struct wisp_streamstat s;
    if (wisp_streamstat(&s, sizeof(s)) < 0) {
        perror("streamstat");
        return 1;
    }
    printf("exports %llu\nrefs %llu\nrows %llu\ndropped %llu\nbad %llu\nserved %llu\n"
           "imports %llu\n",
           (unsigned long long)s.exports, (unsigned long long)s.refs,
           (unsigned long long)s.rows, (unsigned long long)s.dropped,
           (unsigned long long)s.bad, (unsigned long long)s.served,
           (unsigned long long)s.imports);
    return 0;
}

static int
turn_wait(int fd)
{
    char c;
    return read(fd, &c, 1) == 1 ? 0 : -1;
}

static int
pong(int n)
{
    char line[32];
    for (int i = 0; i < n; i++) {
        if (turn_wait(4) != 0) {
            fprintf(stderr, "pong: turn %d: %s\n", i, strerror(errno));
            return 1;
        }
        int len = snprintf(line, sizeof(line), "B%d\n", i);
        if (write(3, line, (size_t)len) != len || write(5, "t", 1) != 1) {
            fprintf(stderr, "pong: write %d: %s\n", i, strerror(errno));
            return 1;
        }
    }
    return 0;
}

/* Put fd at want (not close-on-exec), returning want. */
static void
place(int fd, int want)
{
    if (fd != want) {
        dup2(fd, want);
        close(fd);
    }
}

static int
check_share(int n)
{
    FILE *f = fopen("/tmp/streamtest.share", "r");
    char line[32], want[32];
    for (int i = 0; f && i < 2 * n; i++) {
        snprintf(want, sizeof(want), "%c%d\n", i % 2 ? 'B' : 'A', i / 2);
        if (!fgets(line, sizeof(line), f) || strcmp(line, want) != 0) {
            printf("share: line %d is '%s', not '%s'\n", i, line, want);
            return 1;
        }
    }
    if (!f)
        return 1;
    fclose(f);
    printf("share ok: %d lines\n", 2 * n);
    return 0;
}

static int
share(long node, int n)
{
    int to[2], from[2];
    int fd = open("/tmp/streamtest.share", O_RDWR | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || pipe(to) || pipe(from))
        return 1;
    pid_t c = fork();
    if (c == 0) {
        /* The runner's child hands fds 3, 4, 5 to pong on node. */
        close(to[1]);
        close(from[0]);
        int a = dup(fd), b = dup(to[0]), w = dup(from[1]);   /* above 3..5 */
        close(fd);
        close(to[0]);
        close(from[1]);
        place(a, 3);
        place(b, 4);
        place(w, 5);
        char nbuf[16];
        snprintf(nbuf, sizeof(nbuf), "%d", n);
        char *args[] = { "/bin/streamtest", "pong", nbuf, NULL };
        _exit(run(node, args));
    }
    close(to[0]);
    close(from[1]);
    char line[32];
    for (int i = 0; i < n; i++) {
        int len = snprintf(line, sizeof(line), "A%d\n", i);
        if (write(fd, line, (size_t)len) != len || write(to[1], "t", 1) != 1 ||
            turn_wait(from[0]) != 0) {
            printf("share: turn %d failed: %s\n", i, strerror(errno));
            return 1;
        }
    }
    off_t off = lseek(fd, 0, SEEK_CUR);
    printf("share: offset %lld\n", (long long)off);
    int st;
    waitpid(c, &st, 0);
    return check_share(n);
}

static int
readerr(const char *path)
{
    char buf[256];
    long r;
    while ((r = read(0, buf, sizeof(buf))) > 0)
        ;
    FILE *f = fopen(path, "w");
    if (!f)
        return 1;
    if (r == 0)
        fprintf(f, "eof\n");
    else
        fprintf(f, "error %d %s\n", errno, strerror(errno));
    fclose(f);
    return 0;
}

static int
ioctl_cmd(void)
{
    struct termios t, t2;
    struct winsize ws;
    int n = -1;
    if (tcgetattr(0, &t) != 0 || ioctl(0, TIOCGWINSZ, &ws) != 0) {
        printf("ioctl: %s\n", strerror(errno));
        return 1;
    }
    t2 = t;
    t2.c_lflag &= ~(tcflag_t)ECHO;
    if (tcsetattr(0, TCSANOW, &t2) != 0 || tcgetattr(0, &t2) != 0 || (t2.c_lflag & ECHO) ||
        tcsetattr(0, TCSANOW, &t) != 0 || ioctl(0, FIONREAD, &n) != 0) {
        printf("ioctl: set/get: %s\n", strerror(errno));
        return 1;
    }
    printf("ioctl ok: %dx%d isatty %d\n", ws.ws_row, ws.ws_col, isatty(1));
    return 0;
}

static int
seek_cmd(void)
{
    struct stat st;
    char buf[4];
    if (fstat(0, &st) != 0 || read(0, buf, 4) != 4) {
        printf("seek: %s\n", strerror(errno));
        return 1;
    }
    off_t here = lseek(0, 0, SEEK_CUR);
    off_t end = lseek(0, 0, SEEK_END);
    printf("seek: size %lld at %lld end %lld\n", (long long)st.st_size, (long long)here,
           (long long)end);
    return 0;
}

static int
poll_cmd(void)
{
    struct pollfd p = { .fd = 0, .events = POLLIN };
    int early = poll(&p, 1, 50);
    int n = poll(&p, 1, 60000);
    fd_set rd;
    FD_ZERO(&rd);
    FD_SET(0, &rd);
    struct timeval tv = { 60, 0 };
    int s = select(1, &rd, NULL, NULL, &tv);
    char line[64] = "";
    ssize_t r = read(0, line, sizeof(line) - 1);
    if (early != 0 || n != 1 || !(p.revents & POLLIN) || s != 1 || !FD_ISSET(0, &rd) || r <= 0) {
        printf("poll: early %d, then %d (revents %#x), select %d\n", early, n, p.revents, s);
        return 1;
    }
    line[strcspn(line, "\n")] = '\0';
    printf("poll ok: %s\n", line);
    return 0;
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "stat") == 0)
        return stat_cmd();
    if (argc == 4 && strcmp(argv[1], "share") == 0)
        return share(atol(argv[2]), atoi(argv[3]));
    if (argc == 3 && strcmp(argv[1], "pong") == 0)
        return pong(atoi(argv[2]));
    if (argc == 3 && strcmp(argv[1], "readerr") == 0)
        return readerr(argv[2]);
    if (argc == 2 && strcmp(argv[1], "ioctl") == 0)
        return ioctl_cmd();
    if (argc == 2 && strcmp(argv[1], "seek") == 0)
        return seek_cmd();
    if (argc == 2 && strcmp(argv[1], "poll") == 0)
        return poll_cmd();
    fprintf(stderr, "usage: streamtest stat | share NODE N | pong N |"
                    " readerr FILE | ioctl | seek | poll\n");
    return 2;
}
