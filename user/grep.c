/*
 * A minimal grep for test scripts: fixed strings only (no regular
 * expressions), grep [-vcqx] STRING [FILE...]; -x matches whole lines
 * only. Exit 0 if a line was selected, 1 if none, 2 on error, as grep
 * does.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

static int opt_v;
static int opt_c;
static int opt_q;
static int opt_x;

static int
matches(const char *line, const char *pat)
{
    if (!opt_x)
        return strstr(line, pat) != NULL;
    size_t n = strlen(pat);
    return strncmp(line, pat, n) == 0 && (line[n] == '\n' || line[n] == '\0');
}

/* Number of selected lines in f, printing them unless -c/-q. */
static long
scan(FILE *f, const char *pat, const char *prefix)
{
    char line[4096];
    long count = 0;

    while (fgets(line, sizeof line, f)) {
        int hit = matches(line, pat);
        if (hit == opt_v)
            continue;
        count++;
        if (opt_q)
            return count;
        if (!opt_c) {
            if (prefix)
                printf("%s:", prefix);
            fputs(line, stdout);
            if (!strchr(line, '\n'))
                putchar('\n');
        }
    }
    return count;
}

int
main(int argc, char **argv)
{
    int i = 1;
    long total = 0;
    int err = 0;

    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *p = argv[i] + 1; *p; p++) {
            if (*p == 'v')
                opt_v = 1;
            else if (*p == 'c')
                opt_c = 1;
            else if (*p == 'q')
                opt_q = 1;
            else if (*p == 'x')
                opt_x = 1;
            else {
                fprintf(stderr, "usage: grep [-vcqx] STRING [FILE]...\n");
                return 2;
            }
        }
    }
    if (i >= argc) {
        fprintf(stderr, "usage: grep [-vcqx] STRING [FILE]...\n");
        return 2;
    }
    const char *pat = argv[i++];
    if (i == argc) {
        total = scan(stdin, pat, NULL);
        if (opt_c)
            printf("%ld\n", total);
    }
    int many = argc - i > 1;
    for (; i < argc; i++) {
        FILE *f = fopen(argv[i], "r");
        if (!f) {
            fprintf(stderr, "grep: %s: %s\n", argv[i], strerror(errno));
            err = 1;
            continue;
        }
        long c = scan(f, pat, many ? argv[i] : NULL);
        if (opt_c && many)
            printf("%s:%ld\n", argv[i], c);
        else if (opt_c)
            printf("%ld\n", c);
        total += c;
        fclose(f);
    }
    if (err && !(opt_q && total))
        return 2;
    return total ? 0 : 1;
}
