/*
 * System-call handlers, Linux x86_64 ABI. Each takes its arguments as the
 * Linux prototype does, with user pointers as uint64_t, and returns the
 * result or -errno. The number -> handler table, with where each call is
 * served (local / home / fsserver), is kernel/syscall_table.def; docs/syscalls.md
 * is generated from it. Handlers may sleep.
 */
#pragma once
#include "kernel/compiler.h"

/* fs/ : file system calls (served locally, later by the file server). */
long sys_read(int fd, uint64_t ubuf, uint64_t n);
long sys_write(int fd, uint64_t ubuf, uint64_t n);
long sys_open(uint64_t upath, int flags, unsigned int mode);
long sys_openat(int dirfd, uint64_t upath, int flags, unsigned int mode);
long sys_close(int fd);
long sys_stat(uint64_t upath, uint64_t ustat);
long sys_fstat(int fd, uint64_t ustat);
long sys_lstat(uint64_t upath, uint64_t ustat);
long sys_newfstatat(int dirfd, uint64_t upath, uint64_t ustat, int flags);
long sys_lseek(int fd, long off, unsigned int whence);
long sys_ioctl(int fd, unsigned int cmd, uint64_t arg);
long sys_readv(int fd, uint64_t uiov, int iovcnt);
long sys_writev(int fd, uint64_t uiov, int iovcnt);
long sys_pread64(int fd, uint64_t ubuf, uint64_t n, long off);
long sys_sendfile(int out_fd, int in_fd, uint64_t uoff, size_t count);
long sys_copy_file_range(int fd_in, uint64_t uoff_in, int fd_out, uint64_t uoff_out, size_t len,
                         unsigned int flags);
long sys_access(uint64_t upath, int mode);
long sys_faccessat(int dirfd, uint64_t upath, int mode, int flags);
long sys_faccessat2(int dirfd, uint64_t upath, int mode, int flags);  /* fs_sys_stat.c */
long sys_getpeername(int fd, uint64_t uaddr, uint64_t ulen);           /* sys_sockfd.c */
long sys_getsockname(int fd, uint64_t uaddr, uint64_t ulen);
long sys_mknod(uint64_t upath, unsigned int mode, unsigned int dev);
long sys_mknodat(int dirfd, uint64_t upath, unsigned int mode, unsigned int dev);
long sys_sync(void);
long sys_syncfs(int fd);
long sys_fallocate(int fd, int mode, long off, long len);
long sys_pipe(uint64_t ufds);
long sys_pipe2(uint64_t ufds, int flags);
long sys_dup(int fd);
long sys_dup2(int oldfd, int newfd);
long sys_dup3(int oldfd, int newfd, int flags);
long sys_fcntl(int fd, unsigned int cmd, uint64_t arg);
long sys_getcwd(uint64_t ubuf, uint64_t size);
long sys_chdir(uint64_t upath);
long sys_fchdir(int fd);
long sys_getdents64(int fd, uint64_t ubuf, unsigned int n);
long sys_readlink(uint64_t upath, uint64_t ubuf, int n);
long sys_umask(int mask);
long sys_poll(uint64_t ufds, unsigned int nfds, int timeout_ms);       /* fs_poll.c */
long sys_ppoll(uint64_t ufds, unsigned int nfds, uint64_t uts, uint64_t usigmask,
               uint64_t sigsetsize);
long sys_select(int n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t utv);
long sys_pselect6(int n, uint64_t uin, uint64_t uout, uint64_t uex, uint64_t uts, uint64_t usig);

/* kernel/ : processes (forwarded home once processes migrate). */
long sys_fork(void);
long sys_vfork(void);
long sys_clone(uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid, uint64_t tls);
long sys_execve(uint64_t upath, uint64_t uargv, uint64_t uenvp);
long sys_exit(int status);
long sys_exit_group(int status);
long sys_wait4(int pid, uint64_t ustatus, int options, uint64_t urusage);
long sys_getpid(void);
long sys_getppid(void);
long sys_gettid(void);
long sys_kill(int pid, int sig);
long sys_tkill(int tid, int sig);
long sys_tgkill(int tgid, int tid, int sig);
long sys_setpgid(int pid, int pgid);
long sys_getpgid(int pid);
long sys_getpgrp(void);
long sys_setsid(void);
long sys_getsid(int pid);
long sys_rt_sigaction(int sig, uint64_t uact, uint64_t uold, uint64_t sigsetsize);
long sys_rt_sigprocmask(int how, uint64_t uset, uint64_t uold, uint64_t sigsetsize);
long sys_rt_sigreturn(void);
long sys_rt_sigsuspend(uint64_t umask, size_t sigsetsize);
long sys_rt_sigpending(uint64_t uset, size_t sigsetsize);
long sys_pause(void);
long sys_set_tid_address(uint64_t uptr);
long sys_arch_prctl(int code, uint64_t addr);
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);
long sys_sched_yield(void);

/* kernel/ : memory (always local). */
long sys_brk(uint64_t addr);
long sys_mmap(uint64_t addr, uint64_t len, int prot, int flags, int fd, long off);
long sys_munmap(uint64_t addr, uint64_t len);
long sys_mprotect(uint64_t addr, uint64_t len, int prot);
long sys_msync(uint64_t addr, uint64_t len, int flags);
long sys_madvise(uint64_t addr, uint64_t len, int advice);   /* sys_madvise.c */
long sys_getpriority(int which, int who);                    /* sys_prio.c */
long sys_setpriority(int which, int who, int prio);
long sys_ioprio_get(int which, int who);
long sys_ioprio_set(int which, int who, int ioprio);
long sys_clone3(uint64_t uargs, size_t size);               /* sys_nosys.c */
long sys_syslog(int type, uint64_t ubuf, int len);
long sys_set_robust_list(uint64_t uhead, size_t len);
long sys_rseq(uint64_t urseq, uint32_t len, int flags, uint32_t sig);
long sys_mremap(uint64_t old, uint64_t old_len, uint64_t new_len, unsigned int flags,
               uint64_t new_addr);

/* kernel/ : time and identity. */
long sys_nanosleep(uint64_t ureq, uint64_t urem);
long sys_clock_gettime(int clk, uint64_t uts);
long sys_clock_nanosleep(int clk, int flags, uint64_t ureq, uint64_t urem);
long sys_gettimeofday(uint64_t utv, uint64_t utz);
long sys_time(uint64_t ut);
long sys_wisp_timesync(uint64_t ubuf, long size, long flags);
long sys_wisp_mac_bench(long size, long n);                 /* net/rpc/rpc_sys.c */
long sys_uname(uint64_t ubuf);
long sys_clock_getres(int clk, uint64_t ures);

/* kernel/ : limits, usage, names, facts about the node (proc_rlimit.c,
 * proc_rusage.c, proc_prctl.c, sys_info.c, sys_random.c). */
long sys_prlimit64(int pid, unsigned int resource, uint64_t unew, uint64_t uold);
long sys_getrlimit(unsigned int resource, uint64_t urlim);
long sys_setrlimit(unsigned int resource, uint64_t urlim);
long sys_getrusage(int who, uint64_t uru);
long sys_prctl(int option, uint64_t arg2, uint64_t arg3, uint64_t arg4, uint64_t arg5);
long sys_sysinfo(uint64_t uinfo);
long sys_sched_getaffinity(int pid, unsigned int len, uint64_t umask);
long sys_sched_setaffinity(int pid, unsigned int len, uint64_t umask);
long sys_getcpu(uint64_t ucpu, uint64_t unode, uint64_t ucache);
long sys_getrandom(uint64_t ubuf, uint64_t count, unsigned int flags);

/* fs/ : names and attributes (the tmpfs today, the file server later). */
long sys_pwrite64(int fd, uint64_t ubuf, size_t n, long off);
long sys_mkdir(uint64_t upath, unsigned int mode);
long sys_mkdirat(int dirfd, uint64_t upath, unsigned int mode);
long sys_rmdir(uint64_t upath);
long sys_unlink(uint64_t upath);
long sys_unlinkat(int dirfd, uint64_t upath, int flags);
long sys_rename(uint64_t uold, uint64_t unew);
long sys_renameat(int odirfd, uint64_t uold, int ndirfd, uint64_t unew);
long sys_renameat2(int odirfd, uint64_t uold, int ndirfd, uint64_t unew, unsigned int flags);
long sys_link(uint64_t uold, uint64_t unew);
long sys_linkat(int odirfd, uint64_t uold, int ndirfd, uint64_t unew, int flags);
long sys_symlink(uint64_t utarget, uint64_t upath);
long sys_symlinkat(uint64_t utarget, int ndirfd, uint64_t upath);
long sys_truncate(uint64_t upath, long len);
long sys_ftruncate(int fd, long len);
long sys_chmod(uint64_t upath, unsigned int mode);
long sys_fchmod(int fd, unsigned int mode);
long sys_fchmodat(int dirfd, uint64_t upath, unsigned int mode);
long sys_chown(uint64_t upath, unsigned int uid, unsigned int gid);
long sys_fchown(int fd, unsigned int uid, unsigned int gid);
long sys_lchown(uint64_t upath, unsigned int uid, unsigned int gid);
long sys_fchownat(int dirfd, uint64_t upath, unsigned int uid, unsigned int gid, int flags);
long sys_utimensat(int dirfd, uint64_t upath, uint64_t utimes, int flags);
long sys_statfs(uint64_t upath, uint64_t ubuf);
long sys_fstatfs(int fd, uint64_t ubuf);
long sys_fsync(int fd);
long sys_fdatasync(int fd);
long sys_getgroups(int size, uint64_t ulist);                          /* proc_cred.c */
long sys_getresuid(uint64_t ruid, uint64_t euid, uint64_t suid);
long sys_getresgid(uint64_t rgid, uint64_t egid, uint64_t sgid);
long sys_setuid(int uid);
long sys_setgid(int gid);
long sys_setreuid(int ruid, int euid);
long sys_setregid(int rgid, int egid);
long sys_setresuid(int ruid, int euid, int suid);
long sys_setresgid(int rgid, int egid, int sgid);
long sys_setgroups(int size, uint64_t ulist);
long sys_wisp_rexec(long node, uint64_t upath, uint64_t uargv, uint64_t uenvp); /* proc_home_rexec.c */
long sys_wisp_proc_list(long node, uint64_t ubuf, long max);             /* proc_home.c */
long sys_wisp_streamstat(uint64_t ubuf, long size);                    /* fs/fs_remote.c */
long sys_getitimer(int which, uint64_t uvalue);                        /* proc_timer.c */
long sys_alarm(unsigned int seconds);
long sys_setitimer(int which, uint64_t uvalue, uint64_t uovalue);
/* Migration (kernel/migrate.c). */
long sys_wisp_migrate(long pid, long node, long strategy, uint64_t ustats);
long sys_wisp_evict(void);
long sys_wisp_migstat(uint64_t ubuf, long size);
long sys_wisp_migprobe(long node);
/* Block devices (fs/blk_sys.c). */
long sys_wisp_blkstat(long dev, uint64_t ubuf, long size);
long sys_wisp_blkio(long dev, long op, uint64_t sector, uint64_t ubuf, long len);
long sys_wisp_fsstat(uint64_t ubuf, long size);
long sys_wisp_fsmigstat(uint64_t ubuf, long size);
long sys_wisp_fsraw(long op, uint64_t ureq, long len);
