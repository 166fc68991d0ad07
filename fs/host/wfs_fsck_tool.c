/*
 * wisp-fsck [-n|-y] [-q] IMAGE: check a WFS image and, with -y, repair
 * it (docs/wfs.md "wisp-fsck"). -n (the default) changes nothing: even
 * the journal replay goes to memory. Exit status as e2fsck's: 0 clean,
 * 1 errors fixed, 4 errors left, 8 usage or operational error.
 */
#include <stdio.h>
#include <string.h>
#include "fs/host/wfs_filedev.h"

static void
report(void *arg, const char *line)
{
    bool quiet = *(bool *)arg;
    bool problem = strncmp(line, "problem:", 8) == 0 || strncmp(line, "fixed:", 6) == 0;
    if (!quiet || problem)
        printf("wisp-fsck: %s\n", line);
}

static int
usage(void)
{
    fprintf(stderr, "usage: wisp-fsck [-n|-y] [-q] IMAGE\n"
                    "  -n  check only, change nothing (default)\n"
                    "  -y  repair every problem found\n"
                    "  -q  print only problems\n"
                    "exit: 0 clean, 1 fixed, 4 errors left, 8 usage or I/O error\n");
    return 8;
}

int
main(int argc, char **argv)
{
    bool fix = false, quiet = false;
    const char *image = NULL;
    struct wfs_dev dev;

    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-n") == 0)
            fix = false;
        else if (strcmp(argv[i], "-y") == 0)
            fix = true;
        else if (strcmp(argv[i], "-q") == 0)
            quiet = true;
        else if (argv[i][0] == '-' || image)
            return usage();
        else
            image = argv[i];
    }
    if (!image)
        return usage();
    int err = wfs_filedev_open(&dev, image, !fix);
    if (err) {
        fprintf(stderr, "wisp-fsck: %s: %s\n", image, strerror(-err));
        return 8;
    }
    if (!fix)
        wfs_filedev_overlay(&dev);
    int r = wfs_fsck(&dev, fix ? WFS_FSCK_FIX : 0, report, &quiet);
    wfs_filedev_close(&dev);
    if (!quiet || r)
        printf("wisp-fsck: %s: %s\n", image,
               r == 0 ? "clean" : r == 1 ? "errors fixed" : r & 8 ? "cannot check" : "errors left");
    return r;
}
