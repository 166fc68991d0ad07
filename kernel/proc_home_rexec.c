/*
 * Remote exec (issue 8 item 4, DESIGN.md 4: "exec-time migration moves
 * only arguments and environment"). The caller's node is the child's
 * home: it makes the pid and an away entry whose parent is the caller,
 * then sends the target the child's identity (proc_home_mig.c), the path,
 * argv, envp and the caller's stream references (fs_ctx_pack: references
 * on this node's own streams are taken for the target here, so it claims
 * nothing back); the target makes a foreign entry with that pid, loads the
 * program and runs it. If it cannot, it closes its copies without a call
 * and the caller's discard gives those references back.
 * From then on the child is an ordinary away process: its exit comes home
 * (HOME_EXIT) and the caller's wait4 reaps it.
 */
#include "fs/fs.h"
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/main.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sched.h"
#include "kernel/migrate.h"
#include "fs/fs.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"
#include "kernel/vm.h"
#include "net/rpc/rpc.h"
#include "net/rpc/rpc_ops.h"

#define REXEC_ARGC_MAX 256
#define REXEC_PATH_MAX 256
#define REXEC_ARG_MAX  (48 * 1024)     /* argv + envp bytes: one RPC */
#define REXEC_MAGIC    0x52455843u     /* "REXC" */

/* Name and command line of the away entry, for ps at home. */
static void
name_entry(struct proc *c, const char *path, char *const argv[], int argc)
{
    spin_lock(&proc_table_lock);
    proc_name_set(c, path, argv, argc);
    k_strlcpy(c->exe, path, sizeof(c->exe));
    spin_unlock(&proc_table_lock);
}

static void
put_strv(struct mig_buf *b, char *const v[], int n)
{
    mig_put_u32(b, (uint32_t)n);
    for (int i = 0; i < n; i++)
        mig_put_str(b, v[i]);
}

int
home_spawn_remote(struct proc *parent, int node, const char *path, char *const argv[],
                  int argc, char *const envp[], int envc)
{
    if (node < 0 || node == main_node_id())
        return -EINVAL;
    struct proc *c = proc_alloc_away(parent, node);
    if (!c)
        return -EAGAIN;
    name_entry(c, path, argv, argc);
    struct mig_buf b;
    mig_buf_init(&b);
    mig_put_u32(&b, REXEC_MAGIC);
    int err = proc_mig_pack(c, &b, NULL);
    mig_put_str(&b, path);
    put_strv(&b, argv, argc);
    put_strv(&b, envp, envc);
    size_t fs_at = b.len;
    if (!err)
        err = b.err ? b.err : fs_ctx_pack(parent->fs, &b, node);
    if (!err && b.len > RPC_MAX_DATA)
        err = -E2BIG;
    size_t replen;
    if (!err)
        err = rpc_call(node, RPC_OP_HOME_REXEC, b.data, b.len, NULL, 0, &replen);
    if (err && b.len > fs_at && b.data)
        fs_ctx_pack_discard(b.data + fs_at, b.len - fs_at);
    mig_buf_free(&b);
    int pid = c->pid;
    if (err) {
        spin_lock(&proc_table_lock);
        proc_free_entry(c);
        spin_unlock(&proc_table_lock);
        return err;
    }
    return pid;
}

/* Read n strings into v, their bytes into *buf (left bytes). */
static int
get_strv(struct mig_cur *cur, char **v, int *n, char **buf, size_t *left)
{
    uint32_t count = mig_get_u32(cur);
    if (cur->err || count > REXEC_ARGC_MAX)
        return -EBADMSG;
    for (uint32_t i = 0; i < count; i++) {
        mig_get_str(cur, *buf, *left);
        if (cur->err)
            return -EBADMSG;
        v[i] = *buf;
        size_t len = strlen(*buf) + 1;
        *buf += len;
        *left -= len;
    }
    v[count] = NULL;
    *n = (int)count;
    return 0;
}

/* Load and start the foreign process p. 0 or -errno (p is untouched). */
static int
start(struct proc *p, const char *path, char **argv, int argc, char **envp, int envc)
{
    struct arch_regs regs;
    int err = proc_exec_image(p, path, argv, argc, envp, envc, &regs);
    vm_activate(NULL);          /* this server thread must not keep p's page tables */
    if (err)
        return err;
    p->thread = sched_new_user(p->name, p, &regs);
    if (!p->thread)
        return -ENOMEM;
    p->thread->pt_root = p->vm->root;
    sched_make_runnable(p->thread);
    return 0;
}

struct rexec_args {
    char path[REXEC_PATH_MAX];
    char *argv[REXEC_ARGC_MAX + 1];
    char *envp[REXEC_ARGC_MAX + 1];
    char strings[REXEC_ARG_MAX];
};

static int
rexec_here(int pid, struct mig_cur *cur, struct rexec_args *a)
{
    int argc = 0, envc = 0, err;
    char *buf = a->strings;
    size_t left = sizeof(a->strings);
    struct proc *p = proc_alloc_foreign(pid);
    if (!p)
        return -EAGAIN;
    err = proc_mig_unpack(p, cur, NULL);
    mig_get_str(cur, a->path, sizeof(a->path));
    if (!err && cur->err)
        err = -EBADMSG;
    if (!err)
        err = get_strv(cur, a->argv, &argc, &buf, &left);
    if (!err)
        err = get_strv(cur, a->envp, &envc, &buf, &left);
    if (!err)
        p->fs = fs_ctx_unpack(cur, &err);
    if (!err)
        err = start(p, a->path, a->argv, argc, a->envp, envc);
    if (err) {
        /* The caller's references held for us: its discard drops them. */
        fs_ctx_forget_held(p->fs);
        if (p->fs)
            fs_ctx_free(p->fs);
        if (p->vm)
            vm_free(p->vm);
        spin_lock(&proc_table_lock);
        p->fs = NULL;
        p->vm = NULL;
        proc_free_entry(p);
        spin_unlock(&proc_table_lock);
    }
    return err;
}

/* HOME_REXEC: u32 magic, the PROC block (proc_home_mig.c), str path, u32
 * argc, argc strs, u32 envc, envc strs, the stream block (fs_ctx_pack) ->
 * empty: start the program as a foreign process with that pid, whose home
 * is the caller. */
int
proc_rpc_rexec(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct mig_cur cur = { req, reqlen, 0, 0 };
    *replen = 0;
    if (mig_get_u32(&cur) != REXEC_MAGIC)
        return -EBADMSG;
    struct mig_cur peek = cur;
    (void)mig_get_u32(&peek);
    int pid = (int)mig_get_u32(&peek);
    if (peek.err || pid <= 0 || (pid >> PROC_NODE_SHIFT) != from_node)
        return -EBADMSG;
    struct rexec_args *a = kmalloc(sizeof(*a));
    if (!a)
        return -ENOMEM;
    int err = rexec_here(pid, &cur, a);
    kfree(a);
    return err;
}

/* Copy a NULL-terminated user array of strings into v, their bytes into
 * *buf. */
static int
copy_strv(uint64_t uv, char **v, int *n, char **buf, size_t *left)
{
    int i = 0;
    for (; uv; i++) {
        uint64_t up;
        if (i >= REXEC_ARGC_MAX)
            return -E2BIG;
        if (copyin(&up, uv + (uint64_t)i * 8, 8))
            return -EFAULT;
        if (!up)
            break;
        long len = copyinstr(*buf, up, *left);
        if (len < 0)
            return len == -ENAMETOOLONG ? -E2BIG : (int)len;
        v[i] = *buf;
        *buf += len + 1;
        *left -= (size_t)len + 1;
    }
    v[i] = NULL;
    *n = i;
    return 0;
}

long
sys_wisp_rexec(long node, uint64_t upath, uint64_t uargv, uint64_t uenvp)
{
    struct rexec_args *a = kmalloc(sizeof(*a));
    int argc = 0, envc = 0;
    if (!a)
        return -ENOMEM;
    char *buf = a->strings;
    size_t left = sizeof(a->strings);
    long err = copyinstr(a->path, upath, sizeof(a->path));
    if (err >= 0)
        err = copy_strv(uargv, a->argv, &argc, &buf, &left);
    if (!err)
        err = copy_strv(uenvp, a->envp, &envc, &buf, &left);
    if (!err && (node < 0 || node >= (1 << (31 - PROC_NODE_SHIFT))))
        err = -EINVAL;
    if (!err && proc_is_foreign(proc_current()))
        err = -EXDEV;   /* its children belong to its home: rexec from there */
    if (!err)
        err = home_spawn_remote(proc_current(), (int)node, a->path, a->argv, argc, a->envp,
                                envc);
    kfree(a);
    return err;
}
