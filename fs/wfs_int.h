/*
 * Inside WFS only (fs/wfs_*.c): the on-disk structures, byte for byte as
 * docs/wfs.md tables them (little-endian; static_asserts pin the
 * offsets), the in-memory mount with its block cache and running
 * transaction, and the functions the files share.
 */
#pragma once
#include "fs/wfs.h"
#include "kernel/compiler.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "the on-disk format is little-endian");

#define WFS_MAGIC       0x31534657u     /* "WFS1" */
#define WFS_VERSION     1
#define WFS_INODE_SIZE  256
#define WFS_IPB         (WFS_BLOCK / WFS_INODE_SIZE)
#define WFS_BPB         (WFS_BLOCK * 8) /* bits in a bitmap block */
#define WFS_NDIRECT     12
#define WFS_PPB         (WFS_BLOCK / 4) /* pointers in an indirect block */
#define WFS_STATE_CLEAN 1
#define WFS_STATE_DIRTY 0
#define WFS_INCOMPAT_KNOWN 0u           /* no incompatible features yet */
#define WFS_COMPAT_ORPHAN_LIST 0x1u     /* the orphan list: slot direct[1], inode onext */
#define WFS_LOSTFOUND_INO 2
/* Inode flag: blocks past EOF may remain (a truncate was cut short by a
 * crash); freed before the file grows again. */
#define WFS_IF_TAIL     1
/* Inode slot 0 is never a file: its direct[0] names the inode whose
 * deletion is under way (0: none), so that mount can finish a deletion
 * a crash cut short -- freeing a large file takes several transactions. */
#define WFS_ORPHAN_SLOT 0

struct wfs_super {
    uint32_t magic;             /*   0 */
    uint32_t version;           /*   4 */
    uint32_t block_size;        /*   8 */
    uint32_t feat_compat;       /*  12 */
    uint32_t feat_incompat;     /*  16: refuse to mount if unknown bits */
    uint32_t feat_ro_compat;    /*  20 */
    uint64_t nblocks;           /*  24 */
    uint32_t ninodes;           /*  32 */
    uint32_t inode_size;        /*  36 */
    uint32_t journal_start;     /*  40 */
    uint32_t journal_blocks;    /*  44 */
    uint32_t ibitmap_start;     /*  48 */
    uint32_t ibitmap_blocks;    /*  52 */
    uint32_t bbitmap_start;     /*  56 */
    uint32_t bbitmap_blocks;    /*  60 */
    uint32_t itable_start;      /*  64 */
    uint32_t itable_blocks;     /*  68 */
    uint32_t data_start;        /*  72 */
    uint32_t root_ino;          /*  76 */
    uint32_t state;             /*  80: WFS_STATE_* */
    uint32_t mount_count;       /*  84 */
    int64_t  mkfs_time;         /*  88 */
    int64_t  mount_time;        /*  96 */
    uint64_t free_blocks;       /* 104: a hint, written at unmount */
    uint32_t free_inodes;       /* 112: a hint */
    uint8_t  uuid[16];          /* 116 */
    char     label[32];         /* 132 */
    uint8_t  pad[88];           /* 164 */
    uint32_t crc;               /* 252: CRC32C of bytes 0..251 */
};
static_assert(sizeof(struct wfs_super) == 256, "superblock layout");

struct wfs_dinode {
    uint32_t mode;              /*   0: 0 = never used */
    uint32_t uid, gid;          /*   4, 8 */
    uint32_t nlink;             /*  12 */
    uint64_t size;              /*  16 */
    int64_t  atime, mtime, ctime, btime;    /* 24..55 */
    uint32_t generation;        /*  56 */
    uint32_t flags;             /*  60 */
    uint64_t version;           /*  64 */
    uint64_t nblocks;           /*  72 */
    uint32_t direct[WFS_NDIRECT];   /* 80 */
    uint32_t indirect;          /* 128 */
    uint32_t dindirect;         /* 132 */
    uint32_t onext;             /* 136: the next inode on the orphan list, or 0 */
    uint8_t  pad[112];          /* 140 */
    uint32_t crc;               /* 252: CRC32C (seed: inode number) of 0..251 */
};
static_assert(sizeof(struct wfs_dinode) == WFS_INODE_SIZE, "inode layout");

/* Directory entries: 8-byte header, name, padded to 8; rec_len chains
 * them to the tail. ino 0 marks unused space. */
struct wfs_dirent {
    uint32_t ino;
    uint16_t rec_len;
    uint8_t  name_len;
    uint8_t  type;              /* DT_* */
    char     name[];
};
#define WFS_DIRTAIL_MAGIC 0x4c544457u   /* "WDTL" */
#define WFS_DIR_USED  (WFS_BLOCK - 8)   /* entries end where the tail starts */
#define WFS_DT_DIR 4
#define WFS_DT_REG 8
#define WFS_DT_LNK 10

/* Journal: header in its first block, then descriptor, images, commit. */
#define WFS_JHDR_MAGIC  0x4c4e4a57u     /* "WJNL" */
#define WFS_JDESC_MAGIC 0x53444a57u     /* "WJDS" */
#define WFS_JCOMMIT_MAGIC 0x4d434a57u   /* "WJCM" */
#define WFS_JDESC_MAX   ((WFS_BLOCK - 24 - 4) / 4)
struct wfs_jhdr {
    uint32_t magic, version;
    uint64_t seq;               /* the next transaction to replay or write */
    uint32_t blocks;            /* journal size, as in the superblock */
    uint32_t crc;               /* of bytes 0..19 */
};
struct wfs_jdesc {
    uint32_t magic, count;
    uint64_t seq;
    uint32_t images_crc, pad;
    uint32_t home[];            /* count entries; CRC32C of 0..4091 at 4092 */
};
struct wfs_jcommit {
    uint32_t magic, count;
    uint64_t seq;
    uint32_t desc_crc, images_crc;
    uint32_t crc;               /* of bytes 0..23 */
};

/* Cache and transaction sizes: a transaction holds at most WFS_TX_MAX
 * blocks (dirty ones plus deferred frees, each of which may dirty one
 * bitmap block); one operation dirties at most WFS_OP_BLOCKS. */
#define WFS_NBUF        192     /* the default (host tools); the server sizes its own */
#define WFS_HASH        4096
#define WFS_TX_MAX      96
#define WFS_OP_BLOCKS   24
#define WFS_JMIN        (WFS_TX_MAX + 3)

#define WFS_B_VALID 1
#define WFS_B_DIRTY 2

struct wfs_buf {
    uint32_t blk;
    uint16_t ref;
    uint16_t flags;
    uint32_t used;              /* LRU stamp */
    int32_t  hnext;             /* hash chain, -1 ends */
    uint8_t *data;
};

struct wfs_free { uint32_t start, len; };

struct wfs {
    struct wfs_dev dev;
    struct wfs_super sb;
    char err[128];
    uint64_t free_blocks;
    uint32_t free_inodes;
    uint32_t balloc_hint;
    uint32_t ialloc_hint;
    uint32_t clock;
    uint32_t nbuf;              /* buffers in the cache (mem[] and bufs) */
    uint32_t hand;              /* where the next eviction scan starts */
    bool broken;                /* a commit failed: refuse changes */
    bool (*keep)(void *ctx, uint32_t ino);   /* wfs_set_keep: open files outlive their names */
    void *keep_ctx;
    int ndirty;
    int nfrees;
    struct wfs_free frees[WFS_TX_MAX];
    int32_t hash[WFS_HASH];
    struct wfs_buf *bufs;       /* nbuf of them, after mem[] */
    uint8_t scratch[WFS_BLOCK];
    uint8_t mem[][WFS_BLOCK];   /* nbuf blocks, then the struct wfs_buf array */
};

/* wfs_crc.c */
uint32_t wfs_crc32c(uint32_t seed, const void *p, size_t n);

/* wfs_super.c */
int  wfs_super_check(const struct wfs_super *sb, uint64_t dev_blocks, char *why, size_t n);
void wfs_super_seal(struct wfs_super *sb);
int  wfs_super_read(const struct wfs_dev *dev, struct wfs_super *sb, uint8_t *tmp);
int  wfs_super_write(const struct wfs_dev *dev, const struct wfs_super *sb, uint8_t *tmp);
uint64_t wfs_now(struct wfs *fs);
int  wfs_fail(struct wfs *fs, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* wfs_cache.c: blocks by number; bread reads, bget_zero does not. */
void wfs_cache_init(struct wfs *fs);
int  wfs_bread(struct wfs *fs, uint32_t blk, struct wfs_buf **out);
/* Blocks [blk, blk + n) (n <= WFS_RUN_MAX), none cached, into the cache
 * in one device call when the device has read_blocks: returns how many
 * came in (0: none; the caller reads block by block as before). */
#define WFS_RUN_MAX 16
int  wfs_bread_run(struct wfs *fs, uint32_t blk, unsigned n);
bool wfs_bcached(struct wfs *fs, uint32_t blk);
int  wfs_bget_zero(struct wfs *fs, uint32_t blk, struct wfs_buf **out);
void wfs_brelse(struct wfs *fs, struct wfs_buf *b);
/* Metadata: log b in the running transaction. */
void wfs_bdirty(struct wfs *fs, struct wfs_buf *b);
/* File data: write b to its home now (ordered mode). */
int  wfs_bwrite_data(struct wfs *fs, struct wfs_buf *b);
void wfs_cache_forget(struct wfs *fs);

/* wfs_journal.c */
/* Commit first if the running transaction lacks room for one operation. */
int  wfs_tx_reserve(struct wfs *fs, int blocks);
int  wfs_tx_commit(struct wfs *fs);
int  wfs_journal_replay(const struct wfs_dev *dev, const struct wfs_super *sb, uint8_t *a,
                        uint8_t *b, int *replayed, char *why, size_t n);
int  wfs_journal_reset(const struct wfs_dev *dev, const struct wfs_super *sb, uint64_t seq,
                       uint8_t *tmp);

/* wfs_alloc.c */
int  wfs_balloc(struct wfs *fs, uint32_t goal, uint32_t *blk);
int  wfs_bfree(struct wfs *fs, uint32_t blk);
int  wfs_apply_frees(struct wfs *fs);
int  wfs_ialloc(struct wfs *fs, uint32_t *ino);
int  wfs_ifree(struct wfs *fs, uint32_t ino);
int  wfs_count_free(struct wfs *fs);
bool wfs_bit(const uint8_t *map, uint32_t i);
void wfs_setbit(uint8_t *map, uint32_t i, bool on);

/* wfs_inode.c */
int  wfs_iget(struct wfs *fs, uint32_t ino, struct wfs_dinode *di);
int  wfs_iput(struct wfs *fs, uint32_t ino, struct wfs_dinode *di);
void wfs_dinode_seal(struct wfs_dinode *di, uint32_t ino);
bool wfs_dinode_ok(const struct wfs_dinode *di, uint32_t ino);
/* Physical block of file block lblk (0 = hole); alloc fills holes, with
 * *fresh set when it did. */
int  wfs_bmap(struct wfs *fs, struct wfs_dinode *di, uint64_t lblk, bool alloc, uint32_t *pblk,
              bool *fresh);
/* Free every block at or past file block first; commits on the way when
 * the transaction fills (the inode is written first each time). */
int  wfs_free_from(struct wfs *fs, uint32_t ino, struct wfs_dinode *di, uint64_t first);
/* Drop one link; at zero free the blocks and the inode. */
int  wfs_drop_link(struct wfs *fs, uint32_t ino, struct wfs_dinode *di);
int  wfs_iget_live(struct wfs *fs, uint32_t ino, struct wfs_dinode *di);
/* Finish the deletion a crash interrupted (at mount). */
int  wfs_orphan_finish(struct wfs *fs);
void wfs_touch(struct wfs *fs, struct wfs_dinode *di, bool m, bool c);

/* wfs_dir.c */
struct wfs_dloc {
    uint32_t lblk;
    uint32_t off;               /* of the entry */
    int32_t  prev;              /* of the entry before it in the block, or -1 */
};
bool wfs_dirblock_ok(const uint8_t *blk, uint32_t dino);
void wfs_dirblock_seal(uint8_t *blk, uint32_t dino);
void wfs_dirblock_init(uint8_t *blk, uint32_t dino);
/* Put an entry where it fits (false: no room); drop the entry at off. */
bool wfs_dirblock_add(uint8_t *blk, const char *name, size_t len, uint32_t ino, unsigned type);
void wfs_dirblock_del(uint8_t *blk, uint32_t off, int32_t prev);
int  wfs_dir_find(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir, const char *name,
                  size_t len, uint32_t *ino, struct wfs_dloc *loc);
int  wfs_dir_add(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir, const char *name,
                 size_t len, uint32_t ino, unsigned type);
int  wfs_dir_remove(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir,
                    const struct wfs_dloc *loc);
int  wfs_dir_set(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir,
                 const struct wfs_dloc *loc, uint32_t ino, unsigned type);
int  wfs_dir_empty(struct wfs *fs, uint32_t dino, struct wfs_dinode *dir);
unsigned wfs_dtype(uint32_t mode);
int  wfs_name_check(const char *name, size_t *len);
