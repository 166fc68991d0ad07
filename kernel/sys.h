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
long sys_read(long fd, uint64_t ubuf, uint64_t n);
long sys_write(long fd, uint64_t ubuf, uint64_t n);
long sys_open(uint64_t upath, long flags, long mode);
long sys_openat(long dirfd, uint64_t upath, long flags, long mode);
long sys_close(long fd);
long sys_stat(uint64_t upath, uint64_t ustat);
long sys_fstat(long fd, uint64_t ustat);
long sys_lstat(uint64_t upath, uint64_t ustat);
long sys_newfstatat(long dirfd, uint64_t upath, uint64_t ustat, long flags);
long sys_lseek(long fd, long off, long whence);
long sys_ioctl(long fd, uint64_t cmd, uint64_t arg);
long sys_readv(long fd, uint64_t uiov, long iovcnt);
long sys_writev(long fd, uint64_t uiov, long iovcnt);
long sys_pread64(long fd, uint64_t ubuf, uint64_t n, long off);
long sys_access(uint64_t upath, long mode);
long sys_faccessat(long dirfd, uint64_t upath, long mode, long flags);
long sys_pipe(uint64_t ufds);
long sys_pipe2(uint64_t ufds, long flags);
long sys_dup(long fd);
long sys_dup2(long oldfd, long newfd);
long sys_dup3(long oldfd, long newfd, long flags);
long sys_fcntl(long fd, long cmd, uint64_t arg);
long sys_getcwd(uint64_t ubuf, uint64_t size);
long sys_chdir(uint64_t upath);
long sys_fchdir(long fd);
long sys_getdents64(long fd, uint64_t ubuf, uint64_t n);
long sys_readlink(uint64_t upath, uint64_t ubuf, uint64_t n);
long sys_umask(long mask);

/* kernel/ : processes (forwarded home once processes migrate). */
long sys_fork(void);
long sys_vfork(void);
long sys_clone(uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid, uint64_t tls);
long sys_execve(uint64_t upath, uint64_t uargv, uint64_t uenvp);
long sys_exit(long status);
long sys_exit_group(long status);
long sys_wait4(long pid, uint64_t ustatus, long options, uint64_t urusage);
long sys_getpid(void);
long sys_getppid(void);
long sys_gettid(void);
long sys_kill(long pid, long sig);
long sys_tkill(long tid, long sig);
long sys_tgkill(long tgid, long tid, long sig);
long sys_setpgid(long pid, long pgid);
long sys_getpgid(long pid);
long sys_getpgrp(void);
long sys_setsid(void);
long sys_getsid(long pid);
long sys_rt_sigaction(long sig, uint64_t uact, uint64_t uold, uint64_t sigsetsize);
long sys_rt_sigprocmask(long how, uint64_t uset, uint64_t uold, uint64_t sigsetsize);
long sys_rt_sigreturn(void);
long sys_rt_sigsuspend(uint64_t umask, uint64_t sigsetsize);
long sys_rt_sigpending(uint64_t uset, uint64_t sigsetsize);
long sys_pause(void);
long sys_set_tid_address(uint64_t uptr);
long sys_arch_prctl(long code, uint64_t addr);
long sys_getuid(void);
long sys_geteuid(void);
long sys_getgid(void);
long sys_getegid(void);
long sys_sched_yield(void);

/* kernel/ : memory (always local). */
long sys_brk(uint64_t addr);
long sys_mmap(uint64_t addr, uint64_t len, long prot, long flags, long fd, long off);
long sys_munmap(uint64_t addr, uint64_t len);
long sys_mprotect(uint64_t addr, uint64_t len, long prot);
long sys_madvise(uint64_t addr, uint64_t len, long advice);

/* kernel/ : time and identity. */
long sys_nanosleep(uint64_t ureq, uint64_t urem);
long sys_clock_gettime(long clk, uint64_t uts);
long sys_clock_nanosleep(long clk, long flags, uint64_t ureq, uint64_t urem);
long sys_gettimeofday(uint64_t utv, uint64_t utz);
long sys_uname(uint64_t ubuf);
