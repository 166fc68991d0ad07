/*
 * The op table built from net/rpc/rpc_ops.h (number -> handler), and the
 * handlers of the RPC module's own test ops: ECHO returns its request,
 * COUNT increments this node's counter and returns it (the at-most-once
 * proof: after N successful calls the counter is exactly N). SINK_COUNT's
 * handler is with the UDP sink in rpc_blast.c, PING's in rpc_recov.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "net/rpc/recov.h"
#include "net/rpc/rpc_int.h"

#define RPC_OP_PROTO_(no, name, handler, where) \
    int handler(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen);
RPC_OPS(RPC_OP_PROTO_)

#define RPC_OP_ROW_(no, name, handler, where) [no] = handler,
static const rpc_handler_fn handlers[] = { RPC_OPS(RPC_OP_ROW_) };

#define RPC_OP_WHERE_(no, name, handler, where) [no] = (where),
static const unsigned char run_where[] = { RPC_OPS(RPC_OP_WHERE_) };

bool
rpc_op_inline(int op)
{
    return op > 0 && (size_t)op < ARRAY_SIZE(run_where) && run_where[op] == RPC_RUN_INLINE;
}

rpc_handler_fn
rpc_ops_handler(int op)
{
    if (op <= 0 || (size_t)op >= ARRAY_SIZE(handlers))
        return NULL;
    return handlers[op];
}

int
rpc_rpc_echo(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    if (reqlen > *replen)
        return -EMSGSIZE;
    memcpy(rep, req, reqlen);
    *replen = reqlen;
    return 0;
}

static uint64_t counter;    /* atomic: handlers run in several server threads */

void
rpc_put_u64(void *buf, uint64_t v)
{
    uint8_t *p = buf;
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (56 - 8 * i));
}

int
rpc_rpc_count(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    if (*replen < 8)
        return -EMSGSIZE;
    rpc_put_u64(rep, __atomic_add_fetch(&counter, 1, __ATOMIC_SEQ_CST));
    *replen = 8;
    return 0;
}

uint64_t
rpc_get_u64(const void *buf)
{
    const uint8_t *p = buf;
    uint64_t v = 0;
    for (int i = 0; i < 8; i++)
        v = v << 8 | p[i];
    return v;
}
