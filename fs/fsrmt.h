/*
 * The client of the shared file system (Sprite's fsrmt): vnodes whose ops
 * are fsproto requests to the file server (docs/fs.md "Shared file
 * system"). Every node mounts the server's volume at /shared (the root of
 * the name space comes later). This first client caches nothing: every
 * read and write goes to the server, which keeps it consistent by
 * construction; opens and closes still go through the server's
 * consistency bookkeeping, and the callbacks are answered.
 */
#pragma once
#include <stddef.h>

struct cmdline;

/* Mount the server's volume (fsserver=, node 0 by default) at /shared.
 * Called once RPC is up; the server need not be up yet (each operation
 * asks it). 0 or a negative errno. */
int fsrmt_start(int self, const struct cmdline *c);

/* The server's callbacks (RPC ops FS_RECALL, FS_DISABLE). */
int fsrmt_rpc_recall(int from, const void *q, size_t qlen, void *r, size_t *rlen);
int fsrmt_rpc_disable(int from, const void *q, size_t qlen, void *r, size_t *rlen);
