/*
 * Host tests of name resolution on the standard test image: absolute and
 * relative paths, ".", "..", repeated and trailing slashes, symlinks, and
 * the Linux errors (ENOENT, ENOTDIR, ENAMETOOLONG, ELOOP).
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_testlib.h"

/* Resolve and return the vnode's name ("/" for the root), or an errno string. */
static const char *
res(const char *path, int flags)
{
    static char out[300];
    struct vnode *v;
    int err = fs_namei(tproc->fs, NULL, path, flags, &v, NULL);
    if (err) {
        snprintf(out, sizeof(out), "err %d", -err);
        return out;
    }
    snprintf(out, sizeof(out), "%s", v->parent ? v->name : "/");
    fs_vn_unref(v);
    return out;
}

static void
test_path_absolute_and_slashes(void)
{
    tsetup();
    EXPECT_STREQ(res("/", 0), "/");
    EXPECT_STREQ(res("/bin/sh", 0), "sh");
    EXPECT_STREQ(res("//bin///sh", 0), "sh");
    EXPECT_STREQ(res("/usr/share/doc/", 0), "doc");
    EXPECT_STREQ(res("/./etc/./motd", 0), "motd");
    tteardown();
}

static void
test_path_dotdot(void)
{
    tsetup();
    EXPECT_STREQ(res("/..", 0), "/");
    EXPECT_STREQ(res("/../../etc", 0), "etc");
    EXPECT_STREQ(res("/usr/share/../share/doc/..", 0), "share");
    EXPECT_STREQ(res("/dev/..", 0), "/");
    EXPECT_STREQ(res("/proc/../bin", 0), "bin");
    tteardown();
}

static void
test_path_relative_to_cwd(void)
{
    tsetup();
    EXPECT_STREQ(res("etc/motd", 0), "motd");
    struct vnode *usr;
    EXPECT_EQ(fs_namei(tproc->fs, NULL, "/usr/share", 0, &usr, NULL), 0);
    fs_vn_unref(tproc->fs->cwd);
    tproc->fs->cwd = usr;
    EXPECT_STREQ(res("doc/README", 0), "README");
    EXPECT_STREQ(res("../../bin", 0), "bin");
    EXPECT_STREQ(res(".", 0), "share");
    tteardown();
}

static void
test_path_errors(void)
{
    tsetup();
    EXPECT_STREQ(res("/nope", 0), "err 2");
    EXPECT_STREQ(res("", 0), "err 2");
    EXPECT_STREQ(res("/etc/motd/x", 0), "err 20");
    EXPECT_STREQ(res("/etc/motd/", 0), "err 20");
    EXPECT_STREQ(res("/nope/x", 0), "err 2");
    char *longname = malloc(300);
    memset(longname, 'a', 299);
    longname[0] = '/';
    longname[299] = '\0';
    EXPECT_STREQ(res(longname, 0), "err 36");
    free(longname);
    char *longpath = malloc(5000);
    for (int i = 0; i < 4999; i++)
        longpath[i] = i % 2 ? '/' : '.';
    longpath[4999] = '\0';
    EXPECT_STREQ(res(longpath, 0), "err 36");
    longpath[4094] = '\0';              /* 4094 chars: short enough */
    EXPECT_STREQ(res(longpath, 0), "/");
    free(longpath);
    tteardown();
}

static void
test_path_last_missing_flag(void)
{
    tsetup();
    struct vnode *v;
    bool missing;
    EXPECT_EQ(fs_namei(tproc->fs, NULL, "/etc/new", 0, &v, &missing), -ENOENT);
    EXPECT_TRUE(missing);
    EXPECT_EQ(fs_namei(tproc->fs, NULL, "/nodir/new", 0, &v, &missing), -ENOENT);
    EXPECT_TRUE(!missing);
    tteardown();
}

static void
test_path_symlinks(void)
{
    tsetup();
    EXPECT_STREQ(res("/lib/motd", FS_NAMEI_FOLLOW), "motd");
    struct vnode *v;
    EXPECT_EQ(fs_namei(tproc->fs, NULL, "/lib/motd", 0, &v, NULL), 0);
    EXPECT_TRUE(FS_ISLNK(v->mode));      /* not followed at the end */
    fs_vn_unref(v);
    EXPECT_STREQ(res("/abs/motd", 0), "motd"); /* followed in the middle */
    EXPECT_STREQ(res("/abs/", 0), "etc");
    EXPECT_STREQ(res("/loop", FS_NAMEI_FOLLOW), "err 40");
    EXPECT_STREQ(res("/proc/self", FS_NAMEI_FOLLOW), "10");
    tteardown();
}

void
tests_run(void)
{
    RUN(test_path_absolute_and_slashes);
    RUN(test_path_dotdot);
    RUN(test_path_relative_to_cwd);
    RUN(test_path_errors);
    RUN(test_path_last_missing_flag);
    RUN(test_path_symlinks);
}
