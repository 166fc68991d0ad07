/*
 * Print the arguments separated by spaces and a newline; a leading -n (or
 * several) drops the newline. No escape processing (-e) and no other
 * options. The shell has no echo builtin, so every echo is this program.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

int
main(int argc, char **argv)
{
    int i = 1;
    int newline = 1;

    while (i < argc && strcmp(argv[i], "-n") == 0) {
        newline = 0;
        i++;
    }
    for (int first = i; i < argc; i++) {
        if (i > first)
            putchar(' ');
        fputs(argv[i], stdout);
    }
    if (newline)
        putchar('\n');
    if (fflush(stdout) != 0) {
        fprintf(stderr, "echo: write: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
