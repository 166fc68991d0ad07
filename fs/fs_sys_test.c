/*
 * Host tests of the file system calls on the standard test image: open
 * flags and errors, read/lseek/pread/readv, fstat/stat layout, getdents64,
 * dup/dup2/dup3/fcntl, fork sharing offsets, exec closing cloexec fds,
 * access, getcwd/chdir, readlink, umask, fs_read_file, and EFAULT paths.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_testlib.h"
#include "kernel/mem.h"

#define BADPTR 0x10ull
#define KPTR   0xffff800000001000ull

struct lstat {
    uint64_t dev, ino, nlink;
    uint32_t mode, uid, gid, pad;
    uint64_t rdev;
    int64_t size, blksize, blocks, t[6], r[3];
};

static void
test_open_read_lseek(void)
{
    tsetup();
    char buf[16] = {0};
    long fd = topen("/etc/motd", O_RDONLY);
    EXPECT_EQ(fd, 3);
    EXPECT_EQ(sys_read(fd, U(buf), 3), 3);
    EXPECT_TRUE(memcmp(buf, "hel", 3) == 0);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), 3);
    EXPECT_EQ(sys_read(fd, U(buf), sizeof(buf)), 0);
    EXPECT_EQ(sys_lseek(fd, 1, SEEK_SET), 1);
    EXPECT_EQ(sys_lseek(fd, 2, SEEK_CUR), 3);
    EXPECT_EQ(sys_lseek(fd, -1, SEEK_END), 5);
    EXPECT_EQ(sys_read(fd, U(buf), 8), 1);
    EXPECT_EQ(buf[0], '\n');
    EXPECT_EQ(sys_lseek(fd, -10, SEEK_SET), -EINVAL);
    EXPECT_EQ(sys_lseek(fd, 0, 7), -EINVAL);
    EXPECT_EQ(sys_pread64(fd, U(buf), 4, 1), 4);
    EXPECT_TRUE(memcmp(buf, "ello", 4) == 0);
    EXPECT_EQ(sys_lseek(fd, 0, SEEK_CUR), 6);      /* pread leaves the offset */
    EXPECT_EQ(sys_close(fd), 0);
    EXPECT_EQ(sys_close(fd), -EBADF);
    EXPECT_EQ(sys_read(fd, U(buf), 1), -EBADF);
    EXPECT_EQ(sys_read(99, U(buf), 1), -EBADF);
    EXPECT_EQ(sys_read(-1, U(buf), 1), -EBADF);
    tteardown();
}

static void
test_read_big_file_in_chunks(void)
{
    tsetup();
    char *buf = malloc(TBIG_SIZE + 100);
    long fd = topen("/etc/big", O_RDONLY);
    EXPECT_EQ(sys_read(fd, U(buf), TBIG_SIZE + 100), TBIG_SIZE);
    EXPECT_TRUE(memcmp(buf, tbig, TBIG_SIZE) == 0);
    EXPECT_EQ(sys_pread64(fd, U(buf), 10, TBIG_SIZE - 5), 5);
    EXPECT_EQ(sys_pread64(fd, U(buf), 10, -1), -EINVAL);
    free(buf);
    tteardown();
}

static void
test_open_errors(void)
{
    tsetup();
    EXPECT_EQ(topen("/nope", O_RDONLY), -ENOENT);
    EXPECT_EQ(topen("/etc/motd", O_WRONLY), -EROFS);
    EXPECT_EQ(topen("/etc/motd", O_RDWR), -EROFS);
    EXPECT_EQ(topen("/etc/new", O_WRONLY | O_CREAT), -EROFS);
    EXPECT_EQ(topen("/nodir/new", O_WRONLY | O_CREAT), -ENOENT);
    EXPECT_EQ(topen("/etc/motd", O_RDONLY | O_CREAT | O_EXCL), -EEXIST);
    EXPECT_EQ(topen("/etc", O_WRONLY), -EISDIR);
    EXPECT_EQ(topen("/etc/motd", O_RDONLY | O_DIRECTORY), -ENOTDIR);
    EXPECT_EQ(topen("/lib/motd", O_RDONLY | O_NOFOLLOW), -ELOOP);
    long fd = topen("/etc/motd", O_RDONLY | O_CREAT);  /* existing: fine */
    EXPECT_TRUE(fd >= 0);
    char c;
    EXPECT_EQ(sys_write(fd, U("x"), 1), -EBADF);
    EXPECT_EQ(sys_read(fd, BADPTR, 1), -EFAULT);
    EXPECT_EQ(sys_open(BADPTR, O_RDONLY, 0), -EFAULT);
    EXPECT_EQ(sys_open(KPTR, O_RDONLY, 0), -EFAULT);
    long dfd = topen("/etc", O_RDONLY | O_DIRECTORY);
    EXPECT_EQ(sys_read(dfd, U(&c), 1), -EISDIR);
    EXPECT_EQ(sys_openat(dfd, U("motd"), O_RDONLY, 0), 5);
    EXPECT_EQ(sys_openat(fd, U("motd"), O_RDONLY, 0), -ENOTDIR);
    EXPECT_EQ(sys_openat(42, U("motd"), O_RDONLY, 0), -EBADF);
    EXPECT_EQ(sys_openat(42, U("/etc/motd"), O_RDONLY, 0), 6);  /* absolute: dirfd unused */
    tteardown();
}

static void
test_emfile(void)
{
    tsetup();
    long fd = 0;
    for (int i = 3; i < FS_NFD; i++)
        fd = topen("/etc/motd", O_RDONLY);
    EXPECT_EQ(fd, FS_NFD - 1);
    EXPECT_EQ(topen("/etc/motd", O_RDONLY), -EMFILE);
    EXPECT_EQ(sys_dup(0), -EMFILE);
    tteardown();
}

static void
test_fstat_and_stat(void)
{
    tsetup();
    struct lstat st;
    EXPECT_EQ(sizeof(st), 144);
    long fd = topen("/bin/sh", O_RDONLY);
    EXPECT_EQ(sys_fstat(fd, U(&st)), 0);
    EXPECT_EQ(st.mode, S_IFREG | 0755);
    EXPECT_EQ(st.size, 9);
    EXPECT_EQ(st.nlink, 1);
    EXPECT_EQ(st.blksize, 4096);
    EXPECT_EQ(st.dev, FS_DEV_INITRD);
    uint64_t ino = st.ino;
    EXPECT_EQ(sys_stat(U("/bin/../bin/sh"), U(&st)), 0);
    EXPECT_EQ(st.ino, ino);
    EXPECT_EQ(sys_stat(U("/lib/motd"), U(&st)), 0);
    EXPECT_EQ(st.mode, S_IFREG | 0644);
    EXPECT_EQ(sys_lstat(U("/lib/motd"), U(&st)), 0);
    EXPECT_EQ(st.mode, S_IFLNK | 0777);
    EXPECT_EQ(st.size, 11);
    EXPECT_EQ(sys_stat(U("/dev/null"), U(&st)), 0);
    EXPECT_EQ(st.mode & S_IFMT, S_IFCHR);
    EXPECT_EQ(st.rdev, (1 << 8) | 3);
    EXPECT_EQ(sys_newfstatat(fd, U(""), U(&st), FS_AT_EMPTY_PATH), 0);
    EXPECT_EQ(st.ino, ino);
    EXPECT_EQ(sys_newfstatat(fd, U(""), U(&st), 0), -ENOENT);
    EXPECT_EQ(sys_newfstatat(FS_AT_FDCWD, U("etc"), U(&st), 0), 0);
    EXPECT_EQ(st.mode & S_IFMT, S_IFDIR);
    EXPECT_EQ(sys_newfstatat(FS_AT_FDCWD, U("etc"), U(&st), 0x4), -EINVAL);
    EXPECT_EQ(sys_fstat(fd, BADPTR), -EFAULT);
    EXPECT_EQ(sys_stat(U("/nope"), U(&st)), -ENOENT);
    EXPECT_EQ(sys_fstat(77, U(&st)), -EBADF);
    tteardown();
}

/* Names in a getdents64 buffer, joined by spaces. */
static void
dirents_names(const char *buf, long n, char *out)
{
    out[0] = '\0';
    for (long at = 0; at < n;) {
        uint16_t reclen;
        memcpy(&reclen, buf + at + 16, 2);
        EXPECT_EQ(reclen % 8, 0);
        strcat(out, buf + at + 19);
        strcat(out, " ");
        at += reclen;
    }
}

static void
test_getdents64(void)
{
    tsetup();
    char buf[512];
    char names[512];
    long fd = topen("/", O_RDONLY | O_DIRECTORY);
    long n = sys_getdents64(fd, U(buf), sizeof(buf));
    EXPECT_TRUE(n > 0);
    dirents_names(buf, n, names);
    EXPECT_STREQ(names, ". .. bin etc noexec usr lib loop abs dev proc ");
    EXPECT_EQ(sys_getdents64(fd, U(buf), sizeof(buf)), 0);
    EXPECT_EQ(sys_lseek(fd, 0, SEEK_SET), 0);
    EXPECT_EQ(sys_getdents64(fd, U(buf), 10), -EINVAL);        /* too small for one */
    EXPECT_EQ(sys_getdents64(fd, U(buf), 24), 24);             /* exactly "." */
    n = sys_getdents64(fd, U(buf), 48);
    dirents_names(buf, n, names);
    EXPECT_STREQ(names, ".. bin ");
    EXPECT_EQ(sys_getdents64(fd, BADPTR, 100), -EFAULT);
    long f2 = topen("/etc/motd", O_RDONLY);
    EXPECT_EQ(sys_getdents64(f2, U(buf), sizeof(buf)), -ENOTDIR);
    long d2 = topen("/dev", O_RDONLY);
    n = sys_getdents64(d2, U(buf), sizeof(buf));
    dirents_names(buf, n, names);
    EXPECT_STREQ(names, ". .. console fd null random stderr stdin stdout tty urandom zero ");
    tteardown();
}

static void
test_dup_shares_offset(void)
{
    tsetup();
    char c;
    long fd = topen("/etc/motd", O_RDONLY);
    long d = sys_dup(fd);
    EXPECT_EQ(d, 4);
    EXPECT_EQ(sys_read(fd, U(&c), 1), 1);
    EXPECT_EQ(sys_read(d, U(&c), 1), 1);
    EXPECT_EQ(c, 'e');
    EXPECT_EQ(sys_dup2(fd, 10), 10);
    EXPECT_EQ(sys_lseek(10, 0, SEEK_CUR), 2);
    EXPECT_EQ(sys_dup2(fd, fd), fd);
    EXPECT_EQ(sys_dup2(55, 56), -EBADF);
    EXPECT_EQ(sys_dup2(fd, 64), -EBADF);
    EXPECT_EQ(sys_dup3(fd, fd, 0), -EINVAL);
    EXPECT_EQ(sys_dup3(fd, 11, 0x1), -EINVAL);
    EXPECT_EQ(sys_dup3(fd, 11, O_CLOEXEC), 11);
    EXPECT_EQ(sys_fcntl(11, 1 /* F_GETFD */, 0), 1);
    EXPECT_EQ(sys_fcntl(10, 1, 0), 0);
    EXPECT_EQ(sys_fcntl(fd, 0 /* F_DUPFD */, 20), 20);
    EXPECT_EQ(sys_fcntl(fd, 1030 /* F_DUPFD_CLOEXEC */, 20), 21);
    EXPECT_EQ(sys_fcntl(21, 1, 0), 1);
    EXPECT_EQ(sys_fcntl(fd, 0, 64), -EINVAL);
    EXPECT_EQ(sys_fcntl(fd, 2 /* F_SETFD */, 1), 0);
    EXPECT_EQ(sys_fcntl(fd, 1, 0), 1);
    EXPECT_EQ(sys_fcntl(fd, 3 /* F_GETFL */, 0) & (O_ACCMODE | O_NONBLOCK), O_RDONLY);
    EXPECT_EQ(sys_fcntl(fd, 4 /* F_SETFL */, O_NONBLOCK), 0);
    EXPECT_EQ(sys_fcntl(d, 3, 0) & O_NONBLOCK, O_NONBLOCK);   /* shared description */
    EXPECT_EQ(sys_fcntl(99, 3, 0), -EBADF);
    EXPECT_EQ(sys_fcntl(fd, 999, 0), -EINVAL);
    /* exec closes the close-on-exec fds only. */
    fs_ctx_exec(tproc->fs);
    EXPECT_EQ(sys_read(fd, U(&c), 1), -EBADF);
    EXPECT_EQ(sys_read(11, U(&c), 1), -EBADF);
    EXPECT_EQ(sys_read(d, U(&c), 1), 1);
    tteardown();
}

static void
test_fork_shares_offset(void)
{
    tsetup();
    char c[2];
    long fd = topen("/etc/motd", O_RDONLY);
    struct fs_ctx *child = fs_ctx_fork(tproc->fs);
    struct fs_ctx *parent = tproc->fs;
    EXPECT_EQ(sys_read(fd, U(c), 2), 2);
    tproc->fs = child;
    EXPECT_EQ(sys_read(fd, U(c), 1), 1);
    EXPECT_EQ(c[0], 'l');
    EXPECT_EQ(sys_close(fd), 0);
    tproc->fs = parent;
    EXPECT_EQ(sys_read(fd, U(c), 1), 1);   /* still open in the parent */
    EXPECT_EQ(c[0], 'l');
    fs_ctx_free(child);
    tteardown();
}

static void
test_readv_writev(void)
{
    tsetup();
    char a[3];
    char b[10];
    uint64_t iov[4] = { U(a), 3, U(b), 10 };
    long fd = topen("/etc/motd", O_RDONLY);
    EXPECT_EQ(sys_readv(fd, U(iov), 2), 6);
    EXPECT_TRUE(memcmp(a, "hel", 3) == 0 && memcmp(b, "lo\n", 3) == 0);
    EXPECT_EQ(sys_readv(fd, U(iov), -1), -EINVAL);
    EXPECT_EQ(sys_readv(fd, U(iov), 1025), -EINVAL);
    EXPECT_EQ(sys_readv(fd, BADPTR, 1), -EFAULT);
    EXPECT_EQ(sys_readv(fd, U(iov), 0), 0);
    uint64_t huge[4] = { U(a), 1ull << 63, U(b), 1 };
    EXPECT_EQ(sys_readv(fd, U(huge), 2), -EINVAL);
    long nul = topen("/dev/null", O_WRONLY);
    uint64_t wv[4] = { U("abc"), 3, U("de"), 2 };
    EXPECT_EQ(sys_writev(nul, U(wv), 2), 5);
    fake_console_reset();
    EXPECT_EQ(sys_writev(1, U(wv), 2), 5);
    EXPECT_STREQ(fake_console_out, "abcde");
    tteardown();
}

static void
test_dev_null_zero(void)
{
    tsetup();
    char buf[8] = "xxxxxxx";
    long z = topen("/dev/zero", O_RDWR);
    EXPECT_EQ(sys_read(z, U(buf), 4), 4);
    EXPECT_EQ(buf[0] | buf[3], 0);
    EXPECT_EQ(sys_write(z, U(buf), 4), 4);
    long n = topen("/dev/null", O_RDWR);
    EXPECT_EQ(sys_read(n, U(buf), 4), 0);
    EXPECT_EQ(sys_write(n, U(buf), 8), 8);
    EXPECT_EQ(sys_write(n, BADPTR, 8), -EFAULT);
    EXPECT_EQ(sys_ioctl(n, 0x5401, U(buf)), -ENOTTY);       /* isatty fails */
    EXPECT_EQ(sys_lseek(1, 0, SEEK_SET), -ESPIPE);          /* the console */
    tteardown();
}

static void
test_access(void)
{
    tsetup();
    EXPECT_EQ(sys_access(U("/bin/sh"), FS_X_OK), 0);
    EXPECT_EQ(sys_access(U("/noexec"), FS_X_OK), -EACCES);
    EXPECT_EQ(sys_access(U("/noexec"), FS_R_OK), 0);
    EXPECT_EQ(sys_access(U("/noexec"), FS_W_OK), -EROFS);
    EXPECT_EQ(sys_access(U("/dev/null"), FS_W_OK), 0);
    EXPECT_EQ(sys_access(U("/etc"), FS_X_OK), 0);
    EXPECT_EQ(sys_access(U("/nope"), FS_F_OK), -ENOENT);
    EXPECT_EQ(sys_access(U("/bin/sh"), 8), -EINVAL);
    EXPECT_EQ(sys_faccessat(FS_AT_FDCWD, U("bin/sh"), FS_X_OK, 0x12345), 0);
    EXPECT_EQ(sys_faccessat2(FS_AT_FDCWD, U("/bin/sh"), FS_X_OK, FS_AT_EACCESS), 0);
    EXPECT_EQ(sys_faccessat2(FS_AT_FDCWD, U("/loop"), FS_F_OK, 0), -ELOOP);
    EXPECT_EQ(sys_faccessat2(FS_AT_FDCWD, U("/loop"), FS_F_OK, FS_AT_SYMLINK_NOFOLLOW), 0);
    EXPECT_EQ(sys_faccessat2(FS_AT_FDCWD, U("/bin/sh"), FS_X_OK, 0x12345), -EINVAL);
    long fd = topen("/noexec", O_RDONLY);
    EXPECT_EQ(sys_faccessat2((int)fd, U(""), FS_R_OK, FS_AT_EMPTY_PATH), 0);
    EXPECT_EQ(sys_faccessat2((int)fd, U(""), FS_X_OK, FS_AT_EMPTY_PATH), -EACCES);
    EXPECT_EQ(sys_faccessat2((int)fd, U(""), FS_R_OK, 0), -ENOENT);
    sys_close((int)fd);
    EXPECT_EQ(sys_access(BADPTR, 0), -EFAULT);
    tteardown();
}

static void
test_getcwd_chdir(void)
{
    tsetup();
    char buf[64];
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 2);
    EXPECT_STREQ(buf, "/");
    EXPECT_EQ(sys_chdir(U("/usr/share/doc")), 0);
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 15);
    EXPECT_STREQ(buf, "/usr/share/doc");
    EXPECT_EQ(sys_getcwd(U(buf), 14), -ERANGE);
    EXPECT_EQ(sys_getcwd(BADPTR, 64), -EFAULT);
    EXPECT_EQ(sys_chdir(U("..")), 0);
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 11);
    EXPECT_EQ(sys_chdir(U("/etc/motd")), -ENOTDIR);
    EXPECT_EQ(sys_chdir(U("/nope")), -ENOENT);
    long d = topen("/proc/self", O_RDONLY);
    EXPECT_EQ(sys_fchdir(d), 0);
    EXPECT_EQ(sys_getcwd(U(buf), sizeof(buf)), 9);
    EXPECT_STREQ(buf, "/proc/10");
    EXPECT_EQ(sys_fchdir(0), -ENOTDIR);
    EXPECT_EQ(sys_fchdir(50), -EBADF);
    tteardown();
}

static void
test_readlink_umask(void)
{
    tsetup();
    char buf[32] = {0};
    EXPECT_EQ(sys_readlink(U("/lib/motd"), U(buf), sizeof(buf)), 11);
    EXPECT_STREQ(buf, "../etc/motd");
    memset(buf, 0, sizeof(buf));
    EXPECT_EQ(sys_readlink(U("/lib/motd"), U(buf), 3), 3);
    EXPECT_STREQ(buf, "../");
    EXPECT_EQ(sys_readlink(U("/etc/motd"), U(buf), 3), -EINVAL);
    EXPECT_EQ(sys_readlink(U("/lib/motd"), U(buf), 0), -EINVAL);
    EXPECT_EQ(sys_readlink(U("/proc/self"), U(buf), sizeof(buf)), 2);
    EXPECT_EQ(sys_umask(077), 022);
    EXPECT_EQ(sys_umask(022), 077);
    tteardown();
}

static void
test_read_file_for_exec(void)
{
    tsetup();
    void *buf;
    size_t len;
    EXPECT_EQ(fs_read_file(tproc->fs, "/bin/sh", true, &buf, &len), 0);
    EXPECT_EQ(len, 9);
    EXPECT_TRUE(memcmp(buf, "\177ELF", 4) == 0);
    kfree(buf);
    EXPECT_EQ(fs_read_file(tproc->fs, "/noexec", true, &buf, &len), -EACCES);
    EXPECT_EQ(fs_read_file(tproc->fs, "/noexec", false, &buf, &len), 0);
    kfree(buf);
    EXPECT_EQ(fs_read_file(tproc->fs, "/etc", false, &buf, &len), -EISDIR);
    EXPECT_EQ(fs_read_file(tproc->fs, "/nope", false, &buf, &len), -ENOENT);
    EXPECT_EQ(fs_read_file(tproc->fs, "/dev/null", true, &buf, &len), -EACCES);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_open_read_lseek);
    RUN(test_read_big_file_in_chunks);
    RUN(test_open_errors);
    RUN(test_emfile);
    RUN(test_fstat_and_stat);
    RUN(test_getdents64);
    RUN(test_dup_shares_offset);
    RUN(test_fork_shares_offset);
    RUN(test_readv_writev);
    RUN(test_dev_null_zero);
    RUN(test_access);
    RUN(test_getcwd_chdir);
    RUN(test_readlink_umask);
    RUN(test_read_file_for_exec);
}
