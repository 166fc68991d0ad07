/*
 * Host tests of the cpio parser and the initrd tree built from it: a good
 * archive, each kind of corruption, and a fuzz loop of random mutations
 * (fixed seed) that must only ever give 0 or -EINVAL under ASan.
 */
// TEST_SRCS: fs/fs_cpio.c fs/fs_ctx.c fs/fs_dev.c fs/fs_file.c fs/fs_initrd.c fs/fs_path.c fs/fs_pipe.c fs/fs_proc.c fs/fs_sys.c fs/fs_sys_stat.c fs/fs_tty.c fs/fs_vfs.c tests/host/fake_sync.c tests/host/fake_kmalloc.c tests/host/fake_proc.c tests/host/fake_uaccess.c tests/host/fake_console.c tests/host/fake_rand.c
#include "fs/fs_cpio.h"
#include "fs/fs_testlib.h"

static struct timg img;

static int
parse_all(const void *buf, size_t len, int *entries, const char **why)
{
    size_t off = 0;
    struct fs_cpio_entry e;
    int r;
    *entries = 0;
    while ((r = fs_cpio_next(buf, len, &off, &e, why)) == 1)
        (*entries)++;
    return r;
}

static void
test_cpio_good_archive(void)
{
    timg_standard(&img);
    int n;
    const char *why = NULL;
    EXPECT_EQ(parse_all(img.buf, img.len, &n, &why), 0);
    EXPECT_EQ(n, 11);
    size_t off = 0;
    struct fs_cpio_entry e;
    EXPECT_EQ(fs_cpio_next(img.buf, img.len, &off, &e, &why), 1);   /* "." */
    EXPECT_EQ(fs_cpio_next(img.buf, img.len, &off, &e, &why), 1);   /* "bin" */
    EXPECT_EQ(fs_cpio_next(img.buf, img.len, &off, &e, &why), 1);
    EXPECT_EQ(e.namelen, 6);
    EXPECT_TRUE(memcmp(e.name, "bin/sh", 6) == 0);
    EXPECT_EQ(e.mode, S_IFREG | 0755);
    EXPECT_EQ(e.size, 9);
    EXPECT_TRUE(memcmp(e.data, "\177ELF", 4) == 0);
    EXPECT_EQ(off % 4, 0);
}

static void
expect_bad(const char *buf, size_t len, const char *reason_part)
{
    int n;
    const char *why = NULL;
    EXPECT_EQ(parse_all(buf, len, &n, &why), -EINVAL);
    EXPECT_TRUE(why && strstr(why, reason_part));
}

static void
test_cpio_bad_magic(void)
{
    timg_standard(&img);
    img.buf[5] = '7';
    expect_bad(img.buf, img.len, "magic");
}

static void
test_cpio_bad_hex(void)
{
    timg_standard(&img);
    img.buf[6 + 8 * 6 + 3] = 'g';       /* filesize field */
    expect_bad(img.buf, img.len, "hex");
}

static void
test_cpio_truncated(void)
{
    timg_standard(&img);
    expect_bad(img.buf, 50, "truncated");
    expect_bad(img.buf, 111, "name");    /* header, then the name is cut */
    expect_bad(img.buf, 0, "truncated");
}

static void
test_cpio_missing_trailer(void)
{
    img.len = 0;
    timg_add(&img, "a", S_IFREG | 0644, "x", 1);
    expect_bad(img.buf, img.len, "TRAILER");
}

static void
test_cpio_data_past_end(void)
{
    img.len = 0;
    timg_add(&img, "a", S_IFREG | 0644, "xyz", 3);
    memcpy(img.buf + 6 + 8 * 6, "7FFFFFF0", 8);
    expect_bad(img.buf, img.len, "data");
}

static void
test_cpio_name_not_terminated(void)
{
    img.len = 0;
    timg_add(&img, "abc", S_IFREG | 0644, NULL, 0);
    img.buf[110 + 3] = 'd';             /* where the NUL was */
    expect_bad(img.buf, img.len, "NUL");
    img.len = 0;
    timg_add(&img, "abc", S_IFREG | 0644, NULL, 0);
    memcpy(img.buf + 6 + 8 * 11, "00000000", 8);    /* namesize 0 */
    expect_bad(img.buf, img.len, "empty");
}

static void
test_initrd_rejects_dotdot_and_file_as_dir(void)
{
    struct vnode *root;
    img.len = 0;
    timg_add(&img, "a/../b", S_IFREG | 0644, NULL, 0);
    timg_end(&img);
    EXPECT_EQ(fs_initrd_build(img.buf, img.len, &root), -EINVAL);
    img.len = 0;
    timg_add(&img, "f", S_IFREG | 0644, NULL, 0);
    timg_add(&img, "f/g", S_IFREG | 0644, NULL, 0);
    timg_end(&img);
    EXPECT_EQ(fs_initrd_build(img.buf, img.len, &root), -EINVAL);
}

static void
test_initrd_builds_implied_dirs(void)
{
    struct vnode *root;
    struct vnode *v;
    timg_standard(&img);
    EXPECT_EQ(fs_initrd_build(img.buf, img.len, &root), 0);
    EXPECT_EQ(fs_static_lookup(root, "usr", 3, &v), 0);
    EXPECT_TRUE(FS_ISDIR(v->mode));
    EXPECT_EQ(fs_static_lookup(root, "dev", 3, &v), -ENOENT);   /* left for /dev */
    fs_initrd_free(root);
}

static uint32_t rng = 12345;

static uint32_t
rnd(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void
test_cpio_fuzz_mutations(void)
{
    static struct timg good;
    static char buf[TIMG_MAX];
    timg_standard(&good);
    int ok = 0;
    int bad = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = good.len;
        memcpy(buf, good.buf, len);
        int muts = 1 + (int)(rnd() % 4);
        for (int m = 0; m < muts; m++) {
            size_t at = rnd() % len;
            switch (rnd() % 4) {
            case 0: buf[at] = (char)rnd(); break;
            case 1: buf[at] = "0123456789abcdefF"[rnd() % 17]; break;
            case 2: len = at; break;                        /* truncate */
            default: buf[at] ^= (char)(1u << (rnd() % 8)); break;
            }
            if (len == 0)
                break;
        }
        /* The parser must stay within buf[0..len): give ASan an exact copy. */
        char *exact = malloc(len ? len : 1);
        memcpy(exact, buf, len);
        struct vnode *root;
        int r = fs_initrd_build(exact, len, &root);
        if (r == 0) {
            fs_initrd_free(root);
            ok++;
        } else {
            EXPECT_EQ(r, -EINVAL);
            bad++;
        }
        free(exact);
    }
    EXPECT_TRUE(ok > 0 && bad > 0);
}

void
tests_run(void)
{
    RUN(test_cpio_good_archive);
    RUN(test_cpio_bad_magic);
    RUN(test_cpio_bad_hex);
    RUN(test_cpio_truncated);
    RUN(test_cpio_missing_trailer);
    RUN(test_cpio_data_past_end);
    RUN(test_cpio_name_not_terminated);
    RUN(test_initrd_rejects_dotdot_and_file_as_dir);
    RUN(test_initrd_builds_implied_dirs);
    RUN(test_cpio_fuzz_mutations);
}
