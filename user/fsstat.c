/*
 * fsstat: the shared file system's counters on this node (struct
 * wisp_fsstat, kernel/wisp_abi.h; docs/fs.md "Shared file system"): the
 * client cache's hits and misses, blocks fetched, bytes written back, the
 * server's callbacks answered, requests sent by kind; and, on the file
 * server, requests served by kind and its consistency actions. One
 * "name value" per line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "wisp.h"

static const char *ops[WISP_FSSTAT_OPS] = {
    "?", "walk", "open", "create", "close", "read", "write", "getattr", "setattr", "remove",
    "mkdir", "symlink", "link", "rename", "readlink", "readdir", "fsync", "statfs", "recall",
    "disable",
};

static void
line(const char *name, uint64_t v)
{
    printf("%-22s %llu\n", name, (unsigned long long)v);
}

int
main(void)
{
    struct wisp_fsstat s;
    char name[40];
    memset(&s, 0, sizeof(s));
    if (wisp_fsstat(&s, sizeof(s)) < 0) {
        fprintf(stderr, "fsstat: %s\n", strerror(errno));
        return 1;
    }
    line("cache_hits", s.hits);
    line("cache_misses", s.misses);
    line("fetched_blocks", s.fetched_blocks);
    line("written_back_bytes", s.written_back);
    line("recalls_answered", s.recalled);
    line("disables_answered", s.disabled);
    line("cache_blocks", s.cache_blocks);
    line("cache_dirty", s.cache_dirty);
    line("cache_max", s.cache_max);
    line("dropped_unsent", s.dropped_unsent);
    for (int i = 1; i < WISP_FSSTAT_OPS; i++) {
        snprintf(name, sizeof(name), "sent_%s", ops[i]);
        line(name, s.sent[i]);
    }
    line("sent_steps", s.steps_sent);
    line("ahead_used", s.ahead_used);
    line("ahead_dropped", s.ahead_dropped);
    line("sticky_kept", s.sticky_kept);
    line("sticky_taken", s.sticky_taken);
    line("closes_behind", s.closes_behind);
    line("closes_queue_full", s.closes_queue_full);
    line("preopens_taken", s.preopens_taken);
    line("preopens_unused", s.preopens_unused);
    line("closes_moot", s.closes_moot);
    if (!s.serving)
        return 0;
    for (int i = 1; i < WISP_FSSTAT_OPS; i++) {
        snprintf(name, sizeof(name), "served_%s", ops[i]);
        line(name, s.served[i]);
    }
    line("served_steps", s.served_steps);
    line("server_errors", s.srv_errors);
    line("server_bad_requests", s.srv_bad);
    line("server_recalls", s.srv_recalls);
    line("server_disables", s.srv_disables);
    line("server_callback_failures", s.srv_callback_failures);
    line("server_bytes_read", s.srv_bytes_read);
    line("server_bytes_written", s.srv_bytes_written);
    line("server_open_files", s.srv_open_files);
    return 0;
}
