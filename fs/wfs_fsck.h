/*
 * Inside the checker only (fs/wfs_fsck*.c): what one run knows. fsck
 * works on the device directly, without the cache or the journal: the
 * image is not mounted while it runs. Memory: a bit per block and per
 * inode, ten bytes per inode, from kzalloc.
 */
#pragma once
#include "fs/wfs_int.h"

struct wfs_ck {
    const struct wfs_dev *dev;
    bool fix;
    wfs_report_t report;
    void *arg;
    int result;                 /* WFS_FSCK_* bits */
    uint32_t orphan;            /* the deletion mount will finish, or 0 */
    uint32_t ohead;             /* the orphan list's head (unlinked open files), or 0 */
    uint8_t *olist;             /* inodes on the orphan list (bit per inode) */
    struct wfs_super sb;
    uint8_t *used;              /* blocks found in use (bit per block) */
    uint8_t *ibm;               /* the inode bitmap as found on disk */
    uint8_t *iuse;              /* inodes found in use (bit per inode) */
    uint8_t *reach;             /* directories reachable from the root */
    uint16_t *links;            /* names counted per inode */
    uint32_t *parent;           /* directories: the directory naming it */
    uint32_t *dotdot;           /* directories: what its '..' says */
    uint8_t blk[4][WFS_BLOCK];  /* 0-2: tree levels, 3: scratch */
};

/* Report a problem; returns true when the caller should repair it. */
bool wfs_ck_problem(struct wfs_ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void wfs_ck_note(struct wfs_ck *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int  wfs_ck_read(struct wfs_ck *c, uint32_t blk, void *buf);
int  wfs_ck_write(struct wfs_ck *c, uint32_t blk, const void *buf);
int  wfs_ck_iget(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di);
int  wfs_ck_iput(struct wfs_ck *c, uint32_t ino, struct wfs_dinode *di);
/* Physical block of file block lblk of di (0 = hole or bad pointer). */
uint32_t wfs_ck_bmap(struct wfs_ck *c, const struct wfs_dinode *di, uint32_t lblk);
bool wfs_ck_isdir(const struct wfs_dinode *di);
/* Clear the used bits of every block di holds. */
void wfs_ck_unmark(struct wfs_ck *c, const struct wfs_dinode *di);

/* Check inode ino and the blocks it holds; marks it in use if kept. */
void wfs_ck_inode(struct wfs_ck *c, uint32_t ino);
/* Why the inode cannot be kept, or NULL. */
const char *wfs_ck_inode_bad(struct wfs_ck *c, uint32_t ino, const struct wfs_dinode *di);

/* wfs_fsck_dir.c: entries, '..', reachability, lost+found, link counts. */
int  wfs_ck_dirs(struct wfs_ck *c);
/* Read directory block lblk (at p) into blk (not c->blk[1]), rebuilt in
 * memory if it is corrupt -- so that a check without repairs can go on. */
int  wfs_ck_dirblock(struct wfs_ck *c, uint32_t dino, uint32_t lblk, uint32_t p, uint8_t *blk);

/* wfs_fsck_link.c: lost+found, removing a name, the link counts. */
int  wfs_ck_lf_add(struct wfs_ck *c, uint32_t lf, uint32_t ino, unsigned type);
/* /lost+found, named again or made when missing; 0 if there is none. */
uint32_t wfs_ck_find_lf(struct wfs_ck *c);
int  wfs_ck_unname(struct wfs_ck *c, uint32_t dir, uint32_t ino);
void wfs_ck_counts(struct wfs_ck *c, uint32_t lf);
