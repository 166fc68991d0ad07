/*
 * Host tests of the tmpfs through the system calls, on the standard test
 * image with a tmpfs on /tmp (large) and one on /small (64 KiB): create,
 * write/read/pread/pwrite, sparse files, truncate, O_EXCL/O_TRUNC/O_APPEND,
 * mkdir/rmdir/ENOTEMPTY, getdents while removing, rename's rules (over
 * targets, EISDIR/ENOTDIR/ENOTEMPTY/EINVAL/EXDEV/NOREPLACE), unlink while
 * open, link/symlink, chmod/chown/utimensat, statfs, ENOSPC at the limit
 * and when the frame allocator is empty, EROFS on the initrd, tmpsize=.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_sys_name.c fs/fs_sys_attr.c fs/fs_tmp_dir.c fs/fs_tmp_data.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_mem.c tests/host/fake_rand.c fs/fs_realpath.c
#include "fs/fs_tmp.h"
#include "fs/fs_tmp_testlib.h"
#include "kernel/time.h"

struct tstatfs {
    int64_t type, bsize;
    uint64_t blocks, bfree, bavail, files, ffree;
    int32_t fsid[2];
    int64_t namelen, frsize, flags, spare[4];
};

/* The wall clock, fake. */
static uint64_t fake_now = 1700000000ull * 1000000000ull;

uint64_t
time_realtime_ns(void)
{
    return fake_now;
}

static void
setup(void)
{
    static bool done;
    tsetup();
    if (!done) {
        EXPECT_EQ(fs_tmp_mount("/tmp", 64ull << 20), 0);
        EXPECT_EQ(fs_tmp_mount("/small", 64 << 10), 0);   /* made in the root */
        EXPECT_EQ(fs_tmp_mount("/tmp", 1 << 20), -EBUSY);
        EXPECT_EQ(fs_tmp_mount("/etc/motd", 1 << 20), -ENOTDIR);
        done = true;
    }
}

static long
tstat(const char *path, struct tstat *st)
{
    return sys_lstat(U(path), U(st));
}

static long
tcreate(const char *path, const char *data)
{
    long fd = sys_open(U(path), O_CREAT | O_WRONLY | O_TRUNC, 0644);
    if (fd < 0)
        return fd;
    long r = sys_write(fd, U(data), strlen(data));
    sys_close(fd);
    return r;
}

static void
test_create_write_read(void)
{
    setup();
    char buf[64] = {0};
    struct tstat st;
    long fd = sys_open(U("/tmp/a"), O_CREAT | O_RDWR, 0666);
    EXPECT_TRUE(fd >= 0);
    EXPECT_EQ(sys_write(fd, U("hello"), 5), 5);
    EXPECT_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), 5);
    EXPECT_STREQ(buf, "hello");
    EXPECT_EQ(sys_pwrite64(fd, U("J"), 1, 0), 1);
    EXPECT_EQ(sys_pread64(fd, U(buf), 5, 0), 5);
    EXPECT_TRUE(memcmp(buf, "Jello", 5) == 0);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.mode, S_IFREG | 0644);                 /* umask 022 */
    EXPECT_EQ(st.size, 5);
    EXPECT_EQ(st.nlink, 1);
    EXPECT_EQ(st.blocks, 8);
    EXPECT_EQ(st.t[2], 1700000000);                     /* mtime from the clock */
    EXPECT_TRUE(st.dev >= FS_DEV_TMP);
    EXPECT_EQ(sys_close(fd), 0);
    EXPECT_EQ(sys_open(U("/tmp/a"), O_CREAT | O_EXCL | O_RDWR, 0644), -EEXIST);
    EXPECT_EQ(sys_open(U("/tmp/a/"), O_RDONLY, 0), -ENOTDIR);
    EXPECT_EQ(sys_open(U("/tmp"), O_CREAT | O_RDONLY, 0644), -EISDIR);
    EXPECT_EQ(sys_open(U("/tmp/nodir/x"), O_CREAT | O_RDWR, 0644), -ENOENT);
    EXPECT_EQ(sys_unlink(U("/tmp/a")), 0);
    EXPECT_EQ(tstat("/tmp/a", &st), -ENOENT);
    EXPECT_EQ(sys_unlink(U("/tmp/a")), -ENOENT);
    tteardown();
}

static void
test_sparse_and_truncate(void)
{
    setup();
    char buf[9000];
    struct tstat st;
    long fd = sys_open(U("/tmp/sparse"), O_CREAT | O_RDWR, 0644);
    EXPECT_EQ(sys_pwrite64(fd, U("x"), 1, 10000), 1);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.size, 10001);
    EXPECT_EQ(st.blocks, 8);                            /* one page: the hole has none */
    memset(buf, 1, sizeof(buf));
    EXPECT_EQ(sys_pread64(fd, U(buf), 9000, 0), 9000);
    bool zero = true;
    for (size_t i = 0; i < 9000; i++)
        zero = zero && buf[i] == 0;
    EXPECT_TRUE(zero);
    EXPECT_EQ(sys_pwrite64(fd, U("abcdef"), 6, 0), 6);
    EXPECT_EQ(sys_ftruncate(fd, 3), 0);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.size, 3);
    EXPECT_EQ(st.blocks, 8);
    EXPECT_EQ(sys_ftruncate(fd, 100), 0);               /* grows: bytes 3.. read as 0 */
    EXPECT_EQ(sys_pread64(fd, U(buf), 100, 0), 100);
    EXPECT_TRUE(memcmp(buf, "abc\0\0\0", 6) == 0);
    EXPECT_EQ(sys_ftruncate(fd, -1), -EINVAL);
    EXPECT_EQ(sys_truncate(U("/tmp/sparse"), 0), 0);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.size, 0);
    EXPECT_EQ(st.blocks, 0);
    EXPECT_EQ(sys_truncate(U("/tmp"), 0), -EISDIR);
    EXPECT_EQ(sys_truncate(U("/etc/motd"), 0), -EROFS);
    EXPECT_EQ(sys_pwrite64(fd, U("y"), 1, (long)TMP_MAX_SIZE), -EFBIG);
    sys_close(fd);
    long ro = sys_open(U("/tmp/sparse"), O_RDONLY, 0);
    EXPECT_EQ(sys_ftruncate(ro, 0), -EINVAL);
    sys_close(ro);
    EXPECT_EQ(sys_unlink(U("/tmp/sparse")), 0);
    EXPECT_EQ(frames_out, 0);
    tteardown();
}

static void
test_open_flags(void)
{
    setup();
    char buf[32] = {0};
    struct tstat st;
    EXPECT_EQ(tcreate("/tmp/f", "12345"), 5);
    long fd = sys_open(U("/tmp/f"), O_WRONLY | O_APPEND, 0);
    EXPECT_EQ(sys_write(fd, U("ab"), 2), 2);
    EXPECT_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(sys_write(fd, U("cd"), 2), 2);            /* O_APPEND: at the end anyway */
    EXPECT_EQ(sys_lseek(fd, 0, SEEK_CUR), 9);
    sys_close(fd);
    fd = sys_open(U("/tmp/f"), O_RDONLY, 0);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), 9);
    EXPECT_STREQ(buf, "12345abcd");
    sys_close(fd);
    fake_now += 5000000000ull;
    fd = sys_open(U("/tmp/f"), O_WRONLY | O_TRUNC, 0);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.size, 0);
    EXPECT_EQ(st.t[2], 1700000005);                     /* O_TRUNC sets mtime */
    sys_close(fd);
    EXPECT_EQ(sys_symlink(U("f"), U("/tmp/lnk")), 0);
    EXPECT_EQ(sys_open(U("/tmp/lnk"), O_RDONLY | O_NOFOLLOW, 0), -ELOOP);
    EXPECT_EQ(sys_open(U("/tmp/f"), O_RDONLY | O_DIRECTORY, 0), -ENOTDIR);
    fd = sys_open(U("/tmp/lnk"), O_RDONLY, 0);
    EXPECT_TRUE(fd >= 0);
    sys_close(fd);
    EXPECT_EQ(sys_readlink(U("/tmp/lnk"), U(buf), sizeof(buf)), 1);
    EXPECT_EQ(tstat("/tmp/lnk", &st), 0);
    EXPECT_EQ(st.mode, S_IFLNK | 0777);
    EXPECT_EQ(st.size, 1);
    EXPECT_EQ(sys_unlink(U("/tmp/lnk")), 0);
    EXPECT_EQ(sys_unlink(U("/tmp/f")), 0);
    tteardown();
}

static void
test_dirs(void)
{
    setup();
    struct tstat st;
    char buf[512];
    EXPECT_EQ(tstat("/tmp", &st), 0);
    uint64_t links = st.nlink;
    EXPECT_EQ(st.mode, S_IFDIR | 01777);
    EXPECT_EQ(sys_mkdir(U("/tmp/d"), 0777), 0);
    EXPECT_EQ(sys_mkdir(U("/tmp/d"), 0777), -EEXIST);
    EXPECT_EQ(sys_mkdir(U("/tmp/d/"), 0777), -EEXIST);
    EXPECT_EQ(tstat("/tmp", &st), 0);
    EXPECT_EQ(st.nlink, links + 1);
    EXPECT_EQ(tstat("/tmp/d", &st), 0);
    EXPECT_EQ(st.mode, S_IFDIR | 0755);
    EXPECT_EQ(st.nlink, 2);
    EXPECT_EQ(tcreate("/tmp/d/f", "x"), 1);
    EXPECT_EQ(sys_rmdir(U("/tmp/d")), -ENOTEMPTY);
    EXPECT_EQ(sys_rmdir(U("/tmp/d/f")), -ENOTDIR);
    EXPECT_EQ(sys_unlink(U("/tmp/d")), -EISDIR);
    EXPECT_EQ(sys_rmdir(U("/tmp/d/.")), -EINVAL);
    long fd = sys_open(U("/tmp/d"), O_RDONLY | O_DIRECTORY, 0);
    long n = sys_getdents64(fd, U(buf), sizeof(buf));
    EXPECT_TRUE(n > 0);
    int names = 0;
    for (long off = 0; off < n;) {
        uint16_t rl;
        memcpy(&rl, buf + off + 16, 2);
        names += strcmp(buf + off + 19, "f") == 0 ? 100 : 1;
        off += rl;
    }
    EXPECT_EQ(names, 102);                               /* ".", "..", "f" */
    sys_close(fd);
    EXPECT_EQ(sys_chdir(U("/tmp/d")), 0);
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 7);
    EXPECT_STREQ(buf, "/tmp/d");
    EXPECT_EQ(sys_chdir(U("../..")), 0);
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 2);
    EXPECT_EQ(sys_unlink(U("/tmp/d/f")), 0);
    EXPECT_EQ(sys_rmdir(U("/tmp/d/")), 0);
    EXPECT_EQ(tstat("/tmp/d", &st), -ENOENT);
    EXPECT_EQ(tstat("/tmp", &st), 0);
    EXPECT_EQ(st.nlink, links);
    EXPECT_EQ(sys_mkdirat(FS_AT_FDCWD, U("/etc/x"), 0755), -EROFS);
    EXPECT_EQ(sys_mkdir(U("/etc"), 0755), -EEXIST);
    EXPECT_EQ(sys_unlink(U("/etc/motd")), -EROFS);
    EXPECT_EQ(sys_unlink(U("/etc/none")), -ENOENT);
    EXPECT_EQ(sys_rmdir(U("/tmp")), -EROFS);
    tteardown();
}

/* rm -r's pattern: read a few entries, remove them, read on. */
static void
test_getdents_while_removing(void)
{
    setup();
    char path[300], buf[64];
    EXPECT_EQ(sys_mkdir(U("/tmp/many"), 0755), 0);
    for (int i = 0; i < 20; i++) {
        snprintf(path, sizeof(path), "/tmp/many/f%02d", i);
        EXPECT_EQ(tcreate(path, "z"), 1);
    }
    long fd = sys_open(U("/tmp/many"), O_RDONLY | O_DIRECTORY, 0);
    int removed = 0;
    long n;
    while ((n = sys_getdents64(fd, U(buf), 40)) > 0) {   /* one entry a call */
        if (buf[19] == '.')
            continue;
        snprintf(path, sizeof(path), "/tmp/many/%s", buf + 19);
        EXPECT_EQ(sys_unlink(U(path)), 0);
        removed++;
    }
    EXPECT_EQ(n, 0);
    EXPECT_EQ(removed, 20);
    sys_close(fd);
    EXPECT_EQ(sys_rmdir(U("/tmp/many")), 0);
    tteardown();
}

static void
test_rename(void)
{
    setup();
    struct tstat st, st2;
    char buf[16] = {0};
    EXPECT_EQ(tcreate("/tmp/r1", "one"), 3);
    EXPECT_EQ(tcreate("/tmp/r2", "two"), 3);
    EXPECT_EQ(tstat("/tmp/r1", &st), 0);
    EXPECT_EQ(sys_rename(U("/tmp/r1"), U("/tmp/r2")), 0);   /* over a file */
    EXPECT_EQ(tstat("/tmp/r1", &st2), -ENOENT);
    EXPECT_EQ(tstat("/tmp/r2", &st2), 0);
    EXPECT_EQ(st2.ino, st.ino);
    EXPECT_EQ(sys_renameat2(FS_AT_FDCWD, U("/tmp/r2"), FS_AT_FDCWD, U("/tmp/r2"), 0), 0);
    EXPECT_EQ(sys_mkdir(U("/tmp/da"), 0755), 0);
    EXPECT_EQ(sys_mkdir(U("/tmp/db"), 0755), 0);
    EXPECT_EQ(sys_mkdir(U("/tmp/da/sub"), 0755), 0);
    EXPECT_EQ(sys_rename(U("/tmp/r2"), U("/tmp/da")), -EISDIR);
    EXPECT_EQ(sys_rename(U("/tmp/db"), U("/tmp/r2")), -ENOTDIR);
    EXPECT_EQ(sys_rename(U("/tmp/db"), U("/tmp/da")), -ENOTEMPTY);
    EXPECT_EQ(sys_rename(U("/tmp/da"), U("/tmp/da/sub/x")), -EINVAL);
    EXPECT_EQ(sys_rename(U("/tmp/r2"), U("/etc/r2")), -EXDEV);
    EXPECT_EQ(sys_rename(U("/tmp/r2"), U("/small/r2")), -EXDEV);
    EXPECT_EQ(sys_rename(U("/etc/motd"), U("/etc/m2")), -EROFS);
    EXPECT_EQ(sys_rename(U("/tmp/r2/"), U("/tmp/r3")), -ENOTDIR);
    EXPECT_EQ(sys_rename(U("/tmp/nope"), U("/tmp/r3")), -ENOENT);
    EXPECT_EQ(sys_renameat2(FS_AT_FDCWD, U("/tmp/da/sub"), FS_AT_FDCWD, U("/tmp/db"),
                            FS_RENAME_NOREPLACE), -EEXIST);
    EXPECT_EQ(sys_renameat2(FS_AT_FDCWD, U("/tmp/da"), FS_AT_FDCWD, U("/tmp/db"), 4), -EINVAL);
    EXPECT_EQ(sys_rename(U("/tmp/da/sub"), U("/tmp/db")), 0);     /* over an empty dir */
    EXPECT_EQ(tstat("/tmp/da", &st), 0);
    EXPECT_EQ(st.nlink, 2);
    EXPECT_EQ(sys_rename(U("/tmp/r2"), U("/tmp/db/moved")), 0);
    long fd = sys_open(U("/tmp/db/moved"), O_RDONLY, 0);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), 3);
    EXPECT_STREQ(buf, "one");
    sys_close(fd);
    EXPECT_EQ(sys_rename(U("/tmp/db"), U("/tmp/da/db")), 0);      /* a dir between dirs */
    EXPECT_EQ(tstat("/tmp/da", &st), 0);
    EXPECT_EQ(st.nlink, 3);
    EXPECT_EQ(sys_chdir(U("/tmp/da/db")), 0);
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 11);
    EXPECT_EQ(sys_chdir(U("/")), 0);
    EXPECT_EQ(sys_unlink(U("/tmp/da/db/moved")), 0);
    EXPECT_EQ(sys_rmdir(U("/tmp/da/db")), 0);
    EXPECT_EQ(sys_rmdir(U("/tmp/da")), 0);
    tteardown();
}

static void
test_unlink_while_open(void)
{
    setup();
    char buf[16] = {0};
    struct tstat st;
    EXPECT_EQ(tcreate("/tmp/gone", "still here"), 10);
    long fd = sys_open(U("/tmp/gone"), O_RDWR, 0);
    EXPECT_EQ(sys_unlink(U("/tmp/gone")), 0);
    EXPECT_EQ(tstat("/tmp/gone", &st), -ENOENT);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.nlink, 0);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), 10);
    EXPECT_STREQ(buf, "still here");
    EXPECT_EQ(sys_write(fd, U("!"), 1), 1);
    EXPECT_TRUE(frames_out > 0);
    EXPECT_EQ(sys_close(fd), 0);
    EXPECT_EQ(frames_out, 0);                            /* freed at the last close */
    /* A removed cwd: nothing can be made in it. */
    EXPECT_EQ(sys_mkdir(U("/tmp/cw"), 0755), 0);
    EXPECT_EQ(sys_chdir(U("/tmp/cw")), 0);
    EXPECT_EQ(sys_rmdir(U("/tmp/cw")), 0);
    EXPECT_EQ(sys_open(U("new"), O_CREAT | O_RDWR, 0644), -ENOENT);
    EXPECT_EQ(sys_chdir(U("/")), 0);
    tteardown();
}

static void
test_link_chmod_times(void)
{
    setup();
    struct tstat st;
    EXPECT_EQ(tcreate("/tmp/l1", "data"), 4);
    EXPECT_EQ(sys_link(U("/tmp/l1"), U("/tmp/l2")), 0);
    EXPECT_EQ(sys_link(U("/tmp/l1"), U("/tmp/l2")), -EEXIST);
    EXPECT_EQ(sys_link(U("/tmp"), U("/tmp/l3")), -EPERM);
    EXPECT_EQ(sys_link(U("/etc/motd"), U("/tmp/l3")), -EXDEV);
    EXPECT_EQ(tstat("/tmp/l1", &st), 0);
    EXPECT_EQ(st.nlink, 2);
    EXPECT_EQ(sys_unlink(U("/tmp/l1")), 0);
    EXPECT_EQ(tstat("/tmp/l2", &st), 0);
    EXPECT_EQ(st.nlink, 1);
    EXPECT_EQ(sys_chmod(U("/tmp/l2"), 04711), 0);
    EXPECT_EQ(sys_chown(U("/tmp/l2"), 5, -1), 0);
    EXPECT_EQ(tstat("/tmp/l2", &st), 0);
    EXPECT_EQ(st.mode, S_IFREG | 04711);
    EXPECT_EQ(st.uid, 5);
    EXPECT_EQ(st.gid, 0);
    EXPECT_EQ(sys_chmod(U("/etc/motd"), 0600), -EROFS);
    int64_t ts[4] = {100, 5, 200, (1l << 30) - 2};      /* mtime: UTIME_OMIT */
    uint64_t mtime_before = (uint64_t)st.t[2];
    EXPECT_EQ(sys_utimensat(FS_AT_FDCWD, U("/tmp/l2"), U(ts), 0), 0);
    EXPECT_EQ(tstat("/tmp/l2", &st), 0);
    EXPECT_EQ(st.t[0], 100);
    EXPECT_EQ(st.t[1], 5);
    EXPECT_EQ((uint64_t)st.t[2], mtime_before);
    ts[3] = 1000000000;
    EXPECT_EQ(sys_utimensat(FS_AT_FDCWD, U("/tmp/l2"), U(ts), 0), -EINVAL);
    long fd = sys_open(U("/tmp/l2"), O_RDONLY, 0);
    fake_now += 1000000000ull;
    EXPECT_EQ(sys_utimensat(fd, 0, 0, 0), 0);            /* futimens(fd, NULL) */
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ((uint64_t)st.t[2], fake_now / 1000000000u);
    EXPECT_EQ(sys_fsync(fd), 0);
    EXPECT_EQ(sys_fdatasync(99), -EBADF);
    sys_close(fd);
    EXPECT_EQ(sys_unlink(U("/tmp/l2")), 0);
    tteardown();
}

static void
test_enospc_and_statfs(void)
{
    setup();
    struct tstatfs sf;
    EXPECT_EQ(sys_statfs(U("/small"), U(&sf)), 0);
    EXPECT_EQ(sf.type, TMP_MAGIC);
    EXPECT_EQ(sf.bsize, 4096);
    EXPECT_EQ(sf.blocks, 16);
    uint64_t free0 = sf.bfree;
    static char big[128 << 10];
    memset(big, 'b', sizeof(big));
    long fd = sys_open(U("/small/fill"), O_CREAT | O_WRONLY, 0644);
    long w = sys_write(fd, U(big), sizeof(big));
    EXPECT_TRUE(w > 0 && w < (long)sizeof(big));
    EXPECT_EQ(sys_write(fd, U(big), 4096), -ENOSPC);
    long fd2 = sys_open(U("/small/more"), O_CREAT | O_WRONLY, 0644);
    EXPECT_EQ(sys_write(fd2, U("m"), 1), -ENOSPC);
    sys_close(fd2);
    EXPECT_EQ(sys_unlink(U("/small/more")), 0);
    EXPECT_EQ(sys_fstatfs(fd, U(&sf)), 0);
    EXPECT_EQ(sf.bfree, 0);
    sys_close(fd);
    EXPECT_EQ(sys_unlink(U("/small/fill")), 0);
    EXPECT_EQ(sys_statfs(U("/small"), U(&sf)), 0);
    EXPECT_EQ(sf.bfree, free0);
    EXPECT_EQ(tcreate("/small/again", "ok"), 2);
    /* The frame allocator runs dry before the limit. */
    frames_left = 4;
    fd = sys_open(U("/tmp/dry"), O_CREAT | O_WRONLY, 0644);
    EXPECT_EQ(sys_write(fd, U(big), 3 * 4096), 4096);   /* 3 index pages and 1 data page */
    EXPECT_EQ(sys_write(fd, U(big), 4096), -ENOSPC);
    frames_left = -1;
    sys_close(fd);
    EXPECT_EQ(sys_unlink(U("/tmp/dry")), 0);
    EXPECT_EQ(sys_unlink(U("/small/again")), 0);
    EXPECT_EQ(sys_statfs(U("/etc"), U(&sf)), 0);
    EXPECT_EQ(sf.flags & 1, 1);                          /* the initrd is read-only */
    EXPECT_EQ(sys_statfs(U("/nope"), U(&sf)), -ENOENT);
    EXPECT_EQ(sys_statfs(U("/tmp"), 0x10), -EFAULT);
    EXPECT_EQ(frames_out, 0);
    tteardown();
}

/* /proc/PID/exe of a program on the tmpfs: its real path, through a
 * symlink (absolute or relative) and a hard link, never "/" (tmpfs files
 * have no parent link of their own). */
static void
test_realpath_of_tmp_files(void)
{
    setup();
    char out[FS_PATH_MAX];
    struct fs_ctx *c = fs_cur();
    EXPECT_EQ(sys_mkdir(U("/tmp/bin"), 0755), 0);
    EXPECT_EQ(tcreate("/tmp/bin/prog", "x"), 1);
    EXPECT_EQ(sys_symlink(U("bin/prog"), U("/tmp/rel")), 0);
    EXPECT_EQ(sys_symlink(U("/tmp/rel"), U("/tmp/abs")), 0);
    EXPECT_EQ(sys_link(U("/tmp/bin/prog"), U("/tmp/hard")), 0);
    EXPECT_EQ(fs_realpath(c, "/tmp/bin/prog", out, sizeof out), 0);
    EXPECT_STREQ(out, "/tmp/bin/prog");
    EXPECT_EQ(fs_realpath(c, "/tmp/abs", out, sizeof out), 0);
    EXPECT_STREQ(out, "/tmp/bin/prog");
    EXPECT_EQ(fs_realpath(c, "/tmp/bin/../hard", out, sizeof out), 0);
    EXPECT_STREQ(out, "/tmp/hard");
    EXPECT_EQ(fs_realpath(c, "/tmp/bin", out, sizeof out), 0);
    EXPECT_STREQ(out, "/tmp/bin");
    EXPECT_EQ(fs_realpath(c, "/tmp/bin/prog", out, 8), -ENAMETOOLONG);
    EXPECT_EQ(sys_symlink(U("loop"), U("/tmp/loop")), 0);
    EXPECT_EQ(fs_realpath(c, "/tmp/loop", out, sizeof out), -ELOOP);
    EXPECT_EQ(fs_realpath(c, "/tmp/none", out, sizeof out), -ENOENT);
    tteardown();
}

/* A file that knows its directory and name (the initrd's; the shared
 * volume's too) gives its path from its vnode, which exec records without
 * resolving the path again; a tmpfs file and a directory do not. */
static void
test_realpath_from_the_vnode(void)
{
    setup();
    char out[FS_PATH_MAX];
    struct fs_ctx *c = fs_cur();
    struct vnode *v;
    EXPECT_EQ(fs_namei(c, NULL, "/etc/../etc/motd", FS_NAMEI_FOLLOW, &v, NULL), 0);
    EXPECT_EQ(fs_vn_realpath(v, out, sizeof out), 0);
    EXPECT_STREQ(out, "/etc/motd");
    EXPECT_EQ(fs_vn_realpath(v, out, 5), -ENAMETOOLONG);
    fs_vn_unref(v);
    EXPECT_EQ(fs_namei(c, NULL, "/etc", FS_NAMEI_FOLLOW, &v, NULL), 0);
    EXPECT_EQ(fs_vn_realpath(v, out, sizeof out), -ENOENT);
    fs_vn_unref(v);
    EXPECT_EQ(tcreate("/tmp/own", "x"), 1);
    EXPECT_EQ(fs_namei(c, NULL, "/tmp/own", FS_NAMEI_FOLLOW, &v, NULL), 0);
    EXPECT_EQ(fs_vn_realpath(v, out, sizeof out), -ENOENT);
    fs_vn_unref(v);
    EXPECT_EQ(sys_symlink(U("/etc/motd"), U("/tmp/motd")), 0);
    EXPECT_EQ(fs_realpath(c, "/tmp/motd", out, sizeof out), 0);
    EXPECT_STREQ(out, "/etc/motd");
    EXPECT_EQ(fs_realpath(c, "/tmp/own", out, sizeof out), 0);
    EXPECT_STREQ(out, "/tmp/own");
    EXPECT_EQ(sys_unlink(U("/tmp/motd")), 0);
    EXPECT_EQ(sys_unlink(U("/tmp/own")), 0);
    tteardown();
}

/* File pages count against the node's commit too: when processes have
 * committed the rest of memory, a write gets ENOSPC, and everything is
 * given back when the file goes. */
extern uint64_t fake_commit_limit, fake_committed;

static void
test_enospc_node_commit(void)
{
    setup();
    static char buf[4 * 4096];
    uint64_t base = fake_committed;
    fake_commit_limit = base + 5;   /* index pages and a few data pages */
    long fd = sys_open(U("/tmp/c"), O_CREAT | O_WRONLY, 0644);
    long w = sys_write(fd, U(buf), sizeof(buf));
    EXPECT_TRUE(w < (long)sizeof(buf));                 /* stopped short or ENOSPC */
    EXPECT_EQ(sys_write(fd, U(buf), 4096), -ENOSPC);
    EXPECT_TRUE(fake_committed <= fake_commit_limit);
    sys_close(fd);
    EXPECT_EQ(sys_unlink(U("/tmp/c")), 0);
    EXPECT_EQ(fake_committed, base);
    fake_commit_limit = ~0ull;
    tteardown();
}

/* Names and nodes count too: creating empty files ends in ENOSPC. */
static void
test_enospc_metadata(void)
{
    setup();
    struct tstatfs sf;
    char path[64];
    EXPECT_EQ(sys_statfs(U("/small"), U(&sf)), 0);
    uint64_t free0 = sf.bfree;
    int n = 0;
    long r = 0;
    while (n < 10000) {
        snprintf(path, sizeof(path), "/small/%040d", n);
        r = n % 2 ? sys_mkdir(U(path), 0755) : sys_open(U(path), O_CREAT | O_RDONLY, 0644);
        if (r < 0)
            break;
        if (n % 2 == 0)
            sys_close(r);
        n++;
    }
    EXPECT_EQ(r, -ENOSPC);
    EXPECT_TRUE(n > 50);
    EXPECT_EQ(sys_symlink(U("/etc/motd"), U("/small/l")), -ENOSPC);
    for (int i = 0; i < n; i++) {
        snprintf(path, sizeof(path), "/small/%040d", i);
        EXPECT_EQ(i % 2 ? sys_rmdir(U(path)) : sys_unlink(U(path)), 0);
    }
    EXPECT_EQ(sys_statfs(U("/small"), U(&sf)), 0);
    EXPECT_EQ(sf.bfree, free0);
    tteardown();
}

static void
test_parse_size(void)
{
    uint64_t v;
    EXPECT_EQ(fs_tmp_parse_size("1M", 0, &v), 0);
    EXPECT_EQ(v, 1 << 20);
    EXPECT_EQ(fs_tmp_parse_size("300k", 0, &v), 0);
    EXPECT_EQ(v, 300 << 10);
    EXPECT_EQ(fs_tmp_parse_size("2G", 0, &v), 0);
    EXPECT_EQ(v, 2ull << 30);
    EXPECT_EQ(fs_tmp_parse_size("4096", 0, &v), 0);
    EXPECT_EQ(v, 4096);
    EXPECT_EQ(fs_tmp_parse_size("25%", 1000, &v), 0);
    EXPECT_EQ(v, 250);
    EXPECT_EQ(fs_tmp_parse_size("101%", 1000, &v), -EINVAL);
    EXPECT_EQ(fs_tmp_parse_size("", 0, &v), -EINVAL);
    EXPECT_EQ(fs_tmp_parse_size("1X", 0, &v), -EINVAL);
    EXPECT_EQ(fs_tmp_parse_size("1MB", 0, &v), -EINVAL);
    EXPECT_EQ(fs_tmp_parse_size("99999999999999999999", 0, &v), -EINVAL);
    EXPECT_EQ(fs_tmp_parse_size("99999999999G", 0, &v), -EINVAL);
}

void
tests_run(void)
{
    RUN(test_create_write_read);
    RUN(test_sparse_and_truncate);
    RUN(test_open_flags);
    RUN(test_dirs);
    RUN(test_getdents_while_removing);
    RUN(test_rename);
    RUN(test_unlink_while_open);
    RUN(test_link_chmod_times);
    RUN(test_enospc_and_statfs);
    RUN(test_enospc_metadata);
    RUN(test_enospc_node_commit);
    RUN(test_realpath_of_tmp_files);
    RUN(test_realpath_from_the_vnode);
    RUN(test_parse_size);
}
