/*
 * /proc/PID/exe: the absolute path of the program a process runs, fixed
 * at exec (resolved through symlinks, so exec of /proc/self/exe records
 * the program itself) and inherited across fork. fs/fs_proc.c serves it
 * as a symlink; busybox re-executes itself through it to run applets.
 * Also the name and command line exec and remote exec give a process.
 */
#include "fs/fs.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/mem.h"
#include "kernel/proc_int.h"

void
proc_exe_set(struct proc *p, const char *path, const char *known)
{
    char *buf = kmalloc(PROC_EXE_MAX);
    if (buf && known && known[0])
        k_strlcpy(buf, known, PROC_EXE_MAX);
    else if (buf && (!p->fs || fs_realpath(p->fs, path, buf, PROC_EXE_MAX) != 0))
        k_strlcpy(buf, path[0] == '/' ? path : "", PROC_EXE_MAX);
    spin_lock(&proc_table_lock);
    k_strlcpy(p->exe, buf ? buf : "", sizeof(p->exe));
    spin_unlock(&proc_table_lock);
    kfree(buf);
}

void
proc_name_set(struct proc *p, const char *path, char *const argv[], int argc)
{
    const char *base = strrchr(path, '/');
    k_strlcpy(p->name, base ? base + 1 : path, sizeof(p->name));
    p->cmdline_len = 0;
    for (int i = 0; i < argc && p->cmdline_len < PROC_CMDLINE_MAX; i++) {
        size_t n = MIN(strlen(argv[i]) + 1, (size_t)(PROC_CMDLINE_MAX - p->cmdline_len));
        memcpy(p->cmdline + p->cmdline_len, argv[i], n);
        p->cmdline_len += (int)n;
    }
    if (p->cmdline_len > 0)
        p->cmdline[p->cmdline_len - 1] = 0;
}

long
proc_exe_path(int pid, char *buf, size_t n)
{
    spin_lock(&proc_table_lock);
    struct proc *p = proc_by_pid(pid);
    long r = !p ? -ESRCH : !p->exe[0] ? -ENOENT : (long)strnlen(p->exe, sizeof(p->exe));
    if (r > 0) {
        r = MIN(r, (long)n);
        memcpy(buf, p->exe, (size_t)r);
    }
    spin_unlock(&proc_table_lock);
    return r;
}
