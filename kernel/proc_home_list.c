/*
 * The process table as user programs see it (WISP_SYS_PROC_LIST, for ps):
 * this node's table -- processes running here and the away entries of
 * processes born here -- or another node's, asked for by RPC (HOME_LIST),
 * so `ps -c` can list the cluster node by node. Each entry is encoded
 * field by field; the table itself is kernel/proc.c.
 */
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/wisp_abi.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define LIST_MAX 256        /* PROC_MAX: one node's table */

static void
put_entry(struct proc_enc *e, const struct proc_info *p)
{
    proc_put_u32(e, (uint32_t)p->pid);
    proc_put_u32(e, (uint32_t)p->ppid);
    proc_put_u32(e, (uint32_t)p->pgid);
    proc_put_u32(e, (uint32_t)p->sid);
    proc_put_u32(e, (uint32_t)p->home);
    proc_put_u32(e, (uint32_t)p->node);
    proc_put_u32(e, p->uid);
    proc_put_u32(e, (uint32_t)(p->away && p->state != 'Z' ? 'A' : p->state));
    proc_put_u64(e, p->cpu_ns);
    proc_put_bytes(e, p->name, sizeof(p->name));
    int n = MIN(p->cmdline_len, (int)sizeof(p->cmdline) - 1);
    while (n > 0 && p->cmdline[n - 1] == 0)
        n--;            /* argv's last NUL */
    proc_put_u32(e, (uint32_t)(n < 0 ? 0 : n));
    proc_put_bytes(e, p->cmdline, n < 0 ? 0 : (size_t)n);
}

static void
get_entry(struct proc_dec *d, struct wisp_proc *w)
{
    memset(w, 0, sizeof(*w));
    w->pid = (int32_t)proc_get_u32(d);
    w->ppid = (int32_t)proc_get_u32(d);
    w->pgid = (int32_t)proc_get_u32(d);
    w->sid = (int32_t)proc_get_u32(d);
    w->home = (int32_t)proc_get_u32(d);
    w->node = (int32_t)proc_get_u32(d);
    w->uid = proc_get_u32(d);
    w->state = (char)proc_get_u32(d);
    w->cpu_ns = proc_get_u64(d);
    proc_get_bytes(d, w->name, sizeof(w->name));
    w->name[sizeof(w->name) - 1] = 0;
    uint32_t n = proc_get_u32(d);
    if (!d->err && n >= sizeof(w->cmdline))
        d->err = -EBADMSG;
    proc_get_bytes(d, w->cmdline, d->err ? 0 : n);
    for (uint32_t i = 0; i < n && !d->err; i++)
        if (w->cmdline[i] == 0)
            w->cmdline[i] = ' ';   /* argv joined by spaces */
}

/* This node's table, encoded: u32 count, then the entries. */
static int
encode_table(struct proc_enc *e)
{
    struct proc_info *list = kmalloc(LIST_MAX * sizeof(*list));
    if (!list)
        return -ENOMEM;
    int n = proc_list(list, LIST_MAX);
    proc_put_u32(e, (uint32_t)n);
    for (int i = 0; i < n; i++)
        put_entry(e, &list[i]);
    kfree(list);
    return e->err;
}

/* HOME_LIST: empty -> u32 count, count entries (put_entry). */
int
proc_rpc_list(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_enc e = { rep, 0, *replen, 0 };
    int err = encode_table(&e);
    *replen = e.len;
    return err;
}

long
sys_wisp_proc_list(long node, uint64_t ubuf, long max)
{
    if (max < 0)
        return -EINVAL;
    uint8_t *msg = kmalloc(RPC_MAX_DATA);
    struct wisp_proc *w = kmalloc(sizeof(*w));
    long err = !msg || !w ? -ENOMEM : 0;
    size_t len = 0;
    if (!err && (node < 0 || node == main_node_id())) {
        struct proc_enc e = { msg, 0, RPC_MAX_DATA, 0 };
        err = encode_table(&e);
        len = e.len;
    } else if (!err) {
        err = rpc_call((int)node, RPC_OP_HOME_LIST, NULL, 0, msg, RPC_MAX_DATA, &len);
    }
    struct proc_dec d = { msg, len, 0, 0 };
    uint32_t n = err ? 0 : proc_get_u32(&d);
    long i = 0;
    for (; !err && i < (long)n && i < max; i++) {
        get_entry(&d, w);
        if (d.err)
            err = d.err;
        else if (copyout(ubuf + (uint64_t)i * sizeof(*w), w, sizeof(*w)))
            err = -EFAULT;
    }
    kfree(msg);
    kfree(w);
    return err ? err : i;
}
