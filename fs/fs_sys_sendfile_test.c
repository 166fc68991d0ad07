/*
 * Host tests of sendfile and copy_file_range on the standard test image
 * with a tmpfs on /tmp: the two offset rules (NULL: the file offset moves;
 * a pointer: it moves and the file offset stays), EOF and count 0, a pipe
 * as input, and Linux's EBADF/EINVAL/ESPIPE/EFAULT/EISDIR cases.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_sys_name.c fs/fs_sys_attr.c fs/fs_sys_sendfile.c fs/fs_tmp.c fs/fs_tmp_dir.c fs/fs_tmp_data.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_mem.c tests/host/fake_rand.c
#include "fs/fs_tmp_testlib.h"
#include "kernel/time.h"

uint64_t
time_realtime_ns(void)
{
    return 1700000000ull * 1000000000ull;
}

/* A new empty /tmp file open with flags (plus O_CREAT|O_TRUNC). */
static long
tcreate(const char *path, int flags)
{
    return sys_open(U(path), flags | O_CREAT | O_TRUNC, 0644);
}

/* Whether /tmp file path holds exactly want[0..n). */
static bool
holds(const char *path, const char *want, size_t n)
{
    static char got[TBIG_SIZE + 1];
    long fd = topen(path, O_RDONLY);
    long r = sys_read((int)fd, U(got), sizeof(got));
    sys_close((int)fd);
    return r == (long)n && memcmp(got, want, n) == 0;
}

static void
test_sendfile_null_offset_moves_file_offset(void)
{
    tmp_setup();
    long in = topen("/etc/big", O_RDONLY);
    long out = tcreate("/tmp/sf", O_WRONLY);
    EXPECT_EQ(sys_lseek((int)in, 100, 0), 100);
    EXPECT_EQ(sys_sendfile((int)out, (int)in, 0, 30000), 30000);
    EXPECT_EQ(sys_lseek((int)in, 0, 1), 30100);
    EXPECT_EQ(sys_lseek((int)out, 0, 1), 30000);
    EXPECT_EQ(sys_sendfile((int)out, (int)in, 0, 1 << 20), TBIG_SIZE - 30100);
    EXPECT_EQ(sys_sendfile((int)out, (int)in, 0, 10), 0);      /* EOF */
    EXPECT_TRUE(holds("/tmp/sf", tbig + 100, TBIG_SIZE - 100));
    sys_close((int)in);
    sys_close((int)out);
    tteardown();
}

static void
test_sendfile_offset_pointer_leaves_file_offset(void)
{
    tmp_setup();
    long in = topen("/etc/big", O_RDONLY);
    long out = tcreate("/tmp/sf", O_WRONLY);
    int64_t off = 39000;
    EXPECT_EQ(sys_sendfile((int)out, (int)in, U(&off), 5000), 1000);
    EXPECT_EQ(off, 40000);
    EXPECT_EQ(sys_lseek((int)in, 0, 1), 0);
    EXPECT_EQ(sys_sendfile((int)out, (int)in, U(&off), 0), 0);
    EXPECT_TRUE(holds("/tmp/sf", tbig + 39000, 1000));
    off = -1;
    EXPECT_EQ(sys_sendfile((int)out, (int)in, U(&off), 1), -EINVAL);
    EXPECT_EQ(sys_sendfile((int)out, (int)in, 0x10, 1), -EFAULT);
    sys_close((int)in);
    sys_close((int)out);
    tteardown();
}

static void
test_sendfile_from_pipe(void)
{
    tmp_setup();
    int p[2];
    EXPECT_EQ(sys_pipe2(U(p), 0), 0);
    long out = tcreate("/tmp/sf", O_WRONLY);
    EXPECT_EQ(sys_write(p[1], U("abc"), 3), 3);
    EXPECT_EQ(sys_sendfile((int)out, p[0], 0, 100), 3);     /* what the pipe has */
    int64_t off = 0;
    EXPECT_EQ(sys_sendfile((int)out, p[0], U(&off), 100), -ESPIPE);
    EXPECT_TRUE(holds("/tmp/sf", "abc", 3));
    sys_close((int)out);
    sys_close(p[0]);
    sys_close(p[1]);
    tteardown();
}

static void
test_sendfile_errors(void)
{
    tmp_setup();
    long in = topen("/etc/big", O_RDONLY);
    long out = tcreate("/tmp/sf", O_WRONLY);
    long app = sys_open(U("/tmp/sf"), O_WRONLY | O_APPEND, 0);
    long dir = topen("/etc", O_RDONLY);
    EXPECT_EQ(sys_sendfile((int)out, 40, 0, 1), -EBADF);
    EXPECT_EQ(sys_sendfile(40, (int)in, 0, 1), -EBADF);
    EXPECT_EQ(sys_sendfile((int)in, (int)in, 0, 1), -EBADF);   /* out not writable */
    EXPECT_EQ(sys_sendfile((int)out, (int)out, 0, 1), -EBADF); /* in not readable */
    EXPECT_EQ(sys_sendfile((int)app, (int)in, 0, 1), -EINVAL);
    EXPECT_EQ(sys_sendfile((int)out, (int)dir, 0, 1), -EINVAL);
    EXPECT_EQ(sys_lseek((int)in, 0, 1), 0);
    sys_close((int)in);
    sys_close((int)out);
    sys_close((int)app);
    sys_close((int)dir);
    tteardown();
}

static void
test_copy_file_range(void)
{
    tmp_setup();
    long in = topen("/etc/big", O_RDONLY);
    long out = tcreate("/tmp/cfr", O_RDWR);
    int64_t ioff = 10;
    int64_t ooff = 0;
    EXPECT_EQ(sys_copy_file_range((int)in, U(&ioff), (int)out, U(&ooff), 500, 0), 500);
    EXPECT_TRUE(ioff == 510 && ooff == 500);
    EXPECT_EQ(sys_lseek((int)in, 0, 1), 0);
    EXPECT_EQ(sys_lseek((int)out, 0, 1), 0);
    EXPECT_EQ(sys_copy_file_range((int)in, 0, (int)out, 0, 20, 0), 20);
    EXPECT_TRUE(sys_lseek((int)in, 0, 1) == 20 && sys_lseek((int)out, 0, 1) == 20);
    static char want[500];
    memcpy(want, tbig, 20);
    memcpy(want + 20, tbig + 30, 480);
    EXPECT_TRUE(holds("/tmp/cfr", want, 500));
    EXPECT_EQ(sys_copy_file_range((int)in, 0, (int)out, 0, 20, 1), -EINVAL);
    ioff = ooff = 0;
    EXPECT_EQ(sys_copy_file_range((int)out, U(&ioff), (int)out, U(&ooff), 5, 0), -EINVAL);
    long dir = topen("/etc", O_RDONLY);
    EXPECT_EQ(sys_copy_file_range((int)dir, 0, (int)out, 0, 5, 0), -EISDIR);
    EXPECT_EQ(sys_copy_file_range((int)out, 0, (int)in, 0, 5, 0), -EBADF);
    EXPECT_EQ(sys_copy_file_range((int)in, 0x10, (int)out, 0, 5, 0), -EFAULT);
    sys_close((int)dir);
    sys_close((int)in);
    sys_close((int)out);
    tteardown();
}

void
tests_run(void)
{
    RUN(test_sendfile_null_offset_moves_file_offset);
    RUN(test_sendfile_offset_pointer_leaves_file_offset);
    RUN(test_sendfile_from_pipe);
    RUN(test_sendfile_errors);
    RUN(test_copy_file_range);
}
