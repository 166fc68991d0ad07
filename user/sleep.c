/*
 * Sleep for the sum of the arguments, in seconds (fractions allowed, e.g.
 * "sleep 0.25"), with nanosleep, resuming after signals that are handled.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

int
main(int argc, char **argv)
{
    double total = 0;

    if (argc < 2) {
        fprintf(stderr, "usage: sleep SECONDS...\n");
        return 1;
    }
    for (int i = 1; i < argc; i++) {
        char *end;
        errno = 0;
        double d = strtod(argv[i], &end);
        if (end == argv[i] || *end != '\0' || errno || d < 0 || d != d) {
            fprintf(stderr, "sleep: %s: invalid time interval\n", argv[i]);
            return 1;
        }
        total += d;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)total;
    ts.tv_nsec = (long)((total - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L)
        ts.tv_nsec = 999999999L;
    while (nanosleep(&ts, &ts) != 0) {
        if (errno != EINTR) {
            fprintf(stderr, "sleep: nanosleep: %s\n", strerror(errno));
            return 1;
        }
    }
    return 0;
}
