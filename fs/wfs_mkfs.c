/*
 * Formatting (docs/wfs.md "Layout"): choose the region sizes for a device,
 * write zeroed bitmaps, inode table and journal, a root directory holding
 * lost+found, and last the superblock, so that a format cut short leaves
 * no valid superblock. Filling the image from a directory tree is the
 * host tool's job (fs/host/wfs_mkfs_tool.c), through the normal calls.
 */
#include "fs/wfs_int.h"
#include "kernel/errno.h"
#include "kernel/lib.h"

static uint32_t
div_up(uint64_t a, uint64_t b)
{
    return (uint32_t)((a + b - 1) / b);
}

static int
plan(struct wfs_super *sb, uint64_t nblocks, uint32_t ninodes)
{
    if (nblocks < WFS_MIN_BLOCKS || nblocks > 0xffffffffull)
        return -EINVAL;
    if (ninodes == 0)
        ninodes = (uint32_t)MIN(nblocks / 4, 0xfffffffeull);
    ninodes = MAX(ninodes, 16u);
    sb->nblocks = nblocks;
    sb->journal_start = 1;
    sb->journal_blocks = (uint32_t)MIN(MAX(nblocks / 64, 128ull), 4096ull);
    sb->itable_blocks = div_up((uint64_t)ninodes + 1, WFS_IPB);
    sb->ninodes = sb->itable_blocks * WFS_IPB - 1;
    sb->ibitmap_start = sb->journal_start + sb->journal_blocks;
    sb->ibitmap_blocks = div_up((uint64_t)sb->ninodes + 1, WFS_BPB);
    sb->bbitmap_start = sb->ibitmap_start + sb->ibitmap_blocks;
    sb->bbitmap_blocks = div_up(nblocks, WFS_BPB);
    sb->itable_start = sb->bbitmap_start + sb->bbitmap_blocks;
    sb->data_start = sb->itable_start + sb->itable_blocks;
    if ((uint64_t)sb->data_start + 16 > nblocks)
        return -EINVAL;
    return 0;
}

static int
put(const struct wfs_dev *dev, uint32_t blk, const void *data)
{
    return dev->write_block(dev->ctx, blk, data) ? -EIO : 0;
}

/* A bitmap region: bits below used set, bits from limit on set (they
 * stand for nothing), the rest clear. */
static int
write_bitmap(const struct wfs_dev *dev, uint8_t *blk, uint32_t start, uint32_t n, uint64_t used,
             uint64_t limit)
{
    for (uint32_t m = 0; m < n; m++) {
        memset(blk, 0, WFS_BLOCK);
        for (uint32_t bit = 0; bit < WFS_BPB; bit++) {
            uint64_t i = (uint64_t)m * WFS_BPB + bit;
            if (i < used || i >= limit)
                wfs_setbit(blk, bit, true);
        }
        if (put(dev, start + m, blk))
            return -EIO;
    }
    return 0;
}

static void
dir_inode(struct wfs_dinode *di, uint32_t mode, uint32_t nlink, uint32_t blk, int64_t now)
{
    memset(di, 0, sizeof(*di));
    di->mode = WFS_S_IFDIR | mode;
    di->nlink = nlink;
    di->size = WFS_BLOCK;
    di->nblocks = 1;
    di->direct[0] = blk;
    di->generation = 1;
    di->atime = di->mtime = di->ctime = di->btime = now;
}

static void
dir_block(uint8_t *blk, uint32_t self, uint32_t parent, uint32_t child, const char *name)
{
    wfs_dirblock_init(blk, self);
    wfs_dirblock_add(blk, ".", 1, self, WFS_DT_DIR);
    wfs_dirblock_add(blk, "..", 2, parent, WFS_DT_DIR);
    if (child)
        wfs_dirblock_add(blk, name, strlen(name), child, WFS_DT_DIR);
    wfs_dirblock_seal(blk, self);
}

/* Root (inode 1) and lost+found (inode 2), each with one block. */
static int
write_tree(const struct wfs_dev *dev, const struct wfs_super *sb, uint8_t *blk, int64_t now)
{
    struct wfs_dinode *di = (struct wfs_dinode *)blk;
    uint32_t rb = sb->data_start, lb = sb->data_start + 1;

    for (uint32_t b = 0; b < sb->itable_blocks; b++) {
        memset(blk, 0, WFS_BLOCK);
        if (b == 0) {
            wfs_dinode_seal(&di[WFS_ORPHAN_SLOT], WFS_ORPHAN_SLOT);
            dir_inode(&di[WFS_ROOT_INO], 0755, 3, rb, now);
            wfs_dinode_seal(&di[WFS_ROOT_INO], WFS_ROOT_INO);
            dir_inode(&di[WFS_LOSTFOUND_INO], 0700, 2, lb, now);
            wfs_dinode_seal(&di[WFS_LOSTFOUND_INO], WFS_LOSTFOUND_INO);
        }
        if (put(dev, sb->itable_start + b, blk))
            return -EIO;
    }
    dir_block(blk, WFS_ROOT_INO, WFS_ROOT_INO, WFS_LOSTFOUND_INO, "lost+found");
    if (put(dev, rb, blk))
        return -EIO;
    dir_block(blk, WFS_LOSTFOUND_INO, WFS_ROOT_INO, 0, NULL);
    return put(dev, lb, blk);
}

int
wfs_mkfs(const struct wfs_dev *dev, uint32_t ninodes, const char *label)
{
    uint8_t blk[WFS_BLOCK];
    struct wfs_super sb = { 0 };
    int64_t now = dev->now_ns ? (int64_t)dev->now_ns(dev->ctx) : 0;
    int err = plan(&sb, dev->nblocks, ninodes);
    if (err)
        return err;
    memset(blk, 0, WFS_BLOCK);
    if (put(dev, 0, blk))                   /* no valid superblock until the end */
        return -EIO;
    for (uint32_t j = 1; j < sb.journal_blocks; j++)
        if (put(dev, sb.journal_start + j, blk))
            return -EIO;
    if (wfs_journal_reset(dev, &sb, 1, blk))
        return -EIO;
    err = write_bitmap(dev, blk, sb.ibitmap_start, sb.ibitmap_blocks, WFS_LOSTFOUND_INO + 1,
                       (uint64_t)sb.ninodes + 1);
    if (!err)
        err = write_bitmap(dev, blk, sb.bbitmap_start, sb.bbitmap_blocks, sb.data_start + 2,
                           sb.nblocks);
    if (!err)
        err = write_tree(dev, &sb, blk, now);
    if (err)
        return err;
    sb.magic = WFS_MAGIC;
    sb.version = WFS_VERSION;
    sb.feat_compat = WFS_COMPAT_ORPHAN_LIST;
    sb.block_size = WFS_BLOCK;
    sb.inode_size = WFS_INODE_SIZE;
    sb.root_ino = WFS_ROOT_INO;
    sb.state = WFS_STATE_CLEAN;
    sb.mkfs_time = now;
    sb.free_blocks = sb.nblocks - sb.data_start - 2;
    sb.free_inodes = sb.ninodes - 2;
    for (int i = 0; i < 16; i++)
        sb.uuid[i] = (uint8_t)(((uint64_t)now >> (8 * (i % 8))) ^ (uint64_t)(i * 0x9d));
    if (label)
        k_strlcpy(sb.label, label, sizeof(sb.label));
    wfs_super_seal(&sb);
    if (dev->flush(dev->ctx))
        return -EIO;
    return wfs_super_write(dev, &sb, blk);
}
