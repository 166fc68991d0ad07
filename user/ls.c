/*
 * List directories (sorted, one name per line, dot files only with -a) and
 * name files given as arguments. -l adds the mode string and the size.
 * Several arguments print "name:" headers as ls does. No colours, no
 * columns: the output is the same on a tty and in a pipe.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int opt_long;
static int opt_all;

static void
mode_string(mode_t m, char out[11])
{
    const char *rwx = "rwxrwxrwx";
    char t = '?';

    if (S_ISDIR(m))
        t = 'd';
    else if (S_ISREG(m))
        t = '-';
    else if (S_ISLNK(m))
        t = 'l';
    else if (S_ISCHR(m))
        t = 'c';
    else if (S_ISBLK(m))
        t = 'b';
    else if (S_ISFIFO(m))
        t = 'p';
    else if (S_ISSOCK(m))
        t = 's';
    out[0] = t;
    for (int i = 0; i < 9; i++)
        out[1 + i] = (m & (0400 >> i)) ? rwx[i] : '-';
    out[10] = '\0';
}

/* Print one entry; path is used for lstat, name is what is shown. */
static int
show(const char *path, const char *name)
{
    struct stat st;
    char mode[11];

    if (!opt_long) {
        printf("%s\n", name);
        return 0;
    }
    if (lstat(path, &st) != 0) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    mode_string(st.st_mode, mode);
    printf("%s %9lld %s\n", mode, (long long)st.st_size, name);
    return 0;
}

static int
cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
list_dir(const char *path)
{
    DIR *d = opendir(path);
    char **names = NULL;
    size_t n = 0;
    size_t cap = 0;
    struct dirent *e;
    int rc = 0;

    if (!d) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        return 1;
    }
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.' && !opt_all)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *names);
            if (!nn) {
                fprintf(stderr, "ls: %s: %s\n", path, strerror(ENOMEM));
                rc = 1;
                break;
            }
            names = nn;
        }
        names[n] = strdup(e->d_name);
        if (!names[n]) {
            rc = 1;
            break;
        }
        n++;
    }
    if (errno && !rc) {
        fprintf(stderr, "ls: %s: %s\n", path, strerror(errno));
        rc = 1;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_names);
    for (size_t i = 0; i < n; i++) {
        char full[4096];
        snprintf(full, sizeof full, "%s/%s", path, names[i]);
        rc |= show(full, names[i]);
        free(names[i]);
    }
    free(names);
    return rc;
}

int
main(int argc, char **argv)
{
    int i = 1;
    int rc = 0;

    for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        for (const char *p = argv[i] + 1; *p; p++) {
            if (*p == 'l')
                opt_long = 1;
            else if (*p == 'a')
                opt_all = 1;
            else if (*p != '1') {
                fprintf(stderr, "ls: unknown option -%c\nusage: ls [-la1] [PATH]...\n", *p);
                return 2;
            }
        }
    }
    if (i == argc)
        return list_dir(".");
    int many = argc - i > 1;
    for (int first = i; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "ls: %s: %s\n", argv[i], strerror(errno));
            rc = 1;
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            rc |= show(argv[i], argv[i]);
            continue;
        }
        if (many)
            printf("%s%s:\n", i > first ? "\n" : "", argv[i]);
        rc |= list_dir(argv[i]);
    }
    return rc;
}
