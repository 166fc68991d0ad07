/*
 * Credentials: real, effective and saved user and group ids and the
 * supplementary groups, with Linux's permission rules (a process whose
 * effective uid is 0 may set anything; others may only shuffle the ids
 * they hold). The ids are changed at home (the shadow is the authority,
 * DESIGN.md 4) and read locally from the copy that travels with the
 * process: a foreign process's set*id is forwarded by proc_fwd.c, which
 * runs proc_cred_set on the shadow and sends the result back as the new
 * local copy. The system calls themselves are at the end: get*id read the
 * local copy; for a foreign process the set calls are HOME rows, so their
 * bodies here run only at home. getuid and friends are in proc.c.
 */
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/proc_int.h"
#include "kernel/sys.h"
#include "kernel/uaccess.h"

#define NR_SETUID    105
#define NR_SETGID    106
#define NR_SETREUID  113
#define NR_SETREGID  114
#define NR_SETGROUPS 116
#define NR_SETRESUID 117
#define NR_SETRESGID 119
#define KEEP         0xffffffffu   /* -1: leave this id alone */

void
proc_cred_copy(struct proc *to, const struct proc *from)
{
    to->uid = from->uid, to->euid = from->euid, to->suid = from->suid;
    to->gid = from->gid, to->egid = from->egid, to->sgid = from->sgid;
    to->ngroups = from->ngroups;
    memcpy(to->groups, from->groups, sizeof(to->groups));
}

/* kill's rule: root, or the sender's real or effective uid is the
 * target's real or saved uid. */
bool
proc_cred_may_signal(const struct proc *s, const struct proc *t)
{
    return s->euid == 0 || s->uid == t->uid || s->uid == t->suid || s->euid == t->uid ||
           s->euid == t->suid;
}

static bool
holds(uint32_t id, const uint32_t ids[3])
{
    return id == ids[0] || id == ids[1] || id == ids[2];
}

/* setresuid/setresgid on ids[3] (real, effective, saved): an
 * unprivileged caller may set each to one of the three it holds. */
static long
set_res(uint32_t ids[3], bool priv, uint32_t r, uint32_t e, uint32_t s)
{
    if (!priv && ((r != KEEP && !holds(r, ids)) || (e != KEEP && !holds(e, ids)) ||
                  (s != KEEP && !holds(s, ids))))
        return -EPERM;
    if (r != KEEP)
        ids[0] = r;
    if (e != KEEP)
        ids[1] = e;
    if (s != KEEP)
        ids[2] = s;
    return 0;
}

/* setreuid/setregid: the real id may become the real or effective one,
 * the effective id any of the three; the saved id follows the new
 * effective one when the real id is set or the effective id leaves it. */
static long
set_re(uint32_t ids[3], bool priv, uint32_t r, uint32_t e)
{
    uint32_t old_real = ids[0];
    if (!priv && r != KEEP && r != ids[0] && r != ids[1])
        return -EPERM;
    if (!priv && e != KEEP && !holds(e, ids))
        return -EPERM;
    if (r != KEEP)
        ids[0] = r;
    if (e != KEEP)
        ids[1] = e;
    if (r != KEEP || (e != KEEP && e != old_real))
        ids[2] = ids[1];
    return 0;
}

/* setuid/setgid: privileged sets all three, others only the effective
 * id, to the real or saved one. */
static long
set_one(uint32_t ids[3], bool priv, uint32_t id)
{
    if (id == KEEP)
        return -EINVAL;
    if (priv) {
        ids[0] = ids[1] = ids[2] = id;
        return 0;
    }
    if (id != ids[0] && id != ids[2])
        return -EPERM;
    ids[1] = id;
    return 0;
}

static long
set_groups(struct proc *self, bool priv, const uint32_t *list, int n)
{
    if (!priv)
        return -EPERM;
    if (n < 0 || n > PROC_NGROUPS_MAX)
        return -EINVAL;
    self->ngroups = n;
    if (n)
        memcpy(self->groups, list, (size_t)n * sizeof(*list));
    return 0;
}

long
proc_cred_set(struct proc *self, int nr, uint64_t a, uint64_t b, uint64_t c,
              const uint32_t *list, int n)
{
    uint32_t u[3] = { self->uid, self->euid, self->suid };
    uint32_t g[3] = { self->gid, self->egid, self->sgid };
    bool priv = self->euid == 0;
    long r;
    switch (nr) {
    case NR_SETUID: r = set_one(u, priv, (uint32_t)a); break;
    case NR_SETGID: r = set_one(g, priv, (uint32_t)a); break;
    case NR_SETREUID: r = set_re(u, priv, (uint32_t)a, (uint32_t)b); break;
    case NR_SETREGID: r = set_re(g, priv, (uint32_t)a, (uint32_t)b); break;
    case NR_SETRESUID: r = set_res(u, priv, (uint32_t)a, (uint32_t)b, (uint32_t)c); break;
    case NR_SETRESGID: r = set_res(g, priv, (uint32_t)a, (uint32_t)b, (uint32_t)c); break;
    case NR_SETGROUPS: return set_groups(self, priv, list, n);
    default: return -ENOSYS;
    }
    if (r)
        return r;
    self->uid = u[0], self->euid = u[1], self->suid = u[2];
    self->gid = g[0], self->egid = g[1], self->sgid = g[2];
    return 0;
}

/* ---- the system calls ---- */

long
sys_getgroups(int size, uint64_t ulist)
{
    struct proc *p = proc_current();
    uint32_t list[PROC_NGROUPS_MAX];
    if (size < 0)
        return -EINVAL;
    spin_lock(&proc_table_lock);
    int n = p->ngroups;
    memcpy(list, p->groups, sizeof(list));
    spin_unlock(&proc_table_lock);
    if (size == 0)
        return n;
    if (size < n)
        return -EINVAL;
    if (n && copyout(ulist, list, (size_t)n * 4))
        return -EFAULT;
    return n;
}

static long
three(uint64_t a, uint64_t b, uint64_t c, uint32_t x, uint32_t y, uint32_t z)
{
    if (copyout(a, &x, sizeof(x)) || copyout(b, &y, sizeof(y)) || copyout(c, &z, sizeof(z)))
        return -EFAULT;
    return 0;
}

long
sys_getresuid(uint64_t ruid, uint64_t euid, uint64_t suid)
{
    struct proc *p = proc_current();
    return three(ruid, euid, suid, p->uid, p->euid, p->suid);
}

long
sys_getresgid(uint64_t rgid, uint64_t egid, uint64_t sgid)
{
    struct proc *p = proc_current();
    return three(rgid, egid, sgid, p->gid, p->egid, p->sgid);
}

static long
set_ids(int nr, uint64_t a, uint64_t b, uint64_t c)
{
    spin_lock(&proc_table_lock);
    long r = proc_cred_set(proc_current(), nr, a, b, c, NULL, 0);
    spin_unlock(&proc_table_lock);
    return r;
}

long
sys_setuid(int uid)
{
    return set_ids(NR_SETUID, (uint32_t)uid, 0, 0);
}

long
sys_setgid(int gid)
{
    return set_ids(NR_SETGID, (uint32_t)gid, 0, 0);
}

long
sys_setreuid(int ruid, int euid)
{
    return set_ids(NR_SETREUID, (uint32_t)ruid, (uint32_t)euid, 0);
}

long
sys_setregid(int rgid, int egid)
{
    return set_ids(NR_SETREGID, (uint32_t)rgid, (uint32_t)egid, 0);
}

long
sys_setresuid(int ruid, int euid, int suid)
{
    return set_ids(NR_SETRESUID, (uint32_t)ruid, (uint32_t)euid, (uint32_t)suid);
}

long
sys_setresgid(int rgid, int egid, int sgid)
{
    return set_ids(NR_SETRESGID, (uint32_t)rgid, (uint32_t)egid, (uint32_t)sgid);
}

long
sys_setgroups(int size, uint64_t ulist)
{
    uint32_t list[PROC_NGROUPS_MAX];
    if (size < 0 || size > PROC_NGROUPS_MAX)
        return -EINVAL;
    if (size && copyin(list, ulist, (size_t)size * 4))
        return -EFAULT;
    spin_lock(&proc_table_lock);
    long r = proc_cred_set(proc_current(), NR_SETGROUPS, 0, 0, 0, list, size);
    spin_unlock(&proc_table_lock);
    return r;
}
