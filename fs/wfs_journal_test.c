/*
 * Crash tests of the WFS journal: a workload of several transactions
 * (files, directories, a rename, a sparse file whose writes and deletion
 * each take several commits, a truncate) runs on an image that stops
 * taking writes after N writes, for EVERY N up to the workload's total.
 * After each crash the image must check clean (after the replay that
 * fsck and mount do), mount, and hold what every fsync that returned
 * promised. Also: replaying twice is harmless, and a torn transaction
 * (commit block missing or an image changed) is ignored.
 */
// TEST_SRCS: fs/wfs_crc.c fs/wfs_super.c fs/wfs_cache.c fs/wfs_journal.c fs/wfs_alloc.c fs/wfs_inode.c fs/wfs_dir.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_file.c fs/wfs_mkfs.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c kernel/lib_printf.c kernel/lib_string.c tests/host/fake_kmalloc.c
#include "fs/wfs_testlib.h"

#define NBLK   768
#define SPARSE 110                  /* sparse-file pieces: > WFS_TX_MAX indirect blocks */

static uint8_t base[NBLK * WFS_BLOCK];
static char p1[20000], p2[150000];
static int synced;                  /* fsyncs that returned 0 */

static uint64_t
sparse_off(int k)
{
    return ((uint64_t)WFS_NDIRECT + WFS_PPB + (uint64_t)k * WFS_PPB) * WFS_BLOCK;
}

/* The workload; stops at the first error (the "power" went). */
static void
workload(struct wfs *fs)
{
    uint32_t f1, d, f2, s;
    if (wfs_create(fs, WFS_ROOT_INO, "f1", 0644, 0, 0, &f1) ||
        wfs_write(fs, f1, 0, p1, sizeof(p1)) != sizeof(p1) || wfs_fsync(fs))
        return;
    synced = 1;
    if (wfs_mkdir(fs, WFS_ROOT_INO, "d", 0755, 0, 0, &d) ||
        wfs_create(fs, d, "f2", 0600, 0, 0, &f2) ||
        wfs_write(fs, f2, 0, p2, sizeof(p2)) != sizeof(p2) ||
        wfs_rename(fs, WFS_ROOT_INO, "f1", d, "g1") || wfs_fsync(fs))
        return;
    synced = 2;
    if (wfs_create(fs, WFS_ROOT_INO, "s", 0644, 0, 0, &s))
        return;
    for (int k = 0; k < SPARSE; k++)
        if (wfs_write(fs, s, sparse_off(k), "x", 1) != 1)
            return;
    if (wfs_fsync(fs))
        return;
    synced = 3;
    struct wfs_attr a = { .size = 1000 };
    if (wfs_unlink(fs, WFS_ROOT_INO, "s") || wfs_setattr(fs, f2, &a, WFS_SET_SIZE) ||
        wfs_fsync(fs))
        return;
    synced = 4;
}

static bool
has(struct wfs *fs, uint32_t dir, const char *name, const char *want, size_t len)
{
    static char buf[sizeof(p2)];
    uint32_t ino;
    struct wfs_attr a;
    if (wfs_lookup(fs, dir, name, &ino) || wfs_getattr(fs, ino, &a) || a.size != len)
        return false;
    return wfs_read(fs, ino, 0, buf, len) == (long)len && memcmp(buf, want, len) == 0;
}

/* What each fsync promised, given the state may be any later one. */
static void
check_promises(struct wfs *fs, int n)
{
    uint32_t d = 0, s;
    struct wfs_attr a;
    bool d_ok = wfs_lookup(fs, WFS_ROOT_INO, "d", &d) == 0;
    if (synced >= 1)
        EXPECT_TRUE(has(fs, WFS_ROOT_INO, "f1", p1, sizeof(p1)) ||
                    (d_ok && has(fs, d, "g1", p1, sizeof(p1))));
    if (synced >= 2) {
        EXPECT_TRUE(d_ok && has(fs, d, "g1", p1, sizeof(p1)));
        EXPECT_TRUE(has(fs, d, "f2", p2, sizeof(p2)) || has(fs, d, "f2", p2, 1000));
    }
    if (synced == 3 && wfs_lookup(fs, WFS_ROOT_INO, "s", &s) == 0) {
        EXPECT_EQ(wfs_getattr(fs, s, &a), 0);
        EXPECT_EQ(a.size, sparse_off(SPARSE - 1) + 1);
    }
    if (synced >= 4) {
        EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "s", &s), -ENOENT);
        EXPECT_TRUE(has(fs, d, "f2", p2, 1000));
    }
    if (test_cur_failed)
        fprintf(stderr, "  (crash after %d writes, %d fsyncs returned)\n", n, synced);
}

static struct memdev md;
static struct wfs *fs;

static long
run_crash(long n)
{
    struct wfs_dev d = md_dev(&md);
    memcpy(md.img, base, sizeof(base));
    md.writes = 0;
    md.writes_left = n;
    synced = 0;
    if (wfs_mount(fs, &d) == 0)
        workload(fs);
    return md.writes;
}

static void
setup(void)
{
    for (size_t i = 0; i < sizeof(p1); i++)
        p1[i] = (char)(i * 13 + 1);
    for (size_t i = 0; i < sizeof(p2); i++)
        p2[i] = (char)(i * 31 + 7);
    struct wfs *f = md_mkfs_mount(&md, NBLK);
    EXPECT_EQ(wfs_unmount(f), 0);
    free(f);
    memcpy(base, md.img, sizeof(base));
    fs = malloc(wfs_size());
}

static void
test_crash_at_every_write(void)
{
    setup();
    long total = run_crash(-1);
    EXPECT_EQ(synced, 4);
    EXPECT_TRUE(total > 200);
    for (long n = 0; n <= total && !test_cur_failed; n++) {
        run_crash(n);
        struct wfs_dev d = md_dev(&md);
        md.writes_left = -1;
        int r = md_fsck(&md, 0, false);
        if (r != WFS_FSCK_CLEAN)
            md_fsck(&md, 0, true);    /* again, saying why */
        EXPECT_EQ(r, WFS_FSCK_CLEAN);
        EXPECT_EQ(wfs_mount(fs, &d), 0);
        check_promises(fs, (int)n);
        EXPECT_EQ(wfs_unmount(fs), 0);
        EXPECT_EQ(md_fsck(&md, 0, false), WFS_FSCK_CLEAN);
    }
    fprintf(stderr, "crashed at each of %ld writes\n", total + 1);
    free(fs);
    md_free(&md);
}

/* Crash right after a commit block, before the home writes: mount must
 * replay; replaying the same journal again changes nothing. */
static void
test_replay_is_idempotent(void)
{
    setup();
    struct wfs_dev d = md_dev(&md);
    uint32_t f;
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "x", 0644, 0, 0, &f), 0);
    long before = md.writes;
    int ndirty = ((struct wfs *)fs)->ndirty;
    md.writes_left = ndirty + 2;      /* images, descriptor, commit */
    EXPECT_EQ(wfs_fsync(fs), -EIO);
    EXPECT_EQ(md.writes, before + ndirty + 2);
    md.writes_left = -1;
    uint8_t *snap = malloc(sizeof(base));
    memcpy(snap, md.img, sizeof(base));
    EXPECT_EQ(wfs_mount(fs, &d), 0);  /* replays */
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "x", &f), 0);
    EXPECT_EQ(wfs_unmount(fs), 0);
    uint8_t *once = malloc(sizeof(base));
    memcpy(once, md.img, sizeof(base));
    memcpy(md.img, snap, sizeof(base));
    char why[128];
    int replayed;
    uint8_t a[WFS_BLOCK], b[WFS_BLOCK];
    struct wfs_super sb;
    memcpy(&sb, md.img, sizeof(sb));
    for (int i = 0; i < 2; i++) {     /* crash during replay: replay again */
        md.writes_left = i == 0 ? 3 : -1;
        wfs_journal_replay(&d, &sb, a, b, &replayed, why, sizeof(why));
    }
    EXPECT_EQ(replayed, 1);
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "x", &f), 0);
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(snap);
    free(once);
    free(fs);
    md_free(&md);
}

/* A transaction whose image no longer matches its commit is ignored. */
static void
test_torn_transaction_ignored(void)
{
    setup();
    struct wfs_dev d = md_dev(&md);
    uint32_t f;
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    EXPECT_EQ(wfs_create(fs, WFS_ROOT_INO, "x", 0644, 0, 0, &f), 0);
    int ndirty = fs->ndirty;
    md.writes_left = ndirty + 2;
    EXPECT_EQ(wfs_fsync(fs), -EIO);
    md.writes_left = -1;
    struct wfs_super sb;
    memcpy(&sb, md.img, sizeof(sb));
    md.img[(size_t)(sb.journal_start + 2) * WFS_BLOCK + 100] ^= 1;
    EXPECT_EQ(wfs_mount(fs, &d), 0);
    EXPECT_EQ(wfs_lookup(fs, WFS_ROOT_INO, "x", &f), -ENOENT);
    EXPECT_EQ(wfs_unmount(fs), 0);
    EXPECT_EQ(md_fsck(&md, 0, true), WFS_FSCK_CLEAN);
    free(fs);
    md_free(&md);
}

void
tests_run(void)
{
    RUN(test_crash_at_every_write);
    RUN(test_replay_is_idempotent);
    RUN(test_torn_transaction_ignored);
}
