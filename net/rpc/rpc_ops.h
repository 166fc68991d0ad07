/*
 * The RPC op table (STYLE.md 2.4): every op is one row, declared once,
 * append-only; numbers are never reused or renumbered, and any change to
 * an op's encoding bumps RPC_PROTO_VERSION. The table is an X-macro list:
 * a user passes its own RPC_OP(no, NAME, handler, where) to RPC_OPS.
 * Handlers have the type rpc_handler_fn (net/rpc/rpc.h). `where` is
 * RPC_RUN_THREAD (an RPC server thread: the handler may sleep) or
 * RPC_RUN_INLINE (the handler never sleeps and takes a few microseconds:
 * it runs in the network thread as soon as the request is complete, which
 * saves the hand-off to a server thread and back). PING is answered by the
 * RPC core in its receive path, so its handler only runs if called locally.
 * Encodings of each op's request and reply are in docs/rpc.md.
 */
#pragma once

#define RPC_PROTO_VERSION 8

enum { RPC_RUN_THREAD = 0, RPC_RUN_INLINE = 1 };

/*             no  NAME        handler (owning module)
 * PING:       empty -> empty; answered by the core; on channel 0xffff its
 *             frag_mask is a nonce the answer echoes, which confirms the
 *             peer's boot id and marks it up (recov)
 * ECHO:       bytes -> the same bytes
 * COUNT:      empty -> u64 (big-endian): the server's counter after one increment
 * SINK_COUNT: empty -> u64 bytes the UDP sink counted, u64 ns from the first of
 *             their arrivals to the last (big-endian); resets both
 * TIME:       empty -> u64 realtime ns, u64 error bound ns, u32 flags (1: the
 *             clock is set), big-endian: the cluster time sync (kernel/time_sync.c)
 * SINK:       bytes -> empty: the one-way bulk op (rpcbench put; rpc_blast.c)
 * STREAM_CHECK: a stream piece (rpc.h) with an 8-byte seed as context -> empty;
 *             -EBADMSG unless every byte matches the seed's pattern (rpc_stream.c)
 * HOME_*:     the home table's ops (docs/home.md; encodings beside each handler
 *             in kernel/proc_home*.c and kernel/proc_fwd_srv.c)
 * STREAM_*:   remote streams (fs/fs_remote_srv.c; encodings in docs/fs.md): READ,
 *             WRITE, IOCTL, POLL, LSEEK, STAT on an export id; REF moves a reference
 * 37, 38:    retired (the streams test vehicle RSTART/RWAIT, replaced by rexec);
 *             never reuse these numbers
 * MIG_*:      process migration (kernel/migrate_dst.c, docs/migration.md): OFFER
 *             (negotiate), STATE/LIST/PAGES (stream pieces: the encapsulated state,
 *             a round's page addresses, its pages), PREPARE, RESUME, ABORT; lazy:
 *             FETCH (u64 id, u64 va -> the page), PUSH (stream piece of pages in list
 *             order), DONE (u64 id: every page is at the target)
 * 20, 23, 24: retired (MIG_OFFER, MIG_PAGES, MIG_PREPARE: folded into GO and
 *             PIECE); never reuse these numbers
 * MIG_GO:     the one-shot migration request (offer, state, list, first pages,
 *             prepare); MIG_PIECE: pages with their addresses (docs/migration.md)
 */
#define RPC_OPS(RPC_OP)                                              \
    RPC_OP(1,  PING,         recov_rpc_ping,        RPC_RUN_THREAD)  \
    RPC_OP(2,  ECHO,         rpc_rpc_echo,          RPC_RUN_INLINE)  \
    RPC_OP(3,  COUNT,        rpc_rpc_count,         RPC_RUN_INLINE)  \
    RPC_OP(4,  SINK_COUNT,   rpc_rpc_sink_count,    RPC_RUN_INLINE)  \
    RPC_OP(5,  TIME,         time_rpc_time,         RPC_RUN_THREAD)  \
    RPC_OP(6,  SINK,         rpc_rpc_sink,          RPC_RUN_INLINE)  \
    RPC_OP(7,  STREAM_CHECK, rpc_rpc_stream_check,  RPC_RUN_THREAD)  \
    RPC_OP(10, HOME_REXEC,   proc_rpc_rexec,        RPC_RUN_THREAD)  \
    RPC_OP(11, HOME_EXIT,    proc_rpc_exit,         RPC_RUN_THREAD)  \
    RPC_OP(12, HOME_POST,    proc_rpc_post,         RPC_RUN_THREAD)  \
    RPC_OP(13, HOME_FWD,     proc_rpc_fwd,          RPC_RUN_THREAD)  \
    RPC_OP(14, HOME_FORK,    proc_rpc_fork,         RPC_RUN_THREAD)  \
    RPC_OP(15, HOME_KILL,    proc_rpc_kill,         RPC_RUN_THREAD)  \
    RPC_OP(16, HOME_LIST,    proc_rpc_list,         RPC_RUN_THREAD)  \
    RPC_OP(17, HOME_MOVED,   proc_rpc_moved,        RPC_RUN_THREAD)  \
    RPC_OP(21, MIG_STATE,    migrate_rpc_state,     RPC_RUN_THREAD)  \
    RPC_OP(22, MIG_LIST,     migrate_rpc_list,      RPC_RUN_THREAD)  \
    RPC_OP(25, MIG_RESUME,   migrate_rpc_resume,    RPC_RUN_THREAD)  \
    RPC_OP(26, MIG_ABORT,    migrate_rpc_abort,     RPC_RUN_THREAD)  \
    RPC_OP(27, MIG_FETCH,    migrate_rpc_fetch,     RPC_RUN_THREAD)  \
    RPC_OP(28, MIG_PUSH,     migrate_rpc_push,      RPC_RUN_THREAD)  \
    RPC_OP(29, MIG_DONE,     migrate_rpc_done,      RPC_RUN_THREAD)  \
    RPC_OP(30, STREAM_READ,  fs_rpc_stream_read,    RPC_RUN_THREAD)  \
    RPC_OP(31, STREAM_WRITE, fs_rpc_stream_write,   RPC_RUN_THREAD)  \
    RPC_OP(32, STREAM_IOCTL, fs_rpc_stream_ioctl,   RPC_RUN_THREAD)  \
    RPC_OP(33, STREAM_POLL,  fs_rpc_stream_poll,    RPC_RUN_THREAD)  \
    RPC_OP(34, STREAM_LSEEK, fs_rpc_stream_lseek,   RPC_RUN_THREAD)  \
    RPC_OP(35, STREAM_STAT,  fs_rpc_stream_stat,    RPC_RUN_THREAD)  \
    RPC_OP(36, STREAM_REF,   fs_rpc_stream_ref,     RPC_RUN_THREAD)  \
    RPC_OP(40, MIG_GO,       migrate_rpc_go,        RPC_RUN_THREAD)  \
    RPC_OP(41, MIG_PIECE,    migrate_rpc_piece,     RPC_RUN_THREAD)  \
    RPC_OP(50, FS_WALK,     fssrv_rpc_walk,      RPC_RUN_THREAD)  \
    RPC_OP(51, FS_OPEN,     fssrv_rpc_open,      RPC_RUN_THREAD)  \
    RPC_OP(52, FS_CREATE,   fssrv_rpc_create,    RPC_RUN_THREAD)  \
    RPC_OP(53, FS_CLOSE,    fssrv_rpc_close,     RPC_RUN_THREAD)  \
    RPC_OP(54, FS_READ,     fssrv_rpc_read,      RPC_RUN_THREAD)  \
    RPC_OP(55, FS_WRITE,    fssrv_rpc_write,     RPC_RUN_THREAD)  \
    RPC_OP(56, FS_GETATTR,  fssrv_rpc_getattr,   RPC_RUN_THREAD)  \
    RPC_OP(57, FS_SETATTR,  fssrv_rpc_setattr,   RPC_RUN_THREAD)  \
    RPC_OP(58, FS_REMOVE,   fssrv_rpc_remove,    RPC_RUN_THREAD)  \
    RPC_OP(59, FS_MKDIR,    fssrv_rpc_mkdir,     RPC_RUN_THREAD)  \
    RPC_OP(60, FS_SYMLINK,  fssrv_rpc_symlink,   RPC_RUN_THREAD)  \
    RPC_OP(61, FS_LINK,     fssrv_rpc_link,      RPC_RUN_THREAD)  \
    RPC_OP(62, FS_RENAME,   fssrv_rpc_rename,    RPC_RUN_THREAD)  \
    RPC_OP(63, FS_READLINK, fssrv_rpc_readlink,  RPC_RUN_THREAD)  \
    RPC_OP(64, FS_READDIR,  fssrv_rpc_readdir,   RPC_RUN_THREAD)  \
    RPC_OP(65, FS_FSYNC,    fssrv_rpc_fsync,     RPC_RUN_THREAD)  \
    RPC_OP(66, FS_STATFS,   fssrv_rpc_statfs,    RPC_RUN_THREAD)  \
    RPC_OP(67, FS_RECALL,    fs_rpc_recall,      RPC_RUN_THREAD)  \
    RPC_OP(68, FS_DISABLE,   fs_rpc_disable,     RPC_RUN_THREAD)  \
    RPC_OP(69, FS_SSHARE,   fssrv_rpc_sshare,    RPC_RUN_THREAD)  \
    RPC_OP(70, FS_SREF,     fssrv_rpc_sref,      RPC_RUN_THREAD)  \
    RPC_OP(71, FS_SIO,      fssrv_rpc_sio,       RPC_RUN_THREAD)  \
    RPC_OP(72, FS_MOVE,     fssrv_rpc_move,      RPC_RUN_THREAD)  \
    RPC_OP(75, FS_REOPEN,    fssrv_rpc_reopen,   RPC_RUN_THREAD)  \
    RPC_OP(76, FS_STEPS,     fssrv_rpc_steps,    RPC_RUN_THREAD)

#define RPC_OP_ENUM_(no, name, handler, where) RPC_OP_##name = (no),
enum rpc_op { RPC_OPS(RPC_OP_ENUM_) };
#undef RPC_OP_ENUM_
