/*
 * Tests of the file-server messages (fsproto.c): every op's request and
 * reply round trip with every field it carries; every truncation and an
 * extra byte refused; bad names, paths, group counts, lengths and errors
 * refused on both sides; readdir entries; and 300000 random mutations of
 * valid messages decoded under ASan without a crash or an out-of-range
 * field accepted.
 */
// TEST_SRCS: kernel/wire.c
#include <stdlib.h>
#include "fs/fsproto.h"
#include "kernel/errno.h"
#include "tests/host/test.h"

static uint8_t data[FSPROTO_IO_MAX];

static void
fill(struct fsproto_msg *m, unsigned op)
{
    memset(m, 0, sizeof(*m));
    m->op = (uint16_t)op;
    m->fh = (struct fsproto_fh){ 7, 99 };
    m->fh2 = (struct fsproto_fh){ 8, 100 };
    m->cred.uid = 1000;
    m->cred.gid = 100;
    m->cred.ngroups = 3;
    m->cred.groups[0] = 4, m->cred.groups[1] = 5, m->cred.groups[2] = 6;
    strcpy(m->name, "hello.c");
    strcpy(m->name2, "world.o");
    strcpy(m->path, "usr/lib/../bin/sh");
    m->flags = 0x41, m->mode = 0644, m->mask = 0x3f, m->len = 4096, m->count = 17;
    m->off = 1ull << 40, m->cookie = 12345, m->version = 77, m->prev = 76;
    m->attr = (struct fsproto_attr){ 0100644, 1, 2, 3, 5000, 2, 9, -1, 2, 3 };
    m->statfs = (struct fsproto_statfs){ 4096, 1000, 500, 256, 100, 255 };
    if (data[1] == 0)
        for (unsigned i = 0; i < sizeof(data); i++)
            data[i] = (uint8_t)(i * 7);
    m->data = data;
    m->datalen = 5000;
}

/* The fields f of a and b agree. */
static void
same(const struct fsproto_msg *a, const struct fsproto_msg *b, uint32_t f)
{
    if (f & FSF_FH)
        EXPECT_TRUE(a->fh.ino == b->fh.ino && a->fh.gen == b->fh.gen);
    if (f & FSF_FH2)
        EXPECT_TRUE(a->fh2.ino == b->fh2.ino && a->fh2.gen == b->fh2.gen);
    if (f & FSF_CRED)
        EXPECT_TRUE(!memcmp(&a->cred.groups, &b->cred.groups, 3 * 4) && a->cred.uid == b->cred.uid &&
                    a->cred.ngroups == b->cred.ngroups);
    if (f & FSF_NAME)
        EXPECT_STREQ(a->name, b->name);
    if (f & FSF_NAME2)
        EXPECT_STREQ(a->name2, b->name2);
    if (f & FSF_PATH)
        EXPECT_STREQ(a->path, b->path);
    if (f & FSF_DATA)
        EXPECT_TRUE(a->datalen == b->datalen && !memcmp(a->data, b->data, a->datalen));
    if (f & FSF_ATTR)
        EXPECT_TRUE(!memcmp(&a->attr, &b->attr, sizeof(a->attr)));
    if (f & FSF_STATFS)
        EXPECT_TRUE(!memcmp(&a->statfs, &b->statfs, sizeof(a->statfs)));
    EXPECT_TRUE(!(f & FSF_FLAGS) || a->flags == b->flags);
    EXPECT_TRUE(!(f & FSF_MODE) || a->mode == b->mode);
    EXPECT_TRUE(!(f & FSF_OFF) || a->off == b->off);
    EXPECT_TRUE(!(f & FSF_LEN) || a->len == b->len);
    EXPECT_TRUE(!(f & FSF_MASK) || a->mask == b->mask);
    EXPECT_TRUE(!(f & FSF_COOKIE) || a->cookie == b->cookie);
    EXPECT_TRUE(!(f & FSF_VERSION) || a->version == b->version);
    EXPECT_TRUE(!(f & FSF_COUNT) || a->count == b->count);
    EXPECT_TRUE(!(f & FSF_PREV) || a->prev == b->prev);
}

static uint8_t buf[FSPROTO_IO_MAX + 8192];
static struct fsproto_msg in, out;

static void
test_fsproto_every_op_round_trips(void)
{
    for (unsigned op = 1; op < FSP_NOPS; op++) {
        if (!fsproto_req_fields(op) && op != FSP_STATFS)
            continue;           /* a number kept for another branch's op */
        fill(&in, op);
        long n = fsproto_put_req(&in, buf, sizeof(buf));
        EXPECT_TRUE(n >= 0);
        EXPECT_EQ(fsproto_get_req(op, buf, (size_t)n, &out), 0);
        same(&in, &out, fsproto_req_fields(op));
        for (long cut = 0; cut < n; cut += (n > 300 ? 97 : 1))
            EXPECT_EQ(fsproto_get_req(op, buf, (size_t)cut, &out), -EBADMSG);
        buf[n] = 0;
        EXPECT_EQ(fsproto_get_req(op, buf, (size_t)n + 1, &out), -EBADMSG);
        n = fsproto_put_rep(&in, buf, sizeof(buf));
        EXPECT_TRUE(n >= 4);
        EXPECT_EQ(fsproto_get_rep(op, buf, (size_t)n, &out), 0);
        EXPECT_EQ(out.err, 0);
        same(&in, &out, fsproto_rep_fields(op));
        in.err = -ESTALE;                           /* an error carries nothing else */
        EXPECT_EQ(fsproto_put_rep(&in, buf, sizeof(buf)), 4);
        EXPECT_EQ(fsproto_get_rep(op, buf, 4, &out), 0);
        EXPECT_EQ(out.err, -ESTALE);
    }
}

static void
test_fsproto_refuses_bad_fields(void)
{
    fill(&in, FSP_CREATE);
    strcpy(in.name, "a/b");
    EXPECT_EQ(fsproto_put_req(&in, buf, sizeof(buf)), -EINVAL);
    in.name[0] = 0;
    EXPECT_EQ(fsproto_put_req(&in, buf, sizeof(buf)), -EINVAL);
    memset(in.name, 'x', 255);
    in.name[255] = 0;
    EXPECT_TRUE(fsproto_put_req(&in, buf, sizeof(buf)) > 0);   /* 255 is fine */
    fill(&in, FSP_CREATE);
    in.cred.ngroups = FSPROTO_GROUPS_MAX + 1;
    EXPECT_EQ(fsproto_put_req(&in, buf, sizeof(buf)), -EINVAL);
    fill(&in, FSP_WRITE);
    in.datalen = FSPROTO_IO_MAX + 1;
    EXPECT_EQ(fsproto_put_req(&in, buf, sizeof(buf)), -EINVAL);
    in.datalen = FSPROTO_IO_MAX;
    EXPECT_EQ(fsproto_put_req(&in, buf, 100), -EMSGSIZE);
    in.op = 0;
    EXPECT_EQ(fsproto_put_req(&in, buf, sizeof(buf)), -EINVAL);
    in.op = FSP_NOPS;
    EXPECT_EQ(fsproto_put_rep(&in, buf, sizeof(buf)), -EINVAL);
    fill(&in, FSP_GETATTR);
    in.err = 5;                                      /* errors are negative */
    EXPECT_EQ(fsproto_put_rep(&in, buf, sizeof(buf)), -EINVAL);
    EXPECT_EQ(fsproto_get_req(0, buf, 0, &out), -EBADMSG);
    EXPECT_EQ(fsproto_get_req(999, buf, 0, &out), -EBADMSG);
    /* a forged reply error out of range, a name with a slash on the wire */
    uint8_t rep[4] = { 0, 0, 0, 1 };
    EXPECT_EQ(fsproto_get_rep(FSP_CLOSE, rep, 4, &out), -EBADMSG);
    fill(&in, FSP_REMOVE);
    long n = fsproto_put_req(&in, buf, sizeof(buf));
    uint8_t *slash = memchr(buf, '.', (size_t)n);   /* "hello.c" -> "hello/c" */
    EXPECT_TRUE(slash != NULL);
    *slash = '/';
    EXPECT_EQ(fsproto_get_req(FSP_REMOVE, buf, (size_t)n, &out), -EBADMSG);
}

static void
test_fsproto_dirents(void)
{
    uint8_t d[64];
    size_t used = 0, k;
    k = fsproto_dirent_put(d, sizeof(d), 1, 2, 4, "bin", 3);
    EXPECT_EQ(k, 17);
    used += k;
    k = fsproto_dirent_put(d + used, sizeof(d) - used, 2, 3, 8, "a-long-name-here", 16);
    EXPECT_EQ(k, 30);
    used += k;
    EXPECT_EQ(fsproto_dirent_put(d + used, sizeof(d) - used, 3, 4, 8, "toolongforwhatisleft", 20), 0);
    uint64_t next;
    uint32_t ino;
    unsigned type;
    char name[256];
    long r = fsproto_dirent_get(d, used, &next, &ino, &type, name);
    EXPECT_EQ(r, 17);
    EXPECT_STREQ(name, "bin");
    r = fsproto_dirent_get(d + 17, used - 17, &next, &ino, &type, name);
    EXPECT_EQ(r, 30);
    EXPECT_TRUE(next == 2 && ino == 3 && type == 8);
    EXPECT_EQ(fsproto_dirent_get(d + used, 0, &next, &ino, &type, name), 0);
    EXPECT_EQ(fsproto_dirent_get(d, 16, &next, &ino, &type, name), -EBADMSG);   /* cut */
    d[14] = '/';
    EXPECT_EQ(fsproto_dirent_get(d, used, &next, &ino, &type, name), -EBADMSG);
}

static void
test_fsproto_steps(void)
{
    uint8_t d[256];
    struct fsproto_step st = { .dir = { 1, 0 }, .fh = { 12, 3 }, .name = "bin", .namelen = 3,
                               .attr = { .mode = 040755, .size = 4096 } };
    size_t k = fsproto_step_put(d, sizeof(d), &st), used = k;
    EXPECT_EQ(k, 4 + 4 + 1 + 3 + 4 + 8 + 64);
    struct fsproto_step ln = { .dir = { 12, 3 }, .fh = { 13, 9 }, .name = "sh", .namelen = 2,
                               .attr = { .mode = 0120777 }, .target = "busybox", .tlen = 7 };
    k = fsproto_step_put(d + used, sizeof(d) - used, &ln);
    EXPECT_EQ(k, 4 + 4 + 1 + 2 + 4 + 8 + 64 + 2 + 7);
    used += k;
    struct fsproto_step no = { .dir = { 13, 9 }, .name = "nope", .namelen = 4, .err = -ENOENT };
    k = fsproto_step_put(d + used, sizeof(d) - used, &no);
    EXPECT_EQ(k, 4 + 4 + 1 + 4 + 4);
    used += k;
    EXPECT_EQ(fsproto_step_put(d + used, 10, &st), 0);              /* does not fit */
    struct fsproto_step bad = no;
    bad.err = 5;
    EXPECT_EQ(fsproto_step_put(d + used, sizeof(d) - used, &bad), 0);   /* not an errno */

    struct fsproto_step got;
    long r = fsproto_step_get(d, used, &got);
    EXPECT_EQ(r, 88);
    EXPECT_TRUE(got.dir.ino == 1 && got.fh.ino == 12 && got.fh.gen == 3 && got.err == 0);
    EXPECT_TRUE(got.namelen == 3 && !memcmp(got.name, "bin", 3) && got.attr.size == 4096);
    EXPECT_TRUE(got.target == NULL && got.tlen == 0);
    size_t off = (size_t)r;
    r = fsproto_step_get(d + off, used - off, &got);
    EXPECT_EQ(r, 96);
    EXPECT_TRUE(got.tlen == 7 && !memcmp(got.target, "busybox", 7) && got.fh.gen == 9);
    off += (size_t)r;
    r = fsproto_step_get(d + off, used - off, &got);
    EXPECT_EQ(r, 17);
    EXPECT_TRUE(got.err == -ENOENT && got.namelen == 4);
    off += (size_t)r;
    EXPECT_EQ(fsproto_step_get(d + off, used - off, &got), 0);      /* the end */
    EXPECT_EQ(fsproto_step_get(d, 87, &got), -EBADMSG);             /* cut */
    EXPECT_EQ(fsproto_step_get(d + 88, 95, &got), -EBADMSG);        /* its target cut */
    d[10] = '/';                                                    /* a name with a slash */
    EXPECT_EQ(fsproto_step_get(d, used, &got), -EBADMSG);
    d[10] = 'i';
    d[8] = 0;                                                       /* an empty name */
    EXPECT_EQ(fsproto_step_get(d, used, &got), -EBADMSG);
    d[8] = 3;
    d[88 + 4 + 4 + 1 + 2 + 4 + 8 + 64 + 2] = 0;                     /* a NUL in the target */
    EXPECT_EQ(fsproto_step_get(d + 88, used - 88, &got), -EBADMSG);
    d[88 + 13] = 0x7f;                                              /* err 0x7f...: positive */
    EXPECT_EQ(fsproto_step_get(d + 88, used - 88, &got), -EBADMSG);

    /* a regular file: one byte more, and an opened one the open's answer */
    struct fsproto_step rf = { .dir = { 12, 3 }, .fh = { 14, 1 }, .name = "f", .namelen = 1,
                               .attr = { .mode = 0100644, .size = 5 } };
    used = fsproto_step_put(d, sizeof(d), &rf);
    EXPECT_EQ(used, 4 + 4 + 1 + 1 + 4 + 8 + 64 + 1);
    rf.opened = true;
    rf.version = 0x700000009ull;
    rf.prev = 0x700000008ull;
    rf.oflags = FSP_CACHEABLE;
    k = fsproto_step_put(d + used, sizeof(d) - used, &rf);
    EXPECT_EQ(k, used + 8 + 8 + 4);
    r = fsproto_step_get(d, used, &got);
    EXPECT_TRUE(r == (long)used && !got.opened && got.attr.size == 5);
    r = fsproto_step_get(d + used, k, &got);
    EXPECT_TRUE(r == (long)k && got.opened && got.version == 0x700000009ull &&
                got.prev == 0x700000008ull && got.oflags == FSP_CACHEABLE);
    d[used + k - 1] = 0x80;                                         /* an unknown open flag */
    EXPECT_EQ(fsproto_step_get(d + used, k, &got), -EBADMSG);
    d[used - 1] = 2;                                                /* opened neither 0 nor 1 */
    EXPECT_EQ(fsproto_step_get(d, used, &got), -EBADMSG);
    EXPECT_EQ(fsproto_step_get(d + used, k - 1, &got), -EBADMSG);   /* its answer cut */
    struct fsproto_step od = st;                                    /* a directory "opened" */
    od.opened = true;
    EXPECT_EQ(fsproto_step_put(d, sizeof(d), &od), 0);
}

/* Random mutations of a STEPS reply's answers: every answer decoded stays
 * inside the buffer, with a good name, a good errno and a NUL-free target. */
static void
test_fsproto_steps_fuzz(void)
{
    static uint8_t d[512], m[512];
    struct fsproto_step a[4] = {
        { .dir = { 1, 0 }, .fh = { 12, 3 }, .name = "usr", .namelen = 3,
          .attr = { .mode = 040755 } },
        { .dir = { 12, 3 }, .fh = { 13, 9 }, .name = "sh", .namelen = 2,
          .attr = { .mode = 0120777 }, .target = "../bin/busybox", .tlen = 14 },
        { .dir = { 12, 3 }, .name = "nope", .namelen = 4, .err = -ENOENT },
        { .dir = { 12, 3 }, .fh = { 14, 1 }, .name = "f", .namelen = 1,
          .attr = { .mode = 0100644 }, .opened = true, .version = 9, .oflags = FSP_CACHEABLE },
    };
    size_t n = 0;
    for (int i = 0; i < 4; i++)
        n += fsproto_step_put(d + n, sizeof(d) - n, &a[i]);
    uint64_t r = 0x9e3779b97f4a7c15ull;
    long decoded = 0;
    for (int i = 0; i < 200000 && !test_cur_failed; i++) {
        memcpy(m, d, n);
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        for (unsigned k = 0; k < 1 + (unsigned)((r >> 20) % 3); k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            m[r % (uint64_t)n] = (uint8_t)(r >> 32);
        }
        size_t len = (r >> 50) % 4 == 0 ? (size_t)((r >> 8) % (n + 1)) : n, off = 0;
        struct fsproto_step st;
        long k;
        while ((k = fsproto_step_get(m + off, len - off, &st)) > 0) {
            decoded++;
            EXPECT_TRUE(off + (size_t)k <= len);
            EXPECT_TRUE(st.name >= (const char *)m + off && st.name + st.namelen <= (const char *)m + len);
            EXPECT_TRUE(st.namelen >= 1 && !memchr(st.name, '/', st.namelen));
            EXPECT_TRUE(st.err <= 0 && st.err >= -4095);
            EXPECT_TRUE(!st.tlen || (st.target + st.tlen <= (const char *)m + len &&
                                     !memchr(st.target, 0, st.tlen)));
            EXPECT_TRUE(!st.opened || (st.err == 0 && (st.attr.mode & 0170000) == 0100000));
            EXPECT_TRUE((st.oflags & ~(uint32_t)FSP_CACHEABLE) == 0);
            off += (size_t)k;
        }
        EXPECT_TRUE(k == 0 || k == -EBADMSG);
    }
    EXPECT_TRUE(decoded > 100000);
}

/* Random mutations of valid messages: decoding never crashes (ASan) and
 * what it accepts is in range. */
static void
test_fsproto_fuzz(void)
{
    static uint8_t m[8192];
    uint64_t r = 0x243f6a8885a308d3ull;
    long accepted = 0;
    for (int i = 0; i < 300000; i++) {
        r ^= r << 13, r ^= r >> 7, r ^= r << 17;
        unsigned op = 1 + (unsigned)(r % (FSP_NOPS - 1));
        fill(&in, op);
        in.datalen = (size_t)(r >> 12) % 600;
        bool rep = (r >> 40) & 1;
        long n = rep ? fsproto_put_rep(&in, m, sizeof(m)) : fsproto_put_req(&in, m, sizeof(m));
        if (n <= 0)
            continue;
        unsigned flips = 1 + (unsigned)((r >> 20) % 4);
        for (unsigned k = 0; k < flips; k++) {
            r ^= r << 13, r ^= r >> 7, r ^= r << 17;
            m[r % (uint64_t)n] = (uint8_t)(r >> 32);
        }
        size_t len = (size_t)n;
        if ((r >> 50) % 4 == 0)
            len = (size_t)((r >> 8) % ((uint64_t)n + 8));
        int err = rep ? fsproto_get_rep(op, m, len, &out) : fsproto_get_req(op, m, len, &out);
        if (err == 0) {
            accepted++;
            EXPECT_TRUE(out.datalen <= FSPROTO_IO_MAX && out.cred.ngroups <= FSPROTO_GROUPS_MAX);
            EXPECT_TRUE(strlen(out.name) <= FSPROTO_NAME_MAX && !strchr(out.name, '/'));
            EXPECT_TRUE(out.err <= 0 && out.err >= -4095);
        } else {
            EXPECT_EQ(err, -EBADMSG);
        }
        if (test_cur_failed)
            break;
    }
    EXPECT_TRUE(accepted > 1000);    /* mutations of data bytes still decode */
}

void
tests_run(void)
{
    RUN(test_fsproto_every_op_round_trips);
    RUN(test_fsproto_refuses_bad_fields);
    RUN(test_fsproto_dirents);
    RUN(test_fsproto_steps);
    RUN(test_fsproto_steps_fuzz);
    RUN(test_fsproto_fuzz);
}
