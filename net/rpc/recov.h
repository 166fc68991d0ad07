/*
 * Peer up/down tracking (Sprite's recov), fed by the RPC layer: every RPC
 * packet carries its sender's boot id. A peer is up once heard from, down
 * when a call to it exhausts its retry budget (down peers are pinged every
 * second and are up again when they answer), and a new boot id means it
 * rebooted: calls in flight to it fail with -EHOSTDOWN and its state here
 * starts over. Modules that keep state about other nodes (home table, file
 * server, migration) register a callback. Implementation: net/rpc/rpc_recov.c (the peer table
 * is part of the RPC core).
 */
#pragma once
#include "kernel/compiler.h"

struct wisp_node;

enum { RECOV_EVENT_DOWN = 0, RECOV_EVENT_UP = 1 };

/* Told that node went down or came up (a reboot is DOWN then UP, with the
 * new boot id). Runs in the RPC layer's timer thread with no lock held; may
 * sleep, but long work delays other peers' events and retransmissions. */
typedef void (*recov_fn)(void *arg, int node, int event, uint32_t boot_id);

#define RECOV_MAX_CALLBACKS 16

/* Register fn(arg) for every later event. 0, or -ENOSPC when
 * RECOV_MAX_CALLBACKS are registered. Never sleeps. */
MUST_CHECK int recov_register(recov_fn fn, void *arg);

/* Fill out[0..max) with every node this node knows of (heard from, or
 * marked down), itself included, in node order; returns how many. */
int recov_list(struct wisp_node *out, int max);

/* WISP_NODE_UP, _DOWN or _UNKNOWN (kernel/wisp_abi.h). */
int recov_state(int node);

/* The PING op's handler (net/rpc/rpc_ops.h): an empty reply. */
int recov_rpc_ping(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen);
