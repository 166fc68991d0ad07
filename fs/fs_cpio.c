/*
 * Parser for cpio "newc" archives (the initrd). It only walks and validates
 * entries; the in-memory tree is built from them in fs_initrd.c. The image
 * comes from the boot loader and is not trusted: every field is checked and
 * a corrupt archive gives -EINVAL with a reason, never a crash or a read
 * outside img[0..len).
 */
#include "fs/fs_cpio.h"
#include "fs/fs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define HDR_LEN   110
#define FIELD_LEN 8

enum {
    F_INO, F_MODE, F_UID, F_GID, F_NLINK, F_MTIME, F_FILESIZE, F_DEVMAJ, F_DEVMIN,
    F_RDEVMAJ, F_RDEVMIN, F_NAMESIZE, F_CHECK, F_COUNT
};

static int
hex_field(const char *p, uint32_t *out)
{
    uint32_t v = 0;
    for (int i = 0; i < FIELD_LEN; i++) {
        char c = p[i];
        uint32_t d;
        if (c >= '0' && c <= '9')
            d = (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (uint32_t)(c - 'A' + 10);
        else
            return -EINVAL;
        v = (v << 4) | d;
    }
    *out = v;
    return 0;
}

/* Offset rounded up to the archive's 4-byte alignment, or SIZE_MAX on overflow. */
static size_t
pad4(size_t x)
{
    if (x > SIZE_MAX - 3)
        return SIZE_MAX;
    return ALIGN_UP(x, (size_t)4);
}

static int
bad(const char **why, const char *reason)
{
    if (why)
        *why = reason;
    return -EINVAL;
}

int
fs_cpio_next(const void *img, size_t len, size_t *off, struct fs_cpio_entry *e,
             const char **why)
{
    const char *base = img;
    size_t pos = *off;
    uint32_t f[F_COUNT];

    if (pos > len || len - pos < HDR_LEN)
        return bad(why, "truncated header (no TRAILER!!!)");
    const char *h = base + pos;
    if (memcmp(h, "070701", 6) != 0 && memcmp(h, "070702", 6) != 0)
        return bad(why, "bad magic (not a newc cpio archive)");
    for (int i = 0; i < F_COUNT; i++)
        if (hex_field(h + 6 + i * FIELD_LEN, &f[i]) != 0)
            return bad(why, "non-hex header field");

    size_t namesize = f[F_NAMESIZE];
    if (namesize < 2)
        return bad(why, "empty name");
    if (namesize - 1 > FS_PATH_MAX)
        return bad(why, "name too long");
    size_t name_at = pos + HDR_LEN;
    if (len - name_at < namesize)
        return bad(why, "name runs past the end of the image");
    const char *name = base + name_at;
    if (strnlen(name, namesize) != namesize - 1)
        return bad(why, "name not NUL-terminated where its size says");

    size_t data_at = pad4(name_at + namesize);
    size_t size = f[F_FILESIZE];
    if (data_at > len || len - data_at < size)
        return bad(why, "file data runs past the end of the image");

    e->name = name;
    e->namelen = namesize - 1;
    e->mode = f[F_MODE];
    e->ino = f[F_INO];
    e->data = base + data_at;
    e->size = size;

    size_t next = pad4(data_at + size);
    *off = next > len ? len : next;
    if (e->namelen == 10 && memcmp(name, "TRAILER!!!", 10) == 0)
        return 0;
    return 1;
}
