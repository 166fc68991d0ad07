/*
 * procfs: /proc lists one directory per live process (proc_list), each
 * with stat (Linux's format, zeros for what Wisp does not track), cmdline
 * (NUL-separated argv), comm, status and exe (a symlink to the program,
 * kernel/proc_exe.c); /proc/self is a symlink to the caller's pid and
 * /proc/meminfo reports the frame allocator and the commit
 * (kernel/vm_commit.c); /proc/mounts links to self/mounts, the mount
 * table (gen_mounts); /proc/stat and /proc/loadavg give what busybox's
 * top reads. Contents are
 * generated on every read from a consistent proc_info copy, so no fs lock
 * is held across calls into kernel/proc.
 */
#include "fs/fs_int.h"
#include "kernel/arch.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc.h"
#include "kernel/sched.h"
#include "kernel/time.h"
#include "kernel/vm.h"

#define GEN_MAX   4096
#define INO_BASE  0x100000000ull
#define TICKS_NS  10000000ull   /* USER_HZ = 100 */

/* A tiny string builder: fs/ formats without k_snprintf. */
struct sbuf {
    char *p;
    size_t len;
    size_t cap;
};

static void
put(struct sbuf *b, const char *s, size_t n)
{
    for (size_t i = 0; i < n && b->len < b->cap; i++)
        b->p[b->len++] = s[i];
}

static void
puts_(struct sbuf *b, const char *s)
{
    put(b, s, strlen(s));
}

static void
putu(struct sbuf *b, uint64_t v)
{
    char tmp[24];
    int i = sizeof(tmp);
    do {
        tmp[--i] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

static void
puti(struct sbuf *b, int64_t v)
{
    if (v < 0) {
        put(b, "-", 1);
        putu(b, (uint64_t)(-(v + 1)) + 1);
    } else {
        putu(b, (uint64_t)v);
    }
}

static void
gen_stat(struct sbuf *b, const struct proc_info *pi)
{
    puti(b, pi->pid);
    puts_(b, " (");
    put(b, pi->name, strnlen(pi->name, PROC_NAME_MAX));
    puts_(b, ") ");
    put(b, &pi->state, 1);
    const int64_t f[] = {
        pi->ppid, pi->pgid, pi->sid, 0 /* tty_nr */, -1 /* tpgid */,
        0 /* flags */, 0, 0, 0, 0 /* faults */,
        (int64_t)(pi->cpu_ns / TICKS_NS) /* utime */, 0 /* stime */, 0, 0,
        20 /* priority */, 0 /* nice */, 1 /* num_threads */, 0 /* itrealvalue */,
        (int64_t)(pi->start_ns / TICKS_NS), (int64_t)pi->vm_bytes,
        (int64_t)(pi->vm_bytes / PAGE_SIZE) /* rss: upper bound */,
    };
    for (size_t i = 0; i < ARRAY_SIZE(f); i++) {
        put(b, " ", 1);
        puti(b, f[i]);
    }
    /* Fields 25 (rsslim) to 52 (exit_code); 38, exit_signal, is SIGCHLD. */
    for (int i = 25; i <= 52; i++)
        puts_(b, i == 38 ? " 17" : " 0");
    put(b, "\n", 1);
}

static void
gen_cmdline(struct sbuf *b, const struct proc_info *pi)
{
    put(b, pi->cmdline, (size_t)MIN(MAX(pi->cmdline_len, 0), PROC_CMDLINE_MAX));
}

static void
gen_comm(struct sbuf *b, const struct proc_info *pi)
{
    put(b, pi->name, strnlen(pi->name, PROC_NAME_MAX));
    put(b, "\n", 1);
}

static void
gen_status(struct sbuf *b, const struct proc_info *pi)
{
    puts_(b, "Name:\t");
    gen_comm(b, pi);
    puts_(b, "State:\t");
    put(b, &pi->state, 1);
    puts_(b, "\nPid:\t");
    puti(b, pi->pid);
    puts_(b, "\nPPid:\t");
    puti(b, pi->ppid);
    puts_(b, "\nPgid:\t");
    puti(b, pi->pgid);
    puts_(b, "\nHome:\t");
    puti(b, pi->home);
    puts_(b, "\nNode:\t");
    puti(b, pi->node);
    puts_(b, "\nVmSize:\t");
    putu(b, pi->vm_bytes / 1024);
    puts_(b, " kB\n");
}

/*
 * mounts: the file systems in the name space, as Linux's /proc/PID/mounts
 * prints them (busybox's df and mount read it). The root is the initrd
 * (or the shared volume, fs_root.c);
 * a directory of a static tree whose device differs from its parent's
 * (/dev, /proc) or that has a file system mounted on it (a tmpfs) is a
 * mount point. Static trees only change at boot, so the walk needs no lock.
 */
#define MOUNT_DEPTH 8

static void
put_mount(struct sbuf *b, struct vnode *at, struct vnode *top)
{
    char path[256];
    if (fs_vn_path(at, path, sizeof(path)) < 0)
        return;
    const char *type = "rootfs";
    if (top->dev == FS_DEV_PROC)
        type = "proc";
    else if (top->dev == FS_DEV_DEVFS)
        type = "devtmpfs";
    else if (top->dev >= FS_DEV_TMP)
        type = "tmpfs";
    else if (top->dev == FS_DEV_SHARED)
        type = "wfs";           /* the shared volume: /shared, or / with fsroot=on */
    puts_(b, type);
    puts_(b, " ");
    puts_(b, path);
    puts_(b, " ");
    puts_(b, type);
    puts_(b, top->rofs ? " ro" : " rw");
    struct fs_statfs st = {0};
    if (top->dev >= FS_DEV_TMP && top->ops->statfs) {
        top->ops->statfs(top, &st);
        puts_(b, ",size=");
        putu(b, st.blocks * st.bsize / 1024);
        puts_(b, "k");
    }
    puts_(b, " 0 0\n");
}

static void
mounts_under(struct sbuf *b, struct vnode *dir, int depth)
{
    for (struct vnode *c = dir->child; c; c = c->sibling) {
        if (!FS_ISDIR(c->mode) || c->dynamic)
            continue;
        if (c->mounted)
            put_mount(b, c, c->mounted);
        else if (c->dev != dir->dev)
            put_mount(b, c, c);
        if (!c->mounted && depth < MOUNT_DEPTH)
            mounts_under(b, c, depth + 1);
    }
}

static void
gen_mounts(struct sbuf *b, const struct proc_info *pi)
{
    put_mount(b, fs_root, fs_root);
    mounts_under(b, fs_root, 0);
}

struct pfile {
    const char *name;
    void (*gen)(struct sbuf *b, const struct proc_info *pi);
};
static const struct pfile pfiles[] = {
    { "cmdline", gen_cmdline },
    { "comm", gen_comm },
    { "mounts", gen_mounts },
    { "stat", gen_stat },
    { "status", gen_status },
};

static struct vnode *proc_root;

static int
pid_of(struct vnode *v)
{
    return (int)(intptr_t)v->priv;
}

/* Copy generated text at off into buf. */
static long
serve(struct sbuf *b, void *buf, size_t n, uint64_t off)
{
    if (off >= b->len)
        return 0;
    size_t m = MIN(n, b->len - (size_t)off);
    memcpy(buf, b->p + off, m);
    return (long)m;
}

static long
pfile_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct vnode *v = f->vn;
    const struct pfile *pf = v->data;
    struct proc_info *pi = kmalloc(sizeof(*pi));
    char *text = kmalloc(GEN_MAX);
    long r = -ENOMEM;
    if (pi && text) {
        r = proc_info_get(pid_of(v), pi);
        if (r == 0) {
            struct sbuf b = { text, 0, GEN_MAX };
            pf->gen(&b, pi);
            r = serve(&b, buf, n, off);
        } else {
            r = -ESRCH;         /* the process exited while open, as Linux */
        }
    }
    kfree(pi);
    kfree(text);
    return r;
}

static const struct vnode_ops pfile_ops = {
    .read = pfile_read,
};

static struct vnode *
dyn_node(struct vnode *dir, uint32_t mode, const struct vnode_ops *ops, uint64_t ino,
         const char *name, size_t len)
{
    struct vnode *v = fs_vn_alloc(mode, FS_DEV_PROC, ops);
    if (!v)
        return NULL;
    v->dynamic = true;
    v->ino = ino;
    v->priv = dir->priv;
    v->parent = dir;
    fs_vn_ref(dir);
    memcpy(v->name, name, len);
    v->name[len] = '\0';
    return v;
}

static long
exe_readlink(struct vnode *v, char *buf, size_t n)
{
    long r = proc_exe_path((int)(intptr_t)v->priv, buf, n);
    return r == -ESRCH ? -ENOENT : r;
}

static const struct vnode_ops exe_ops = {
    .readlink = exe_readlink,
};

static int
piddir_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    if (len == 3 && memcmp(name, "exe", 3) == 0) {
        *out = dyn_node(dir, S_IFLNK | 0777, &exe_ops, dir->ino + 1 + ARRAY_SIZE(pfiles), name,
                        len);
        return *out ? 0 : -ENOMEM;
    }
    for (size_t i = 0; i < ARRAY_SIZE(pfiles); i++) {
        if (strlen(pfiles[i].name) == len && memcmp(pfiles[i].name, name, len) == 0) {
            struct vnode *v = dyn_node(dir, S_IFREG | 0444, &pfile_ops, dir->ino + 1 + i,
                                       name, len);
            if (!v)
                return -ENOMEM;
            v->data = &pfiles[i];
            *out = v;
            return 0;
        }
    }
    return -ENOENT;
}

static int
piddir_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de)
{
    if (idx == ARRAY_SIZE(pfiles)) {
        de->ino = dir->ino + 1 + idx;
        de->type = fs_dtype(S_IFLNK);
        memcpy(de->name, "exe", 4);
        return 0;
    }
    if (idx > ARRAY_SIZE(pfiles))
        return 1;
    de->ino = dir->ino + 1 + idx;
    de->type = fs_dtype(S_IFREG);
    memcpy(de->name, pfiles[idx].name, strlen(pfiles[idx].name) + 1);
    return 0;
}

static const struct vnode_ops piddir_ops = {
    .lookup = piddir_lookup,
    .getdent = piddir_getdent,
};

static uint64_t
pid_ino(int pid)
{
    return INO_BASE + ((uint64_t)(uint32_t)pid << 4);
}

static int
root_lookup(struct vnode *dir, const char *name, size_t len, struct vnode **out)
{
    if (fs_static_lookup(dir, name, len, out) == 0)
        return 0;
    int64_t pid = 0;
    if (len == 0 || len > 10 || name[0] == '0')
        return -ENOENT;
    for (size_t i = 0; i < len; i++) {
        if (name[i] < '0' || name[i] > '9')
            return -ENOENT;
        pid = pid * 10 + (name[i] - '0');
    }
    if (pid > INT32_MAX)
        return -ENOENT;
    struct proc_info *pi = kmalloc(sizeof(*pi));
    if (!pi)
        return -ENOMEM;
    int err = proc_info_get((int)pid, pi);
    kfree(pi);
    if (err)
        return -ENOENT;
    struct vnode *v = dyn_node(dir, S_IFDIR | 0555, &piddir_ops, pid_ino((int)pid), name, len);
    if (!v)
        return -ENOMEM;
    v->priv = (void *)(intptr_t)pid;
    *out = v;
    return 0;
}

static int
root_getdent(struct vnode *dir, uint64_t idx, struct fs_dirent *de)
{
    if (fs_static_getdent(dir, idx, de) == 0)
        return 0;
    uint64_t nstatic = 0;
    for (struct vnode *c = dir->child; c; c = c->sibling)
        nstatic++;
    idx -= nstatic;
    if (idx >= PROC_MAX)
        return 1;
    struct proc_info *list = kmalloc(sizeof(*list) * PROC_MAX);
    if (!list)
        return -ENOMEM;
    int n = proc_list(list, PROC_MAX);
    int r = 1;
    if (idx < (uint64_t)n) {
        struct sbuf b = { de->name, 0, FS_NAME_MAX };
        puti(&b, list[idx].pid);
        de->name[b.len] = '\0';
        de->ino = pid_ino(list[idx].pid);
        de->type = fs_dtype(S_IFDIR);
        r = 0;
    }
    kfree(list);
    return r;
}

static long
self_readlink(struct vnode *v, char *buf, size_t n)
{
    struct proc *p = proc_current();
    if (!p)
        return -ENOENT;
    struct sbuf b = { buf, 0, n };
    puti(&b, proc_pid(p));
    return (long)b.len;
}

/* One "Name:   N kB" line of meminfo, aligned as Linux aligns it. */
static void
put_kb(struct sbuf *b, const char *name, uint64_t bytes)
{
    size_t n = strlen(name);
    puts_(b, name);
    puts_(b, ":");
    for (size_t i = n + 1; i < 16; i++)
        put(b, " ", 1);
    putu(b, bytes / 1024);
    puts_(b, " kB\n");
}

static long
meminfo_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct mem_stats ms;
    uint64_t limit;
    uint64_t committed;
    char text[512];
    struct sbuf b = { text, 0, sizeof(text) };
    mem_get_stats(&ms);
    vm_commit_stats(&limit, &committed);
    put_kb(&b, "MemTotal", ms.total_frames * PAGE_SIZE);
    put_kb(&b, "MemFree", ms.free_frames * PAGE_SIZE);
    put_kb(&b, "MemAvailable", ms.free_frames * PAGE_SIZE);
    put_kb(&b, "Kmalloc", ms.kmalloc_bytes);
    put_kb(&b, "CommitLimit", limit);
    put_kb(&b, "Committed_AS", committed);
    return serve(&b, buf, n, off);
}

static const struct vnode_ops root_ops = {
    .lookup = root_lookup,
    .getdent = root_getdent,
};
static const struct vnode_ops self_ops = {
    .readlink = self_readlink,
};
/*
 * /proc/stat and /proc/loadavg, for busybox's top: one CPU whose user time
 * is what the live processes used (in user mode and in their system
 * calls), whose idle time is the idle thread's, and whose system time is
 * the rest of the uptime: the kernel's own threads (the net thread, RPC
 * servers, the file server) and interrupts. Run-queue figures come from
 * the process table; the load averages are not kept and read 0.
 */
static long
sysstat_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct proc_info *list = kmalloc(sizeof(*list) * PROC_MAX);
    char *text = kmalloc(GEN_MAX);
    long r = -ENOMEM;
    if (list && text) {
        int np = proc_list(list, PROC_MAX);
        uint64_t busy = 0;
        int running = 0;
        for (int i = 0; i < np; i++) {
            busy += list[i].cpu_ns / TICKS_NS;
            running += list[i].state == 'R';
        }
        uint64_t now = arch_time_ns();
        uint64_t up = now / TICKS_NS;
        uint64_t idle = sched_idle_ns() / TICKS_NS;
        uint64_t sys = up > idle + busy ? up - idle - busy : 0;
        struct sbuf b = { text, 0, GEN_MAX };
        for (int cpu = -1; cpu < 1; cpu++) {
            puts_(&b, cpu < 0 ? "cpu  " : "cpu0 ");
            putu(&b, busy);
            puts_(&b, " 0 ");
            putu(&b, sys);
            puts_(&b, " ");
            putu(&b, idle);
            puts_(&b, " 0 0 0 0 0 0\n");
        }
        puts_(&b, "intr 0\nctxt 0\nbtime ");
        putu(&b, (time_realtime_ns() - now) / 1000000000ull);
        puts_(&b, "\nprocesses ");
        putu(&b, (uint64_t)np);
        puts_(&b, "\nprocs_running ");
        putu(&b, (uint64_t)running);
        puts_(&b, "\nprocs_blocked 0\n");
        r = serve(&b, buf, n, off);
    }
    kfree(list);
    kfree(text);
    return r;
}

static long
loadavg_read(struct file *f, void *buf, size_t n, uint64_t off, int flags)
{
    struct proc_info *list = kmalloc(sizeof(*list) * PROC_MAX);
    if (!list)
        return -ENOMEM;
    int np = proc_list(list, PROC_MAX);
    int running = 0;
    int last = 0;
    for (int i = 0; i < np; i++) {
        running += list[i].state == 'R';
        last = MAX(last, list[i].pid);
    }
    kfree(list);
    char text[64];
    struct sbuf b = { text, 0, sizeof(text) };
    puts_(&b, "0.00 0.00 0.00 ");
    putu(&b, (uint64_t)running);
    puts_(&b, "/");
    putu(&b, (uint64_t)np);
    puts_(&b, " ");
    putu(&b, (uint64_t)last);
    puts_(&b, "\n");
    return serve(&b, buf, n, off);
}

static const struct vnode_ops sysstat_ops = {
    .read = sysstat_read,
};
static const struct vnode_ops loadavg_ops = {
    .read = loadavg_read,
};

/* /proc/mounts, as on Linux: a link to self/mounts. */
static long
mounts_readlink(struct vnode *v, char *buf, size_t n)
{
    static const char target[] = "self/mounts";
    size_t m = MIN(n, sizeof(target) - 1);
    memcpy(buf, target, m);
    return (long)m;
}

static const struct vnode_ops mounts_ops = {
    .readlink = mounts_readlink,
};
static const struct vnode_ops meminfo_ops = {
    .read = meminfo_read,
};

struct vnode *
fs_proc_init(void)
{
    proc_root = fs_vn_alloc(S_IFDIR | 0555, FS_DEV_PROC, &root_ops);
    struct vnode *self = fs_vn_alloc(S_IFLNK | 0777, FS_DEV_PROC, &self_ops);
    struct vnode *mem = fs_vn_alloc(S_IFREG | 0444, FS_DEV_PROC, &meminfo_ops);
    struct vnode *mnt = fs_vn_alloc(S_IFLNK | 0777, FS_DEV_PROC, &mounts_ops);
    struct vnode *st = fs_vn_alloc(S_IFREG | 0444, FS_DEV_PROC, &sysstat_ops);
    struct vnode *la = fs_vn_alloc(S_IFREG | 0444, FS_DEV_PROC, &loadavg_ops);
    if (!proc_root || !self || !mem || !mnt || !st || !la) {
        kfree(proc_root);
        kfree(self);
        kfree(mem);
        kfree(mnt);
        kfree(st);
        kfree(la);
        return NULL;
    }
    fs_vn_add_child(proc_root, la, "loadavg", 7);
    fs_vn_add_child(proc_root, mem, "meminfo", 7);
    fs_vn_add_child(proc_root, mnt, "mounts", 6);
    fs_vn_add_child(proc_root, self, "self", 4);
    fs_vn_add_child(proc_root, st, "stat", 4);
    return proc_root;
}
