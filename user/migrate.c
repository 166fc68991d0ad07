/*
 * migrate: move a process to another node and print the phases.
 *   migrate PID NODE [direct|precopy|lazy|flush]
 *   migrate stat          this node's migration counters (wisp_migstat)
 *   migrate probe NODE    send NODE stale and malformed migration messages;
 *                         prints how many it refused (a test)
 * The call returns once the process runs at NODE (or has failed and goes
 * on where it was). Times are the kernel's, per phase (docs/migration.md).
 * The call acts on a process running on this node; for one that runs
 * elsewhere, migrate asks the process's home where it runs and runs itself
 * there with rexec (its output still comes here), so `migrate PID NODE`
 * works from any node.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include "wisp.h"

extern char **environ;

static const char *const phases[WISP_MIG_NPHASE] = { "negotiate", "freeze", "transfer",
                                                      "commit", "resume" };
static const char *const strategies[] = { "direct", "precopy", "lazy", "flush" };

#define F(x) { #x, offsetof(struct wisp_migstat, x) }
static const struct {
    const char *name;
    size_t off;
} fields[] = {
    F(out), F(in), F(refused), F(refused_by_peer), F(failed), F(aborted), F(stale),
    F(malformed), F(pages_sent), F(bytes_sent), F(pages_resent), F(pages_received), F(evicted),
    F(lazy_fetches),
};

static int
stat(void)
{
    struct wisp_migstat s;
    memset(&s, 0, sizeof(s));
    if (wisp_migstat(&s, sizeof(s)) < 0) {
        fprintf(stderr, "migrate: %s\n", strerror(errno));
        return 1;
    }
    _Static_assert(sizeof(fields) / sizeof(fields[0]) * 8 == sizeof(struct wisp_migstat),
                   "every counter is printed");
    for (size_t i = 0; i < sizeof(fields) / sizeof(fields[0]); i++) {
        uint64_t v;
        memcpy(&v, (const char *)&s + fields[i].off, sizeof(v));
        printf("%-16s %llu\n", fields[i].name, (unsigned long long)v);
    }
    return 0;
}

void
migrate_print(const struct wisp_migrate *st)
{
    printf("migrated pid %d: node %d -> node %d (%s)\n", st->pid, st->source, st->target,
           st->strategy >= 0 && st->strategy < 4 ? strategies[st->strategy] : "?");
    for (int i = 0; i < WISP_MIG_NPHASE; i++)
        printf("  %-10s %8.3f ms\n", phases[i], st->ns[i] / 1e6);
    printf("  pages %llu, bytes %llu, resent %llu, downtime %.3f ms\n",
           (unsigned long long)st->pages, (unsigned long long)st->bytes,
           (unsigned long long)st->pages_resent, st->downtime_ns / 1e6);
    /* The one-line form scripts/bench_migrate.py reads (docs/experiments.md). */
    uint64_t total = 0;
    for (int i = 0; i < WISP_MIG_NPHASE; i++)
        total += st->ns[i];
    printf("migrate: pid %d node %d->%d strategy %s total_us %llu", st->pid, st->source,
           st->target, st->strategy >= 0 && st->strategy < 4 ? strategies[st->strategy] : "?",
           (unsigned long long)(total / 1000));
    static const char *const keys[WISP_MIG_NPHASE] = { "negotiate_us", "freeze_us",
                                                       "transfer_us", "commit_us", "resume_us" };
    for (int i = 0; i < WISP_MIG_NPHASE; i++)
        printf(" %s %llu", keys[i], (unsigned long long)(st->ns[i] / 1000));
    printf(" pages %llu bytes %llu resent %llu downtime_us %llu\n", (unsigned long long)st->pages,
           (unsigned long long)st->bytes, (unsigned long long)st->pages_resent,
           (unsigned long long)(st->downtime_ns / 1000));
}

/* The node pid runs on, from its home's table; -1 when it is here, unknown
 * or gone. (A pid holds its home node in bits 20 and up.) */
static int
runs_on(int pid)
{
    static struct wisp_proc procs[256];
    struct wisp_info self;
    memset(&self, 0, sizeof(self));
    if (pid <= 0 || wisp_info(&self, sizeof(self)) < 0)
        return -1;
    long n = wisp_proc_list(pid >> 20, procs, 256);
    for (long i = 0; i < n; i++)
        if (procs[i].pid == pid && procs[i].state != 'Z')
            return procs[i].node == self.node ? -1 : procs[i].node;
    return -1;
}

/* Run this same command on node, where the process runs; its status. */
static int
migrate_there(int node, char **argv)
{
    long child = wisp_rexec(node, "/bin/migrate", argv, environ);
    if (child < 0) {
        fprintf(stderr, "migrate: rexec to node %d: %s\n", node, strerror(errno));
        return 1;
    }
    int status = 0;
    if (waitpid((int)child, &status, 0) < 0)
        return 1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

int
main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "stat") == 0)
        return stat();
    if (argc == 3 && strcmp(argv[1], "probe") == 0) {
        long n = wisp_migprobe(strtol(argv[2], NULL, 0));
        if (n < 0) {
            fprintf(stderr, "migrate: probe: %s\n", strerror(errno));
            return 1;
        }
        printf("probe: %ld refused\n", n);
        return 0;
    }
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: migrate PID NODE [direct|precopy|lazy|flush] | migrate stat\n");
        return 2;
    }
    long strategy = -1;
    for (int i = 0; argc == 4 && i < 4; i++)
        if (strcmp(argv[3], strategies[i]) == 0)
            strategy = i;
    if (argc == 4 && strategy < 0) {
        fprintf(stderr, "migrate: unknown strategy '%s'\n", argv[3]);
        return 2;
    }
    long pid = strtol(argv[1], NULL, 0), node = strtol(argv[2], NULL, 0);
    struct wisp_migrate st;
    memset(&st, 0, sizeof(st));
    long r = wisp_migrate(pid, node, strategy, &st);
    if (r < 0 && errno == ESRCH) {
        int where = runs_on((int)pid);
        if (where >= 0)
            return migrate_there(where, argv);
        errno = ESRCH;
    }
    if (r < 0) {
        fprintf(stderr, "migrate: pid %ld to node %ld: %s\n", pid, node, strerror(errno));
        return 1;
    }
    migrate_print(&st);
    return 0;
}
