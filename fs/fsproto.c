/*
 * The shared file system's messages (fsproto.h): the table of fields per
 * op and the one encoder and decoder. Field order on the wire is the order
 * of the FSF_* bits; a reply starts with its i32 error, and a reply with an
 * error carries nothing else.
 */
#include "fs/fsproto.h"
#include "kernel/errno.h"
#include "kernel/lib.h"
#include "kernel/wire.h"

#define H  FSF_FH
#define C  FSF_CRED
#define A  FSF_ATTR

static const uint32_t req_fields[FSP_NOPS] = {
    [FSP_WALK] = H | C | FSF_FLAGS | FSF_PATH,
    [FSP_OPEN] = H | C | FSF_FLAGS | FSF_VERSION,
    [FSP_CREATE] = H | C | FSF_NAME | FSF_FLAGS | FSF_MODE,
    [FSP_CLOSE] = H | FSF_FLAGS,
    [FSP_READ] = H | FSF_OFF | FSF_LEN,
    [FSP_WRITE] = H | FSF_FLAGS | FSF_OFF | FSF_DATA,
    [FSP_GETATTR] = H,
    [FSP_SETATTR] = H | C | FSF_MASK | A,
    [FSP_REMOVE] = H | C | FSF_NAME | FSF_FLAGS,
    [FSP_MKDIR] = H | C | FSF_NAME | FSF_MODE,
    [FSP_SYMLINK] = H | C | FSF_NAME | FSF_PATH,
    [FSP_LINK] = H | FSF_FH2 | C | FSF_NAME,
    [FSP_RENAME] = H | FSF_FH2 | C | FSF_NAME | FSF_NAME2,
    [FSP_READLINK] = H,
    [FSP_READDIR] = H | C | FSF_LEN | FSF_COOKIE,
    [FSP_FSYNC] = H,
    [FSP_STATFS] = 0,
    [FSP_RECALL] = H | FSF_VERSION,
    [FSP_DISABLE] = H | FSF_VERSION,
    [FSP_SSHARE] = H | FSF_FLAGS | FSF_OFF,
    [FSP_SREF] = FSF_MODE | FSF_MASK | FSF_COOKIE,
    [FSP_SIO] = FSF_FLAGS | FSF_OFF | FSF_LEN | FSF_DATA | FSF_COOKIE,
    [FSP_MOVE] = H | FSF_FLAGS | FSF_MODE | FSF_MASK,
    [FSP_REOPEN] = H | FSF_FLAGS | FSF_LEN | FSF_VERSION | FSF_COUNT,
    [FSP_STEPS] = H | C | FSF_FLAGS | FSF_PATH | FSF_LEN,
};

static const uint32_t rep_fields[FSP_NOPS] = {
    [FSP_WALK] = H | FSF_FLAGS | FSF_PATH | A,
    [FSP_OPEN] = FSF_FLAGS | FSF_VERSION | A | FSF_PREV,
    [FSP_CREATE] = H | FSF_FLAGS | FSF_VERSION | A | FSF_PREV,
    [FSP_CLOSE] = 0,
    [FSP_READ] = FSF_DATA,
    [FSP_WRITE] = FSF_COUNT | A,
    [FSP_GETATTR] = A,
    [FSP_SETATTR] = A,
    [FSP_REMOVE] = H,
    [FSP_MKDIR] = H | A,
    [FSP_SYMLINK] = H | A,
    [FSP_LINK] = A,
    [FSP_RENAME] = 0,
    [FSP_READLINK] = FSF_PATH,
    [FSP_READDIR] = FSF_FLAGS | FSF_DATA,
    [FSP_FSYNC] = 0,
    [FSP_STATFS] = FSF_STATFS,
    [FSP_RECALL] = 0,
    [FSP_DISABLE] = 0,
    [FSP_SSHARE] = FSF_COOKIE,
    [FSP_SREF] = 0,
    [FSP_SIO] = FSF_OFF | FSF_DATA | A | FSF_COUNT,
    [FSP_MOVE] = FSF_FLAGS | FSF_VERSION | A | FSF_PREV,
    [FSP_REOPEN] = FSF_FLAGS | FSF_VERSION,
    [FSP_STEPS] = FSF_DATA,
};

#undef H
#undef C
#undef A

/* An op with a row at all: request fields may be 0 (STATFS), so known ops
 * are those below FSP_NOPS and above 0 that have a row (numbers kept for
 * other branches' ops have none). */
static bool
known(unsigned op)
{
    return op > 0 && op < FSP_NOPS && (req_fields[op] || op == FSP_STATFS);
}

uint32_t
fsproto_req_fields(unsigned op)
{
    return known(op) ? req_fields[op] : 0;
}

uint32_t
fsproto_rep_fields(unsigned op)
{
    return known(op) ? rep_fields[op] : 0;
}

bool
fsproto_name_ok(const char *name)
{
    size_t n = strnlen(name, FSPROTO_NAME_MAX + 1);
    return n >= 1 && n <= FSPROTO_NAME_MAX && !strchr(name, '/');
}

static void
put_attr(struct wire *w, const struct fsproto_attr *a)
{
    wire_put_u32(w, a->mode);
    wire_put_u32(w, a->uid);
    wire_put_u32(w, a->gid);
    wire_put_u32(w, a->nlink);
    wire_put_u64(w, a->size);
    wire_put_u64(w, a->blocks);
    wire_put_u64(w, a->version);
    wire_put_u64(w, (uint64_t)a->atime);
    wire_put_u64(w, (uint64_t)a->mtime);
    wire_put_u64(w, (uint64_t)a->ctime);
}

static void
get_attr(struct wire *w, struct fsproto_attr *a)
{
    a->mode = wire_get_u32(w);
    a->uid = wire_get_u32(w);
    a->gid = wire_get_u32(w);
    a->nlink = wire_get_u32(w);
    a->size = wire_get_u64(w);
    a->blocks = wire_get_u64(w);
    a->version = wire_get_u64(w);
    a->atime = (int64_t)wire_get_u64(w);
    a->mtime = (int64_t)wire_get_u64(w);
    a->ctime = (int64_t)wire_get_u64(w);
}

static void
put_cred(struct wire *w, const struct fsproto_cred *c)
{
    wire_put_u32(w, c->uid);
    wire_put_u32(w, c->gid);
    wire_put_u16(w, c->ngroups);
    for (unsigned i = 0; i < c->ngroups; i++)
        wire_put_u32(w, c->groups[i]);
}

static void
get_cred(struct wire *w, struct fsproto_cred *c)
{
    c->uid = wire_get_u32(w);
    c->gid = wire_get_u32(w);
    c->ngroups = wire_get_u16(w);
    if (c->ngroups > FSPROTO_GROUPS_MAX) {
        wire_fail(w);
        c->ngroups = 0;
        return;
    }
    for (unsigned i = 0; i < c->ngroups; i++)
        c->groups[i] = wire_get_u32(w);
}

static void
put_statfs(struct wire *w, const struct fsproto_statfs *s)
{
    wire_put_u64(w, s->bsize);
    wire_put_u64(w, s->blocks);
    wire_put_u64(w, s->bfree);
    wire_put_u64(w, s->files);
    wire_put_u64(w, s->ffree);
    wire_put_u64(w, s->namelen);
}

static void
get_statfs(struct wire *w, struct fsproto_statfs *s)
{
    s->bsize = wire_get_u64(w);
    s->blocks = wire_get_u64(w);
    s->bfree = wire_get_u64(w);
    s->files = wire_get_u64(w);
    s->ffree = wire_get_u64(w);
    s->namelen = wire_get_u64(w);
}

/* Fields the encoder refuses to send: -EINVAL. */
static int
check(const struct fsproto_msg *m, uint32_t f)
{
    if (((f & FSF_NAME) && !fsproto_name_ok(m->name)) ||
        ((f & FSF_NAME2) && !fsproto_name_ok(m->name2)) ||
        ((f & FSF_PATH) && strnlen(m->path, FSPROTO_PATH_MAX + 1) > FSPROTO_PATH_MAX) ||
        ((f & FSF_CRED) && m->cred.ngroups > FSPROTO_GROUPS_MAX) ||
        ((f & FSF_DATA) && m->datalen > FSPROTO_IO_MAX))
        return -EINVAL;
    return 0;
}

static void
get_name(struct wire *w, char *name)
{
    wire_get_str(w, name, FSPROTO_NAME_MAX + 1);
    if (wire_ok(w) && !fsproto_name_ok(name))
        wire_fail(w);
}

/* Field by field, in bit order, for fields f. */
static void
put_fields(struct wire *w, const struct fsproto_msg *m, uint32_t f)
{
    if (f & FSF_FH) {
        wire_put_u32(w, m->fh.ino);
        wire_put_u32(w, m->fh.gen);
    }
    if (f & FSF_FH2) {
        wire_put_u32(w, m->fh2.ino);
        wire_put_u32(w, m->fh2.gen);
    }
    if (f & FSF_CRED)
        put_cred(w, &m->cred);
    if (f & FSF_NAME)
        wire_put_str(w, m->name);
    if (f & FSF_NAME2)
        wire_put_str(w, m->name2);
    if (f & FSF_PATH)
        wire_put_str(w, m->path);
    if (f & FSF_FLAGS)
        wire_put_u32(w, m->flags);
    if (f & FSF_MODE)
        wire_put_u32(w, m->mode);
    if (f & FSF_OFF)
        wire_put_u64(w, m->off);
    if (f & FSF_LEN)
        wire_put_u32(w, m->len);
    if (f & FSF_DATA) {
        wire_put_u32(w, (uint32_t)m->datalen);
        wire_put_bytes(w, m->data, m->datalen);
    }
    if (f & FSF_ATTR)
        put_attr(w, &m->attr);
    if (f & FSF_MASK)
        wire_put_u32(w, m->mask);
    if (f & FSF_COOKIE)
        wire_put_u64(w, m->cookie);
    if (f & FSF_VERSION)
        wire_put_u64(w, m->version);
    if (f & FSF_STATFS)
        put_statfs(w, &m->statfs);
    if (f & FSF_COUNT)
        wire_put_u32(w, m->count);
    if (f & FSF_PREV)
        wire_put_u64(w, m->prev);
}

static void
get_fields(struct wire *w, struct fsproto_msg *m, uint32_t f)
{
    if (f & FSF_FH) {
        m->fh.ino = wire_get_u32(w);
        m->fh.gen = wire_get_u32(w);
    }
    if (f & FSF_FH2) {
        m->fh2.ino = wire_get_u32(w);
        m->fh2.gen = wire_get_u32(w);
    }
    if (f & FSF_CRED)
        get_cred(w, &m->cred);
    if (f & FSF_NAME)
        get_name(w, m->name);
    if (f & FSF_NAME2)
        get_name(w, m->name2);
    if (f & FSF_PATH)
        wire_get_str(w, m->path, FSPROTO_PATH_MAX + 1);
    if (f & FSF_FLAGS)
        m->flags = wire_get_u32(w);
    if (f & FSF_MODE)
        m->mode = wire_get_u32(w);
    if (f & FSF_OFF)
        m->off = wire_get_u64(w);
    if (f & FSF_LEN)
        m->len = wire_get_u32(w);
    if (f & FSF_DATA) {
        m->datalen = wire_get_u32(w);
        if (m->datalen > FSPROTO_IO_MAX)
            wire_fail(w);
        m->data = wire_get_ref(w, wire_ok(w) ? m->datalen : 0);
    }
    if (f & FSF_ATTR)
        get_attr(w, &m->attr);
    if (f & FSF_MASK)
        m->mask = wire_get_u32(w);
    if (f & FSF_COOKIE)
        m->cookie = wire_get_u64(w);
    if (f & FSF_VERSION)
        m->version = wire_get_u64(w);
    if (f & FSF_STATFS)
        get_statfs(w, &m->statfs);
    if (f & FSF_COUNT)
        m->count = wire_get_u32(w);
    if (f & FSF_PREV)
        m->prev = wire_get_u64(w);
}

long
fsproto_put_req(const struct fsproto_msg *m, void *buf, size_t cap)
{
    struct wire w;
    if (!known(m->op) || check(m, req_fields[m->op]))
        return -EINVAL;
    wire_init_put(&w, buf, cap);
    put_fields(&w, m, req_fields[m->op]);
    return wire_ok(&w) ? (long)wire_used(&w) : -EMSGSIZE;
}

long
fsproto_put_rep(const struct fsproto_msg *m, void *buf, size_t cap)
{
    struct wire w;
    if (!known(m->op) || m->err > 0 || m->err < -4095 ||
        (m->err == 0 && check(m, rep_fields[m->op])))
        return -EINVAL;
    wire_init_put(&w, buf, cap);
    wire_put_u32(&w, (uint32_t)m->err);
    if (m->err == 0)
        put_fields(&w, m, rep_fields[m->op]);
    return wire_ok(&w) ? (long)wire_used(&w) : -EMSGSIZE;
}

/* A message decodes only if every field was there and nothing is left. */
static int
finish(const struct wire *w)
{
    return wire_ok(w) && wire_left(w) == 0 ? 0 : -EBADMSG;
}

int
fsproto_get_req(unsigned op, const void *buf, size_t len, struct fsproto_msg *m)
{
    struct wire w;
    if (!known(op))
        return -EBADMSG;
    memset(m, 0, sizeof(*m));
    m->op = (uint16_t)op;
    wire_init_get(&w, buf, len);
    get_fields(&w, m, req_fields[op]);
    return finish(&w);
}

int
fsproto_get_rep(unsigned op, const void *buf, size_t len, struct fsproto_msg *m)
{
    struct wire w;
    if (!known(op))
        return -EBADMSG;
    memset(m, 0, sizeof(*m));
    m->op = (uint16_t)op;
    wire_init_get(&w, buf, len);
    m->err = (int32_t)wire_get_u32(&w);
    if (m->err > 0 || m->err < -4095)
        wire_fail(&w);
    else if (m->err == 0)
        get_fields(&w, m, rep_fields[op]);
    return finish(&w);
}

size_t
fsproto_dirent_put(uint8_t *buf, size_t cap, uint64_t next, uint32_t ino, unsigned type,
                   const char *name, size_t namelen)
{
    struct wire w;
    if (namelen < 1 || namelen > FSPROTO_NAME_MAX)
        return 0;
    wire_init_put(&w, buf, cap);
    wire_put_u64(&w, next);
    wire_put_u32(&w, ino);
    wire_put_u8(&w, (uint8_t)type);
    wire_put_u8(&w, (uint8_t)namelen);
    wire_put_bytes(&w, name, namelen);
    return wire_ok(&w) ? wire_used(&w) : 0;
}

long
fsproto_dirent_get(const uint8_t *buf, size_t len, uint64_t *next, uint32_t *ino,
                   unsigned *type, char *name)
{
    struct wire w;
    if (len == 0)
        return 0;
    wire_init_get(&w, buf, len);
    *next = wire_get_u64(&w);
    *ino = wire_get_u32(&w);
    *type = wire_get_u8(&w);
    size_t n = wire_get_u8(&w);
    wire_get_bytes(&w, name, n);
    name[wire_ok(&w) ? n : 0] = 0;
    if (!wire_ok(&w) || n == 0 || strnlen(name, n) != n || strchr(name, '/'))
        return -EBADMSG;
    return (long)wire_used(&w);
}

size_t
fsproto_step_put(uint8_t *buf, size_t cap, const struct fsproto_step *st)
{
    struct wire w;
    bool link = !st->err && (st->attr.mode & 0170000) == 0120000;
    bool reg = !st->err && (st->attr.mode & 0170000) == 0100000;
    if ((st->opened && !reg) || (st->oflags & ~(uint32_t)FSP_CACHEABLE) || st->namelen < 1 || st->namelen > FSPROTO_NAME_MAX || st->err > 0 ||
        (link && st->tlen > FSPROTO_PATH_MAX))
        return 0;
    wire_init_put(&w, buf, cap);
    wire_put_u32(&w, st->dir.ino);
    wire_put_u32(&w, st->dir.gen);
    wire_put_u8(&w, (uint8_t)st->namelen);
    wire_put_bytes(&w, st->name, st->namelen);
    wire_put_u32(&w, (uint32_t)st->err);
    if (!st->err) {
        wire_put_u32(&w, st->fh.ino);
        wire_put_u32(&w, st->fh.gen);
        put_attr(&w, &st->attr);
        if (link) {
            wire_put_u16(&w, (uint16_t)st->tlen);
            wire_put_bytes(&w, st->target, st->tlen);
        }
        if (reg) {
            wire_put_u8(&w, st->opened ? 1 : 0);
            if (st->opened) {
                wire_put_u64(&w, st->version);
                wire_put_u64(&w, st->prev);
                wire_put_u32(&w, st->oflags);
            }
        }
    }
    return wire_ok(&w) ? wire_used(&w) : 0;
}

/* A name or target may hold neither NUL nor (nul_only false) '/'. */
static bool
bytes_ok(const char *p, size_t n, bool nul_only)
{
    for (size_t i = 0; i < n; i++)
        if (!p[i] || (!nul_only && p[i] == '/'))
            return false;
    return true;
}

long
fsproto_step_get(const uint8_t *buf, size_t len, struct fsproto_step *st)
{
    struct wire w;
    if (len == 0)
        return 0;
    *st = (struct fsproto_step){ 0 };
    wire_init_get(&w, buf, len);
    st->dir.ino = wire_get_u32(&w);
    st->dir.gen = wire_get_u32(&w);
    st->namelen = wire_get_u8(&w);
    st->name = (const char *)wire_get_ref(&w, st->namelen);
    st->err = (int32_t)wire_get_u32(&w);
    if (wire_ok(&w) && !st->err) {
        st->fh.ino = wire_get_u32(&w);
        st->fh.gen = wire_get_u32(&w);
        get_attr(&w, &st->attr);
        if (wire_ok(&w) && (st->attr.mode & 0170000) == 0120000) {
            st->tlen = wire_get_u16(&w);
            st->target = (const char *)wire_get_ref(&w, st->tlen);
        }
        if (wire_ok(&w) && (st->attr.mode & 0170000) == 0100000) {
            uint8_t o = wire_get_u8(&w);
            if (o > 1)
                return -EBADMSG;
            st->opened = o == 1;
            if (st->opened) {
                st->version = wire_get_u64(&w);
                st->prev = wire_get_u64(&w);
                st->oflags = wire_get_u32(&w);
            }
        }
    }
    if (!wire_ok(&w) || st->namelen == 0 || !bytes_ok(st->name, st->namelen, false) ||
        st->err > 0 || st->err < -4095 || st->tlen > FSPROTO_PATH_MAX ||
        (st->oflags & ~(uint32_t)FSP_CACHEABLE) ||
        !bytes_ok(st->target, st->tlen, true))
        return -EBADMSG;
    return (long)wire_used(&w);
}
