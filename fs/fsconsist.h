/*
 * Sprite's cache consistency, the file server's side (NWO88; DESIGN.md
 * section 6; docs/fs.md "Cache consistency"). One `struct fsconsist_file`
 * per file the server has seen opened holds who has it open, how, who
 * may still hold dirty blocks of it, its version and whether it may be
 * cached. The calls below only decide: they return what the server must
 * do (recall dirty blocks from a client, tell clients to stop caching)
 * before it answers, and the server does it with its RPCs. Pure logic,
 * no locks (the server holds the file's lock around every call), host-
 * tested with a model of clients, caches and the server
 * (fs/fsconsist_test.c).
 *
 * The rules:
 *  - every open and close goes to the server;
 *  - an open for writing bumps the version; a client keeps its cached
 *    blocks of a file only while the version it cached them under is the
 *    current one (open for reading) or the one just replaced (open for
 *    writing: nobody else wrote in between, or it would not be current);
 *  - sequential write-sharing: the client that last had the file open for
 *    writing may still hold dirty blocks (delayed write-back); when
 *    another client opens the file, the server first recalls them;
 *  - concurrent write-sharing (the file open on two or more clients, one
 *    of them writing): caching is turned off on every client that has the
 *    file open (they write back and drop what they cached) and stays off
 *    until the file is closed everywhere; meanwhile every read and write
 *    goes to the server;
 *  - a stream moved by migration is an open at the target and a close at
 *    the source (the source writes back first);
 *  - a client that goes down loses its opens; if it was the last writer,
 *    the blocks it had not written back are lost with it (as in Sprite).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

enum {
    FSCONSIST_READ = 1,
    FSCONSIST_WRITE = 2,
};

#define FSCONSIST_NONE (-1)       /* no node */

/* One client that has the file open. */
struct fsconsist_client {
    int16_t node;
    uint16_t readers;             /* opens for reading only */
    uint16_t writers;             /* opens that include writing */
};

struct fsconsist_file {
    uint64_t version;             /* bumped at every open for writing */
    int16_t last_writer;          /* node that may hold dirty blocks, or NONE */
    bool uncacheable;             /* concurrent write-sharing in effect */
    uint16_t nclients, cap;
    struct fsconsist_client *clients;   /* kmalloc'd, grows */
    /* counters, for fsstat */
    uint32_t recalls, disables;
};

/* What the server must do before it answers an open. `recall` writes back
 * the dirty blocks of the file a node holds (it keeps them, clean);
 * `disable` nodes write back, drop every cached block of the file, and
 * send their later reads and writes of it to the server. A node is in at
 * most one of the two. The arrays have room for every node that has the
 * file open; `ndisable` says how many are used. */
struct fsconsist_actions {
    int16_t recall;               /* node, or NONE */
    uint16_t ndisable;
    int16_t *disable;             /* room for ncap entries, caller's memory */
    uint16_t ncap;
};

/* What the opening client is told. */
struct fsconsist_reply {
    uint64_t version;             /* the file's version after this open */
    uint64_t prev;                /* the version before it (== version for reads) */
    bool cacheable;
};

/* A fresh record (version 1, nobody has it open). */
void fsconsist_init(struct fsconsist_file *f);
/* Frees the client list; the record must be unused (no client has it open). */
void fsconsist_free(struct fsconsist_file *f);

/* `node` opens the file with `mode` (READ, WRITE or both). Fills `act`
 * (its `disable` array needs room for fsconsist_nclients(f) entries) and
 * `rep`. -EINVAL for a bad mode or node, -ENOMEM if the client list cannot
 * grow, -EOVERFLOW past 65535 opens by one node: then nothing changed. */
int fsconsist_open(struct fsconsist_file *f, int node, unsigned mode,
                   struct fsconsist_actions *act, struct fsconsist_reply *rep);

/* `node` closes one open made with `mode`. -ENOENT if it has no such open
 * (a forged or repeated close): nothing changes. */
int fsconsist_close(struct fsconsist_file *f, int node, unsigned mode);

/* `node` reports that it holds no dirty block of the file any more (its
 * delayed write-back ran, or a recall was answered). While it still has
 * the file open for writing (and caches it) it stays the last writer. */
void fsconsist_written_back(struct fsconsist_file *f, int node);

/* `node` went down: its opens are gone, and so is any dirty data it held. */
void fsconsist_node_down(struct fsconsist_file *f, int node);

/* The client should keep the blocks it cached under `cached` (0: none)
 * after an open answered with `rep` for `mode`. */
bool fsconsist_cache_valid(const struct fsconsist_reply *rep, unsigned mode, uint64_t cached);

/* Nodes with the file open (the size `disable` needs). */
unsigned fsconsist_nclients(const struct fsconsist_file *f);
/* Whether the file is open anywhere. */
bool fsconsist_is_open(const struct fsconsist_file *f);
