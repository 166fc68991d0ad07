/*
 * The superblock (docs/wfs.md "Superblock"): checking a foreign or
 * corrupt one with a message that says what is wrong, sealing it with its
 * CRC, and mount, unmount and statfs, which are mostly about it. The
 * journal replay that mount runs is in wfs_journal.c.
 */
#include <stdarg.h>
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

#define WHY(...) (k_snprintf(why, n, __VA_ARGS__), -EINVAL)

size_t
wfs_size_n(unsigned nbuf)
{
    if (nbuf < WFS_NBUF)
        nbuf = WFS_NBUF;
    return offsetof(struct wfs, mem) + (size_t)nbuf * (WFS_BLOCK + sizeof(struct wfs_buf));
}

size_t
wfs_size(void)
{
    return wfs_size_n(WFS_NBUF);
}

const char *
wfs_error(const struct wfs *fs)
{
    return fs->err;
}

int
wfs_fail(struct wfs *fs, int err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    k_vsnprintf(fs->err, sizeof(fs->err), fmt, ap);
    va_end(ap);
    return err;
}

uint64_t
wfs_now(struct wfs *fs)
{
    return fs->dev.now_ns ? fs->dev.now_ns(fs->dev.ctx) : 0;
}

void
wfs_super_seal(struct wfs_super *sb)
{
    sb->crc = wfs_crc32c(0, sb, offsetof(struct wfs_super, crc));
}

/* A region [start, start+len) inside the image and after the previous. */
static bool
region_ok(uint32_t start, uint32_t len, uint32_t *next, uint64_t nblocks)
{
    if (start != *next || len == 0 || (uint64_t)start + len > nblocks)
        return false;
    *next = start + len;
    return true;
}

static int
layout_check(const struct wfs_super *sb, char *why, size_t n)
{
    uint32_t next = 1;
    uint64_t nb = sb->nblocks;

    if (!region_ok(sb->journal_start, sb->journal_blocks, &next, nb) ||
        sb->journal_blocks < WFS_JMIN)
        return WHY("journal region %u+%u out of range", sb->journal_start, sb->journal_blocks);
    if (!region_ok(sb->ibitmap_start, sb->ibitmap_blocks, &next, nb) ||
        (uint64_t)sb->ibitmap_blocks * WFS_BPB < (uint64_t)sb->ninodes + 1)
        return WHY("inode bitmap region out of range");
    if (!region_ok(sb->bbitmap_start, sb->bbitmap_blocks, &next, nb) ||
        (uint64_t)sb->bbitmap_blocks * WFS_BPB < nb)
        return WHY("block bitmap region out of range");
    if (!region_ok(sb->itable_start, sb->itable_blocks, &next, nb) ||
        (uint64_t)sb->itable_blocks * WFS_IPB != (uint64_t)sb->ninodes + 1)
        return WHY("inode table region out of range");
    if (sb->data_start != next || sb->data_start >= nb)
        return WHY("data region starts at %u, expected %u", sb->data_start, next);
    if (sb->root_ino != WFS_ROOT_INO || sb->ninodes < 2)
        return WHY("root inode %u or inode count %u invalid", sb->root_ino, sb->ninodes);
    return 0;
}

int
wfs_super_check(const struct wfs_super *sb, uint64_t dev_blocks, char *why, size_t n)
{
    if (sb->magic != WFS_MAGIC)
        return WHY("bad magic 0x%08x: not a Wisp file system", sb->magic);
    if (sb->version != WFS_VERSION)
        return WHY("unknown format version %u (this code reads %u)", sb->version, WFS_VERSION);
    if (sb->crc != wfs_crc32c(0, sb, offsetof(struct wfs_super, crc)))
        return WHY("superblock checksum mismatch");
    if (sb->block_size != WFS_BLOCK || sb->inode_size != WFS_INODE_SIZE)
        return WHY("block size %u / inode size %u unsupported", sb->block_size, sb->inode_size);
    if (sb->feat_incompat & ~WFS_INCOMPAT_KNOWN)
        return WHY("unknown incompatible features 0x%x", sb->feat_incompat);
    if (sb->nblocks < WFS_MIN_BLOCKS || sb->nblocks > 0xffffffffull)
        return WHY("size of %llu blocks out of range", (unsigned long long)sb->nblocks);
    if (sb->nblocks > dev_blocks)
        return WHY("image says %llu blocks but the device has %llu",
                   (unsigned long long)sb->nblocks, (unsigned long long)dev_blocks);
    return layout_check(sb, why, n);
}

int
wfs_super_read(const struct wfs_dev *dev, struct wfs_super *sb, uint8_t *tmp)
{
    int err = dev->read_block(dev->ctx, 0, tmp);
    if (err)
        return err;
    memcpy(sb, tmp, sizeof(*sb));
    return 0;
}

int
wfs_super_write(const struct wfs_dev *dev, const struct wfs_super *sb, uint8_t *tmp)
{
    memset(tmp, 0, WFS_BLOCK);
    memcpy(tmp, sb, sizeof(*sb));
    int err = dev->write_block(dev->ctx, 0, tmp);
    return err ? err : dev->flush(dev->ctx);
}

int
wfs_mount(struct wfs *fs, const struct wfs_dev *dev)
{
    return wfs_mount_n(fs, WFS_NBUF, dev);
}

int
wfs_mount_n(struct wfs *fs, unsigned nbuf, const struct wfs_dev *dev)
{
    int replayed = 0;
    int err;

    memset(fs, 0, offsetof(struct wfs, mem));
    fs->dev = *dev;
    fs->nbuf = nbuf < WFS_NBUF ? WFS_NBUF : nbuf;
    fs->bufs = (struct wfs_buf *)(void *)fs->mem[fs->nbuf];
    if (dev->nblocks < WFS_MIN_BLOCKS)
        return wfs_fail(fs, -EINVAL, "device of %llu blocks is too small",
                        (unsigned long long)dev->nblocks);
    err = wfs_super_read(dev, &fs->sb, fs->scratch);
    if (err)
        return wfs_fail(fs, err, "cannot read the superblock (%d)", err);
    err = wfs_super_check(&fs->sb, dev->nblocks, fs->err, sizeof(fs->err));
    if (err)
        return err;
    err = wfs_journal_replay(dev, &fs->sb, fs->scratch, fs->mem[0], &replayed, fs->err,
                             sizeof(fs->err));
    if (err)
        return err;
    wfs_cache_init(fs);
    err = wfs_count_free(fs);
    if (err)
        return wfs_fail(fs, err, "cannot read the bitmaps (%d)", err);
    fs->sb.state = WFS_STATE_DIRTY;
    fs->sb.mount_count++;
    fs->sb.mount_time = (int64_t)wfs_now(fs);
    wfs_super_seal(&fs->sb);
    err = wfs_super_write(dev, &fs->sb, fs->scratch);
    if (err)
        return wfs_fail(fs, err, "cannot write the superblock (%d)", err);
    err = wfs_orphan_finish(fs);
    if (err)
        return wfs_fail(fs, err, "cannot finish an interrupted deletion (%d)", err);
    fs->err[0] = 0;
    return 0;
}

int
wfs_unmount(struct wfs *fs)
{
    int err = wfs_tx_commit(fs);
    if (err)
        return err;
    fs->sb.state = WFS_STATE_CLEAN;
    fs->sb.free_blocks = fs->free_blocks;
    fs->sb.free_inodes = fs->free_inodes;
    wfs_super_seal(&fs->sb);
    err = wfs_super_write(&fs->dev, &fs->sb, fs->scratch);
    wfs_cache_forget(fs);
    return err;
}

int
wfs_statfs(struct wfs *fs, struct wfs_statfs *st)
{
    st->bsize = WFS_BLOCK;
    st->blocks = fs->sb.nblocks - fs->sb.data_start;
    st->bfree = fs->free_blocks;
    st->files = fs->sb.ninodes;
    st->ffree = fs->free_inodes;
    st->namelen = WFS_NAME_MAX;
    return 0;
}
