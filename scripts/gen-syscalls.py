#!/usr/bin/env python3
"""Generate docs/syscalls.md from kernel/syscall_table.def (what Wisp implements,
each call's C prototype, and where it is served) and kernel/syscall_names.c
(every Linux x86_64 call, so the unimplemented ones are listed too).
Usage: scripts/gen-syscalls.py [--check]  (--check: fail if the doc is stale
or a table row lacks its argument list)."""
import re
import sys

ROOT = __file__.rsplit('/scripts/', 1)[0]
WHY = {
    'FS': 'file-system call: served by the file server (today the local initrd), '
          'never by the home node',
    'HOME': 'result depends on the process table, parentage or time: forwarded home',
    'LOCAL': 'state that lives with the running process (memory, masks, descriptors): '
             'served where it runs',
}
NOTES = {
    'pipe': 'pipes are local streams; after migration they move with the process',
    'pipe2': 'as pipe',
    'dup': 'descriptor table lives with the process',
    'dup2': 'as dup',
    'dup3': 'as dup',
    'execve': 'loads the image locally; a foreign process\'s home entry keeps the name it '
              'was started or forked with (docs/home.md)',
    'rt_sigaction': 'handlers are part of the process state that migrates',
    'rt_sigprocmask': 'as rt_sigaction',
    'rt_sigsuspend': 'the old mask returns with the handler; never restarted',
    'rt_sigreturn': 'restores registers saved on the user stack',
    'clone': 'fork-like flags only (no CLONE_VM threads yet): ENOSYS otherwise',
    'vfork': 'implemented as a copy-on-write fork',
    'nanosleep': 'sleeps on the local clock; interrupted by signals (EINTR)',
    'clock_gettime': 'local: the calibrated TSC; time of day is kept in step across '
                     'the cluster (docs/time.md), never forwarded home',
    'gettimeofday': 'local: the RTC at boot, synced to the time source node (docs/time.md)',
    'time': 'as gettimeofday',
    'mmap': 'anonymous, and files of the initrd, a tmpfs and /shared, private or shared (docs/memory.md "File mappings"); other files ENODEV',
    'msync': 'writes the shared file pages back now (MS_SYNC also fsyncs the file)',
    'madvise': 'MADV_DONTNEED/MADV_FREE drop the pages (they read back zero); other advice is '
               'accepted with no effect',
    'uname': 'nodename is nodeN: the node it runs on',
    'getpid': 'pids are global (home node in bits 20..30): known where it runs',
    'gettid': 'as getpid',
    'kill': 'routed to the home of the pid or group (HOME_KILL), which posts or forwards '
            'to the node it runs on; kill(-1) covers the caller\'s node only',
    'tkill': 'as kill',
    'wait4': 'WNOHANG, any/pid/pgrp; rusage is the child\'s (getrusage)',
    'getrandom': 'ChaCha20 generator seeded from RDSEED/RDRAND and TSC jitter; never blocks; '
                 'also /dev/urandom and /dev/random',
    'prlimit64': 'Linux\'s 16 limits per process, inherited; NOFILE = the fd table (64); '
                 'not enforced yet; another pid\'s: forwarded home',
    'getrlimit': 'as prlimit64',
    'setrlimit': 'as prlimit64',
    'getrusage': 'CPU time all as user time (no user/system split); maxrss = largest resident '
                 'size seen; children counted when waited for (RUSAGE_CHILDREN: at home)',
    'prctl': 'PR_SET_NAME/PR_GET_NAME only (the name in ps and /proc/PID/comm); others EINVAL',
    'sysinfo': 'uptime, RAM from the frame allocator, process count; loads 0, no swap',
    'sched_getaffinity': 'processes run on CPU 0 only',
    'sched_setaffinity': 'a set with CPU 0 is accepted, others EINVAL',
    'getcpu': 'always CPU 0, node 0',
    'clock_getres': 'one nanosecond for every clock',
    'poll': 'readiness from pipes and the tty (other files always ready); pipes and the tty wake the '
            'waiter at once, others are rechecked every 5 ms',
    'ppoll': 'as poll, under the given signal mask for the call (restored after the '
             'handler on EINTR, as rt_sigsuspend); never restarted after a handler',
    'faccessat2': 'as faccessat, with AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH; AT_EACCESS is '
                  'the same check (every process is root)',
    'mknod': 'regular files only (tmpfs); FIFOs, sockets and devices: EPERM, as a file system '
             'without mknod',
    'mknodat': 'as mknod',
    'sync': 'nothing to write back: everything is in memory',
    'syncfs': 'as sync (checks the fd)',
    'fallocate': 'mode 0 grows the file (pages come when written), KEEP_SIZE does nothing, '
                 'other modes EOPNOTSUPP',
    'getpriority': 'every process runs at nice 0 (no nice levels in the scheduler); '
                   'another process\'s: forwarded home',
    'setpriority': 'nice 0 accepted, anything else EPERM',
    'ioprio_get': 'class none: there is no I/O scheduler',
    'ioprio_set': 'accepted with no effect: there is no I/O scheduler',
    'clone3': 'ENOSYS on purpose (not logged): glibc falls back to clone',
    'set_robust_list': 'ENOSYS on purpose (not logged): glibc tries it at every start; one '
                       'thread per process needs no robust futex list',
    'rseq': 'ENOSYS on purpose (not logged): glibc tries it at every start and does without',
    'syslog': 'ENOSYS on purpose (not logged): no kernel log buffer, the log is the console',
    'tgkill': 'one thread per process: kill(tid, sig) when tgid == tid, else ESRCH; '
              'routed as kill',
    'sendfile': 'any readable in_fd (initrd, tmpfs, pipe, tty) to any writable out_fd '
                'through a kernel buffer; NULL offset moves the file offset',
    'copy_file_range': 'regular files only, any two file systems (no EXDEV); through '
                       'a kernel buffer',
    'select': 'as poll',
    'pselect6': 'as ppoll',
    'getgroups': 'local: the credentials travel with the process (changed at home)',
    'getresuid': 'as getgroups',
    'getresgid': 'as getgroups',
    'getuid': 'as getgroups',
    'geteuid': 'as getgroups',
    'getgid': 'as getgroups',
    'getegid': 'as getgroups',
    'setuid': 'credentials are home\'s (docs/home.md): changed on the shadow, the reply '
              'updates the local copy; Linux\'s rules (euid 0 may set any id)',
    'setgid': 'as setuid',
    'setreuid': 'as setuid',
    'setregid': 'as setuid',
    'setresuid': 'as setuid',
    'setresgid': 'as setuid',
    'setgroups': 'as setuid; at most 32 groups',
    'getppid': 'parentage is kept at home only (a foreign entry has no parent)',
    'setpgid': 'process groups and sessions live in one home table; the reply updates the '
               'local pgid/sid copies',
    'getpgid': 'as setpgid',
    'getpgrp': 'as setpgid',
    'setsid': 'as setpgid',
    'getsid': 'as setpgid',
    'exit': 'HOME_EXIT (with the ids of home\'s streams the exit closed, which home drops first): home makes its entry the zombie, wakes the parent (at its node, '
            'by a child event, if it is away)',
    'exit_group': 'as exit',
    'fork': 'a foreign process gets its child\'s pid and away entry from home (HOME_FORK)',
    'wait4': 'forwarded with WNOHANG, then sleeps locally until home posts a child event '
             '(or, for a child on the same node, the reply to its exit report brings it), '
             'a signal comes, or 2 s pass; a wait for the child just forked, with no event '
             'since, sleeps first; rusage is the child\'s',
    'wisp_rexec': 'the child\'s home is the caller\'s node; only arguments, environment '
                  'and stream references move (docs/home.md)',
    'wisp_proc_list': 'a node\'s table, asked by RPC (HOME_LIST) for another node',
    'readlink': 'symlinks in the initrd, /proc/self, /proc/PID/exe',
    'umask': 'per process, inherited across fork; fs_umask() for file systems that create files',
    'read': 'a stream that stays on another node (tty, pipe, /tmp file) is read there by RPC, '
            'in slices of at most 250 ms (docs/fs.md, "Streams across nodes")',
    'write': 'as read',
    'ioctl': 'on a remote stream: the tty ioctls the userland uses, their arguments copied both '
             'ways, served where the tty lives, with job control from the caller\'s ids',
    'lseek': 'a remote stream\'s offset lives with its exporter, so holders on several nodes '
             'share it',
    'fstat': 'a remote stream\'s attributes are asked of its exporter',
    'alarm': 'ITIMER_REAL: SIGALRM after the seconds; the timer migrates as its remaining time',
    'getitimer': 'ITIMER_REAL only; ITIMER_VIRTUAL and ITIMER_PROF give EINVAL',
    'setitimer': 'as getitimer; interval timers reload; the remaining time migrates',
    'wisp_migrate': 'run on the node where the process runs (ESRCH elsewhere): that node '
                    'is the source; the move is committed at home (HOME_MOVED, '
                    'docs/migration.md)',
    'wisp_evict': 'the foreign processes of this node go home: a per-node act',
    'wisp_migstat': 'this node\'s migration counters',
    'wisp_fsstat': 'this node\'s shared file system counters: its client cache (hits, misses, write-back, callbacks) and RPCs by kind, and the server\'s if it serves',
    'wisp_migprobe': 'a test: sends a node malformed migration messages, which it must refuse',
    'wisp_streamstat': 'this node\'s export table counters (references held by other nodes, '
                       'dropped when they die, refused requests)',
    'wisp_blkstat': 'this node\'s disk: its size, queue and request counters (docs/blk.md)',
    'wisp_blkio': 'root only, for tests: sectors of this node\'s own disk, read or written '
                  'where the caller runs',
}


def main():
    table = open(f'{ROOT}/kernel/syscall_table.def').read()
    impl = {}
    untyped = []
    row = re.compile(r'^SYSCALL\((\d+),\s*(\w+),\s*(\w+),\s*(\w+)\s*(?:,\s*\(([^()]*)\)\s*)?\)',
                     re.M)
    for m in row.finditer(table):
        args = ' '.join(m.group(5).split()) if m.group(5) is not None else None
        if args is None:
            untyped.append(m.group(2))
        impl[int(m.group(1))] = (m.group(2), m.group(4), args)
    names = {}
    for m in re.finditer(r'\[(\d+)\] = "(\w+)"', open(f'{ROOT}/kernel/syscall_names.c').read()):
        names[int(m.group(1))] = m.group(2)
    out = ['# System calls', '',
           'Generated by `scripts/gen-syscalls.py` from `kernel/syscall_table.def`; '
           '`make lint` fails when this file is stale. Wisp uses the Linux x86_64 '
           'numbers, argument conventions, structure layouts and errno values, so '
           'static musl programs run unmodified. An unimplemented call returns '
           '`-ENOSYS` and is logged once by name.', '',
           '"Served" says where each call goes once processes migrate (DESIGN.md §4, '
           'Sprite\'s home-node model): a HOME row of a foreign process is forwarded to '
           'its home node by kernel/syscall.c (docs/home.md).', '',
           'Each prototype is the argument list declared in the table: the dispatcher '
           'converts every register to its type before calling the handler, as Linux '
           'does, so an `int` (pid, fd, signal, flags) is the low 32 bits sign-extended '
           '(glibc passes `wait4(-1, ...)` as 0xffffffff) and an `unsigned int` the low '
           '32 bits zero-extended; `uptr` is a user address. The form of a row is '
           'described at the top of `kernel/syscall_table.def`.', '']
    for k in ('LOCAL', 'HOME', 'FS'):
        out.append(f'- **{k}**: {WHY[k]}.')
    out += ['', f'{len(impl)} of {len(names)} calls are implemented.', '',
            '## Implemented', '', '| nr | call | served | notes |', '|---:|---|---|---|']
    for nr in sorted(impl):
        name, where, args = impl[nr]
        proto = f'{name}({args})' if args is not None else f'{name}(?) (untyped row)'
        out.append(f'| {nr} | `{proto}` | {where} | {NOTES.get(name, "")} |')
    out += ['', '## Not implemented (ENOSYS)', '',
            'Each is logged once by name the first time a program calls it. Calls that answer '
            'ENOSYS on purpose, because callers have a fallback, have rows above.', '']
    missing = [f'{nr} `{names[nr]}`' for nr in sorted(names) if nr not in impl]
    out.append(', '.join(missing) + '.')
    text = '\n'.join(out) + '\n'
    path = f'{ROOT}/docs/syscalls.md'
    if '--check' in sys.argv:
        for name in untyped:
            print(f'kernel/syscall_table.def: row {name} has no argument list: add '
                  '"(TYPE NAME, ...)" as its fifth field (see the top of the file)')
        if untyped:
            return 1
        try:
            cur = open(path).read()
        except OSError:
            cur = ''
        if cur != text:
            print('docs/syscalls.md is stale: run scripts/gen-syscalls.py')
            return 1
        return 0
    open(path, 'w').write(text)
    return 0


if __name__ == '__main__':
    sys.exit(main())
