/*
 * A debug system call for the hostile-request test (tests/qemu/fs_hostile.sh,
 * user/fshostile.c): wisp_fsraw sends the caller's bytes, unchecked, as the
 * request of an FS op to the file server, the way a broken or hostile
 * client node would, and returns what came back. Root only. Nothing on
 * this node's side decodes the request; the server must refuse what is
 * malformed (fsproto_get_req, counted in its `srv_bad`) and answer what is
 * not, and stay up either way.
 */
#include "fs/fs_rmt.h"
#include "fs/fssrv.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc.h"

/* The reply's error: its first 4 bytes (big-endian i32), or -EBADMSG when
 * shorter. */
static long
reply_err(const uint8_t *r, size_t rlen)
{
    if (rlen < 4)
        return -EBADMSG;
    return (long)(int32_t)((uint32_t)r[0] << 24 | (uint32_t)r[1] << 16 | (uint32_t)r[2] << 8 | r[3]);
}

long
sys_wisp_fsraw(long op, uint64_t ureq, long len)
{
    if (sys_geteuid() != 0)
        return -EPERM;
    if (op < 1 || op >= FSP_NOPS || len < 0 || len > WISP_FSRAW_MAX)
        return -EINVAL;
    uint8_t *q = kmalloc((size_t)len + 1), *r = kmalloc(RPC_MAX_DATA);
    long err = q && r ? 0 : -ENOMEM;
    if (!err && len)
        err = copyin(q, ureq, (size_t)len);
    size_t rlen = RPC_MAX_DATA;
    if (!err) {
        int server = fs_rmt_server();
        if (fssrv_running())
            err = fssrv_rpc_local((unsigned)op, q, (size_t)len, r, &rlen);
        else
            err = rpc_call(server, FSPROTO_RPC_BASE + (int)op, q, (size_t)len, r, RPC_MAX_DATA,
                           &rlen);
        if (!err)
            err = reply_err(r, rlen);
    }
    kfree(q);
    kfree(r);
    return err;
}
