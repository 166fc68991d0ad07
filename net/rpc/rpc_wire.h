/*
 * The RPC wire format inside the RPC module: the 48-byte header, its flags,
 * the 16-byte tag after it (rpc_mac.h), the reasons decode rejects a
 * datagram for, and the fragment arithmetic.
 * Implemented in rpc_wire.c; field by field in docs/rpc.md. The core's
 * structures are in rpc_int.h, which includes this.
 */
#pragma once
#include "kernel/compiler.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_mac.h"
#include "net/rpc/rpc_ops.h"

#define RPC_MAGIC       0x57525043u    /* "WRPC" */
#define RPC_HDR_LEN     48
#define RPC_MAX_PAYLOAD 1472           /* UDP payload in a 1500-byte IPv4 packet */
#define RPC_FRAG_DATA   (RPC_MAX_PAYLOAD - RPC_HDR_LEN - RPC_TAG_LEN)  /* 1408 */
#define RPC_MAX_FRAGS   ((RPC_MAX_DATA + RPC_FRAG_DATA - 1) / RPC_FRAG_DATA)
#define RPC_MAX_NODES   256            /* node ids 0..255: the /24 address rule */
#define RPC_CHANNELS    16             /* channel numbers a peer may use */
#define RPC_CHAN_PING   0xffff         /* recov's pings: no channel state; frag_mask is a nonce */
#define RPC_CLIENT_CHANNELS 8          /* channels this node calls on */
#define RPC_ERR_MIN     (-4095)        /* errors on the wire are -4095..-1 */

static_assert(RPC_MAX_FRAGS <= 64, "a fragment mask fits in 64 bits");

enum {
    RPC_F_REQUEST   = 0x01,   /* client -> server */
    RPC_F_REPLY     = 0x02,   /* server -> client */
    RPC_F_ACK       = 0x04,   /* no data: frag_mask acknowledges the other way's fragments */
    RPC_F_FRAG      = 0x08,   /* the message has more than one fragment */
    RPC_F_CLOSE     = 0x10,   /* with REQUEST|ACK: the client holds the whole reply */
    RPC_F_PLEASEACK = 0x20,   /* with REQUEST data: answer with an ack (a probe) */
    RPC_F_ALL       = 0x3f,
};

struct rpc_hdr {
    uint8_t version;
    uint8_t flags;
    uint16_t op;
    uint16_t client;          /* node that made the call */
    uint16_t server;          /* node that serves it */
    uint16_t channel;         /* the client's channel, or RPC_CHAN_PING */
    uint8_t frag_index;
    uint8_t frag_count;       /* fragments of the whole message (1 when unfragmented) */
    uint32_t seq;             /* the call's sequence number on its channel */
    uint32_t boot_id;         /* the sender's, never 0 */
    uint32_t dst_boot;        /* the receiver's as the sender knows it, 0: unknown */
    uint32_t total_len;       /* bytes in the whole message */
    uint16_t payload_len;     /* bytes in this packet after the header */
    int32_t error;            /* replies: 0 or -errno */
    uint64_t frag_mask;       /* acks: fragments held; requests: reply fragments held */
};

enum rpc_wire_reason {
    RPC_WIRE_OK = 0,
    RPC_WIRE_SHORT,           /* shorter than a header */
    RPC_WIRE_BAD_MAGIC,
    RPC_WIRE_BAD_VERSION,
    RPC_WIRE_BAD_LENGTH,      /* payload_len disagrees with the datagram or the fragment */
    RPC_WIRE_BAD_TOTAL,       /* total_len > RPC_MAX_DATA */
    RPC_WIRE_BAD_FRAG,        /* frag_count/frag_index disagree with total_len */
    RPC_WIRE_BAD_OP,
    RPC_WIRE_BAD_FLAGS,
    RPC_WIRE_BAD_NODE,
    RPC_WIRE_BAD_CHANNEL,
    RPC_WIRE_BAD_MASK,
    RPC_WIRE_BAD_ERROR,
    RPC_WIRE_BAD_BOOT,
    RPC_WIRE_BAD_RESERVED,
    RPC_WIRE_BAD_AUTH,        /* shorter than header + tag, or the tag is wrong */
    RPC_WIRE_NREASONS,
};

bool rpc_op_valid(unsigned op);
const char *rpc_op_name(unsigned op);
/* Fragments of a message of total bytes (1 for an empty one), and the
 * length of fragment index. */
unsigned rpc_frag_count(uint32_t total);
uint32_t rpc_frag_len(uint32_t total, unsigned index);
uint64_t rpc_frag_full(unsigned count);
/* Every rule decode enforces, on a header about to be sent or just read. */
enum rpc_wire_reason rpc_wire_check(const struct rpc_hdr *h);
/* Encode h and its payload (h->payload_len bytes) into buf, followed by
 * the tag under key; returns the datagram length (48 + payload_len + 16),
 * or 0 when cap is too small. h must pass rpc_wire_check. */
size_t rpc_wire_encode(const struct rpc_mac_key *key, const struct rpc_hdr *h,
                       const void *payload, void *buf, size_t cap);
/* Check the tag under key first (RPC_WIRE_BAD_AUTH: too short or wrong,
 * and no field was looked at), then decode and validate the datagram; on
 * RPC_WIRE_OK *payload points into buf. */
enum rpc_wire_reason rpc_wire_decode(const struct rpc_mac_key *key, const void *buf, size_t len,
                                     struct rpc_hdr *h, const void **payload);
const char *rpc_wire_reason_name(enum rpc_wire_reason r);
/* Count a rejected datagram in the wisp_rpcstat counter for its reason. */
void rpc_wire_count(struct wisp_rpcstat *s, enum rpc_wire_reason r);
