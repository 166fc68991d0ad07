/*
 * Home's side of a forwarded call (HOME_FWD, proc_fwd.c is the caller's):
 * find the shadow of the calling process (an away entry that runs on the
 * calling node: anything else is a stale or hostile message, refused and
 * counted), run the call's core with the shadow as self, and reply with
 * the result, the bytes to copy out and the shadow's ids. Never sleeps
 * for long: wait4 arrives with WNOHANG.
 */
#include "kernel/errno.h"
#include "kernel/home.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"

#define FWD_IO_MAX 256

/* Run call nr for self; out/outlen: bytes to copy out at the caller. */
static long
run(struct proc *self, unsigned nr, const uint64_t *a, const uint8_t *in, size_t inlen,
    uint8_t *out, size_t *outlen)
{
    switch (nr) {
    case 61: {  /* wait4(pid, status, options | WNOHANG, rusage) */
        int status = 0;
        long r = proc_wait_core(self, (int)a[0], (int)a[2] | 1, &status, out + 4);
        memcpy(out, &status, 4);
        *outlen = r > 0 ? 4 + PROC_RUSAGE_SIZE : 0;
        return r;
    }
    case 98:    /* getrusage(RUSAGE_CHILDREN) */
        proc_rusage_children(self, out);
        *outlen = PROC_RUSAGE_SIZE;
        return 0;
    case 109: return proc_setpgid_core(self, (int)a[0], (int)a[1]);
    case 110: {
        spin_lock(&proc_table_lock);
        long ppid = self->parent ? self->parent->pid : 0;
        spin_unlock(&proc_table_lock);
        return ppid;
    }
    case 111: return proc_getid_core(self, 0, false);
    case 112: return proc_setsid_core(self);
    case 121: return proc_getid_core(self, (int)a[0], false);
    case 124: return proc_getid_core(self, (int)a[0], true);
    case 140: return sys_getpriority((int)a[0], (int)a[1]);
    case 141: return sys_setpriority((int)a[0], (int)a[1], (int)a[2]);
    case 251: return sys_ioprio_set((int)a[0], (int)a[1], (int)a[2]);
    case 252: return sys_ioprio_get((int)a[0], (int)a[1]);
    case 302: {
        struct proc_rlimit nw, old;
        if (inlen && inlen != sizeof(nw))
            return -EBADMSG;
        memcpy(&nw, in, inlen);
        long r = proc_rlimit_core(self, (int)a[0], (unsigned)a[1], inlen ? &nw : NULL,
                                  a[3] ? &old : NULL);
        if (!r && a[3]) {
            memcpy(out, &old, sizeof(old));
            *outlen = sizeof(old);
        }
        return r;
    }
    case 105: case 106: case 113: case 114: case 116: case 117: case 119: {
        uint32_t list[PROC_NGROUPS_MAX];
        if (inlen > sizeof(list) || inlen % 4)
            return -EBADMSG;
        memcpy(list, in, inlen);
        spin_lock(&proc_table_lock);
        long r = proc_cred_set(self, (int)nr, a[0], a[1], a[2], list, (int)(inlen / 4));
        spin_unlock(&proc_table_lock);
        return r;
    }
    default:
        return -ENOSYS;
    }
}

static void
put_ids(struct proc_enc *e, const struct proc *p)
{
    spin_lock(&proc_table_lock);
    proc_put_u32(e, (uint32_t)p->pgid);
    proc_put_u32(e, (uint32_t)p->sid);
    uint32_t ids[6] = { p->uid, p->euid, p->suid, p->gid, p->egid, p->sgid };
    for (int i = 0; i < 6; i++)
        proc_put_u32(e, ids[i]);
    proc_put_u32(e, (uint32_t)p->ngroups);
    for (int i = 0; i < p->ngroups; i++)
        proc_put_u32(e, p->groups[i]);
    spin_unlock(&proc_table_lock);
}

/* HOME_FWD: u32 pid, u32 nr, 6 x u64 args, u32 n, n bytes in -> u64 result,
 * the shadow's ids (u32 pgid, sid, uid, euid, suid, gid, egid, sgid,
 * ngroups, groups), u32 n, n bytes out. */
int
proc_rpc_fwd(int from_node, const void *req, size_t reqlen, void *rep, size_t *replen)
{
    struct proc_dec d = { req, reqlen, 0, 0 };
    uint8_t in[FWD_IO_MAX], out[FWD_IO_MAX];
    uint64_t a[6];
    int pid = (int)proc_get_u32(&d);
    unsigned nr = proc_get_u32(&d);
    for (int i = 0; i < 6; i++)
        a[i] = proc_get_u64(&d);
    size_t inlen = proc_get_u32(&d), outlen = 0;
    if (!d.err && inlen > sizeof(in))
        d.err = -EBADMSG;
    proc_get_bytes(&d, in, d.err ? 0 : inlen);
    spin_lock(&proc_table_lock);
    struct proc *self = d.err ? NULL : proc_by_pid(pid);
    bool ok = self && self->state == PROC_ALIVE && proc_is_away(self) && self->node == from_node;
    spin_unlock(&proc_table_lock);
    if (!ok) {
        proc_home_refuse("HOME_FWD", from_node, pid);
        return d.err ? d.err : -ESRCH;
    }
    long r = run(self, nr, a, in, inlen, out, &outlen);
    struct proc_enc e = { rep, 0, *replen, 0 };
    proc_put_u64(&e, (uint64_t)r);
    put_ids(&e, self);
    proc_put_u32(&e, (uint32_t)outlen);
    proc_put_bytes(&e, out, outlen);
    *replen = e.len;
    return e.err;
}
