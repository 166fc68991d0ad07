/*
 * The client block cache of the shared file system (DESIGN.md section 6;
 * docs/fs.md "Client block cache"). Blocks of 4096 bytes of remote files,
 * named by (file, block number), each in a frame of its own; bounded (a
 * number of blocks, from the command line), least recently used first out,
 * never a referenced or dirty block. Dirty blocks remember when they were
 * first dirtied, for Sprite's delayed write-back (30 s by default), and a
 * generation, so a block dirtied again while it was being written back
 * stays dirty.
 *
 * SYNCHRONIZATION: one spinlock per cache guards the index, the LRU list,
 * the reference counts and the dirty state. A block's bytes are not
 * guarded here: the caller holds the file's lock (or a reference and its
 * own rule) while it reads or fills them. Nothing here sleeps or talks to
 * the network: the caller writes back and fetches, then tells the cache.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

#define FSCACHE_BLOCK 4096u

struct fscache_block {
    uint64_t file, bno;           /* the key: a file's id at the client, block number */
    uint64_t pa;                  /* its frame */
    uint32_t refs;
    bool dirty;
    bool filled;                  /* the caller has put the block's bytes in */
    uint64_t dirtied_ns;          /* when it went from clean to dirty */
    uint64_t gen;                 /* bumped at every fscache_dirty */
    struct fscache_block *hnext;  /* hash chain */
    struct fscache_block *lprev, *lnext;   /* LRU list, most recent first */
};

struct fscache_stats {
    uint64_t hits, misses, evictions, dirtied, cleaned, dropped;
    uint32_t blocks, dirty_blocks, max_blocks;
};

struct fscache;

/* A cache of at most max_blocks blocks (at least 1). NULL without memory. */
struct fscache *fscache_new(uint32_t max_blocks);
/* Frees every block; none may be referenced or dirty. */
void fscache_destroy(struct fscache *c);

/* The block (file, bno), referenced, or NULL if it is not cached (counted
 * as a hit or a miss). */
struct fscache_block *fscache_get(struct fscache *c, uint64_t file, uint64_t bno);

/* A block for (file, bno), referenced: the cached one if there is one,
 * else a new one, not `filled` (the caller fetches its bytes and sets
 * `filled` under the file's lock). A new block may evict the least recently
 * used unreferenced clean block. -EAGAIN when the cache is full of dirty
 * or referenced blocks (write some back and retry), -ENOMEM without a frame. */
int fscache_add(struct fscache *c, uint64_t file, uint64_t bno, struct fscache_block **out);

/* Drops a reference. */
void fscache_put(struct fscache *c, struct fscache_block *b);

/* Its bytes in the kernel's address space. */
void *fscache_data(const struct fscache_block *b);

/* The caller changed the (referenced) block's bytes at time `now_ns`. */
void fscache_dirty(struct fscache *c, struct fscache_block *b, uint64_t now_ns);

/* Up to `max` dirty blocks, referenced, oldest first: of `file` (or of every
 * file when `any`), dirtied at or before `before_ns` (UINT64_MAX: all).
 * gens[i] is the generation to hand back to fscache_cleaned. Returns how
 * many were put in `out`. */
unsigned fscache_take_dirty(struct fscache *c, bool any, uint64_t file, uint64_t before_ns,
                            struct fscache_block **out, uint64_t *gens, unsigned max);

/* Sorts the first n of blk[], and gens[] with it, by the time each was
 * dirtied (oldest first) or by block number. */
enum fscache_order { FSCACHE_BY_AGE, FSCACHE_BY_BNO };
void fscache_sort(struct fscache_block **blk, uint64_t *gens, unsigned n, enum fscache_order by);

/* The block's bytes as of generation `gen` reached the server: clean unless
 * dirtied again since. Drops the reference fscache_take_dirty took. */
void fscache_cleaned(struct fscache *c, struct fscache_block *b, uint64_t gen);

/* Drops every unreferenced block of `file` at or after block `from` (0: the
 * whole file), dirty ones too (truncated away, or written back by the
 * caller first). Returns how many referenced blocks were left in place. */
unsigned fscache_drop(struct fscache *c, uint64_t file, uint64_t from);

/* Whether any block of `file` is dirty. */
bool fscache_has_dirty(struct fscache *c, uint64_t file);

void fscache_get_stats(struct fscache *c, struct fscache_stats *out);
