/*
 * Host tests of the WFS namespace and file operations on an image in
 * memory: each operation, its errors (ENOENT, EEXIST, ENOTDIR, EISDIR,
 * ENOTEMPTY, ENAMETOOLONG, EINVAL, ENOSPC, EFBIG), and a remount between
 * writing and reading back (the format round trip).
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c
#include "fs/wfs_testlib.h"

static struct memdev md;
static struct wfs *fs;

static void
setup(uint64_t nblocks)
{
    fs = md_mkfs_mount(&md, nblocks);
}

static void
teardown(void)
{
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

static void
remount(void)
{
    struct wfs_dev d = md_dev(&md);
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
}

static void
test_mkfs_mount_empty(void)
{
    uint32_t ino;
    struct wfs_attr a;
    setup(1024);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "lost+found", &ino), 0);
    EXPECT_EQ(ino, WFS_LOSTFOUND_INO);
    EXPECT_EQ(wfs_getattr(fs, WFS_ROOT_INO, &a), 0);
    EXPECT_EQ(a.nlink, 3);
    EXPECT_EQ(a.mode, WFS_S_IFDIR | 0755);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "..", &ino), 0);
    EXPECT_EQ(ino, WFS_ROOT_INO);
    teardown();
}

static void
test_file_write_read_remount(void)
{
    uint32_t ino, got;
    char buf[10000], back[10000];
    setup(1024);
    for (size_t i = 0; i < sizeof(buf); i++)
        buf[i] = (char)(i * 7 + 3);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "f", 0644, 5, 6, &ino), 0);
    EXPECT_EQ(wfs_write(fs, ino, 100, buf, sizeof(buf)), sizeof(buf));
    remount();
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "f", &got), 0);
    EXPECT_EQ(got, ino);
    memset(back, 1, sizeof(back));
    EXPECT_EQ(wfs_read(fs, ino, 0, back, 100), 100);
    for (int i = 0; i < 100; i++)
        EXPECT_EQ(back[i], 0);
    EXPECT_EQ(wfs_read(fs, ino, 100, back, sizeof(back)), sizeof(buf));
    EXPECT_TRUE(memcmp(buf, back, sizeof(buf)) == 0);
    EXPECT_EQ(wfs_read(fs, ino, 100 + sizeof(buf), back, 10), 0);
    teardown();
}


static uint32_t
mk(const char *name)
{
    uint32_t ino = 0;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, name, 0644, 0, 0, &ino), 0);
    return ino;
}

static uint32_t
mkd(uint32_t dir, const char *name)
{
    uint32_t ino = 0;
    EXPECT_EQ(wfs_mkdir(fs, dir, name, 0755, 0, 0, &ino), 0);
    return ino;
}

static void
test_create_errors(void)
{
    char long_name[300];
    uint32_t ino, f;
    setup(1024);
    f = mk("a");
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "a", 0644, 0, 0, &ino), -EEXIST);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, ".", 0644, 0, 0, &ino), -EEXIST);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "", 0644, 0, 0, &ino), -ENOENT);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "x/y", 0644, 0, 0, &ino), -EINVAL);
    EXPECT_EQ(wfs_create(fs, f, "b", 0644, 0, 0, &ino), -ENOTDIR);
    EXPECT_EQ(wfs_create(fs, 200, "b", 0644, 0, 0, &ino), -ENOENT);
    EXPECT_EQ(wfs_create(fs, 99999, "b", 0644, 0, 0, &ino), -ENOENT);
    memset(long_name, 'n', sizeof(long_name));
    long_name[256] = 0;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, long_name, 0644, 0, 0, &ino), -ENAMETOOLONG);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, long_name, &ino), -ENAMETOOLONG);
    long_name[255] = 0;
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, long_name, 0644, 0, 0, &ino), 0);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, long_name, &f), 0);
    EXPECT_EQ(f, ino);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "nothere", &ino), -ENOENT);
    teardown();
}

static void
test_mkdir_rmdir(void)
{
    struct wfs_attr a;
    uint32_t d, e, ino;
    setup(1024);
    d = mkd(WFS_ROOT_INO, "d");
    e = mkd(d, "e");
    EXPECT_EQ(wfs_getattr(fs, d, &a), 0);
    EXPECT_EQ(a.nlink, 3);
    EXPECT_EQ(wfs_getattr(fs, WFS_ROOT_INO, &a), 0);
    EXPECT_EQ(a.nlink, 4);
    EXPECT_EQ(wfs_lookup(fs, e, "..", &ino), 0);
    EXPECT_EQ(ino, d);
    EXPECT_EQ(wfs_mkdir(fs, d, "e", 0755, 0, 0, &ino), -EEXIST);
    EXPECT_EQ(wfs_rmdir(fs, WFS_ROOT_INO, "d"), -ENOTEMPTY);
    EXPECT_EQ(wfs_rmdir(fs, d, "."), -EINVAL);
    EXPECT_EQ(wfs_rmdir(fs, d, ".."), -ENOTEMPTY);
    EXPECT_EQ(wfs_unlink(fs, d, "e"), -EISDIR);
    mk("f");
    EXPECT_EQ(wfs_rmdir(fs, WFS_ROOT_INO, "f"), -ENOTDIR);
    EXPECT_EQ(wfs_rmdir(fs, d, "e"), 0);
    EXPECT_EQ(wfs_getattr(fs, e, &a), -ENOENT);
    EXPECT_EQ(wfs_rmdir(fs, WFS_ROOT_INO, "d"), 0);
    EXPECT_EQ(wfs_getattr(fs, WFS_ROOT_INO, &a), 0);
    EXPECT_EQ(a.nlink, 3);
    EXPECT_EQ(wfs_rmdir(fs, WFS_ROOT_INO, "d"), -ENOENT);
    teardown();
}

struct names {
    int n;
    char name[64][32];
    uint64_t next[64];
};

static int
collect(void *arg, const char *name, size_t len, uint32_t ino, unsigned type, uint64_t next)
{
    struct names *ns = arg;
    if (ns->n == 64)
        return 1;
    snprintf(ns->name[ns->n], 32, "%.*s", (int)len, name);
    ns->next[ns->n++] = next;
    return ns->n == 5 ? 5 : 0;    /* stop after five, to test the cookie */
}

static void
test_readdir_cookie(void)
{
    struct names ns = { 0 };
    char name[48];
    setup(1024);
    for (int i = 0; i < 200; i++) {   /* several blocks of entries */
        snprintf(name, sizeof(name), "file-with-a-longish-name-%03d", i);
        mk(name);
    }
    uint64_t cookie = 0;
    int total = 0, r;
    do {
        ns.n = 0;
        r = wfs_readdir(fs, WFS_ROOT_INO, cookie, collect, &ns);
        total += ns.n;
        if (ns.n)
            cookie = ns.next[ns.n - 1];
    } while (r != 0);
    EXPECT_EQ(total, 203);  /* . .. lost+found and 200 */
    ns.n = 0;
    EXPECT_EQ(wfs_readdir(fs, WFS_ROOT_INO, 0, collect, &ns), 5);
    EXPECT_STREQ(ns.name[0], ".");
    EXPECT_STREQ(ns.name[1], "..");
    EXPECT_EQ(wfs_readdir(fs, 260, 0, collect, &ns), -ENOENT);
    teardown();
}

static void
test_unlink_and_link(void)
{
    struct wfs_attr a;
    uint32_t f, d, ino;
    char buf[5000] = { 1 };
    setup(1024);
    f = mk("f");
    d = mkd(WFS_ROOT_INO, "d");
    EXPECT_EQ(wfs_write(fs, f, 0, buf, sizeof(buf)), sizeof(buf));
    EXPECT_EQ(wfs_link(fs, f, d, "g"), 0);
    EXPECT_EQ(wfs_link(fs, f, d, "g"), -EEXIST);
    EXPECT_EQ(wfs_link(fs, d, WFS_ROOT_INO, "dd"), -EPERM);
    EXPECT_EQ(wfs_getattr(fs, f, &a), 0);
    EXPECT_EQ(a.nlink, 2);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "f"), 0);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "f"), -ENOENT);
    EXPECT_EQ(wfs_lookup(fs, d, "g", &ino), 0);
    EXPECT_EQ(ino, f);
    EXPECT_EQ(wfs_getattr(fs, f, &a), 0);
    EXPECT_EQ(a.nlink, 1);
    struct wfs_statfs st0, st1;
    wfs_statfs(fs, &st0);
    EXPECT_EQ(wfs_unlink(fs, d, "g"), 0);
    EXPECT_EQ(wfs_getattr(fs, f, &a), -ENOENT);
    EXPECT_EQ(wfs_fsync(fs), 0);
    wfs_statfs(fs, &st1);
    EXPECT_EQ(st1.bfree, st0.bfree + 2);
    EXPECT_EQ(st1.ffree, st0.ffree + 1);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "."), -EINVAL);
    teardown();
}

static void
test_symlink_readlink(void)
{
    char buf[64], big[5000];
    uint32_t l, f;
    struct wfs_attr a;
    setup(1024);
    EXPECT_EQ(wfs_symlink(fs, WFS_ROOT_INO, "l", "../some/where", 0, 0, &l), 0);
    EXPECT_EQ(wfs_readlink(fs, l, buf, sizeof(buf)), 13);
    EXPECT_TRUE(memcmp(buf, "../some/where", 13) == 0);
    EXPECT_EQ(wfs_getattr(fs, l, &a), 0);
    EXPECT_EQ(a.mode, WFS_S_IFLNK | 0777);
    EXPECT_EQ(a.size, 13);
    EXPECT_EQ(wfs_symlink(fs, WFS_ROOT_INO, "l", "x", 0, 0, &l), -EEXIST);
    EXPECT_EQ(wfs_symlink(fs, WFS_ROOT_INO, "e", "", 0, 0, &l), -ENOENT);
    memset(big, 'x', sizeof(big));
    big[4096] = 0;
    EXPECT_EQ(wfs_symlink(fs, WFS_ROOT_INO, "big", big, 0, 0, &l), -ENAMETOOLONG);
    big[4095] = 0;
    EXPECT_EQ(wfs_symlink(fs, WFS_ROOT_INO, "big", big, 0, 0, &l), 0);
    EXPECT_EQ(wfs_read(fs, l, 0, buf, 10), -EINVAL);
    f = mk("f");
    EXPECT_EQ(wfs_readlink(fs, f, buf, sizeof(buf)), -EINVAL);
    EXPECT_EQ(wfs_readlink(fs, WFS_ROOT_INO, buf, sizeof(buf)), -EINVAL);
    remount();
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "big", &l), 0);
    EXPECT_EQ(wfs_readlink(fs, l, big, sizeof(big)), 4095);
    teardown();
}

static uint32_t
look(uint32_t dir, const char *name)
{
    uint32_t ino = 0;
    return wfs_lookup(fs, dir, name, &ino) == 0 ? ino : 0;
}

static void
test_rename_same_dir(void)
{
    uint32_t a, b;
    struct wfs_attr at;
    setup(1024);
    a = mk("a");
    b = mk("b");
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "a", WFS_ROOT_INO, "c"), 0);
    EXPECT_EQ(look(WFS_ROOT_INO, "a"), 0);
    EXPECT_EQ(look(WFS_ROOT_INO, "c"), a);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "c", WFS_ROOT_INO, "b"), 0);  /* replaces b */
    EXPECT_EQ(look(WFS_ROOT_INO, "b"), a);
    EXPECT_EQ(look(WFS_ROOT_INO, "c"), 0);
    EXPECT_EQ(wfs_getattr(fs, b, &at), -ENOENT);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "b", WFS_ROOT_INO, "b"), 0);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "zz", WFS_ROOT_INO, "b"), -ENOENT);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, ".", WFS_ROOT_INO, "q"), -EINVAL);
    EXPECT_EQ(wfs_link(fs, a, WFS_ROOT_INO, "a2"), 0);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "a2", WFS_ROOT_INO, "b"), 0);  /* same file */
    EXPECT_EQ(look(WFS_ROOT_INO, "a2"), a);
    teardown();
}

static void
test_rename_across_dirs(void)
{
    uint32_t d1, d2, sub, f, x;
    struct wfs_attr at;
    setup(1024);
    d1 = mkd(WFS_ROOT_INO, "d1");
    d2 = mkd(WFS_ROOT_INO, "d2");
    sub = mkd(d1, "sub");
    EXPECT_EQ(wfs_create(fs, d1, "f", 0644, 0, 0, &f), 0);
    EXPECT_EQ(wfs_rename(fs, d1, "f", d2, "g"), 0);
    EXPECT_EQ(look(d2, "g"), f);
    EXPECT_EQ(look(d1, "f"), 0);
    EXPECT_EQ(wfs_rename(fs, d1, "sub", d2, "sub2"), 0);
    EXPECT_EQ(look(sub, ".."), d2);
    EXPECT_EQ(wfs_getattr(fs, d1, &at), 0);
    EXPECT_EQ(at.nlink, 2);
    EXPECT_EQ(wfs_getattr(fs, d2, &at), 0);
    EXPECT_EQ(at.nlink, 3);
    /* a directory may not move under itself */
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "d2", sub, "x"), -EINVAL);
    EXPECT_EQ(wfs_rename(fs, WFS_ROOT_INO, "d2", d2, "x"), -EINVAL);
    /* replacing: dir over non-empty dir, dir over file, file over dir */
    x = mkd(d1, "full");
    EXPECT_EQ(wfs_create(fs, x, "in", 0644, 0, 0, &f), 0);
    EXPECT_EQ(wfs_rename(fs, d2, "sub2", d1, "full"), -ENOTEMPTY);
    EXPECT_EQ(wfs_rename(fs, d2, "sub2", d2, "g"), -ENOTDIR);
    EXPECT_EQ(wfs_rename(fs, d2, "g", d1, "full"), -EISDIR);
    EXPECT_EQ(wfs_unlink(fs, x, "in"), 0);
    EXPECT_EQ(wfs_rename(fs, d2, "sub2", d1, "full"), 0);     /* over an empty dir */
    EXPECT_EQ(look(d1, "full"), sub);
    EXPECT_EQ(wfs_getattr(fs, x, &at), -ENOENT);
    EXPECT_EQ(wfs_getattr(fs, d1, &at), 0);
    EXPECT_EQ(at.nlink, 3);
    EXPECT_EQ(wfs_getattr(fs, d2, &at), 0);
    EXPECT_EQ(at.nlink, 2);
    EXPECT_EQ(wfs_rename(fs, d1, "full", 99999, "x"), -ENOENT);
    teardown();
}

static void
test_sparse_and_truncate(void)
{
    uint32_t f;
    char buf[8192], back[8192];
    struct wfs_attr a = { 0 };
    setup(1024);
    f = mk("s");
    memset(buf, 'z', sizeof(buf));
    /* far out: through the double indirect block */
    uint64_t far = 300ull << 20;
    EXPECT_EQ(wfs_write(fs, f, far, buf, 10), 10);
    EXPECT_EQ(wfs_getattr(fs, f, &a), 0);
    EXPECT_EQ(a.size, far + 10);
    EXPECT_EQ(a.blocks, 3);             /* data, double indirect, indirect */
    EXPECT_EQ(wfs_read(fs, f, far - 100, back, 200), 110);
    EXPECT_EQ(back[0], 0);
    EXPECT_EQ(back[100], 'z');
    EXPECT_EQ(wfs_write(fs, f, 0, buf, sizeof(buf)), sizeof(buf));
    a.size = 5000;
    EXPECT_EQ(wfs_setattr(fs, f, &a, WFS_SET_SIZE), 0);
    EXPECT_EQ(wfs_getattr(fs, f, &a), 0);
    EXPECT_EQ(a.size, 5000);
    EXPECT_EQ(a.blocks, 2);
    a.size = 9000;                      /* grows with a hole: old bytes read as 0 */
    EXPECT_EQ(wfs_setattr(fs, f, &a, WFS_SET_SIZE), 0);
    EXPECT_EQ(wfs_read(fs, f, 0, back, sizeof(back)), sizeof(back));
    EXPECT_EQ(back[4999], 'z');
    EXPECT_EQ(back[5000], 0);
    EXPECT_EQ(back[8191], 0);
    EXPECT_EQ(wfs_write(fs, f, WFS_MAX_FILE, buf, 1), -EFBIG);
    EXPECT_EQ(wfs_write(fs, f, WFS_MAX_FILE - 1, buf, 2), -EFBIG);
    a.size = WFS_MAX_FILE + 1;
    EXPECT_EQ(wfs_setattr(fs, f, &a, WFS_SET_SIZE), -EFBIG);
    a.size = 0;
    EXPECT_EQ(wfs_setattr(fs, WFS_ROOT_INO, &a, WFS_SET_SIZE), -EISDIR);
    EXPECT_EQ(wfs_read(fs, WFS_ROOT_INO, 0, back, 10), -EISDIR);
    EXPECT_EQ(wfs_write(fs, WFS_ROOT_INO, 0, back, 10), -EISDIR);
    teardown();
}

static void
test_setattr_fields(void)
{
    uint32_t f;
    struct wfs_attr a = { .mode = 04711, .uid = 7, .gid = 8, .atime = 11, .mtime = 22 };
    setup(1024);
    f = mk("f");
    EXPECT_EQ(wfs_setattr(fs, f, &a, WFS_SET_MODE | WFS_SET_UID | WFS_SET_GID |
                                     WFS_SET_ATIME | WFS_SET_MTIME), 0);
    remount();
    memset(&a, 0, sizeof(a));
    EXPECT_EQ(wfs_getattr(fs, f, &a), 0);
    EXPECT_EQ(a.mode, WFS_S_IFREG | 04711);
    EXPECT_EQ(a.uid, 7);
    EXPECT_EQ(a.gid, 8);
    EXPECT_EQ(a.atime, 11);
    EXPECT_EQ(a.mtime, 22);
    EXPECT_TRUE(a.ctime > 22);
    EXPECT_EQ(a.generation, 1);
    uint64_t v = a.version;
    EXPECT_EQ(wfs_write(fs, f, 0, "x", 1), 1);
    EXPECT_EQ(wfs_getattr(fs, f, &a), 0);
    EXPECT_TRUE(a.version > v);
    EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, "f"), 0);
    uint32_t g = mk("g");             /* the freed inode comes back, newer */
    EXPECT_EQ(g, f);
    EXPECT_EQ(wfs_getattr(fs, g, &a), 0);
    EXPECT_EQ(a.generation, 2);
    teardown();
}

static void
test_enospc_blocks_and_inodes(void)
{
    static char buf[64 * 1024];
    uint32_t f, ino;
    struct wfs_statfs st;
    char name[32];
    setup(WFS_MIN_BLOCKS);
    f = mk("fill");
    long total = 0, w;
    while ((w = wfs_write(fs, f, (uint64_t)total, buf, sizeof(buf))) > 0)
        total += w;
    EXPECT_EQ(w, -ENOSPC);
    EXPECT_TRUE(total > 0);
    EXPECT_EQ(wfs_statfs(fs, &st), 0);
    EXPECT_EQ(st.bfree, 0);
    EXPECT_EQ(wfs_mkdir(fs, WFS_ROOT_INO, "d", 0755, 0, 0, &ino), -ENOSPC);
    struct wfs_attr a = { .size = 0 };
    EXPECT_EQ(wfs_setattr(fs, f, &a, WFS_SET_SIZE), 0);
    EXPECT_EQ(wfs_fsync(fs), 0);
    int i, err = 0;
    for (i = 0; i < 100000 && !err; i++) {
        snprintf(name, sizeof(name), "i%d", i);
        err = wfs_create(fs, WFS_ROOT_INO, name, 0644, 0, 0, &ino);
    }
    EXPECT_EQ(err, -ENOSPC);
    EXPECT_EQ(wfs_statfs(fs, &st), 0);
    EXPECT_EQ(st.ffree, 0);
    teardown();
}

static void
test_mount_refuses_foreign_and_corrupt(void)
{
    struct wfs_dev d;
    setup(1024);
    EXPECT_EQ(wfs_unmount(fs), 0);
    d = md_dev(&md);
    md.img[0] ^= 1;                   /* magic */
    EXPECT_EQ(wfs_mount(fs, &d), -EINVAL);
    EXPECT_TRUE(strstr(wfs_error(fs), "bad magic") != NULL);
    md.img[0] ^= 1;
    md.img[4] = 9;                    /* version */
    EXPECT_EQ(wfs_mount(fs, &d), -EINVAL);
    EXPECT_TRUE(strstr(wfs_error(fs), "version") != NULL);
    md.img[4] = 1;
    md.img[100] ^= 0x40;              /* covered by the CRC */
    EXPECT_EQ(wfs_mount(fs, &d), -EINVAL);
    EXPECT_TRUE(strstr(wfs_error(fs), "checksum") != NULL);
    md.img[100] ^= 0x40;
    d.nblocks = 512;                  /* image larger than the device */
    EXPECT_EQ(wfs_mount(fs, &d), -EINVAL);
    EXPECT_TRUE(strstr(wfs_error(fs), "device") != NULL);
    d = md_dev(&md);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    teardown();
}

struct walk {
    int seen[300];
    uint64_t cookie;
};

static int
one_entry(void *arg, const char *name, size_t len, uint32_t ino, unsigned type, uint64_t next)
{
    struct walk *w = arg;
    int k;
    if (sscanf(name, "n%d", &k) == 1 && k >= 0 && k < 300)
        w->seen[k]++;
    w->cookie = next;
    if (len > 1 && name[0] == 'n')   /* remove what was just returned */
        EXPECT_EQ(wfs_unlink(fs, WFS_ROOT_INO, name), 0);
    return 1;                        /* one entry per call */
}

static void
test_readdir_while_removing(void)
{
    struct walk w = { { 0 }, 0 };
    char name[16];
    setup(1024);
    for (int i = 0; i < 250; i++) {
        snprintf(name, sizeof(name), "n%d", i);
        mk(name);
    }
    while (wfs_readdir(fs, WFS_ROOT_INO, w.cookie, one_entry, &w) != 0)
        ;
    for (int i = 0; i < 250; i++)
        EXPECT_EQ(w.seen[i], 1);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "n7", &(uint32_t){ 0 }), -ENOENT);
    printf("wfs_size() = %zu bytes\n", wfs_size());
    teardown();
}
static void
tests_run_ops(void);

void
tests_run(void)
{
    RUN(test_mkfs_mount_empty);
    RUN(test_file_write_read_remount);
    tests_run_ops();
}

static void
tests_run_ops(void)
{
    RUN(test_create_errors);
    RUN(test_mkdir_rmdir);
    RUN(test_readdir_cookie);
    RUN(test_unlink_and_link);
    RUN(test_symlink_readlink);
    RUN(test_rename_same_dir);
    RUN(test_rename_across_dirs);
    RUN(test_sparse_and_truncate);
    RUN(test_setattr_fields);
    RUN(test_enospc_blocks_and_inodes);
    RUN(test_mount_refuses_foreign_and_corrupt);
    RUN(test_readdir_while_removing);
}
