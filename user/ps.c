/*
 * ps [-c]: list processes, sorted by pid, as "PID PPID HOME NODE S CMD".
 * HOME is the node the process was born on (its pid's high bits), NODE
 * the node it runs on now (docs/home.md). Without -c: this node's table,
 * which holds the processes running here and, with state A, the ones born
 * here that run elsewhere. With -c: every process of the cluster, asked
 * of each up node (WISP_SYS_PROC_LIST), each listed once, by the node
 * that runs it. CMD is the command line, or [name] when it is empty.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "wisp.h"

#define MAXP 256
#define MAXN 64

static int
cmp_pid(const void *a, const void *b)
{
    const struct wisp_proc *x = a, *y = b;
    return (x->pid > y->pid) - (x->pid < y->pid);
}

static void
show(const struct wisp_proc *p)
{
    const char *cmd = p->cmdline;
    char name[32];
    if (!cmd[0]) {
        snprintf(name, sizeof name, "[%s]", p->name);
        cmd = name;
    }
    printf("%5d %5d %4d %4d %c %s\n", p->pid, p->ppid, p->home, p->node, p->state, cmd);
}

/* Append node's table to all[*n]. */
static int
gather(long node, struct wisp_proc *all, int *n, int cap)
{
    struct wisp_proc *buf = malloc(MAXP * sizeof *buf);
    if (!buf)
        return -1;
    long k = wisp_proc_list(node, buf, MAXP);
    if (k < 0) {
        fprintf(stderr, "ps: node %ld: %s\n", node, strerror(errno));
        free(buf);
        return -1;
    }
    for (long i = 0; i < k && *n < cap; i++)
        all[(*n)++] = buf[i];
    free(buf);
    return 0;
}

/* ps -c: one line per process, from the node that runs it, with the
 * parent its home knows (a process running away from home has no parent
 * where it runs). */
static int
merge(struct wisp_proc *all, int n)
{
    int m = 0;
    for (int i = 0; i < n; i++) {
        if (all[i].state != 'A')
            continue;
        for (int j = 0; j < n; j++)
            if (all[j].pid == all[i].pid && all[j].state != 'A')
                all[j].ppid = all[i].ppid;
    }
    for (int i = 0; i < n; i++)
        if (all[i].state != 'A')
            all[m++] = all[i];
    return m;
}

int
main(int argc, char **argv)
{
    int cluster = argc > 1 && strcmp(argv[1], "-c") == 0;
    int cap = cluster ? MAXP * 8 : MAXP, n = 0, rc = 0;
    struct wisp_proc *all = malloc(cap * sizeof *all);
    if (!all)
        return 1;
    if (!cluster) {
        if (gather(-1, all, &n, cap) < 0)
            return 1;
    } else {
        struct wisp_node nodes[MAXN];
        long k = wisp_nodes(nodes, MAXN);
        if (k < 0)
            k = 0;
        if (k == 0 && gather(-1, all, &n, cap) < 0)
            rc = 1;
        for (long i = 0; i < k; i++)
            if (nodes[i].state == WISP_NODE_UP && gather(nodes[i].node, all, &n, cap) < 0)
                rc = 1;
        n = merge(all, n);
    }
    qsort(all, n, sizeof *all, cmp_pid);
    printf("%5s %5s %4s %4s S CMD\n", "PID", "PPID", "HOME", "NODE");
    for (int i = 0; i < n; i++)
        show(&all[i]);
    free(all);
    return rc;
}
