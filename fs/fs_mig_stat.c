/*
 * wisp_fsmigstat (syscall 1071): the counters of /shared streams shared
 * across nodes (fs_rmt_stream.c), of opens moved by migration
 * (fs_rmt_move.c), of this node's server's stream records, and of the
 * flush strategy (kernel/migrate_flush.c), for `fsmigtest stat` and tests.
 */
#include "fs/fs_rmt_stream.h"
#include "fs/fssrv.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/migrate_flush.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

long
sys_wisp_fsmigstat(uint64_t ubuf, long size)
{
    struct wisp_fsmigstat o;
    struct migrate_flush_stats fl;
    if (size < 0)
        return -EINVAL;
    memset(&o, 0, sizeof(o));
    o.shared = LOAD(fs_rmt_mstats.shared);
    o.stream_ios = LOAD(fs_rmt_mstats.stream_ios);
    o.streams_open = fs_rmt_stream_count();
    o.moved_out = LOAD(fs_rmt_mstats.moved_out);
    o.moved_in = LOAD(fs_rmt_mstats.moved_in);
    o.moved_back = LOAD(fs_rmt_mstats.moved_back);
    o.srv_streams = fssrv_rpc_streams();
    migrate_flush_get_stats(&fl);
    o.flush_out = fl.out, o.flush_in = fl.in;
    o.flush_pages_written = fl.pages_written;
    o.flush_pages_faulted = fl.pages_faulted;
    o.flush_pages_pulled = fl.pages_pulled;
    o.flush_files_removed = fl.files_removed;
    size_t n = MIN((size_t)size, sizeof(o));
    int err = copyout(ubuf, &o, n);
    return err ? err : (long)n;
}
