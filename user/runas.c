/*
 * runas UID CMD [ARGS...]: run CMD with real, effective and saved user
 * and group ids UID and no supplementary groups (a test tool for Wisp's
 * credentials: only root may do this).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: runas UID CMD [ARGS...]\n");
        return 2;
    }
    uid_t id = (uid_t)strtoul(argv[1], NULL, 10);
    if (setgroups(0, NULL) < 0 || setresgid(id, id, id) < 0 || setresuid(id, id, id) < 0) {
        fprintf(stderr, "runas: %s\n", strerror(errno));
        return 1;
    }
    execvp(argv[2], argv + 2);
    fprintf(stderr, "runas: %s: %s\n", argv[2], strerror(errno));
    return 127;
}
