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
/* Pages sent per stream call of the lazy push (the batch buffer). */
#define MIG_BATCH_PAGES 64
/* GO (the one-shot request: offer, state, list, first pages) and PIECE
 * (pages with their addresses) flags, headers and sizes: docs/migration.md. */
#define MIG_GO_OFFER 1u       /* open the record (the offer) */
#define MIG_GO_PREPARE 2u     /* then build the process (the last message) */
#define MIG_GO_HDR 52         /* u64 id, 5 u32, u64 pages, 4 u32 */
#define MIG_PIECE_HDR 16      /* u64 id, u32 flags, u32 pages */
#define MIG_PIECE_PAGES 15    /* pages (and their addresses) in one PIECE */
#define MIG_PAGE_REC 16       /* a page's record: u64 va, u32 first byte, u32 bytes */
#define MIG_SENDERS 4         /* PIECE calls in flight (threads sending) */
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
/* migrate_trace=1: each move prints its phases' times (kernel clock) on
 * the console, at the source and at the target (docs/migration.md). */
bool migrate_tracing(void);
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

/* ---- sending pages (kernel/migrate_send.c) ---- */
/* Send pages va[0..n) (frames pa) as PIECEs to m->target, MIG_SENDERS in
 * flight; the last with flags. 0 or the first error. Sleeps. */
int migrate_send_pages(struct mig_ctx *m, const uint64_t *va, const uint64_t *pa, size_t n,
                       uint32_t flags);
/* Put the records of pages va[0..n) (frames pa) at dst[0..cap) while they
 * fit: each is the address, the range of its bytes that are not zero
 * (leading and trailing zero words are left out), and those bytes. The
 * count put; *len: the bytes. */
size_t migrate_put_pages(uint8_t *dst, size_t cap, const uint64_t *va, const uint64_t *pa,
                         size_t n, size_t *len);
/* True when migrate_delay= names phase (the one-shot request must then
 * stop there: a test kills the target at it). */
bool migrate_test_delay_at(const char *phase);
