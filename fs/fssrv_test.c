/*
 * Host tests of the file server (fssrv*.c) on a WFS image in memory:
 * multi-component walks with relative and absolute symlinks, `..` at the
 * root, stale handles and permission; create/open/read/write/close with
 * the consistency callbacks (recall, disable) and a client that cannot be
 * reached; owner and mode checks; setattr's rules; readdir in small
 * pieces; the name ops; and fsck clean after it all.
 */
// TEST_SRCS: fs/fsconsist.c fs/fsproto.c fs/fssrv_open.c fs/fssrv_recov.c fs/fssrv_stream.c fs/fssrv_walk.c fs/wfs_alloc.c fs/wfs_cache.c fs/wfs_crc.c fs/wfs_dir.c fs/wfs_file.c fs/wfs_fsck.c fs/wfs_fsck_dir.c fs/wfs_fsck_link.c fs/wfs_inode.c fs/wfs_journal.c fs/wfs_mkfs.c fs/wfs_ops.c fs/wfs_rename.c fs/wfs_super.c kernel/lib_printf.c kernel/lib_string.c kernel/wire.c tests/host/fake_kmalloc.c tests/host/fake_sync.c
#include "fs/fssrv_testlib.h"

static struct fsproto_fh rootfh;

static void
setup(void)
{
    srv_start(7, NULL);
    rootfh = root_fh();
}

static int
walk(uint32_t uid, struct fsproto_fh from, const char *path, bool follow)
{
    as(uid);
    req.fh = from;
    req.flags = follow ? FSP_FOLLOW : 0;
    strcpy(req.path, path);
    return serve(1, FSP_WALK);
}

static struct fsproto_fh
mk(uint32_t uid, struct fsproto_fh dir, const char *name, bool isdir, uint32_t mode)
{
    as(uid);
    req.fh = dir;
    strcpy(req.name, name);
    req.mode = mode;
    req.flags = O_RDWR | O_CREAT;
    EXPECT_EQ(serve(1, isdir ? FSP_MKDIR : FSP_CREATE), 0);
    struct fsproto_fh fh = rep.fh;
    if (!isdir) {
        req.fh = fh;
        EXPECT_EQ(serve(1, FSP_CLOSE), 0);
    }
    return fh;
}

static void
symlink_to(struct fsproto_fh dir, const char *name, const char *target)
{
    as(0);
    req.fh = dir;
    strcpy(req.name, name);
    strcpy(req.path, target);
    EXPECT_EQ(serve(1, FSP_SYMLINK), 0);
}

static void
test_fssrv_walk(void)
{
    setup();
    struct fsproto_fh a = mk(0, rootfh, "a", true, 0755);
    struct fsproto_fh b = mk(0, a, "b", true, 0755);
    mk(0, b, "file", false, 0644);
    symlink_to(a, "rel", "b");
    symlink_to(a, "abs", "/x/y");
    symlink_to(a, "loop", "loop");
    EXPECT_EQ(walk(0, rootfh, "a/b/file", false), 0);
    EXPECT_TRUE((rep.attr.mode & WFS_S_IFMT) == WFS_S_IFREG);
    EXPECT_EQ(walk(0, rootfh, "/a//rel/", true), 0);                 /* through a relative link */
    EXPECT_TRUE(rep.fh.ino == b.ino && rep.fh.gen == b.gen && rep.flags == 0);
    EXPECT_EQ(walk(0, rootfh, "a/rel/file", false), 0);
    EXPECT_EQ(walk(0, rootfh, "a/rel", false), 0);                   /* the link itself */
    EXPECT_TRUE((rep.attr.mode & WFS_S_IFMT) == WFS_S_IFLNK);
    EXPECT_EQ(walk(0, rootfh, "a/abs/z/w", false), 0);               /* an absolute link */
    EXPECT_TRUE(rep.flags == FSP_REDIRECT);
    EXPECT_STREQ(rep.path, "/x/y/z/w");
    EXPECT_EQ(walk(0, b, "../../../dev/null", false), 0);            /* .. at the root */
    EXPECT_TRUE(rep.flags == FSP_REDIRECT);
    EXPECT_STREQ(rep.path, "/dev/null");
    EXPECT_EQ(walk(0, b, "..", false), 0);
    EXPECT_TRUE(rep.fh.ino == a.ino && rep.flags == 0);
    EXPECT_EQ(walk(0, rootfh, "a/nope/x", false), -ENOENT);
    EXPECT_EQ(walk(0, rootfh, "a/b/file/x", false), -ENOTDIR);
    EXPECT_EQ(walk(0, rootfh, "a/loop", true), -ELOOP);
    struct fsproto_fh stale = { a.ino, a.gen + 1 };
    EXPECT_EQ(walk(0, stale, "b", false), -ESTALE);
    struct fsproto_fh wild = { 999999, 1 };
    EXPECT_EQ(walk(0, wild, "b", false), -ESTALE);
    char longname[300];
    memset(longname, 'n', 299);
    longname[299] = 0;
    EXPECT_EQ(walk(0, rootfh, longname, false), -ENAMETOOLONG);
    /* a private directory */
    mk(0, rootfh, "priv", true, 0700);
    EXPECT_EQ(walk(1000, rootfh, "priv/x", false), -EACCES);
    EXPECT_EQ(walk(1000, rootfh, "priv", false), 0);                 /* the dir itself */
    teardown();
}

/* STEPS from `from` along path: the answers decoded into out (at most 16). */
static struct {
    struct fsproto_fh dir, fh;
    char name[FSPROTO_NAME_MAX + 1], target[64];
    int err;
    uint32_t type;
    bool opened;
    uint64_t version;
    uint32_t oflags;
} ans[16];
static uint32_t steps_flags;            /* more request flags (FSP_OPEN_LAST) */

static int
steps(uint32_t uid, struct fsproto_fh from, const char *path, bool follow, uint32_t cap)
{
    as(uid);
    req.fh = from;
    req.flags = (follow ? FSP_FOLLOW : 0) | steps_flags;
    req.len = cap;
    strcpy(req.path, path);
    int err = serve(1, FSP_STEPS);
    if (err)
        return err;
    int n = 0;
    size_t off = 0;
    struct fsproto_step st;
    long k;
    while ((k = fsproto_step_get(rep.data + off, rep.datalen - off, &st)) > 0 && n < 16) {
        ans[n].dir = st.dir;
        ans[n].fh = st.fh;
        memcpy(ans[n].name, st.name, st.namelen);
        ans[n].name[st.namelen] = 0;
        memcpy(ans[n].target, st.target ? st.target : "", st.tlen);
        ans[n].target[st.tlen] = 0;
        ans[n].err = st.err;
        ans[n].type = st.attr.mode & WFS_S_IFMT;
        ans[n].opened = st.opened;
        ans[n].version = st.version;
        ans[n].oflags = st.oflags;
        off += (size_t)k;
        n++;
    }
    EXPECT_EQ(k, 0);                    /* every answer decodes */
    return n;
}

static bool
same(struct fsproto_fh a, struct fsproto_fh b)
{
    return a.ino == b.ino && a.gen == b.gen;
}

static void
test_fssrv_steps(void)
{
    setup();
    struct fsproto_fh a = mk(0, rootfh, "a", true, 0755);
    struct fsproto_fh b = mk(0, a, "b", true, 0755);
    struct fsproto_fh f = mk(0, b, "file", false, 0644);
    symlink_to(a, "rel", "b");
    symlink_to(a, "abs", "/x/y");
    symlink_to(a, "up", "../a/b");
    symlink_to(rootfh, "top", "a");
    struct fsproto_fh priv = mk(0, rootfh, "priv", true, 0700);
    mk(0, priv, "x", false, 0644);
    struct fsproto_fh root0 = { 1, 0 };             /* the root as clients name it */

    /* one answer per lookup, each naming the directory it was made in */
    EXPECT_EQ(steps(0, root0, "a/b/file", false, 4096), 3);
    EXPECT_TRUE(same(ans[0].dir, root0) && !strcmp(ans[0].name, "a") && same(ans[0].fh, a));
    EXPECT_TRUE(same(ans[1].dir, a) && same(ans[1].fh, b) && ans[1].type == WFS_S_IFDIR);
    EXPECT_TRUE(same(ans[2].dir, b) && same(ans[2].fh, f) && ans[2].type == WFS_S_IFREG);
    /* "." is no lookup; a relative link is followed from its directory,
     * and its answer carries the target */
    EXPECT_EQ(steps(0, rootfh, "./a/./rel/file", false, 4096), 4);
    EXPECT_TRUE(!strcmp(ans[1].name, "rel") && ans[1].type == WFS_S_IFLNK);
    EXPECT_STREQ(ans[1].target, "b");
    EXPECT_TRUE(same(ans[2].dir, a) && !strcmp(ans[2].name, "b") && same(ans[3].fh, f));
    /* a last link is followed only when asked */
    EXPECT_EQ(steps(0, rootfh, "a/rel", false, 4096), 2);
    EXPECT_EQ(steps(0, rootfh, "a/rel", true, 4096), 3);
    /* ".." goes to the parent without a lookup of its own, also inside a
     * link's target */
    EXPECT_EQ(steps(0, rootfh, "a/up/file", false, 4096), 5);
    EXPECT_TRUE(!strcmp(ans[2].name, "a") && same(ans[2].dir, root0) && same(ans[4].fh, f));
    EXPECT_EQ(steps(0, b, "../b/file", false, 4096), 2);
    EXPECT_TRUE(same(ans[0].dir, a) && same(ans[1].dir, b));
    EXPECT_EQ(steps(0, rootfh, "top/b", false, 4096), 3);
    EXPECT_STREQ(ans[0].target, "a");
    /* an absolute link and ".." at the root go on from the root only when
     * the volume is the client's / */
    EXPECT_EQ(steps(0, rootfh, "a/abs/z", false, 4096), 2);
    EXPECT_STREQ(ans[1].target, "/x/y");
    req.flags = 0;
    EXPECT_EQ(steps(0, rootfh, "../a", false, 4096), 0);
    as(0);
    req.fh = rootfh;
    req.flags = FSP_ROOTED;
    req.len = 4096;
    strcpy(req.path, "a/abs/z");
    EXPECT_EQ(serve(1, FSP_STEPS), 0);
    struct fsproto_step st;
    long k1 = fsproto_step_get(rep.data, rep.datalen, &st);
    long k2 = k1 > 0 ? fsproto_step_get(rep.data + k1, rep.datalen - (size_t)k1, &st) : -1;
    long k3 = k2 > 0 ? fsproto_step_get(rep.data + k1 + k2, rep.datalen - (size_t)(k1 + k2), &st)
                     : -1;
    EXPECT_TRUE(k3 > 0 && same(st.dir, root0) && st.namelen == 1 && st.name[0] == 'x' &&
                st.err == -ENOENT);
    EXPECT_EQ((size_t)(k1 + k2 + k3), rep.datalen);
    /* errors end the answers; so does a file */
    EXPECT_EQ(steps(0, rootfh, "a/nope/x", false, 4096), 2);
    EXPECT_EQ(ans[1].err, -ENOENT);
    EXPECT_EQ(steps(0, rootfh, "a/b/file/x/y", false, 4096), 3);
    EXPECT_EQ(steps(1000, rootfh, "priv/x", false, 4096), 2);
    EXPECT_TRUE(ans[0].err == 0 && same(ans[0].fh, priv) && ans[1].err == -EACCES);
    /* as many as fit */
    EXPECT_EQ(steps(0, rootfh, "a/b/file", false, 100), 1);
    EXPECT_EQ(steps(0, rootfh, "a/b/file", false, 0), 0);
    EXPECT_EQ(steps(0, rootfh, "", false, 4096), 0);
    struct fsproto_fh stale = { a.ino, a.gen + 1 };
    EXPECT_EQ(steps(0, stale, "b", false, 4096), -ESTALE);
    teardown();
}

/* FSP_OPEN_LAST: the path's regular file is opened for node 1's reading,
 * as an OPEN would (permission, recall), or not at all. */
static void
test_fssrv_steps_open(void)
{
    setup();
    struct fsproto_fh a = mk(0, rootfh, "a", true, 0755);
    struct fsproto_fh f = mk(0, a, "f", false, 0644);
    struct fsproto_fh p = mk(0, a, "p", false, 0600);
    symlink_to(a, "l", "f");
    steps_flags = FSP_OPEN_LAST;
    EXPECT_EQ(steps(0, rootfh, "a/f", false, 4096), 2);
    EXPECT_TRUE(!ans[0].opened && ans[1].opened && same(ans[1].fh, f));
    EXPECT_TRUE(ans[1].version >> 32 == 7 && ans[1].oflags == FSP_CACHEABLE);
    EXPECT_EQ(close_as(1, f, O_RDONLY), 0);             /* it was open */
    EXPECT_EQ(close_as(1, f, O_RDONLY), -EBADF);        /* once */
    /* through a last link when following; never with a trailing slash,
     * a directory, a file the caller may not read, or without the flag */
    EXPECT_EQ(steps(0, rootfh, "a/l", true, 4096), 3);
    EXPECT_TRUE(!ans[1].opened && ans[2].opened && same(ans[2].fh, f));
    EXPECT_EQ(close_as(1, f, O_RDONLY), 0);
    EXPECT_EQ(steps(0, rootfh, "a/f/", false, 4096), 2);
    EXPECT_TRUE(!ans[1].opened);
    EXPECT_EQ(steps(0, rootfh, "a", false, 4096), 1);
    EXPECT_TRUE(!ans[0].opened);
    EXPECT_EQ(steps(1000, rootfh, "a/p", false, 4096), 2);
    EXPECT_TRUE(ans[1].err == 0 && !ans[1].opened);
    EXPECT_EQ(close_as(1, p, O_RDONLY), -EBADF);
    steps_flags = 0;
    EXPECT_EQ(steps(0, rootfh, "a/f", false, 4096), 2);
    EXPECT_TRUE(!ans[1].opened);
    EXPECT_EQ(close_as(1, f, O_RDONLY), -EBADF);
    steps_flags = FSP_OPEN_LAST;
    /* a reply with no room for the file's answer opens nothing */
    EXPECT_EQ(steps(0, rootfh, "a/f", false, 90), 1);
    EXPECT_EQ(close_as(1, f, O_RDONLY), -EBADF);
    /* node 2 wrote f and closed: node 1's open recalls its blocks first,
     * and the answer has the new version */
    EXPECT_EQ(open_as(2, 0, f, O_RDWR), 0);
    uint64_t v = rep.version;
    EXPECT_EQ(close_as(2, f, O_RDWR), 0);
    ncalls = 0;
    EXPECT_EQ(steps(0, rootfh, "a/f", false, 4096), 2);
    EXPECT_TRUE(ans[1].opened && ans[1].version == v);
    EXPECT_TRUE(ncalls == 1 && calls[0][0] == 2 && calls[0][1] == FSP_RECALL);
    EXPECT_EQ(close_as(1, f, O_RDONLY), 0);
    steps_flags = 0;
    teardown();
}

static void
test_fssrv_io_and_consistency(void)
{
    setup();
    as(1000);
    req.fh = rootfh;
    strcpy(req.name, "f");
    req.flags = O_RDWR | O_CREAT;
    req.mode = 0644;
    EXPECT_EQ(serve(1, FSP_CREATE), -EACCES);          /* / is root's */
    as(0);
    req.fh = rootfh;
    strcpy(req.name, "f");
    req.flags = O_RDWR | O_CREAT;
    req.mode = 0644;
    EXPECT_EQ(serve(1, FSP_CREATE), 0);
    struct fsproto_fh f = rep.fh;
    EXPECT_TRUE(rep.flags & FSP_CACHEABLE);
    uint64_t v1 = rep.version;
    EXPECT_TRUE(v1 >> 32 == 7);                        /* this boot's epoch */
    req.flags |= O_EXCL;
    EXPECT_EQ(serve(1, FSP_CREATE), -EEXIST);
    /* node 1 writes, closes (it may still hold dirty blocks) */
    as(0);
    req.fh = f;
    req.off = 4096 * 3 + 5;
    req.data = (const uint8_t *)"hello";
    req.datalen = 5;
    EXPECT_EQ(serve(1, FSP_WRITE), 0);
    EXPECT_EQ(rep.count, 5);
    EXPECT_EQ(rep.attr.size, 4096 * 3 + 10);
    EXPECT_EQ(close_as(1, f, O_RDWR), 0);
    EXPECT_EQ(close_as(1, f, O_RDWR), -EBADF);          /* twice */
    /* node 2 reads: node 1 is recalled first */
    EXPECT_EQ(open_as(2, 1000, f, O_RDONLY), 0);
    EXPECT_EQ(ncalls, 1);
    EXPECT_TRUE(calls[0][0] == 1 && calls[0][1] == FSP_RECALL);
    EXPECT_TRUE(rep.flags & FSP_CACHEABLE);
    EXPECT_EQ(rep.version, v1);
    as(1000);
    req.fh = f;
    req.off = 4096 * 3;
    req.len = 100;
    EXPECT_EQ(serve(2, FSP_READ), 0);
    EXPECT_EQ(rep.datalen, 10);
    EXPECT_TRUE(!memcmp(rep.data + 5, "hello", 5) && rep.data[0] == 0);   /* a hole */
    EXPECT_EQ(open_as(3, 1000, f, O_WRONLY), -EACCES);  /* 0644, not the owner */
    /* node 3 (root) writes while node 2 reads: node 2 stops caching */
    EXPECT_EQ(open_as(3, 0, f, O_WRONLY | O_TRUNC), 0);
    EXPECT_TRUE(!(rep.flags & FSP_CACHEABLE));
    EXPECT_EQ(rep.attr.size, 0);
    EXPECT_EQ(ncalls, 2);
    EXPECT_TRUE(calls[1][0] == 2 && calls[1][1] == FSP_DISABLE);
    EXPECT_EQ(close_as(2, f, O_RDONLY), 0);
    EXPECT_EQ(close_as(3, f, O_WRONLY), 0);
    /* node 4 cannot be reached when it must be recalled: it is dropped */
    EXPECT_EQ(open_as(4, 0, f, O_RDWR), 0);
    EXPECT_EQ(close_as(4, f, O_RDWR), 0);
    unreachable = 4;
    EXPECT_EQ(open_as(5, 0, f, O_RDONLY), 0);
    EXPECT_TRUE(calls[ncalls - 1][0] == 4 && calls[ncalls - 1][1] == FSP_RECALL);
    EXPECT_EQ(close_as(5, f, O_RDONLY), 0);
    struct fssrv_stats st;
    fssrv_get_stats(srv, &st);
    EXPECT_EQ(st.callback_failures, 1);
    EXPECT_EQ(st.files, 1);                              /* kept, with its version */
    EXPECT_EQ(open_as(1, 0, rootfh, O_RDWR), -EISDIR);
    EXPECT_EQ(open_as(1, 0, rootfh, O_RDONLY), 0);
    fssrv_node_down(srv, 1);                             /* its open goes */
    EXPECT_EQ(close_as(1, rootfh, O_RDONLY), -EBADF);
    /* versions: the same while nobody writes, even after everyone closed;
     * new after an open for writing; never issued twice */
    EXPECT_EQ(open_as(6, 0, f, O_RDONLY), 0);
    uint64_t va = rep.version;
    EXPECT_EQ(close_as(6, f, O_RDONLY), 0);
    EXPECT_EQ(open_as(6, 0, f, O_RDONLY), 0);
    EXPECT_EQ(rep.version, va);
    EXPECT_EQ(close_as(6, f, O_RDONLY), 0);
    EXPECT_EQ(open_as(7, 0, f, O_WRONLY), 0);
    uint64_t vb = rep.version;
    EXPECT_TRUE(vb != va && rep.prev == va);
    EXPECT_EQ(close_as(7, f, O_WRONLY), 0);
    EXPECT_EQ(open_as(6, 0, f, O_RDONLY), 0);
    EXPECT_EQ(rep.version, vb);
    EXPECT_EQ(close_as(6, f, O_RDONLY), 0);
    teardown();
}

static void
test_fssrv_setattr_rules(void)
{
    setup();
    struct fsproto_fh home = mk(0, rootfh, "home", true, 0777);
    struct fsproto_fh f = mk(1000, home, "mine", false, 0600);
    as(1001);
    req.fh = f;
    req.mask = WFS_SET_MODE;
    req.attr.mode = 0666;
    EXPECT_EQ(serve(1, FSP_SETATTR), -EPERM);            /* not the owner */
    as(1000);
    req.fh = f;
    req.mask = WFS_SET_MODE;
    req.attr.mode = 0640;
    EXPECT_EQ(serve(1, FSP_SETATTR), 0);
    EXPECT_EQ(rep.attr.mode & 07777, 0640);
    req.mask = WFS_SET_UID;
    req.attr.uid = 0;
    EXPECT_EQ(serve(1, FSP_SETATTR), -EPERM);            /* only root gives files away */
    as(0);
    req.fh = f;
    req.mask = WFS_SET_UID | WFS_SET_SIZE | WFS_SET_MODE;
    req.attr.mode = 0600;
    req.attr.uid = 1001;
    req.attr.size = 12345;
    EXPECT_EQ(serve(1, FSP_SETATTR), 0);
    EXPECT_TRUE(rep.attr.uid == 1001 && rep.attr.size == 12345);
    EXPECT_EQ(open_as(1, 1000, f, O_RDONLY), -EACCES);  /* now 1001's, 0600 */
    teardown();
}

static void
test_fssrv_readdir_in_pieces(void)
{
    setup();
    struct fsproto_fh d = mk(0, rootfh, "d", true, 0755);
    char name[32];
    for (int i = 0; i < 150; i++) {
        snprintf(name, sizeof(name), "entry-%03d", i);
        mk(0, d, name, false, 0644);
    }
    int seen[150] = { 0 }, dots = 0, rounds = 0;
    uint64_t cookie = 0;
    for (bool eof = false; !eof && rounds < 100; rounds++) {
        as(1000);
        req.fh = d;
        req.cookie = cookie;
        req.len = 300;                                   /* about 10 entries a reply */
        EXPECT_EQ(serve(1, FSP_READDIR), 0);
        eof = rep.flags & FSP_EOF;
        size_t off = 0;
        for (;;) {
            uint32_t ino;
            unsigned type;
            char n[256];
            long k = fsproto_dirent_get(rep.data + off, rep.datalen - off, &cookie, &ino, &type, n);
            EXPECT_TRUE(k >= 0);
            if (k <= 0)
                break;
            off += (size_t)k;
            int i;
            if (sscanf(n, "entry-%d", &i) == 1 && i >= 0 && i < 150)
                seen[i]++;
            else
                dots++;
        }
    }
    EXPECT_TRUE(rounds > 10);
    EXPECT_EQ(dots, 2);
    for (int i = 0; i < 150; i++)
        EXPECT_EQ(seen[i], 1);
    as(0);
    req.fh = d;
    req.len = 5;                                          /* not one entry fits */
    EXPECT_EQ(serve(1, FSP_READDIR), -EINVAL);
    teardown();
}

static void
test_fssrv_name_ops(void)
{
    setup();
    struct fsproto_fh d = mk(0, rootfh, "d", true, 0755);
    struct fsproto_fh e = mk(0, rootfh, "e", true, 0755);
    struct fsproto_fh f = mk(0, d, "f", false, 0644);
    as(0);
    req.fh = f;
    req.fh2 = e;
    strcpy(req.name, "g");
    EXPECT_EQ(serve(1, FSP_LINK), 0);
    EXPECT_EQ(rep.attr.nlink, 2);
    as(0);
    req.fh = d;
    req.fh2 = e;
    strcpy(req.name, "f");
    strcpy(req.name2, "h");
    EXPECT_EQ(serve(1, FSP_RENAME), 0);
    EXPECT_EQ(walk(0, rootfh, "e/h", false), 0);
    EXPECT_EQ(rep.fh.ino, f.ino);
    as(0);
    req.fh = rootfh;
    strcpy(req.name, "e");
    req.flags = FSP_RM_DIR;
    EXPECT_EQ(serve(1, FSP_REMOVE), -ENOTEMPTY);
    as(1000);
    req.fh = e;
    strcpy(req.name, "h");
    EXPECT_EQ(serve(1, FSP_REMOVE), -EACCES);            /* e is root's, 0755 */
    as(0);
    req.fh = e;
    strcpy(req.name, "h");
    EXPECT_EQ(serve(1, FSP_REMOVE), 0);
    EXPECT_EQ(rep.fh.ino, 0);                   /* e/g still names it */
    req.fh = e;
    strcpy(req.name, "g");
    EXPECT_EQ(serve(1, FSP_REMOVE), 0);
    EXPECT_EQ(rep.fh.ino, f.ino);               /* its last name: the client forgets it */
    symlink_to(e, "s", "../d");
    EXPECT_EQ(walk(0, e, "s", false), 0);
    as(0);
    req.fh = rep.fh;
    EXPECT_EQ(serve(1, FSP_READLINK), 0);
    EXPECT_STREQ(rep.path, "../d");
    struct fsproto_fh r = mk(0, d, "r", false, 0644);
    as(0);
    req.fh = f;
    EXPECT_EQ(serve(1, FSP_READLINK), -ESTALE);          /* removed above */
    req.fh = r;
    EXPECT_EQ(serve(1, FSP_READLINK), -EINVAL);
    EXPECT_EQ(serve(1, FSP_FSYNC), 0);
    EXPECT_EQ(serve(1, FSP_STATFS), 0);
    EXPECT_TRUE(rep.statfs.bsize == 4096 && rep.statfs.bfree > 0);
    EXPECT_EQ(serve(1, FSP_RECALL), -EINVAL);            /* a client's op */
    EXPECT_EQ(serve(1, 999), -EINVAL);
    teardown();
}

void
tests_run(void)
{
    RUN(test_fssrv_walk);
    RUN(test_fssrv_steps);
    RUN(test_fssrv_steps_open);
    RUN(test_fssrv_io_and_consistency);
    RUN(test_fssrv_setattr_rules);
    RUN(test_fssrv_readdir_in_pieces);
    RUN(test_fssrv_name_ops);
}
