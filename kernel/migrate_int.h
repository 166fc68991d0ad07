/*
 * Shared inside the migrate module only (migrate.c, migrate_src.c,
 * migrate_dst.c): the counters, the wire constants, and the calls
 * between the source and the requester's side.
 */
#pragma once
#include "kernel/migrate.h"
#include "kernel/wisp_abi.h"

/* Stream ops' context: u64 migration id, u32 round, u32 first page index. */
#define MIG_STREAM_CTX 16
/* Pages sent per stream call (the batch buffer). */
#define MIG_BATCH_PAGES 64
/* At most this many pages in one migration (a hostile list is refused). */
#define MIG_PAGES_MAX (1u << 20)
/* Pre-copy: rounds while the process runs, and the dirty count under
 * which the rest is sent frozen. */
#define MIG_PRECOPY_ROUNDS 4
#define MIG_PRECOPY_STOP 32

/* The counters (wisp_migstat); updated atomically. */
extern struct wisp_migstat migrate_stats;
#define MIG_COUNT(field, n) __atomic_add_fetch(&migrate_stats.field, (n), __ATOMIC_RELAXED)

/* The requester learns the result (0 or -errno) and drops its reference;
 * the process's reference is dropped too (migrate.c). */
void migrate_complete(struct mig_ctx *m, int result);
/* Policy: migrate=off on the command line refuses every offer. */
bool migrate_policy_off(void);
/* The target's periodic work (migrate_dst.c): drop incoming migrations
 * whose source went down or that stalled. */
void migrate_dst_gc(void);
/* recov told that node went down. */
void migrate_dst_node_down(int node);
/* Lazy processes whose pages were at node are ended (migrate_lazy.c). */
void migrate_lazy_node_down(int node);
/* The source: put a u64 big-endian. */
void migrate_put_be64(uint8_t *p, uint64_t v);
uint64_t migrate_get_be64(const uint8_t *p);
