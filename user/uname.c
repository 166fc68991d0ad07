/*
 * uname: print system information (uname(2)). Options -s -n -r -v -m -a as
 * POSIX says; with none, -s. On Wisp the node name is "nodeN".
 */
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

int
main(int argc, char **argv)
{
    struct utsname u;
    int s = 0, n = 0, r = 0, v = 0, m = 0, opt;

    while ((opt = getopt(argc, argv, "snrvma")) != -1) {
        switch (opt) {
        case 's': s = 1; break;
        case 'n': n = 1; break;
        case 'r': r = 1; break;
        case 'v': v = 1; break;
        case 'm': m = 1; break;
        case 'a': s = n = r = v = m = 1; break;
        default:
            fprintf(stderr, "usage: uname [-snrvma]\n");
            return 2;
        }
    }
    if (!(s | n | r | v | m))
        s = 1;
    if (uname(&u) != 0) {
        perror("uname");
        return 1;
    }
    const char *f[] = { s ? u.sysname : NULL, n ? u.nodename : NULL, r ? u.release : NULL,
                        v ? u.version : NULL, m ? u.machine : NULL };
    int first = 1;
    for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
        if (!f[i])
            continue;
        printf(first ? "%s" : " %s", f[i]);
        first = 0;
    }
    printf("\n");
    return 0;
}
