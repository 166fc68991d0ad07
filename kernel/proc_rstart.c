/*
 * TEST VEHICLE for streams across nodes (issue 8), not remote exec:
 * wisp_rstart(node, path, argv) starts path on node with the caller's
 * streams (fs_ctx_pack) and no home semantics: the new process is an
 * ordinary process of that node, a child of its init, with copies of the
 * caller's process group and session ids (as a foreign process has, so
 * the tty's job control treats it as a member of the caller's job);
 * wisp_rwait(node, pid, sig) waits until it is gone (posting sig first). The real remote exec (home_spawn_remote) belongs to the home
 * helper. Also proc_fs_swap, which migration's STREAMS row uses.
 */
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/main.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/migrate.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"
#include "fs/fs.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define RS_ARGC_MAX 32
#define RS_ARG_MAX  256
#define RS_PATH_MAX 256
#define RS_SLICE_NS (250 * 1000000ull)

struct fs_ctx *
proc_fs_swap(struct proc *p, struct fs_ctx *c)
{
    spin_lock(&proc_table_lock);
    struct fs_ctx *old = p->fs;
    p->fs = c;
    spin_unlock(&proc_table_lock);
    return old;
}

/* Request: u32 ctxlen, ctx (fs_ctx_pack), str path, u32 argc, argc x str,
 * u32 pgid, u32 sid. */
struct rs_req {
    char path[RS_PATH_MAX];
    int pgid, sid;
    int argc;
    char args[RS_ARGC_MAX][RS_ARG_MAX];
};

static int
spawn(struct fs_ctx *ctx, struct rs_req *rq)
{
    static char *const envp[] = { "PATH=/bin", "HOME=/", "TERM=vt100" };
    char *argv[RS_ARGC_MAX];
    for (int i = 0; i < rq->argc; i++)
        argv[i] = rq->args[i];
    struct arch_regs regs;
    struct proc *p = proc_alloc();
    if (!p)
        return -EAGAIN;
    p->fs = ctx;
    int err = proc_exec_image(p, rq->path, argv, rq->argc, envp, ARRAY_SIZE(envp), &regs);
    vm_activate(NULL);          /* this RPC thread goes back to the kernel's tables */
    if (!err) {
        p->thread = sched_new_user(p->name, p, &regs);
        err = p->thread ? 0 : -ENOMEM;
    }
    if (err) {
        if (p->vm)
            vm_free(p->vm);
        spin_lock(&proc_table_lock);
        p->fs = NULL;
        p->state = PROC_FREE;
        spin_unlock(&proc_table_lock);
        return err;             /* the caller frees ctx */
    }
    p->thread->pt_root = p->vm->root;
    spin_lock(&proc_table_lock);
    p->parent = proc_by_pid(1 | (main_node_id() << PROC_NODE_SHIFT));
    if (rq->pgid > 0 && rq->sid > 0) {
        p->pgid = rq->pgid;
        p->sid = rq->sid;
    }
    int pid = p->pid;
    spin_unlock(&proc_table_lock);
    sched_make_runnable(p->thread);
    return pid;
}

int
proc_rpc_rstart(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct mig_cur c;
    mig_cur_init(&c, req, reqlen);
    uint32_t ctxlen = mig_get_u32(&c);
    if (c.err || ctxlen > reqlen - c.pos)
        return -EBADMSG;
    struct mig_cur cc;
    mig_cur_init(&cc, (const uint8_t *)req + c.pos, ctxlen);
    c.pos += ctxlen;
    struct rs_req *rq = kzalloc(sizeof(*rq));
    if (!rq)
        return -EBADMSG;        /* the sender gives the references back */
    mig_get_str(&c, rq->path, sizeof(rq->path));
    rq->argc = (int)mig_get_u32(&c);
    if (rq->argc < 1 || rq->argc > RS_ARGC_MAX - 1)
        c.err = -EBADMSG;
    for (int i = 0; i < rq->argc && !c.err; i++)
        mig_get_str(&c, rq->args[i], RS_ARG_MAX);
    rq->pgid = (int)mig_get_u32(&c);
    rq->sid = (int)mig_get_u32(&c);
    int err = c.err;
    struct fs_ctx *ctx = err ? NULL : fs_ctx_unpack(&cc, &err);
    long pid = ctx ? spawn(ctx, rq) : err;
    if (ctx && pid < 0)
        fs_ctx_free(ctx);
    kfree(rq);
    if (pid < 0)
        return (int)pid;
    if (*replen < 8)
        return -EMSGSIZE;
    *replen = 8;
    for (int i = 0; i < 8; i++)
        ((uint8_t *)rep)[i] = (uint8_t)((uint64_t)pid >> (56 - 8 * i));
    return 0;
}

/* u64 pid, u64 sig -> u64 1 while pid lives here (after up to a slice), 0 once gone. */
int
proc_rpc_rwait(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct mig_cur c;
    mig_cur_init(&c, req, reqlen);
    int pid = (int)mig_get_u64(&c);
    int sig = (int)mig_get_u64(&c);
    if (c.err || sig < 0 || sig >= NSIG || *replen < 8)
        return -EBADMSG;
    uint64_t start = arch_time_ns();
    bool alive = true;
    for (bool first = true;; first = false) {
        spin_lock(&proc_table_lock);
        struct proc *p = proc_by_pid(pid);
        alive = p && p->state == PROC_ALIVE;
        if (alive && first && sig)
            proc_signal(p, sig);
        spin_unlock(&proc_table_lock);
        if (!alive || arch_time_ns() - start >= RS_SLICE_NS)
            break;
        if (sched_sleep_ns(10 * 1000000ull) != 0)
            break;
    }
    *replen = 8;
    memset(rep, 0, 8);
    ((uint8_t *)rep)[7] = alive;
    return 0;
}

/* Copy the user's argv (at most RS_ARGC_MAX - 1 strings) into b. */
static int
put_argv(struct mig_buf *b, uint64_t uargv)
{
    char *s = kmalloc(RS_ARG_MAX);
    uint64_t ptrs[RS_ARGC_MAX];
    int argc = 0;
    int err = s ? 0 : -ENOMEM;
    for (; !err && argc < RS_ARGC_MAX; argc++) {
        if (copyin(&ptrs[argc], uargv + 8 * (uint64_t)argc, 8) != 0)
            err = -EFAULT;
        else if (!ptrs[argc])
            break;
    }
    if (!err && (argc == 0 || argc >= RS_ARGC_MAX))
        err = argc ? -E2BIG : -EINVAL;
    mig_put_u32(b, (uint32_t)argc);
    for (int i = 0; !err && i < argc; i++) {
        long n = copyinstr(s, ptrs[i], RS_ARG_MAX);
        if (n < 0)
            err = n == -ENAMETOOLONG ? -E2BIG : (int)n;
        else
            mig_put_str(b, s);
    }
    kfree(s);
    return err;
}

long
sys_wisp_rstart(long node, uint64_t upath, uint64_t uargv)
{
    struct mig_buf ctx, b;
    char path[RS_PATH_MAX];
    mig_buf_init(&ctx);
    mig_buf_init(&b);
    long n = copyinstr(path, upath, sizeof(path));
    if (n < 0)
        return n;
    if (node < 0 || node >= 256)
        return -EINVAL;
    int err = fs_ctx_pack(proc_fs(proc_current()), &ctx);
    if (err)
        return err;
    mig_put_u32(&b, (uint32_t)ctx.len);
    mig_put(&b, ctx.data, ctx.len);
    mig_put_str(&b, path);
    err = put_argv(&b, uargv);
    struct proc *me = proc_current();
    mig_put_u32(&b, (uint32_t)proc_pgid(me));
    mig_put_u32(&b, (uint32_t)proc_ctty_sid(me));
    uint8_t rep[8];
    size_t got = 0;
    if (!err)
        err = b.err;
    bool sent = !err;
    if (sent)
        err = rpc_call((int)node, RPC_OP_RSTART, b.data, b.len, rep, sizeof(rep), &got);
    /* The receiver took nothing when the request never left, was refused
     * whole, or (as far as we know) never arrived; any other error came
     * after its unpack, which gives the references back itself. */
    if (!sent || err == -EBADMSG || err == -ETIMEDOUT || err == -EHOSTDOWN ||
        err == -ENETDOWN || err == -EMSGSIZE || err == -EINVAL)
        fs_ctx_pack_discard(ctx.data, ctx.len);
    mig_buf_free(&ctx);
    mig_buf_free(&b);
    if (err)
        return err;
    uint64_t pid = 0;
    for (int i = 0; i < 8 && got == 8; i++)
        pid = pid << 8 | rep[i];
    return (long)pid;
}

long
sys_wisp_rwait(long node, long pid, long sig)
{
    uint8_t req[16], rep[8];
    for (;;) {
        for (int i = 0; i < 8; i++) {
            req[i] = (uint8_t)((uint64_t)pid >> (56 - 8 * i));
            req[8 + i] = (uint8_t)((uint64_t)sig >> (56 - 8 * i));
        }
        size_t got = 0;
        int err = rpc_call((int)node, RPC_OP_RWAIT, req, sizeof(req), rep, sizeof(rep), &got);
        if (err == -ETIMEDOUT || err == -EHOSTDOWN || err == -ENETDOWN)
            return -EIO;
        if (err)
            return err;
        if (got != 8 || rep[7] == 0)
            return 0;
        sig = 0;
        if (proc_signal_pending())
            return -EINTR;
    }
}
