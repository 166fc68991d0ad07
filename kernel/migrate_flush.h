/*
 * The flush migration strategy (kernel/migrate_flush.c; docs/migration.md
 * "Strategies"): pages through a backing file on the file server.
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

struct mig_ctx;
struct proc;
struct vm;

struct migrate_flush_stats {
    uint64_t out, in;                   /* migrations flushed from / adopted at this node */
    uint64_t pages_written;             /* source: pages written to backing files */
    uint64_t pages_faulted, pages_pulled;   /* target: read on a fault / in the background */
    uint64_t files_removed;             /* backing files removed once read whole */
};

/* Source, frozen: write m's picked pages to the backing file of m->id. */
int  migrate_flush_out(struct mig_ctx *m);
/* Source: the migration was not committed; the file goes. */
void migrate_flush_abort(struct mig_ctx *m);
/* Target, at RESUME: p's pages are in the backing file of id, in the order
 * of list (n big-endian addresses). 0, -ENOMEM, -EAGAIN (table full),
 * -EBADMSG. */
int  migrate_flush_adopt(uint64_t id, struct proc *p, const void *list, size_t n);
/* A fault at va of a marked address space: 0 handled (or the process is
 * being ended), 1 not a flushed page. Sleeps. */
int  migrate_flush_fault(struct vm *vm, uint64_t va);
/* The address space goes (exit, exec). */
void migrate_flush_vm_gone(struct vm *vm);
void migrate_flush_get_stats(struct migrate_flush_stats *out);
