/*
 * Host tests of /dev/fd and /dev/std{in,out,err}: the listing follows the
 * caller's descriptors, /dev/fd/N opens fd N's file afresh (a pipe gains a
 * reader or writer and keeps its end of file right, an initrd file gets its
 * own offset), bad names are ENOENT, and the std links point into /dev/fd.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c fs/fs_realpath.c
#include "fs/fs_testlib.h"

/* Names in /dev/fd, space-separated, without . and .. */
static void
list_fds(char *names, size_t n)
{
    char d[1024];
    names[0] = '\0';
    long fd = topen("/dev/fd", O_RDONLY | O_DIRECTORY);
    EXPECT_TRUE(fd >= 0);
    long got = sys_getdents64(fd, U(d), sizeof(d));
    EXPECT_TRUE(got > 0);
    for (long at = 0; at < got;) {
        uint16_t rl;
        memcpy(&rl, d + at + 16, 2);
        const char *nm = d + at + 19;
        if (strcmp(nm, ".") && strcmp(nm, "..") && strlen(names) + strlen(nm) + 2 < n) {
            strcat(names, nm);
            strcat(names, " ");
        }
        at += rl;
    }
    (void)sys_close(fd);
}

static void
test_devfd_lists_descriptors(void)
{
    tsetup();
    char names[256];
    list_fds(names, sizeof(names));
    EXPECT_STREQ(names, "0 1 2 3 ");        /* 3: the directory itself */
    int p[2];
    EXPECT_EQ(sys_pipe(U(p)), 0);
    EXPECT_EQ(sys_dup2(p[0], 42), 42);
    EXPECT_EQ(sys_close(1), 0);
    list_fds(names, sizeof(names));
    EXPECT_STREQ(names, "0 1 2 3 4 42 ");   /* 1: the directory now */
    tteardown();
}

static void
test_devfd_reopens_a_pipe(void)
{
    tsetup();
    int p[2];
    char buf[16] = "";
    EXPECT_EQ(sys_pipe(U(p)), 0);
    long w = topen("/dev/fd/4", O_WRONLY);
    EXPECT_EQ(w, 5);
    EXPECT_EQ(sys_close(p[1]), 0);
    EXPECT_EQ(sys_write(w, U("via"), 3), 3);
    long r = topen("/dev/fd/3", O_RDONLY);
    EXPECT_EQ(sys_close(p[0]), 0);
    EXPECT_EQ(sys_read(r, U(buf), sizeof(buf)), 3);
    EXPECT_TRUE(memcmp(buf, "via", 3) == 0);
    EXPECT_EQ(sys_close(w), 0);             /* the last writer */
    EXPECT_EQ(sys_read(r, U(buf), sizeof(buf)), 0);
    tteardown();
}

static void
test_devfd_own_offset_and_bad_names(void)
{
    tsetup();
    char buf[16] = "";
    long fd = topen("/etc/motd", O_RDONLY);
    EXPECT_EQ(sys_read(fd, U(buf), 2), 2);
    long again = topen("/dev/fd/3", O_RDONLY);
    EXPECT_EQ(sys_read(again, U(buf), sizeof(buf)), 6);
    EXPECT_TRUE(memcmp(buf, "hello\n", 6) == 0);
    uint64_t st[18], st2[18];
    EXPECT_EQ(sys_fstat((int)fd, U(st)), 0);
    EXPECT_EQ(sys_stat(U("/dev/fd/3"), U(st2)), 0);
    EXPECT_EQ(st2[1], st[1]);               /* st_ino */
    EXPECT_EQ(topen("/dev/fd/9", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/dev/fd/03", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/dev/fd/-1", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/dev/fd/64", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/dev/fd/999", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/dev/fd/x", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/dev/fd/", O_RDONLY | O_DIRECTORY), 5);
    tteardown();
}

static void
test_std_links(void)
{
    tsetup();
    char buf[32] = "";
    EXPECT_EQ(sys_readlink(U("/dev/stdin"), U(buf), sizeof(buf)), 9);
    EXPECT_STREQ(buf, "/dev/fd/0");
    EXPECT_EQ(sys_readlink(U("/dev/stderr"), U(buf), sizeof(buf)), 9);
    EXPECT_STREQ(buf, "/dev/fd/2");
    long out = topen("/dev/stdout", O_WRONLY);
    EXPECT_EQ(out, 3);
    uint64_t st[18], st2[18];
    EXPECT_EQ(sys_fstat((int)out, U(st)), 0);
    EXPECT_EQ(sys_fstat(1, U(st2)), 0);
    EXPECT_EQ(st[1], st2[1]);
    EXPECT_EQ(sys_close(0), 0);
    EXPECT_EQ(topen("/dev/stdin", O_RDONLY), -ENOENT);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_devfd_lists_descriptors);
    RUN(test_devfd_reopens_a_pipe);
    RUN(test_devfd_own_offset_and_bad_names);
    RUN(test_std_links);
}
