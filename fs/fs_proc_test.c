/*
 * Host tests of /proc against the fake process table: the directory
 * listing, /proc/<pid>/stat in Linux's format, cmdline, comm, /proc/self,
 * meminfo, a process that exits while its file is open, the exe link, and
 * the mount table.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c
#include "fs/fs_testlib.h"

static char buf[4096];

static long
slurp(const char *path)
{
    memset(buf, 0, sizeof(buf));
    long fd = topen(path, O_RDONLY);
    if (fd < 0)
        return fd;
    long n = sys_read(fd, U(buf), sizeof(buf) - 1);
    (void)sys_close(fd);
    return n;
}

static void
procs(void)
{
    struct proc *p = fake_proc_make(1, 1, 0, 1, "init");
    p->info.state = 'S';
    memcpy(p->info.cmdline, "/bin/init\0-v", 12);
    p->info.cmdline_len = 12;
    p->info.cpu_ns = 250000000;      /* 25 ticks */
    p->info.vm_bytes = 8192;
}

static void
test_proc_lists_processes(void)
{
    tsetup();
    procs();
    char d[1024];
    char names[256] = "";
    long fd = topen("/proc", O_RDONLY | O_DIRECTORY);
    long n = sys_getdents64(fd, U(d), sizeof(d));
    EXPECT_TRUE(n > 0);
    for (long at = 0; at < n;) {
        uint16_t rl;
        memcpy(&rl, d + at + 16, 2);
        strcat(names, d + at + 19);
        strcat(names, " ");
        at += rl;
    }
    EXPECT_STREQ(names, ". .. loadavg meminfo mounts self stat 10 1 ");
    EXPECT_EQ(topen("/proc/2", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/proc/01", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/proc/99999999999", O_RDONLY), -ENOENT);
    tteardown();
}

static void
test_proc_stat_format(void)
{
    tsetup();
    procs();
    long n = slurp("/proc/1/stat");
    EXPECT_TRUE(n > 0);
    EXPECT_EQ(strncmp(buf, "1 (init) S 0 1 1 0 -1 0 0 0 0 0 25 0 0 0 20 0 1 0 0 8192 2 ", 58), 0);
    int fields = 0;
    for (long i = 0; i < n; i++)
        fields += buf[i] == ' ';
    EXPECT_EQ(fields + 1, 52);
    EXPECT_EQ(buf[n - 1], '\n');
    tteardown();
}

static void
test_proc_cmdline_comm_self(void)
{
    tsetup();
    procs();
    EXPECT_EQ(slurp("/proc/1/cmdline"), 12);
    EXPECT_TRUE(memcmp(buf, "/bin/init\0-v", 12) == 0);
    EXPECT_EQ(slurp("/proc/1/comm"), 5);
    EXPECT_STREQ(buf, "init\n");
    EXPECT_TRUE(slurp("/proc/self/stat") > 0);
    EXPECT_EQ(strncmp(buf, "10 (test) R 1 10 ", 17), 0);
    EXPECT_TRUE(slurp("/proc/self/status") > 0);
    EXPECT_TRUE(strstr(buf, "Pid:\t10\n") != NULL);
    EXPECT_TRUE(slurp("/proc/meminfo") > 0);
    EXPECT_TRUE(strstr(buf, "MemTotal:       131072 kB\n") == buf);
    EXPECT_TRUE(strstr(buf, "\nCommitLimit:    57344 kB\n") != NULL);
    EXPECT_TRUE(strstr(buf, "\nCommitted_AS:   1024 kB\n") != NULL);
    EXPECT_EQ(topen("/proc/1/nope", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/proc/1/stat", O_WRONLY), -EACCES);
    tteardown();
}

static void
test_proc_file_of_exited_process(void)
{
    tsetup();
    procs();
    long fd = topen("/proc/1/stat", O_RDONLY);
    EXPECT_TRUE(fd >= 0);
    fake_procs[1].live = false;
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), -ESRCH);
    EXPECT_EQ(sys_close(fd), 0);
    tteardown();
}

static void
test_proc_exe_link(void)
{
    tsetup();
    procs();
    fake_procs[1].exe = "/etc/motd";
    EXPECT_EQ(sys_readlink(U("/proc/1/exe"), U(buf), sizeof(buf)), 9);
    EXPECT_TRUE(memcmp(buf, "/etc/motd", 9) == 0);
    EXPECT_EQ(sys_readlink(U("/proc/1/exe"), U(buf), 4), 4);
    EXPECT_EQ(sys_readlink(U("/proc/self/exe"), U(buf), sizeof(buf)), -ENOENT);
    char path[64] = "";
    EXPECT_EQ(fs_realpath(fake_proc_cur->fs, "/proc/1/exe", path, sizeof(path)), 0);
    EXPECT_STREQ(path, "/etc/motd");
    EXPECT_EQ(fs_realpath(fake_proc_cur->fs, "/proc/1/exe", path, 4), -ENAMETOOLONG);
    tteardown();
}

static void
test_proc_mounts(void)
{
    tsetup();
    static const char want[] = "rootfs / rootfs ro 0 0\n"
                               "devtmpfs /dev devtmpfs rw 0 0\n"
                               "proc /proc proc rw 0 0\n";
    EXPECT_EQ(slurp("/proc/mounts"), (long)sizeof(want) - 1);
    EXPECT_STREQ(buf, want);
    EXPECT_EQ(slurp("/proc/self/mounts"), (long)sizeof(want) - 1);
    char link[32] = {0};
    EXPECT_EQ(sys_readlink(U("/proc/mounts"), U(link), sizeof(link)), 11);
    EXPECT_STREQ(link, "self/mounts");
    procs();
    EXPECT_TRUE(slurp("/proc/stat") > 0);
    EXPECT_EQ(strncmp(buf, "cpu  25 0 0 0 ", 14), 0);    /* init's 25 ticks; no uptime here */
    /* 100 ticks up, 60 of them idle, 25 init's: the other 15 the kernel's */
    fake_clock_ns = 1000000000;
    fake_idle_ns = 600000000;
    EXPECT_TRUE(slurp("/proc/stat") > 0);
    EXPECT_EQ(strncmp(buf, "cpu  25 0 15 60 0 ", 18), 0);
    fake_clock_ns = fake_idle_ns = 0;
    EXPECT_TRUE(strstr(buf, "\nprocesses 2\n") != NULL);
    EXPECT_TRUE(slurp("/proc/loadavg") > 0);
    EXPECT_STREQ(buf, "0.00 0.00 0.00 1/2 10\n");
    tteardown();
}

void
tests_run(void)
{
    RUN(test_proc_lists_processes);
    RUN(test_proc_stat_format);
    RUN(test_proc_cmdline_comm_self);
    RUN(test_proc_file_of_exited_process);
    RUN(test_proc_exe_link);
    RUN(test_proc_mounts);
}
