/*
 * Wisp's own system calls (a private range above Linux's numbers) and the
 * structures they exchange with user programs. Plain fixed-width types only:
 * user programs (user/lib/wisp.h) include this header too.
 * Every row is also in kernel/syscall_table.def.
 */
#pragma once
#include <stdint.h>

#define WISP_SYS_NODES      1000  /* (struct wisp_node *buf, long max) -> count */
#define WISP_SYS_PING       1001  /* (uint32_t ip, long seq, long payload, uint64_t timeout_ns,
                                      uint64_t *rtt_ns) -> 0 */
#define WISP_SYS_RPCSTAT    1002  /* (struct wisp_rpcstat *buf, long size) -> bytes */
#define WISP_SYS_RPC_ECHO   1003  /* (long node, const void *in, long len, void *out, long cap,
                                      uint64_t *rtt) -> reply length; *rtt (if not NULL): the
                                      round trip in ns as the kernel timed it */
#define WISP_SYS_RPC_COUNT  1004  /* (long node, uint64_t *value) -> 0: one at-most-once
                                      increment of node's counter, *value = new count */
#define WISP_SYS_NETSTAT    1005  /* (struct wisp_netstat *buf, long size) -> bytes */
#define WISP_SYS_UDP_BLAST  1006  /* (long node, long total, long dgram, struct wisp_blast *out)
                                      -> 0: raw UDP throughput to node's sink */
#define WISP_SYS_INFO       1007  /* (struct wisp_info *buf, long size) -> bytes */
#define WISP_SYS_REXEC      1030  /* (long node, const char *path, char *const argv[],
                                      char *const envp[]) -> pid of the child, which runs on
                                      node with its home here and the caller as its parent */
#define WISP_SYS_PROC_LIST  1031  /* (long node, struct wisp_proc *buf, long max) -> count:
                                      node's process table (its home table: away entries too) */
#define WISP_SYS_RPC_SINK   1012  /* (long node, const void *in, long len, long count) ->
                                      count: count SINK calls (request bytes, empty reply)
                                      made back to back by the kernel; 0 counts as 1 */

enum { WISP_NODE_UNKNOWN = 0, WISP_NODE_UP = 1, WISP_NODE_DOWN = 2 };

struct wisp_node {
    int32_t node;
    int32_t state;          /* WISP_NODE_* */
    uint32_t boot_id;       /* 0 if never heard from */
    uint32_t ip;            /* host byte order */
    uint64_t last_heard_ns; /* monotonic time of its last packet, 0 if never */
};

struct wisp_info {
    int32_t node;
    int32_t nodes;          /* nodes= on the command line (0 if not given) */
    uint32_t boot_id;
    uint32_t ip;
};

struct wisp_rpcstat {
    uint64_t calls, replies, timeouts, hostdown;          /* client */
    uint64_t retransmits, frag_retransmits, acks_sent, acks_received;
    uint64_t requests, duplicates, replays;               /* server: dups answered from cache */
    uint64_t rx_packets, tx_packets;
    uint64_t bad_magic, bad_version, bad_length, bad_op, bad_other;  /* dropped and counted */
    uint64_t stale_boot, peer_up_events, peer_down_events;
    uint64_t bad_auth, unconfirmed, pings_sent, pings_received;   /* tag, boot-id confirmation */
    uint64_t credit_waits;    /* client: a request stopped sending for want of credit */
};

struct wisp_netstat {
    uint64_t rx_frames, rx_bytes, tx_frames, tx_bytes;
    uint64_t rx_dropped, tx_dropped;
    uint64_t injected_drop, injected_dup, injected_reorder;
    uint64_t irqs;
    char nic[16];
    uint8_t mac[6];
    uint8_t pad[2];
    uint64_t polls;           /* receive ring polls by the net thread (NAPI) */
    uint64_t notifies;        /* doorbells rung (MMIO writes) */
    uint64_t notifies_saved;  /* doorbells skipped: the device said none was needed */
    uint64_t cyc_rx, cyc_tx;  /* net thread cycles: received frames, queued sends */
    uint64_t cyc_other;       /* net thread cycles: timers, doorbells (not sleeping) */
    uint64_t cyc_send;        /* cycles in net_udp_send (the callers' side) */
    uint64_t rx_rescues;      /* polls the watchdog started: frames waited, no interrupt */
};

struct wisp_blast {
    uint64_t sent_bytes;
    uint64_t received_bytes;  /* as counted by the sink */
    uint64_t elapsed_ns;      /* the sender's: first send until the last left the NIC */
    uint64_t rx_span_ns;      /* the sink's: first arrival until the last */
};

#define WISP_SYS_RPC_STREAM 1020  /* (long node, long size, long count, long flags,
                                      struct wisp_rpcstream *out) -> 0: stream size bytes
                                      of a checked pattern to node count times (rpc_stream.c) */
#define WISP_STREAM_CORRUPT 1     /* flags: flip one byte, so the server must refuse it */
#define WISP_STREAM_MAX     (16 << 20)

struct wisp_rpcstream {
    uint64_t bytes;           /* streamed and checked by the server */
    uint64_t pieces;          /* calls made */
    uint64_t elapsed_ns;
};

#define WISP_SYS_TIMESYNC   1010  /* (struct wisp_timesync *buf, long size, long flags) -> bytes;
                                      flags & WISP_TIMESYNC_PROBE: also measure the offset to
                                      the source now (sleeps for an RPC), without applying it */
#define WISP_TIMESYNC_PROBE 1

#define WISP_SYS_MAC_BENCH  1011  /* (long size, long n) -> elapsed ns: tag a size-byte buffer
                                      n times with the RPC MAC (SipHash-2-4-128) */

enum { WISP_TS_NONE = 0, WISP_TS_SOURCE = 1, WISP_TS_SYNCED = 2, WISP_TS_TRYING = 3 };

struct wisp_timesync {
    int32_t source;         /* the time source node; this node when state is SOURCE */
    int32_t state;          /* WISP_TS_* */
    int64_t offset_ns;      /* source - this node, at the last sync (before correcting) */
    uint64_t error_ns;      /* its bound: half the best round trip plus the source's own */
    uint64_t age_ns;        /* since the last sync; 0 if never */
    uint64_t syncs, steps;  /* syncs done; how many of them stepped the clock */
    uint64_t tsc_hz, boot_tsc_hz, lapic_hz;
    uint64_t baseline_ns;   /* the TSC rate's refinement baseline */
    int32_t windows, tried; /* boot calibration windows kept / tried */
    char ref[24];           /* the reference clock(s) calibrated against */
    uint64_t realtime_ns, monotonic_ns;
    int64_t probe_offset_ns;  /* with WISP_TIMESYNC_PROBE: measured now */
    uint64_t probe_error_ns;
    int32_t probe_err;        /* 0 or -errno of the probe */
    int32_t pad;
};

/* One entry of a node's process table (WISP_SYS_PROC_LIST). */
struct wisp_proc {
    int32_t pid, ppid, pgid, sid;
    int32_t home;           /* home node */
    int32_t node;           /* node it runs on now */
    uint32_t uid;
    char state;             /* R S T Z, or A: away (runs elsewhere; its home's entry) */
    char pad[3];
    uint64_t cpu_ns;
    char name[16];
    char cmdline[128];      /* argv joined by spaces, NUL-terminated */
};

/* Streams across nodes (fs/fs_export.c, fs/fs_remote.c; docs/fs.md). */
#define WISP_SYS_STREAM_TEST 1050 /* reserved (streams): unused */
#define WISP_SYS_STREAMSTAT 1052  /* (struct wisp_streamstat *buf, long size) -> bytes */
/* 1051, 1053: retired (wisp_rstart, wisp_rwait: the streams test vehicle that
 * rexec replaced); never reuse them. */

struct wisp_streamstat {
    uint64_t exports;       /* descriptions ever exported by this node */
    uint64_t refs;          /* references other nodes hold on them now */
    uint64_t rows;          /* (export, node) rows in use now */
    uint64_t dropped;       /* references dropped because their node went down */
    uint64_t bad;           /* requests refused: unknown export, not a holder, malformed */
    uint64_t served;        /* remote stream ops served */
    uint64_t imports;       /* remote streams open on this node now */
};

/* Process migration (kernel/migrate.h, docs/migration.md). */
#define WISP_SYS_MIGRATE    1040  /* (long pid (0: self), long node, long strategy (-1: the
                                      default), struct wisp_migrate *stats or NULL) -> 0 once
                                      the process runs at node */
#define WISP_SYS_EVICT      1041  /* () -> how many foreign processes were sent home */
#define WISP_SYS_MIGSTAT    1042  /* (struct wisp_migstat *buf, long size) -> bytes */
#define WISP_SYS_MIGPROBE   1043  /* (long node) -> how many of the stale, duplicate and
                                      malformed migration messages sent to node it refused
                                      (a test: kernel/migrate_probe.c) */

enum { WISP_MIG_DIRECT = 0, WISP_MIG_PRECOPY = 1, WISP_MIG_LAZY = 2, WISP_MIG_FLUSH = 3 };
enum { WISP_MIG_NEGOTIATE, WISP_MIG_FREEZE, WISP_MIG_TRANSFER, WISP_MIG_COMMIT,
       WISP_MIG_RESUME, WISP_MIG_NPHASE };

struct wisp_migrate {
    uint64_t ns[WISP_MIG_NPHASE];   /* time of each phase */
    uint64_t pages, bytes;          /* pages sent and all bytes sent (state included) */
    uint64_t pages_resent;          /* pre-copy: pages sent more than once */
    int32_t pid, source, target, strategy;
    uint64_t downtime_ns;           /* the process stopped for the last time until it ran */
};

struct wisp_migstat {
    uint64_t out, in;               /* migrations committed from / to this node */
    uint64_t refused;               /* offers this node refused */
    uint64_t refused_by_peer;       /* offers of this node a target refused */
    uint64_t failed;                /* migrations out that failed: the process stayed */
    uint64_t aborted;               /* incoming migrations dropped before they ran */
    uint64_t stale;                 /* messages for an unknown migration or the wrong node */
    uint64_t malformed;             /* messages that did not parse */
    uint64_t pages_sent, bytes_sent, pages_resent, pages_received;
    uint64_t evicted;               /* processes sent home by evict */
    uint64_t lazy_fetches;          /* lazy: pages a fault here fetched from the source */
};

/* Block devices (fs/blk.h, docs/blk.md). */
#define WISP_SYS_BLKSTAT    1060  /* (long dev, struct wisp_blkstat *buf, long size) -> bytes;
                                      ENODEV: no such device */
#define WISP_SYS_BLKIO      1061  /* (long dev, long op, uint64_t sector, void *buf, long len)
                                      -> 0; root only (EPERM), EINVAL past the end, EFAULT;
                                      buf NULL: no copy (zeroes written, reads dropped) */
enum { WISP_BLKIO_READ = 0, WISP_BLKIO_WRITE = 1, WISP_BLKIO_FLUSH = 2 };
#define WISP_BLKIO_MAX      (4 << 20)   /* bytes per wisp_blkio call */

/* The shared file system (docs/fs.md "Shared file system"). */
#define WISP_SYS_FSSTAT     1070  /* (struct wisp_fsstat *buf, long size) -> bytes */
#define WISP_FSSTAT_OPS     20    /* by fsproto op number (fs/fsproto.h FSP_*) */
#define WISP_SYS_FSRAW      1077  /* (long op, const void *req, long len) -> the reply's error;
                                      debug: the bytes sent unchecked as an FS request to the
                                      file server (fs/fs_rmt_raw.c); root only (EPERM) */
#define WISP_FSRAW_MAX      65536
struct wisp_fsstat {
    /* this node's client */
    uint64_t hits, misses;          /* cached reads: blocks found, blocks missed */
    uint64_t fetched_blocks;        /* blocks read from the server into the cache */
    uint64_t written_back;          /* bytes of dirty blocks written to the server */
    uint64_t recalled, disabled;    /* the server's callbacks answered */
    uint64_t cache_blocks, cache_dirty, cache_max;
    uint64_t sent[WISP_FSSTAT_OPS]; /* requests this client sent, by op */
    /* the server, when this node is it (else zeros) */
    uint64_t serving;
    uint64_t served[WISP_FSSTAT_OPS];
    uint64_t srv_errors, srv_bad, srv_recalls, srv_disables, srv_callback_failures;
    uint64_t srv_bytes_read, srv_bytes_written, srv_open_files;
    uint64_t dropped_unsent;        /* client: dirty blocks dropped unsent, their file removed */
    /* client: path walks' lookahead (fs/fs_rmt_ahead.c): STEPS requests
     * sent, lookups answered from them, answers thrown away unused */
    uint64_t steps_sent, ahead_used, ahead_dropped;
    uint64_t served_steps;          /* the server: STEPS requests served */
    /* client: programs' sticky maps (fs/fs_sticky.h): kept now, taken by an exec so far */
    uint64_t sticky_kept, sticky_taken;
    /* client: read-only closes sent behind (fs/fs_rmt_close.c); sent at once, the queue full */
    uint64_t closes_behind, closes_queue_full;
    /* client: opens made within a STEPS (FSP_OPEN_LAST): taken by an open; closed unused */
    uint64_t preopens_taken, preopens_unused;
    /* client: closes behind dropped unsent because the server rebooted meanwhile */
    uint64_t closes_moot;
};

/* /shared streams across nodes and migration with files (docs/fs.md
 * "Streams shared across nodes", docs/migration.md "flush"). */
#define WISP_SYS_FSMIGSTAT  1071  /* (struct wisp_fsmigstat *buf, long size) -> bytes */
struct wisp_fsmigstat {
    uint64_t shared;                /* /shared streams this node made shared (SSHARE) */
    uint64_t stream_ios;            /* stream reads, writes, lseeks sent to the server (SIO) */
    uint64_t streams_open;          /* shared-stream descriptions open here now */
    uint64_t moved_out, moved_in, moved_back;   /* opens moved with a migration (MOVE) */
    uint64_t srv_streams;           /* stream records at this node's server now */
    uint64_t flush_out, flush_in;   /* flush migrations from / to this node */
    uint64_t flush_pages_written, flush_pages_faulted, flush_pages_pulled;
    uint64_t flush_files_removed;
};

struct wisp_blkstat {
    uint64_t sectors;               /* capacity in 512-byte sectors */
    uint32_t queue_size;            /* descriptors in the virtqueue */
    uint32_t max_bytes;             /* the largest request the driver takes */
    uint32_t read_only, has_flush;
    uint64_t features;              /* negotiated virtio feature bits */
    uint64_t reads, writes, flushes;        /* requests completed */
    uint64_t bytes_read, bytes_written;
    uint64_t errors;                /* requests the device failed (-EIO) */
    uint64_t rejected;              /* requests refused before the device (range, read-only) */
    uint64_t queued;                /* requests that waited for room in the queue */
    uint64_t inflight, inflight_max;        /* on the device now, and the most at once */
};
