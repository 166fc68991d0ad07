/*
 * tmptest: the tmpfs on /tmp checked from user mode (musl): files
 * (create, write, pread/pwrite, O_APPEND/O_EXCL/O_TRUNC, holes, truncate),
 * stat fields and times from the real clock, directories, rename's rules,
 * unlink while open, link/symlink, chmod/chown/utimensat, statfs, umask,
 * EROFS/EXDEV against the initrd, and, when booted with tmpsize=1M, filling
 * /tmp until ENOSPC, then deleting and writing again. Prints "tmptest: PASS
 * name" or "tmptest: FAIL name: detail" per check and "tmptest: N passed,
 * N failed"; exits 0 only if all passed. Run by tests/qemu/fs_tmp.sh.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static char why[256];
static int passed, failed;

#define CHECK(cond, ...)                                                  \
    do {                                                                  \
        if (!(cond)) {                                                    \
            snprintf(why, sizeof why, __VA_ARGS__);                       \
            return 1;                                                     \
        }                                                                 \
    } while (0)

static int
put(const char *path, const char *s)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0)
        return -1;
    int r = (int)write(fd, s, strlen(s));
    close(fd);
    return r;
}

static int
t_file(void)
{
    char buf[64] = {0};
    struct stat st;
    struct timespec t0, t1;
    clock_gettime(CLOCK_REALTIME, &t0);
    int fd = open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0666);
    CHECK(fd >= 0, "create: %s", strerror(errno));
    CHECK(write(fd, "hello", 5) == 5, "write: %s", strerror(errno));
    CHECK(pwrite(fd, "J", 1, 0) == 1, "pwrite: %s", strerror(errno));
    CHECK(pread(fd, buf, sizeof buf, 0) == 5 && strcmp(buf, "Jello") == 0, "pread '%s'", buf);
    clock_gettime(CLOCK_REALTIME, &t1);
    CHECK(fstat(fd, &st) == 0, "fstat");
    CHECK(st.st_mode == (S_IFREG | 0644) && st.st_nlink == 1 && st.st_size == 5 &&
              st.st_blocks == 8, "mode %o nlink %d size %ld blocks %ld", st.st_mode,
          (int)st.st_nlink, (long)st.st_size, (long)st.st_blocks);
    CHECK(st.st_mtime >= t0.tv_sec && st.st_mtime <= t1.tv_sec && st.st_ctime == st.st_mtime,
          "mtime %ld not in [%ld, %ld]", (long)st.st_mtime, (long)t0.tv_sec, (long)t1.tv_sec);
    CHECK(open("/tmp/a", O_RDWR | O_CREAT | O_EXCL, 0644) == -1 && errno == EEXIST, "O_EXCL");
    close(fd);
    fd = open("/tmp/a", O_WRONLY | O_APPEND);
    lseek(fd, 0, SEEK_SET);
    CHECK(write(fd, "!", 1) == 1, "append");
    close(fd);
    fd = open("/tmp/a", O_RDONLY);
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, sizeof buf) == 6 && strcmp(buf, "Jello!") == 0, "after append '%s'", buf);
    close(fd);
    fd = open("/tmp/a", O_RDWR | O_TRUNC);
    CHECK(fstat(fd, &st) == 0 && st.st_size == 0, "O_TRUNC size %ld", (long)st.st_size);
    CHECK(pwrite(fd, "x", 1, 100000) == 1, "pwrite past the end");
    CHECK(fstat(fd, &st) == 0 && st.st_size == 100001 && st.st_blocks == 8,
          "sparse size %ld blocks %ld", (long)st.st_size, (long)st.st_blocks);
    CHECK(pread(fd, buf, 8, 50000) == 8 && memcmp(buf, "\0\0\0\0\0\0\0\0", 8) == 0, "hole");
    CHECK(ftruncate(fd, 10) == 0 && truncate("/tmp/a", 5) == 0, "truncate: %s", strerror(errno));
    CHECK(fstat(fd, &st) == 0 && st.st_size == 5 && st.st_blocks == 0, "truncated");
    close(fd);
    CHECK(unlink("/tmp/a") == 0 && access("/tmp/a", F_OK) == -1 && errno == ENOENT, "unlink");
    return 0;
}

static int
t_dirs(void)
{
    struct stat st;
    CHECK(mkdir("/tmp/d", 0777) == 0, "mkdir: %s", strerror(errno));
    CHECK(mkdir("/tmp/d", 0777) == -1 && errno == EEXIST, "mkdir twice");
    CHECK(stat("/tmp/d", &st) == 0 && st.st_mode == (S_IFDIR | 0755) && st.st_nlink == 2,
          "dir mode %o nlink %d", st.st_mode, (int)st.st_nlink);
    CHECK(put("/tmp/d/f1", "1") == 1 && put("/tmp/d/f2", "2") == 1, "files in d");
    CHECK(rmdir("/tmp/d") == -1 && errno == ENOTEMPTY, "rmdir non-empty: %d", errno);
    DIR *dir = opendir("/tmp/d");
    CHECK(dir != NULL, "opendir");
    int n = 0;
    struct dirent *de;
    while ((de = readdir(dir)) != NULL)
        n += strcmp(de->d_name, "f1") == 0 || strcmp(de->d_name, "f2") == 0 ? 10 : 1;
    closedir(dir);
    CHECK(n == 22, "readdir score %d", n);
    CHECK(chdir("/tmp/d") == 0 && unlink("f1") == 0 && unlinkat(AT_FDCWD, "f2", 0) == 0,
          "unlink relative");
    char cwd[64];
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(cwd, "/tmp/d") == 0, "getcwd");
    CHECK(chdir("..") == 0 && getcwd(cwd, sizeof cwd) && strcmp(cwd, "/tmp") == 0, "..");
    CHECK(unlinkat(AT_FDCWD, "d", AT_REMOVEDIR) == 0, "rmdir: %s", strerror(errno));
    CHECK(chdir("/") == 0 && mkdirat(AT_FDCWD, "/etc/x", 0755) == -1 && errno == EROFS,
          "mkdir on the initrd: %d", errno);
    CHECK(unlink("/etc/motd") == -1 && errno == EROFS, "unlink on the initrd: %d", errno);
    return 0;
}

static int
t_rename(void)
{
    CHECK(put("/tmp/r1", "one") == 3 && put("/tmp/r2", "two") == 3, "files");
    CHECK(rename("/tmp/r1", "/tmp/r2") == 0, "over a file: %s", strerror(errno));
    CHECK(access("/tmp/r1", F_OK) == -1, "old name gone");
    CHECK(mkdir("/tmp/da", 0755) == 0 && mkdir("/tmp/da/sub", 0755) == 0 &&
              mkdir("/tmp/db", 0755) == 0, "dirs");
    CHECK(rename("/tmp/r2", "/tmp/da") == -1 && errno == EISDIR, "file over dir %d", errno);
    CHECK(rename("/tmp/db", "/tmp/r2") == -1 && errno == ENOTDIR, "dir over file %d", errno);
    CHECK(rename("/tmp/db", "/tmp/da") == -1 && errno == ENOTEMPTY, "over non-empty %d", errno);
    CHECK(rename("/tmp/da", "/tmp/da/sub/in") == -1 && errno == EINVAL, "into itself %d", errno);
    CHECK(rename("/tmp/r2", "/etc/r2") == -1 && errno == EXDEV, "EXDEV %d", errno);
    CHECK(syscall(SYS_renameat2, AT_FDCWD, "/tmp/da/sub", AT_FDCWD, "/tmp/db", 1) == -1 &&
              errno == EEXIST, "RENAME_NOREPLACE %d", errno);
    CHECK(renameat(AT_FDCWD, "/tmp/da/sub", AT_FDCWD, "/tmp/db") == 0, "over empty dir");
    CHECK(rename("/tmp/r2", "/tmp/db/r") == 0 && rename("/tmp/db", "/tmp/da/db") == 0, "moves");
    char buf[8] = {0};
    int fd = open("/tmp/da/db/r", O_RDONLY);
    CHECK(read(fd, buf, sizeof buf) == 3 && strcmp(buf, "one") == 0, "moved '%s'", buf);
    close(fd);
    CHECK(unlink("/tmp/da/db/r") == 0 && rmdir("/tmp/da/db") == 0 && rmdir("/tmp/da") == 0,
          "cleanup");
    return 0;
}

static int
t_unlink_open(void)
{
    char buf[16] = {0};
    struct stat st;
    CHECK(put("/tmp/gone", "still here") == 10, "put");
    int fd = open("/tmp/gone", O_RDWR);
    CHECK(unlink("/tmp/gone") == 0, "unlink");
    CHECK(fstat(fd, &st) == 0 && st.st_nlink == 0, "nlink %d", (int)st.st_nlink);
    CHECK(read(fd, buf, sizeof buf) == 10 && strcmp(buf, "still here") == 0, "read '%s'", buf);
    close(fd);
    return 0;
}

static int
t_links_attrs(void)
{
    char buf[32] = {0};
    struct stat st;
    CHECK(put("/tmp/l1", "data") == 4, "put");
    CHECK(link("/tmp/l1", "/tmp/l2") == 0, "link: %s", strerror(errno));
    CHECK(stat("/tmp/l2", &st) == 0 && st.st_nlink == 2, "nlink %d", (int)st.st_nlink);
    CHECK(symlink("l2", "/tmp/sl") == 0, "symlink: %s", strerror(errno));
    CHECK(readlink("/tmp/sl", buf, sizeof buf) == 2 && memcmp(buf, "l2", 2) == 0, "readlink");
    CHECK(lstat("/tmp/sl", &st) == 0 && S_ISLNK(st.st_mode), "lstat");
    CHECK(stat("/tmp/sl", &st) == 0 && S_ISREG(st.st_mode) && st.st_size == 4, "stat via link");
    CHECK(chmod("/tmp/l1", 0600) == 0 && chown("/tmp/l1", 7, 8) == 0, "chmod/chown");
    CHECK(stat("/tmp/l2", &st) == 0 && st.st_mode == (S_IFREG | 0600) && st.st_uid == 7 &&
              st.st_gid == 8, "mode %o uid %d", st.st_mode, (int)st.st_uid);
    struct timespec ts[2] = {{1000, 0}, {2000, 500}};
    CHECK(utimensat(AT_FDCWD, "/tmp/l1", ts, 0) == 0, "utimensat: %s", strerror(errno));
    CHECK(stat("/tmp/l1", &st) == 0 && st.st_atime == 1000 && st.st_mtime == 2000 &&
              st.st_mtim.tv_nsec == 500, "times %ld %ld", (long)st.st_atime, (long)st.st_mtime);
    int fd = open("/tmp/l1", O_RDONLY);
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    CHECK(futimens(fd, NULL) == 0, "futimens: %s", strerror(errno));
    CHECK(fstat(fd, &st) == 0 && st.st_mtime >= now.tv_sec && st.st_mtim.tv_nsec != 500,
          "futimens: mtime %ld, now %ld", (long)st.st_mtime, (long)now.tv_sec);
    CHECK(fchmod(fd, 0640) == 0 && fsync(fd) == 0 && fdatasync(fd) == 0, "fchmod/fsync");
    close(fd);
    CHECK(unlink("/tmp/l1") == 0 && unlink("/tmp/l2") == 0 && unlink("/tmp/sl") == 0, "cleanup");
    mode_t old = umask(077);
    CHECK(put("/tmp/um", "u") == 1 && stat("/tmp/um", &st) == 0 && (st.st_mode & 0777) == 0600,
          "umask 077 gave %o", st.st_mode & 0777);
    umask(old);
    CHECK(unlink("/tmp/um") == 0, "cleanup um");
    return 0;
}

/* With tmpsize=1M: fill /tmp, get ENOSPC, delete, write again. */
static int
t_full(void)
{
    struct statfs sf;
    CHECK(statfs("/tmp", &sf) == 0 && sf.f_type == 0x01021994, "f_type %lx", (long)sf.f_type);
    CHECK(sf.f_bsize == 4096 && sf.f_blocks == 256, "bsize %ld blocks %ld", (long)sf.f_bsize,
          (long)sf.f_blocks);
    static char chunk[65536];
    memset(chunk, 'f', sizeof chunk);
    int fd = open("/tmp/fill", O_WRONLY | O_CREAT, 0644);
    long total = 0, r;
    while ((r = write(fd, chunk, sizeof chunk)) > 0)
        total += r;
    CHECK(r == -1 && errno == ENOSPC, "write ended with %ld errno %d", r, errno);
    CHECK(total > 900 * 1024 && total <= 1024 * 1024, "wrote %ld bytes", total);
    CHECK(fstatfs(fd, &sf) == 0 && sf.f_bfree == 0, "bfree %ld when full", (long)sf.f_bfree);
    close(fd);
    CHECK(unlink("/tmp/fill") == 0, "unlink");
    fd = open("/tmp/again", O_WRONLY | O_CREAT, 0644);
    for (int i = 0; i < 8; i++)
        CHECK(write(fd, chunk, sizeof chunk) == sizeof chunk, "write after delete %d", errno);
    close(fd);
    CHECK(unlink("/tmp/again") == 0, "unlink again");
    return 0;
}

static const struct {
    const char *name;
    int (*fn)(void);
} tests[] = {
    {"file", t_file},         {"dirs", t_dirs},   {"rename", t_rename},
    {"unlink_open", t_unlink_open}, {"links_attrs", t_links_attrs}, {"full", t_full},
};

int
main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (size_t i = 0; i < sizeof tests / sizeof tests[0]; i++) {
        why[0] = '\0';
        if (tests[i].fn() == 0) {
            printf("tmptest: PASS %s\n", tests[i].name);
            passed++;
        } else {
            printf("tmptest: FAIL %s: %s\n", tests[i].name, why);
            failed++;
        }
    }
    printf("tmptest: %d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
